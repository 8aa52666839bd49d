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
 * 4. Waiting for a port to listen: `portctl wait` against wait-on and wait-port (npm), how soon
 *    each notices a bind and what it costs while it waits; and `portctl wait`'s start-up.
 *
 * Usage: deno task bench [--processes N] [--rounds R] [--kill-rounds K]
 *                        [--scaling N,N,...|none] [--scaling-rounds R] [--wait-rounds R]
 *                        [--parts 1,2,3,4] [--svg FILE] [--json FILE] [--baseline DIR]
 *
 * `--baseline DIR`: another copy of portctl (`git archive REV | tar -x -C DIR`) whose `who` runs in
 * part 1 beside this one, so a change's cost is a ratio measured in the same run.
 *
 * @module
 */

import { pause, waitUntil } from "../src/platform/poll.ts";
import { lookupPlot, type PlotSeries } from "./bench_plot.ts";
import {
  interleaved,
  median,
  printRows,
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
  waitRounds: number;
  parts: Set<number>;
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
    waitRounds: 10,
    parts: new Set([1, 2, 3, 4]),
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
    else if (flag === "--wait-rounds" && number >= 1) options.waitRounds = number;
    else if (flag === "--parts" && counts.every((n) => [1, 2, 3, 4].includes(n))) {
      options.parts = new Set(counts);
    } else if (flag === "--scaling" && counts.every((n) => Number.isInteger(n) && n >= 0)) {
      options.scaling = counts;
    } else {
      console.error(
        `bench: unknown or bad argument "${flag} ${value ?? ""}"; expected --processes N, ` +
          "--rounds R, --kill-rounds K, --scaling N,N,...|none, --scaling-rounds R, " +
          "--wait-rounds R, --parts 1,2,3,4, --svg FILE, --json FILE, --baseline DIR",
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
  return {
    port: await firstLinePort(child),
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

/** The npm tools compared (parts 2 and 4): package, and the script `node` runs. */
const NPM_TOOLS = {
  killPort: { spec: "kill-port@2", script: "kill-port/cli.js" },
  fkill: { spec: "fkill-cli@8", script: "fkill-cli/cli.js" },
  waitOn: { spec: "wait-on@9", script: "wait-on/bin/wait-on" },
  waitPort: { spec: "wait-port@1", script: "wait-port/bin/wait-port.js" },
} as const;

/** Each npm tool's script, or null where it could not be installed. */
type NpmScripts = Record<keyof typeof NPM_TOOLS, string | null>;

/** Installs the npm tools compared in parts 2 and 4 into a cache folder, for the bench only. */
async function installNpmTools(): Promise<NpmScripts> {
  const dir = `${Deno.env.get("HOME")}/.cache/portctl-bench-npm`;
  const tools = Object.entries(NPM_TOOLS);
  const exists = (path: string) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  };
  const scriptOf = (script: string) => `${dir}/node_modules/${script}`;
  if (!tools.every(([, tool]) => exists(scriptOf(tool.script)))) {
    Deno.mkdirSync(dir, { recursive: true });
    await new Deno.Command("npm", {
      args: ["install", "--silent", "--prefix", dir, ...tools.map(([, tool]) => tool.spec)],
      stdout: "null",
      stderr: "inherit",
    }).output();
  }
  return Object.fromEntries(
    tools.map((
      [name, tool],
    ) => [name, exists(scriptOf(tool.script)) ? scriptOf(tool.script) : null]),
  ) as NpmScripts;
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
const WHO_FREE = "portctl who <free>";

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
      [WHO_FREE, [deno, "run", ...PERMISSIONS, MAIN, "who", String(free)]],
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
  return {
    port: await firstLinePort(child),
    stop() {
      try {
        Deno.kill(-child.pid, "SIGKILL");
      } catch { /* gone */ }
      child.stdin.close().catch(() => {});
      child.status.catch(() => {});
    },
  };
}

/** The port a child listener prints first on stdout; stops reading after it. */
async function firstLinePort(child: Deno.ChildProcess): Promise<number> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return Number(value);
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

/** The kill commands compared in part 2 (those installed here), each for a port. */
async function killCommands(): Promise<[string, (port: number) => string[]][]> {
  const deno = Deno.execPath();
  const node = which("node");
  const tools = node ? await installNpmTools() : null;
  const commands: [string, (port: number) => string[]][] = [
    ["portctl kill P", (p) => [deno, "run", ...PERMISSIONS, MAIN, "kill", String(p)]],
  ];
  if (node && tools?.killPort) {
    commands.push(["kill-port P", (p) => [node, tools.killPort!, String(p)]]);
  }
  if (node && tools?.fkill) {
    commands.push(["fkill --silent :P", (p) => [node, tools.fkill!, "--silent", `:${p}`]]);
  }
  const fuser = which("fuser");
  if (fuser) commands.push(["fuser -k -TERM P/tcp", (p) => [fuser, "-k", "-TERM", `${p}/tcp`]]);
  return commands;
}

/** Times each case to a free port, `rounds` times, interleaved in a new order each round. */
async function timeToFreeRounds(
  cases: readonly {
    readonly name: string;
    readonly argv: (port: number) => string[];
    readonly parent?: ParentKind;
  }[],
  rounds: number,
): Promise<Series[]> {
  const series = cases.map(({ name }) => ({ name, samples: [] as number[] }));
  for (let round = 0; round < rounds; round++) {
    for (const index of shuffle(cases.map((_, i) => i))) {
      const ms = await timeToFree(cases[index].argv, cases[index].parent);
      if (!Number.isNaN(ms)) series[index].samples.push(ms);
    }
  }
  return series;
}

async function killBench(options: Options): Promise<Series[]> {
  const cases = (await killCommands()).map(([name, argv]) => ({ name, argv }));
  return await timeToFreeRounds(cases, options.killRounds);
}

/**
 * Part 2b: portctl against kill-port for each kind of parent, interleaved: what a server started
 * by a parent that never restarts it costs, now that portctl watches for a restart only on
 * evidence. Returns one series per (tool, parent).
 */
async function parentBench(options: Options): Promise<Series[]> {
  const commands = (await killCommands()).filter(([name]) =>
    name === "portctl kill P" || name === "kill-port P"
  );
  const cases = PARENT_KINDS.flatMap((parent) =>
    commands.map(([name, argv]) => ({ name: `${name} (${parent})`, parent, argv }))
  );
  return await timeToFreeRounds(cases, options.killRounds);
}

/** Part 2b's table: for each parent, portctl's median against kill-port's. */
function printParentTable(series: readonly Series[]) {
  const rows = PARENT_KINDS.map((parent) => {
    const of = (tool: string) => series.find((s) => s.name === `${tool} (${parent})`);
    const ours = of("portctl kill P");
    const theirs = of("kill-port P");
    const a = ours ? median(ours.samples) : NaN;
    const b = theirs ? median(theirs.samples) : NaN;
    return [parent, a.toFixed(1), b.toFixed(1), Number.isNaN(b) ? "-" : `${(a / b).toFixed(2)}x`];
  });
  printRows(
    "2b. Time until the port can be bound again, by the listener's parent (median, interleaved)",
    ["parent", "portctl kill P ms", "kill-port P ms", "portctl vs kill-port"],
    rows,
  );
}

/** Clock ticks per second of `/proc/<pid>/stat`'s times (`getconf CLK_TCK`; 100 on Linux). */
function clockTicks(): number {
  const out = new Deno.Command("getconf", { args: ["CLK_TCK"] }).outputSync();
  return Number(new TextDecoder().decode(out.stdout).trim()) || 100;
}

/** CPU time `pid` has used so far, user and system, all its threads: ms from proc(5)'s stat. */
function cpuMs(pid: number, ticksPerSecond: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // After the name's closing parenthesis: field 3 (state) first, so utime (14) is at 11.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 1000 / ticksPerSecond;
}

/** One waiter watching a free port: how soon it exits after a bind, and its CPU before. */
interface Detection {
  /** From the bind to the waiter's exit, as a script running `wait && next` sees it. */
  readonly latencyMs: number;
  /** CPU the waiter used during `windowMs` of waiting, start-up excluded. */
  readonly cpuMs: number;
  readonly windowMs: number;
}

/**
 * When the CPU window opens: start-up is over (Deno's, Node's and the tools' module loading) and so
 * is most of V8's compiling of the poll loop.
 */
const CPU_WINDOW_FROM_MS = 1000;

/**
 * Starts `argvFor(port)` on a free port, lets it wait 2-3 s (a random time, so the bind falls at a
 * random point of its poll interval), measures its CPU over the last 1-2 s of that wait, then
 * binds the port here and times the waiter's exit. A waiter that fails or takes over 10 s gives
 * NaN.
 */
async function detectOnce(
  argvFor: (port: number) => string[],
  ticksPerSecond: number,
): Promise<Detection> {
  const port = freePort();
  const argv = argvFor(port);
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "null",
    stderr: "null",
    stdin: "null",
  }).spawn();
  await pause(CPU_WINDOW_FROM_MS);
  const cpuBefore = cpuMs(child.pid, ticksPerSecond);
  const windowStart = performance.now();
  await pause(1000 + Math.random() * 1000);
  const cpu = cpuMs(child.pid, ticksPerSecond) - cpuBefore;
  const windowMs = performance.now() - windowStart;
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const bound = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const status = await Promise.race([
    child.status,
    new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), 10_000)),
  ]);
  const latencyMs = status?.success ? performance.now() - bound : NaN;
  clearTimeout(timer);
  if (status === null) {
    child.kill("SIGKILL");
    await child.status;
  }
  listener.close();
  return { latencyMs, cpuMs: cpu, windowMs };
}

