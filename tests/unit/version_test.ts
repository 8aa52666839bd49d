import { equal, match } from "node:assert/strict";
import { VERSION, versionLine } from "../../src/version.ts";

Deno.test("VERSION equals the version in deno.json", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  ) as { version?: unknown };
  equal(VERSION, config.version);
});

Deno.test("versionLine names the version and this Deno's target", () => {
  equal(versionLine(), `portctl ${VERSION} (${Deno.build.target})`);
  match(versionLine(), /^portctl \d+\.\d+\.\d+\S* \([a-z0-9_]+-[a-z0-9_]+-[a-z0-9_-]+\)$/);
});
