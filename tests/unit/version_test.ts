import { assertEquals, assertMatch } from "../support/assert.ts";
import { VERSION, versionLine } from "../../src/version.ts";

Deno.test("VERSION equals the version in deno.json", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  ) as { version?: unknown };
  assertEquals(VERSION, config.version);
});

Deno.test("versionLine names the version and this Deno's target", () => {
  assertEquals(versionLine(), `portctl ${VERSION} (${Deno.build.target})`);
  assertMatch(versionLine(), /^portctl \d+\.\d+\.\d+\S* \([a-z0-9_]+-[a-z0-9_]+-[a-z0-9_-]+\)$/);
});