const WAIT = "portctl wait P";
const WAIT_ON = "wait-on tcp:127.0.0.1:P";

/** The waiters compared: portctl's and the npm tools', with their defaults and at 10 ms. */
async function waiters(): Promise<[string, (port: number) => string[]][]> {
  const deno = Deno.execPath();
  const commands: [string, (port: number) => string[]][] = [
    [WAIT, (p) => [deno, "run", ...PERMISSIONS, MAIN, "wait", String(p), "--timeout", "60"]],
  ];
  const node = which("node");
  const tools = node ? await installNpmTools() : null;
  if (node && tools?.waitOn) {
    const waitOn = tools.waitOn;
    commands.push([WAIT_ON, (p) => [node, waitOn, `tcp:127.0.0.1:${p}`]]);
    commands.push([
      "wait-on -i 10 tcp:127.0.0.1:P",
      (p) => [node, waitOn, "-i", "10", `tcp:127.0.0.1:${p}`],
    ]);
  }
  if (node && tools?.waitPort) {
    const waitPort = tools.waitPort;
    commands.push(["wait-port 127.0.0.1:P", (p) => [node, waitPort, `127.0.0.1:${p}`]]);
  }
  return commands;
}

/** Part 4 as measured: each waiter's detections, interleaved in a new order each round. */
interface WaitBench {
  readonly detections: { readonly name: string; readonly runs: Detection[] }[];
  readonly startup: Series[];
}

