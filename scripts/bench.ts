/**
 * `deno task bench`: portctl against the tools people use today, side by side in ONE run,
 * interleaved over many rounds, reported as medians and ratios (absolute times vary by machine;
 * ratios measured in the same run do not).
 *
 * 1. Lookup, with N idle processes on the system (default 2000) plus one listener.
 * 2. Time until a port is free again, for a listener that exits on SIGTERM.
 *    2b. The same against kill-port for three parents that never restart the listener: an
 *        interactive shell, an `sh -c` that exits with its child (how npm run and make start
 *        servers), and a long-lived process that is not a manager (a test harness, an IDE).
 * 3. How lookup cost grows with the number of processes (250 to 8000 by default), for portctl,
 *    ss, lsof and fuser, drawn into an SVG (docs/bench-lookup.svg) that the README shows.
 *
 * Usage: deno task bench [--processes N] [--rounds R] [--kill-rounds K]
 *                        [--scaling N,N,...|none] [--scaling-rounds R] [--svg FILE] [--json FILE]
 *                        [--baseline DIR]
 *
 * `--baseline DIR`: another copy of portctl (`git archive REV | tar -x -C DIR`) whose `who` runs in
 * part 1 beside this one, so a change's cost is a ratio measured in the same run.
 *
 * @module
 */

import { waitUntil } from "../src/platform/poll.ts";
import { lookupPlot, type PlotSeries } from "./bench_plot.ts";
import {
  interleaved,
  median,
  printTable,
  type Series,
  shuffle,
  timeCommand,
} from "./bench_runs.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const MAIN = `${ROOT}src/main.ts`;
/** As `deno task portctl` runs it: Deno grants /proc only with full access. */
const PERMISSIONS = ["--allow-all"];

interface Options {
  processes: number;
  rounds: number;
  killRounds: number;
  scaling: number[];
  scalingRounds: number;
  svg: string;
  json: string | null;
  /** A folder holding another copy of portctl, compared with this one in part 1. */
  baseline: string | null;
}

function parseOptions(args: string[]): Options {
  const options: Options = {
    processes: 2000,
    rounds: 30,
    killRounds: 10,
    scaling: [250, 500, 1000, 2000, 4000, 8000],
    scalingRounds: 10,
    svg: `${ROOT}docs/bench-lookup.svg`,
    json: null,
    baseline: null,
  };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    const number = Number(value);
    const counts = value === "none" ? [] : (value ?? "").split(",").map(Number);
    if (flag === "--json" && value) options.json = value;
    else if (flag === "--baseline" && value) options.baseline = value.replace(/\/+$/, "");
    else if (flag === "--svg" && value) options.svg = value;
    else if (flag === "--processes" && number >= 0) options.processes = number;
    else if (flag === "--rounds" && number >= 1) options.rounds = number;
    else if (flag === "--kill-rounds" && number >= 1) options.killRounds = number;
    else if (flag === "--scaling-rounds" && number >= 1) options.scalingRounds = number;
    else if (flag === "--scaling" && counts.every((n) => Number.isInteger(n) && n >= 0)) {
      options.scaling = counts;
    } else {
      console.error(
        `bench: unknown or bad argument "${flag} ${value ?? ""}"; expected --processes N, ` +
          "--rounds R, --kill-rounds K, --scaling N,N,...|none, --scaling-rounds R, --svg FILE, " +
          "--json FILE, --baseline DIR",
      );
      Deno.exit(2);
    }
  }
  return options;
}

function which(name: string): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch { /* not here */ }
  }
  return null;
}

