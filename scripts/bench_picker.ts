/**
 * `deno task bench:picker`: what opening the picker costs, and the measured grounds for drawing it
 * by hand rather than with a terminal UI package from npm. Side by side in one run, interleaved.
 *
 * 1. Opening: from starting portctl in a real terminal (a tmux pane, 80x24) until its first screen
 *    shows, for `portctl pick` and, for reference, `portctl list` until its table shows.
 * 2. The UI layer alone: an empty script; the picker's own modules drawing one frame of a
 *    20-row table; ink (React for the terminal) drawing the same rows; @inquirer/search (a prompt
 *    with a filter) imported. The npm candidates are fetched into Deno's cache on the first run.
 * 3. Size: the files each brings (the packages' files for the npm candidates, which is what
 *    `deno compile` embeds of them at most; the picker's own TypeScript sources).
 *
 * Usage: deno task bench:picker [--rounds R]
 *
 * @module
 */

import { interleaved, median, printTable, type Series } from "./bench_runs.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const MAIN = `${ROOT}src/main.ts`;
const rounds = Deno.args[0] === "--rounds" ? Number(Deno.args[1]) : 15;
const server = `portctl-bench-${Deno.pid}`;
const INK = "npm:ink@8.0.0";
const REACT = "npm:react@19.3.1";
const INQUIRER = "npm:@inquirer/search@4.4.0";
/**
 * The candidates run outside the project's configuration, so they never touch its lockfile, and
 * all alike (the project's deno.json costs every run ~1 ms).
 */
const NO_PROJECT = ["run", "--no-config", "--no-lock"];

function tmux(args: string[]): string {
  const output = new Deno.Command("tmux", { args: ["-L", server, "-f", "/dev/null", ...args] })
    .outputSync();
  return new TextDecoder().decode(output.stdout);
}

/** Milliseconds from starting `args` in a fresh 80x24 pane until `ready` is on its screen. */
function timeToScreen(args: string[], ready: string): number {
  const command = [
    Deno.execPath(),
    "run",
    "-A",
    "--quiet",
    MAIN,
    ...args,
    "; echo LISTED; sleep 60",
  ].join(" ");
  const started = performance.now();
  tmux(["new-session", "-d", "-s", "bench", "-x", "80", "-y", "24", command]);
  try {
    let screen = "";
    while (performance.now() - started < 30_000) {
      screen = tmux(["capture-pane", "-p", "-t", "bench"]);
      if (screen.includes(ready)) return performance.now() - started;
    }
    throw new Error(`portctl ${args.join(" ")} never showed "${ready}"; the screen:\n${screen}`);
  } finally {
    tmux(["kill-session", "-t", "bench"]);
  }
}

function openingBench(): Series[] {
  const cases: [string, string[], string][] = [
    ["portctl pick (first screen)", ["pick"], "Filter:"],
    // The table may scroll its header away; the shell's echo after it marks the end.
    ["portctl list (its table)", ["list"], "LISTED"],
  ];
  const series = cases.map(([name]) => ({ name, samples: [] as number[] }));
  for (const [, args, ready] of cases) timeToScreen(args, ready); // warm caches
  for (let round = 0; round < rounds; round++) {
    for (const [i, [, args, ready]] of cases.entries()) {
      series[i].samples.push(timeToScreen(args, ready));
    }
  }
  tmux(["kill-server"]);
  return series;
}

const ROWS = `Array.from({ length: 20 }, (_, i) =>
  \`tcp    127.0.0.1:\${3000 + i}   \${4000 + i}  dev   node  node server.js\`)`;