async function waitBench(options: Options): Promise<WaitBench> {
  const ticks = clockTicks();
  const commands = await waiters();
  const detections = commands.map(([name]) => ({ name, runs: [] as Detection[] }));
  for (let round = 0; round < options.waitRounds; round++) {
    for (const index of shuffle(commands.map((_, i) => i))) {
      detections[index].runs.push(await detectOnce(commands[index][1], ticks));
    }
  }
  const empty = await Deno.makeTempFile({ suffix: ".ts" });
  const free = String(freePort());
  const deno = Deno.execPath();
  try {
    const startup = await interleaved([
      [EMPTY, [deno, "run", empty]],
      [WHO_FREE, [deno, "run", ...PERMISSIONS, MAIN, "who", free]],
      ["portctl wait <free> --for free", [
        deno,
        "run",
        ...PERMISSIONS,
        MAIN,
        "wait",
        free,
        "--for",
        "free",
      ]],
    ], options.rounds);
    return { detections, startup };
  } finally {
    Deno.removeSync(empty);
  }
}

/** Part 4's table: detection latency (median, max) and CPU while waiting, with ratios. */
function printWaitBench(result: WaitBench, options: Options) {
  const facts = result.detections.map(({ name, runs }) => {
    const latencies = runs.map((r) => r.latencyMs).filter((ms) => !Number.isNaN(ms));
    const cpuShare = runs.reduce((sum, r) => sum + r.cpuMs, 0) /
      runs.reduce((sum, r) => sum + r.windowMs, 0);
    return { name, median: median(latencies), max: Math.max(...latencies), cpuShare };
  });
  const base = facts.find((f) => f.name === WAIT_ON);
  const ratio = (value: number, of: number | undefined) => of ? `${(value / of).toFixed(2)}x` : "-";
  printRows(
    `4. Waiting for a port to listen: from the bind to the waiter's exit, and CPU while waiting ` +
      `(${options.waitRounds} rounds, interleaved)`,
    [
      "command",
      "median ms",
      "max ms",
      "CPU, % of one core",
      `median vs ${WAIT_ON}`,
      `CPU vs ${WAIT_ON}`,
    ],
    facts.map((f) => [
      f.name,
      f.median.toFixed(1),
      f.max.toFixed(1),
      (f.cpuShare * 100).toFixed(2),
      ratio(f.median, base?.median),
      ratio(f.cpuShare, base?.cpuShare),
    ]),
  );
  printTable(
    `4b. Start-up: a wait whose condition already holds (median of ${options.rounds}, interleaved)`,
    result.startup,
    [EMPTY, WHO_FREE],
  );
}