/** N idle processes (forked by one python3), ended together by killing their process group. */
async function startIdleProcesses(count: number): Promise<() => Promise<void>> {
  if (count === 0) return () => Promise.resolve();
  const child = new Deno.Command("setsid", {
    args: [
      "/usr/bin/python3",
      "-c",
      `import os, signal, sys
for _ in range(${count}):
    if os.fork() == 0:
        signal.pause()
        os._exit(0)
print("ready", flush=True)
signal.pause()`,
    ],
    stdout: "piped",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  await reader.read();
  reader.releaseLock();
  return async () => {
    try {
      Deno.kill(-child.pid, "SIGKILL"); // the whole session's group: parent and every child
    } catch { /* already gone */ }
    await child.status;
    await child.stdout.cancel().catch(() => {});
  };
}

/**
 * A listener started from an interactive shell (`bash -i`, commands read from stdin), as a
 * developer's server is: portctl then confirms the port at once instead of watching for a
 * supervisor's restart.
 */
async function startShellListener(port = 0): Promise<{ port: number; pid: number; stop(): void }> {
  // setsid: the shell leads its own process group, so stop() ends the listener with it.
  const child = new Deno.Command("setsid", {
    args: ["bash", "--norc", "--noprofile", "-i"],
    stdout: "piped",
    stderr: "null", // prompts, job-control notes, "Killed"
    stdin: "piped",
  }).spawn();
  const script = `/usr/bin/python3 -c 'import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", ${port})); s.listen()
print(s.getsockname()[1], flush=True)
time.sleep(3600)' & wait
`;
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return {
    port: Number(value),
    pid: child.pid,
    stop() {
      try {
        Deno.kill(-child.pid, "SIGKILL");
      } catch { /* gone */ }
      child.status.catch(() => {});
    },
  };
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function canBind(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

/** Installs the npm tools compared in part 2 into a temp folder, for the bench only. */
async function installNpmTools(): Promise<{ killPort: string | null; fkill: string | null }> {
  const dir = `${Deno.env.get("HOME")}/.cache/portctl-bench-npm`;
  const killPortBin = `${dir}/node_modules/kill-port/cli.js`;
  const fkillBin = `${dir}/node_modules/fkill-cli/cli.js`;
  const exists = (path: string) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  };
  if (!exists(killPortBin) || !exists(fkillBin)) {
    Deno.mkdirSync(dir, { recursive: true });
    await new Deno.Command("npm", {
      args: ["install", "--silent", "--prefix", dir, "kill-port@2", "fkill-cli@8"],
      stdout: "null",
      stderr: "inherit",
    }).output();
  }
  return {
    killPort: exists(killPortBin) ? killPortBin : null,
    fkill: exists(fkillBin) ? fkillBin : null,
  };
}

/** The tools that read the same tables, for a held port `held`: what portctl is compared with. */
function peerCommands(held: string): [string, string[]][] {
  const commands: [string, string[]][] = [];
  const lsof = which("lsof"), fuser = which("fuser"), ss = which("ss");
  if (ss) commands.push([SS, [ss, "-ltnpH", `sport = :${held}`]]);
  if (lsof) commands.push([LSOF, [lsof, "-ti", `tcp:${held}`, "-sTCP:LISTEN"]]);
  if (fuser) commands.push([FUSER, [fuser, `${held}/tcp`]]);
  return commands;
}

const SS = "ss -ltnpH sport = :P";
const LSOF = "lsof -ti tcp:P -sTCP:LISTEN";
const FUSER = "fuser P/tcp";
const EMPTY = "deno empty script";
const WHO_HELD = "portctl who <held>";
const BASELINE_HELD = "baseline who <held>";

async function lookupBench(options: Options): Promise<Series[]> {
  const empty = await Deno.makeTempFile({ suffix: ".ts" });
  const stopIdle = await startIdleProcesses(options.processes);
  const listener = await startShellListener();
  const free = freePort();
  const held = String(listener.port);
  try {
    const deno = Deno.execPath();
    const base = options.baseline;
    // The baseline with its own configuration, as if run from its checkout.
    const baseline = base === null
      ? []
      : [BASELINE_HELD, "baseline who <free>"].map((name, i): [string, string[]] => [name, [
        deno,
        "run",
        ...PERMISSIONS,
        "--config",
        `${base}/deno.json`,
        `${base}/src/main.ts`,
        "who",
        i === 0 ? held : String(free),
      ]]);
    return await interleaved([
      [EMPTY, [deno, "run", empty]],
      [WHO_HELD, [deno, "run", ...PERMISSIONS, MAIN, "who", held]],
      ["portctl who <free>", [deno, "run", ...PERMISSIONS, MAIN, "who", String(free)]],
      ...baseline,
      ...peerCommands(held),
    ], options.rounds);
  } finally {
    listener.stop();
    await stopIdle();
    Deno.removeSync(empty);
  }
}

/** Lookup cost at each process count: portctl and its peers, median of `scalingRounds` each. */
async function scalingBench(options: Options): Promise<PlotSeries[]> {
  const byTool = new Map<string, [number, number][]>();
  for (const count of options.scaling) {
    const stopIdle = await startIdleProcesses(count);
    const listener = await startShellListener();
    try {
      const held = String(listener.port);
      const series = await interleaved([
        [WHO_HELD, [Deno.execPath(), "run", ...PERMISSIONS, MAIN, "who", held]],
        ...peerCommands(held),
      ], options.scalingRounds);
      for (const s of series) {
        byTool.set(s.name, [...byTool.get(s.name) ?? [], [count, median(s.samples)]]);
      }
      console.log(
        `  ${count} processes: ` +
          series.map((s) => `${s.name} ${median(s.samples).toFixed(1)} ms`).join(", "),
      );
    } finally {
      listener.stop();
      await stopIdle();
    }
  }
  return [...byTool].map(([name, points]) => ({ name, points }));
}

/** Who started the listener in part 2b. */
type ParentKind = "interactive shell" | "sh -c" | "long-lived parent";
const PARENT_KINDS: readonly ParentKind[] = ["interactive shell", "sh -c", "long-lived parent"];

const PYTHON_LISTENER = `import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True)
time.sleep(3600)`;

/** A listener whose parent is `kind`; `stop()` ends the parent's whole session. */
async function startParentedListener(
  kind: ParentKind,
): Promise<{ port: number; stop(): void }> {
  if (kind === "interactive shell") return await startShellListener();
  const argv = kind === "sh -c"
    // `; exit $?` keeps sh waiting for its child (sh would exec a lone command).
    ? ["sh", "-c", `/usr/bin/python3 -c '${PYTHON_LISTENER}'; exit $?`]
    // It started the server and reads its stdin: it will never start it again.
    : [
      "/usr/bin/python3",
      "-c",
      `import subprocess, sys
subprocess.Popen(["/usr/bin/python3", "-c", ${JSON.stringify(PYTHON_LISTENER)}])
sys.stdin.read()`,
    ];
  const child = new Deno.Command("setsid", {
    args: argv,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return {
    port: Number(value),
    stop() {
      try {
        Deno.kill(-child.pid, "SIGKILL");
      } catch { /* gone */ }
      child.stdin.close().catch(() => {});
      child.status.catch(() => {});
    },
  };
}

/** Starts a listener, runs `argv` on its port, and measures until the port can be bound again. */
async function timeToFree(
  argvFor: (port: number) => string[],
  parent: ParentKind = "interactive shell",
): Promise<number> {
  const listener = await startParentedListener(parent);
  try {
    const started = performance.now();
    await timeCommand(argvFor(listener.port));
    const free = await waitUntil(() => canBind(listener.port), {
      timeoutMs: 10_000 - (performance.now() - started),
      intervalMs: 1,
    });
    return free ? performance.now() - started : NaN;
  } finally {
    listener.stop();
  }
}

async function killBench(options: Options): Promise<Series[]> {
  const deno = Deno.execPath();
  const node = which("node");
  const tools = node ? await installNpmTools() : { killPort: null, fkill: null };
  const commands: [string, (port: number) => string[]][] = [
    ["portctl kill P", (p) => [deno, "run", ...PERMISSIONS, MAIN, "kill", String(p)]],
  ];
  if (node && tools.killPort) {
    commands.push(["kill-port P", (p) => [node, tools.killPort!, String(p)]]);
  }
  if (node && tools.fkill) {
    commands.push(["fkill --silent :P", (p) => [node, tools.fkill!, "--silent", `:${p}`]]);
  }
  const fuser = which("fuser");
  if (fuser) commands.push(["fuser -k -TERM P/tcp", (p) => [fuser, "-k", "-TERM", `${p}/tcp`]]);
  const series = commands.map(([name]) => ({ name, samples: [] as number[] }));
  for (let round = 0; round < options.killRounds; round++) {
    for (const index of shuffle(commands.map((_, i) => i))) {
      const ms = await timeToFree(commands[index][1]);
      if (!Number.isNaN(ms)) series[index].samples.push(ms);
    }
  }
  return series;
}

/**
 * Part 2b: portctl against kill-port for each kind of parent, interleaved: what a server started
 * by a parent that never restarts it costs, now that portctl watches for a restart only on
 * evidence. Returns one series per (tool, parent).
 */
async function parentBench(options: Options): Promise<Series[]> {
  const deno = Deno.execPath();
  const node = which("node");
  const tools = node ? await installNpmTools() : { killPort: null, fkill: null };
  const commands: [string, (port: number) => string[]][] = [
    ["portctl kill P", (p) => [deno, "run", ...PERMISSIONS, MAIN, "kill", String(p)]],
  ];
  if (node && tools.killPort) {
    commands.push(["kill-port P", (p) => [node, tools.killPort!, String(p)]]);
  }
  const cases = PARENT_KINDS.flatMap((parent) =>
    commands.map(([name, argv]) => ({ name: `${name} (${parent})`, parent, argv }))
  );
  const series = cases.map(({ name }) => ({ name, samples: [] as number[] }));
  for (let round = 0; round < options.killRounds; round++) {
    for (const index of shuffle(cases.map((_, i) => i))) {
      const ms = await timeToFree(cases[index].argv, cases[index].parent);
      if (!Number.isNaN(ms)) series[index].samples.push(ms);
    }
  }
  return series;
}

/** Part 2b's table: for each parent, portctl's median against kill-port's. */
function printParentTable(series: readonly Series[]) {
  console.log(
    `\n2b. Time until the port can be bound again, by the listener's parent (median, interleaved)`,
  );
  console.log("| parent | portctl kill P ms | kill-port P ms | portctl vs kill-port |");
  console.log("|---|---|---|---|");
  for (const parent of PARENT_KINDS) {
    const of = (tool: string) => series.find((s) => s.name === `${tool} (${parent})`);
    const ours = of("portctl kill P");
    const theirs = of("kill-port P");
    const a = ours ? median(ours.samples) : NaN;
    const b = theirs ? median(theirs.samples) : NaN;
    console.log(
      `| ${parent} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${
        Number.isNaN(b) ? "-" : `${(a / b).toFixed(2)}x`
      } |`,
    );
  }
}

if (import.meta.main) {
  const options = parseOptions(Deno.args);
  const date = new Date().toISOString().slice(0, 10);
  const machine = `${Deno.build.target}, ${navigator.hardwareConcurrency} cores`;
  console.log(
    `portctl bench: ${date}, ${machine}, ${options.processes} idle processes, ` +
      `${options.rounds} lookup rounds, ${options.killRounds} kill rounds`,
  );
  const lookup = await lookupBench(options);
  printTable(
    `1. Lookup with ${options.processes} idle processes plus one listener (median of ${options.rounds}, interleaved)`,
    lookup,
    [EMPTY, ...(options.baseline ? [BASELINE_HELD] : []), SS, LSOF, FUSER],
  );
  const kill = await killBench(options);
  printTable(
    `2. Time until the port can be bound again (median of ${options.killRounds}, interleaved)`,
    kill,
    ["kill-port P", "fkill --silent :P"],
  );
  const parents = await parentBench(options);
  printParentTable(parents);
  let scaling: PlotSeries[] = [];
  if (options.scaling.length > 0) {
    console.log(
      `\n3. Lookup time against process count (median of ${options.scalingRounds}, interleaved)`,
    );
    scaling = await scalingBench(options);
    await Deno.writeTextFile(
      options.svg,
      lookupPlot(scaling, {
        title: "Who holds a port: lookup time against the number of processes",
        subtitle: `deno task bench, ${date}, ${machine}; portctl run as deno run --allow-all; ` +
          `median of ${options.scalingRounds}`,
      }),
    );
    console.log(`  plot: ${options.svg}`);
  }
  if (options.json) {
    await Deno.writeTextFile(
      options.json,
      JSON.stringify({ lookup, kill, parents, scaling }, null, 2),
    );
  }
  Deno.exit(0);
}