/** Scripts that draw (or, for a prompt, load) the same 20 rows, each a way to build the picker. */
function candidates(dir: string): [string, string][] {
  const scripts: [string, string][] = [
    ["deno empty script", ""],
    [
      "hand-written (portctl's picker modules, one frame)",
      `import { renderFrame } from "${ROOT}src/cli/picker/screen.ts";
import { initialState } from "${ROOT}src/cli/picker/state.ts";
import "${ROOT}src/cli/picker/session.ts";
import { PLAIN } from "${ROOT}src/output/style.ts";
const rows = ${ROWS}.map((text, i) => ({ key: String(i), entry: { socket: { protocol: "tcp",
  family: 4, address: "127.0.0.1", port: 3000 + i, state: "LISTEN", uid: 0, user: "dev" },
  holder: { kind: "none", note: text } }, process: null }));
const state = initialState(rows, { mode: { kind: "escalate" }, modes: [], protocol: null });
const frame = renderFrame(state, { width: 80, height: 24, style: PLAIN,
  describeMode: () => "SIGTERM", plugins: true });
console.log(frame.lines.join("\\n"));`,
    ],
    [
      "ink 8 + React 19 (one frame)",
      `import React from "${REACT}";
import { Box, render, Text } from "${INK}";
const h = React.createElement;
const app = render(h(Box, { flexDirection: "column" }, ...${ROWS}.map((t) => h(Text, { key: t }, t))),
  { patchConsole: false, exitOnCtrlC: false });
app.unmount();
await app.waitUntilExit();`,
    ],
    [
      "@inquirer/search 4 (import only)",
      `import search from "${INQUIRER}";
if (typeof search !== "function") throw new Error("no prompt");`,
    ],
  ];
  return scripts.map(([name, source], i) => {
    const path = `${dir}/candidate${i}.ts`;
    Deno.writeTextFileSync(path, source);
    return [name, path];
  });
}

/** Bytes of every file under `path`. */
function bytesUnder(path: string): number {
  let total = 0;
  for (const entry of Deno.readDirSync(path)) {
    const child = `${path}/${entry.name}`;
    if (entry.isDirectory) total += bytesUnder(child);
    else if (entry.isFile) total += Deno.statSync(child).size;
  }
  return total;
}

/** What `deno info --json` says (about `args`). */
function denoInfo<T>(args: string[]): T {
  const output = new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--no-config", "--no-lock", ...args],
  })
    .outputSync();
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

/** The npm packages a script's graph reaches, and the bytes of their files in Deno's cache. */
function npmFootprint(script: string): { packages: number; bytes: number } {
  const info = denoInfo<{ npmPackages?: Record<string, { name: string; version: string }> }>([
    script,
  ]);
  const cache = `${denoInfo<{ npmCache: string }>([]).npmCache}/registry.npmjs.org`;
  const packages = Object.values(info.npmPackages ?? {});
  const bytes = packages.reduce(
    (sum, p) => sum + bytesUnder(`${cache}/${p.name}/${p.version}`),
    0,
  );
  return { packages: packages.length, bytes };
}

function ownSourceBytes(): number {
  const dir = `${ROOT}src/cli/picker`;
  return [...Deno.readDirSync(dir)].reduce(
    (sum, e) => sum + Deno.statSync(`${dir}/${e.name}`).size,
    0,
  ) +
    Deno.statSync(`${ROOT}src/cli/pick.ts`).size;
}

if (import.meta.main) {
  console.log(
    `portctl picker bench, ${new Date().toISOString().slice(0, 10)}, Deno ${Deno.version.deno}`,
  );
  printTable(`1. Opening, in a tmux pane (median of ${rounds}, interleaved)`, openingBench(), [
    "portctl list (its table)",
  ]);
  const dir = Deno.makeTempDirSync({ prefix: "portctl-bench-picker-" });
  try {
    const scripts = candidates(dir);
    const runs = await interleaved(
      scripts.map((
        [name, path],
      ) => [name, [Deno.execPath(), ...NO_PROJECT, "-A", "--quiet", path]]),
      rounds,
    );
    printTable(`2. The UI layer alone (median of ${rounds}, interleaved)`, runs, [
      "deno empty script",
    ]);
    console.log("\n3. Size");
    console.log(`| way | files |\n|---|---|`);
    console.log(
      `| hand-written | ${
        (ownSourceBytes() / 1024).toFixed(0)
      } KiB of TypeScript source, no package |`,
    );
    for (const [name, path] of scripts.slice(2)) {
      const { packages, bytes } = npmFootprint(path);
      console.log(`| ${name} | ${packages} npm packages, ${(bytes / 1024).toFixed(0)} KiB |`);
    }
    const spread = runs.map((s) =>
      `${s.name}: ${Math.min(...s.samples).toFixed(1)}-${Math.max(...s.samples).toFixed(1)}`
    );
    console.log(
      `\nranges (ms): ${spread.join("; ")}; medians ${
        runs.map((s) => median(s.samples).toFixed(1)).join(", ")
      }`,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
