/**
 * Helpers for integration tests: start real socket holders, run the real portctl CLI, and check
 * processes and ports through the OS. Tests only ever signal PIDs these helpers started.
 *
 * @module
 */

import { readJsonLine } from "./children.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const MAIN = `${ROOT}src/main.ts`;
const PYTHON = "/usr/bin/python3";

/** A process a test started that holds sockets. */
export interface Holder {
  /** The holder's own PID. */
  readonly pid: number;
  /** Every PID it started (forked workers, a supervised child). */
  readonly pids: readonly number[];
  readonly port: number;
  /** Ends every process this holder started (SIGKILL), for cleanup. */
  stop(): Promise<void>;
}

/** How a holder is started: as another user (root only), in another working folder. */
export interface HolderOptions {
  readonly user?: string;
  /** The holder's working folder (default: the test's). */
  readonly cwd?: string;
}

async function startHolder(
  command: string,
  args: string[],
  options: HolderOptions = {},
): Promise<Holder> {
  const argv = options.user ? ["-u", options.user, "--", command, ...args] : args;
  const child = new Deno.Command(options.user ? "runuser" : command, {
    args: argv,
    cwd: options.cwd,
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
    env: { DENO_NO_UPDATE_CHECK: "1" },
  }).spawn();
  let info: Record<string, unknown>;
  try {
    info = await readJsonLine(child.stdout);
  } catch (error) {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    throw error;
  }
  const pid = info.pid as number;
  const workers = (info.workers as number[] | undefined) ?? [];
  const pids = [pid, ...workers];
  return {
    pid,
    pids,
    port: info.port as number,
    async stop() {
      for (const p of [...pids].reverse()) killIfOurs(p);
      if (options.user || pid !== child.pid) killIfOurs(child.pid);
      await child.status;
      await child.stdout.cancel().catch(() => {});
    },
  };
}

function killIfOurs(pid: number): void {
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    // Already ended (usually by portctl, which is the point of the test).
  }
}

/** Starts `tests/support/listener.ts` in a child Deno: `tcp:127.0.0.1`, `udp:::1`, ... */
export function startDenoListener(
  args: string[],
  options: { readonly cwd?: string } = {},
): Promise<Holder> {
  return startHolder(Deno.execPath(), [
    "run",
    "--allow-net",
    "--allow-write", // --accept-log
    "--unstable-net",
    `${ROOT}tests/support/listener.ts`,
    ...args,
  ], options);
}

/** Removes a temp folder when the test process ends (a test may have removed it already). */
function removeAtExit(path: string): void {
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(path, { recursive: true });
    } catch {
      // Already gone.
    }
  });
}

let readableRoot: string | undefined;

/**
 * A copy of what another user runs (portctl's sources with its config, the python holder) in a
 * folder every user can read. The checkout itself may sit in a folder only its owner can enter
 * (a `mktemp -d`, a home directory), where `runuser -u nobody` could not read a file of it.
 */
export function rootReadableBy(user: string | undefined): string {
  if (!user) return ROOT;
  if (!readableRoot) {
    const copy = Deno.makeTempDirSync({ prefix: "portctl-shared-" });
    Deno.mkdirSync(`${copy}/deno-dir`);
    for (const part of ["src", "deno.json", "deno.lock", "tests/support/holder.py"]) {
      const target = `${copy}/${part}`;
      Deno.mkdirSync(target.slice(0, target.lastIndexOf("/")), { recursive: true });
      new Deno.Command("cp", { args: ["-r", `${ROOT}${part}`, target] }).outputSync();
    }
    // Deno's npm cache too (root's is unreadable to others): the runs need no download.
    const denoDir = Deno.env.get("DENO_DIR") ?? denoCacheDir();
    new Deno.Command("cp", { args: ["-r", `${denoDir}/npm`, `${copy}/deno-dir/npm`] }).outputSync();
    new Deno.Command("chmod", { args: ["-R", "a+rwX", copy] }).outputSync();
    removeAtExit(copy);
    readableRoot = `${copy}/`;
  }
  return readableRoot;
}

/** The environment for portctl run as `user`: a home and a Deno cache that user can use. */
export function envFor(user: string): Record<string, string> {
  const dir = `${rootReadableBy(user)}deno-dir`;
  return { HOME: dir, DENO_DIR: dir, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };
}

/** Starts `tests/support/holder.py` (reuseport, forked workers, supervisor, churn). */
export function startPythonHolder(args: string[], options: HolderOptions = {}): Promise<Holder> {
  const holder = `${rootReadableBy(options.user)}tests/support/holder.py`;
  return startHolder(PYTHON, [holder, ...args], options);
}

/** What a portctl run printed and returned. */
export interface PortctlRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real CLI (`deno run src/main.ts`) with `args`: as `user` (through `runuser`), or
 * through a `via` command line such as `["unshare", "--user", "--map-root-user"]`.
 */
export async function portctl(
  args: string[],
  options: {
    env?: Record<string, string>;
    user?: string;
    cwd?: string;
    via?: readonly string[];
  } = {},
): Promise<PortctlRun> {
  const main = options.user ? `${rootReadableBy(options.user)}src/main.ts` : MAIN;
  const denoArgs = ["run", "-A", "--quiet", main, ...args];
  const [via, ...viaArgs] = options.via ?? [];
  const command = options.user
    ? new Deno.Command("runuser", {
      args: ["-u", options.user, "--", Deno.execPath(), ...denoArgs],
      env: options.env,
      cwd: options.cwd,
      stdin: "null",
    })
    : new Deno.Command(via ?? Deno.execPath(), {
      args: via ? [...viaArgs, Deno.execPath(), ...denoArgs] : denoArgs,
      env: { NO_COLOR: "1", ...options.env },
      cwd: options.cwd,
      stdin: "null",
    });
  const output = await command.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** True while `pid` runs (a zombie, exited but not yet reaped, counts as not running). */
export function isRunning(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Whether `pid` runs (a zombie does not): from /proc on Linux, from `ps` on macOS. */
export async function running(pid: number): Promise<boolean> {
  if (Deno.build.os === "linux") return isRunning(pid);
  const ps = await new Deno.Command("ps", {
    args: ["-o", "stat=", "-p", String(pid)],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  const state = new TextDecoder().decode(ps.stdout).trim();
  return ps.code === 0 && state !== "" && !state.startsWith("Z");
}

/** A TCP port on 127.0.0.1 that nobody holds right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** True when a TCP listener can bind `port` on `hostname` right now. */
export function tcpPortIsFree(port: number, hostname = "127.0.0.1"): boolean {
  try {
    Deno.listen({ hostname, port }).close();
    return true;
  } catch {
    return false;
  }
}

/** Where this Deno keeps its cache, as `deno info --json` says. */
function denoCacheDir(): string {
  const output = new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).outputSync();
  return (JSON.parse(new TextDecoder().decode(output.stdout)) as { denoDir: string }).denoDir;
}

/** A clean portctl environment: no plugins from the developer's own config. */
export function isolatedEnv(): Record<string, string> {
  const home = Deno.makeTempDirSync({ prefix: "portctl-home-" });
  removeAtExit(home);
  // Deno's cache stays where it is, so the run needs no download (its place differs by OS).
  const denoDir = Deno.env.get("DENO_DIR") ?? denoCacheDir();
  return {
    HOME: home,
    XDG_CONFIG_HOME: `${home}/.config`,
    XDG_STATE_HOME: `${home}/.state`,
    DENO_DIR: denoDir,
  };
}