if (import.meta.main) {
  const options = parseOptions(Deno.args);
  const date = new Date().toISOString().slice(0, 10);
  const machine = `${Deno.build.target}, ${navigator.hardwareConcurrency} cores`;
  console.log(
    `portctl bench: ${date}, ${machine}, ${options.processes} idle processes, ` +
      `${options.rounds} lookup rounds, ${options.killRounds} kill rounds`,
  );
  const lookup = options.parts.has(1) ? await lookupBench(options) : [];
  if (options.parts.has(1)) {
    printTable(
      `1. Lookup with ${options.processes} idle processes plus one listener (median of ${options.rounds}, interleaved)`,
      lookup,
      [EMPTY, ...(options.baseline ? [BASELINE_HELD] : []), SS, LSOF, FUSER],
    );
  }
  const kill = options.parts.has(2) ? await killBench(options) : [];
  const parents = options.parts.has(2) ? await parentBench(options) : [];
  if (options.parts.has(2)) {
    printTable(
      `2. Time until the port can be bound again (median of ${options.killRounds}, interleaved)`,
      kill,
      ["kill-port P", "fkill --silent :P"],
    );
    printParentTable(parents);
  }
  let scaling: PlotSeries[] = [];
  if (options.parts.has(3) && options.scaling.length > 0) {
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
  const wait = options.parts.has(4) ? await waitBench(options) : null;
  if (wait) printWaitBench(wait, options);
  if (options.json) {
    await Deno.writeTextFile(
      options.json,
      JSON.stringify({ lookup, kill, parents, scaling, wait }, null, 2),
    );
  }
  Deno.exit(0);
}
