/**
 * The fast path reads a command line only when stricli would read it the same way: for every
 * line here, either the fast path leaves it to stricli, or both produce the same flags and
 * arguments. stricli runs the very command definitions the fast path reads, with each command's
 * code swapped for a recorder.
 */

import { buildCommand, buildRouteMap, run } from "@stricli/core";
import { assert, assertEquals } from "../support/assert.ts";
import { buildPortctl } from "../../src/cli/app.ts";
import { ALIASES, COMMANDS } from "../../src/cli/commands.ts";
import { createContext } from "../../src/cli/context.ts";
import { kebabCase, readPlainCommandLine } from "../../src/cli/fast_path.ts";

type Call = { flags: Record<string, unknown>; args: unknown[] } | null;

/** What stricli parses `args` into, or null when it refuses the line. */
async function stricliReads(args: string[]): Promise<Call> {
  let call: Call = null;
  const record = (flags: Record<string, unknown>, ...rest: unknown[]) => {
    call = { flags, args: rest };
  };
  const routes = buildRouteMap({
    routes: Object.fromEntries(
      Object.entries(COMMANDS).map((
        [name, spec],
      ) => [name, buildCommand({ ...spec, loader: () => Promise.resolve(record) } as never)]),
    ),
    aliases: ALIASES,
    docs: { brief: "test" },
  });
  const silent = { write() {} };
  await run(buildPortctl(routes as never), args, {
    ...createContext(),
    process: { stdout: silent, stderr: silent },
  } as never);
  return call;
}

const LINES: string[][] = [
  ["who", "5432"],
  ["find", "udp6:53", "tcp:3000-3010"],
  ["who", "--json", "3000", "--all-states"],
  ["who", "3000", "--json", "--json"],
  ["who", "--JSON", "3000"],
  ["who", "--allStates", "3000"],
  ["who", "--json=true", "3000"],
  ["who", "--help"],
  ["who", "-h"],
  ["who"],
  ["who", "abc"],
  ["who", "", "1"],
  ["who", "0"],
  ["who", "--", "3000"],
  ["who", "3000", "--"],
  ["who", "-1"],
  ["kill", "3000"],
  ["kill", "3000", "--term", "--json"],
  ["kill", "--signal", "INT", "3000"],
  ["kill", "--signal", "-9", "3000"],
  ["kill", "--signal=9", "3000"],
  ["kill", "--signal", "3000"],
  ["kill", "--timeout", "0.5", "--dry-run", "3000"],
  ["kill", "--timeout", "five", "3000"],
  ["kill", "--timeout", "500ms", "--term", "3000"],
  ["kill", "--timeout", "2m", "3000"],
  ["kill", "--timeout", "5x", "3000"],
  ["kill", "--plugin-timeout", "50ms", "3000"],
  ["kill", "--timeout", "1", "--timeout", "2", "3000"],
  ["kill", "--plugin", "a.ts", "--plugin", "b.ts", "--no-plugins", "3000"],
  ["kill", "--plugin-timeout", "0.05", "3000"],
  ["kill", "--plugin-timeout", "2", "3000", "--no-fail"],
  ["kill", "--term", "--kill", "3000"],
  ["kill", "3000", "--plugin"],
  ["list"],
  ["ls", "--tcp", "--udp", "--json"],
  ["list", "3000"],
  ["list", "--all-states"],
  ["list", "--wide", "--in", "."],
  ["who", "3000", "--in", "src", "--wide"],
  ["who", "3000", "--in", "/no/such/folder"],
  ["kill", "--in", "deno.json", "3000"],
  ["kill", "3000", "--in", ".", "--dry-run"],
  ["wait", "3000"],
  ["wait", "--for", "free", "3000", "udp:53", "--timeout", "0.5", "--json"],
  ["wait", "--for", "free", "3000", "--timeout", "500ms", "--in", "."],
  ["wait", "3000", "--for", "sideways"],
  ["wait", "--for=free", "3000"],
  ["wait", "3000", "--for"],
  ["wait", "3000", "--timeout", "1", "--timeout", "2"],
  ["wait"],
  ["completions", "bash"],
  ["completions", "ports"],
  ["completions", "tcsh"],
  ["completions"],
  ["completions", "bash", "zsh"],
  ["plugins", "list"],
  ["--version"],
  ["--help"],
  [],
  ["whoo", "3000"],
  ["WHO", "3000"],
];

Deno.test("the fast path reads a line as stricli does, or leaves it to stricli", async () => {
  const context = createContext();
  let read = 0;
  for (const line of LINES) {
    const plain = await readPlainCommandLine(line, context);
    if (plain === null) continue;
    read++;
    const stricli = await stricliReads(line);
    assert(stricli !== null, `stricli refuses what the fast path reads: ${line.join(" ")}`);
    assertEquals(
      { flags: plain.flags, args: plain.args },
      stricli,
      `portctl ${line.join(" ")}`,
    );
  }
  assert(read >= 15, `the fast path read only ${read} lines: it should serve the plain ones`);
});

Deno.test("the fast path leaves help, errors and unusual spellings to stricli", async () => {
  const context = createContext();
  for (
    const line of [
      ["who", "--help"],
      ["who", "abc"],
      ["who"],
      ["kill", "--signal=9", "3000"],
      ["who", "--allStates", "3000"],
      ["who", "3000", "--json", "--json"],
      ["kill", "--signal", "-9", "3000"],
      ["who", "--", "3000"],
      ["completions", "tcsh"],
      ["plugins", "list"],
      ["--version"],
      [],
    ]
  ) {
    assertEquals(await readPlainCommandLine(line, context), null, line.join(" "));
  }
});

Deno.test("kebabCase spells flags as stricli does", () => {
  assertEquals(
    ["dryRun", "allStates", "pluginTimeout", "noFail", "json", "x"].map(kebabCase),
    ["dry-run", "all-states", "plugin-timeout", "no-fail", "json", "x"],
  );
});
