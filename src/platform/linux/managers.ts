/**
 * Who manages a process on Linux, from what `/proc` shows about it and its parent:
 *
 * - a container (Docker, Podman, containerd): the process's cgroup names it, and a Docker port
 *   forwarder (`docker-proxy`) names its container's address on its command line; the engine's
 *   API then gives the container's name;
 * - supervisord, pm2, runit (`runsv`), s6 (`s6-supervise`) and nodemon: the parent process, and
 *   supervisord's and pm2's variables in the child's environment (`SUPERVISOR_PROCESS_NAME`,
 *   `pm_id`, `name`, `PM2_HOME`);
 * - a systemd service: the cgroup (a `.service`, never a `.scope`);
 * - a shell running a loop (`while true; do node server.js; done`).
 *
 * Only the matched holders are looked at: a `cgroup` read each, their parents' facts, and an
 * environment read where the parent is a supervisor.
 *
 * @module
 */

import {
  containerById,
  type ContainerInfo,
  containerOfProxy,
  engineEndpoints,
  listContainers,
  parseDockerProxy,
  type ProxiedPort,
} from "../container_engine.ts";
import type { ManagedHolder, ProcessInfo, ProcessManager } from "../types.ts";
import { userName } from "../accounts.ts";
import { parseCgroup } from "./cgroup.ts";
import { readProcessInfo } from "./procfs_process.ts";

/** How long each kind of manager takes to start a killed process again, as measured here. */
export const RESTART_WINDOWS_MS = {
  /** Its main loop polls once a second: ~1 s or ~2 s after the death. */
  supervisord: 2500,
  /** At once if the service ran over a second, else a second later. */
  runit: 1500,
  /** s6-supervise waits at least a second between two starts. */
  s6: 1500,
  /** At once, ~0.1 s (with a growing delay for an app that keeps crashing). */
  pm2: 1000,
  /** `RestartSec` is 100 ms by default; a unit with a longer one is seen only this long. */
  systemd: 1500,
  /** A container whose process was killed restarts by its restart policy, at once. */
  container: 2000,
} as const;

function readText(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

/** The environment of `pid` (`/proc/<pid>/environ`), or an empty one when it cannot be read. */
export function readEnviron(pid: number): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of (readText(`/proc/${pid}/environ`) ?? "").split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0 && !env.has(entry.slice(0, eq))) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

function cwdOf(pid: number): string | null {
  try {
    return Deno.readLinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

/** `'web app'` → `"'web app'"`: an argument as a person would type it in a shell. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'"'"'`)}'`;
}

const basename = (path: string) => path.replace(/\/+$/, "").split("/").pop() ?? path;

/** What the holder's parent says about who manages it, or null. */
function managerFromParent(process: ProcessInfo, parent: ProcessInfo): ProcessManager | null {
  const argv = parent.command.split(" ");
  if (parent.name === "supervisord" || argv.some((arg) => basename(arg) === "supervisord")) {
    const env = readEnviron(process.pid);
    const program = env.get("SUPERVISOR_PROCESS_NAME") ?? process.name;
    const group = env.get("SUPERVISOR_GROUP_NAME") ?? program;
    const name = group === program ? program : `${group}:${program}`;
    const server = env.get("SUPERVISOR_SERVER_URL");
    const serverArgs = server && server !== "unix:///var/run/supervisor.sock" ? ["-s", server] : [];
    const argv = ["supervisorctl", ...serverArgs, "stop", name];
    return {
      kind: "supervisord",
      name,
      id: null,
      stopCommand: argv.map(shellWord).join(" "),
      forwarder: false,
      restart: { kind: "within", ms: RESTART_WINDOWS_MS.supervisord },
      stop: { kind: "command", argv, env: {} },
    };
  }
  if (/^PM2 v[\d.]+: God Daemon/.test(parent.command)) {
    const env = readEnviron(process.pid);
    const name = env.get("name") ?? process.name;
    const home = env.get("PM2_HOME") ?? /God Daemon \((.*)\)$/.exec(parent.command)?.[1] ?? "";
    const argv = ["pm2", "stop", name];
    return {
      kind: "pm2",
      name,
      id: env.get("pm_id") ?? null,
      stopCommand: `${home ? `PM2_HOME=${shellWord(home)} ` : ""}pm2 stop ${shellWord(name)}`,
      forwarder: false,
      restart: { kind: "within", ms: RESTART_WINDOWS_MS.pm2 },
      stop: { kind: "command", argv, env: home ? { PM2_HOME: home } : {} },
    };
  }
  if (parent.name === "runsv" || parent.name === "s6-supervise") {
    // Both run in the service's folder.
    const folder = cwdOf(parent.pid) ?? argv[argv.length - 1];
    const runit = parent.name === "runsv";
    const stopArgv = runit ? ["sv", "stop", folder] : ["s6-svc", "-d", folder];
    return {
      kind: runit ? "runit" : "s6",
      name: basename(folder),
      id: null,
      stopCommand: stopArgv.map(shellWord).join(" "),
      forwarder: false,
      restart: { kind: "within", ms: runit ? RESTART_WINDOWS_MS.runit : RESTART_WINDOWS_MS.s6 },
      stop: { kind: "command", argv: stopArgv, env: {} },
    };
  }
  if (argv.slice(0, 2).some((arg) => basename(arg) === "nodemon")) {
    const script = argv.slice(argv.findIndex((arg) => basename(arg) === "nodemon") + 1)
      .filter((arg) => !arg.startsWith("-"));
    return {
      kind: "nodemon",
      name: script.join(" ") || process.name,
      id: null,
      stopCommand: `kill ${parent.pid}`,
      forwarder: false,
      // nodemon waits for a file to change before it starts a killed app again.
      restart: { kind: "never" },
      stop: { kind: "end-manager", pid: parent.pid },
    };
  }
  if (isLoopingShell(parent)) {
    return {
      kind: "shell",
      // Its command line is the whole loop: the shell and its PID name it well enough.
      name: `${parent.name} ${parent.pid}`,
      id: null,
      stopCommand: `kill ${parent.pid}`,
      forwarder: false,
      restart: { kind: "evidence" },
      stop: { kind: "end-manager", pid: parent.pid },
    };
  }
  return null;
}

const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox"]);

/** A shell whose `-c` script loops (`while`, `until`, `for`): it may start its server again. */
export function isLoopingShell(parent: Pick<ProcessInfo, "name" | "command">): boolean {
  if (!SHELLS.has(parent.name)) return false;
  return /(^|[\s;&|(])(while|until|for)\s/.test(parent.command);
}

function containerManager(
  container: ContainerInfo | null,
  fallback: { readonly engine: "docker" | "podman" | "containerd"; readonly id: string },
): ProcessManager {
  const engine = container?.engine ?? fallback.engine;
  const name = container?.name ?? fallback.id.slice(0, 12);
  const cli = engine === "containerd" ? "nerdctl" : engine;
  return {
    kind: engine,
    name,
    id: (container?.id ?? fallback.id).slice(0, 12),
    stopCommand: `${cli} stop ${shellWord(name)}`,
    forwarder: false,
    restart: { kind: "within", ms: RESTART_WINDOWS_MS.container },
    stop: container
      ? { kind: "engine", socket: container.endpoint.socket, id: container.id }
      : { kind: "command", argv: [cli, "stop", fallback.id], env: {} },
  };
}

/** The manager of a `docker-proxy`: its container, or where it forwards to when unknown. */
function forwarderManager(container: ContainerInfo | null, proxied: ProxiedPort): ProcessManager {
  if (container) {
    return { ...containerManager(container, { engine: "docker", id: "" }), forwarder: true };
  }
  const filter = `docker ps --filter publish=${proxied.hostPort}`;
  return {
    kind: "docker",
    name: `container at ${proxied.containerIp}:${proxied.containerPort}`,
    id: null,
    stopCommand: `docker stop $(${filter} -q)`,
    forwarder: true,
    restart: { kind: "within", ms: RESTART_WINDOWS_MS.container },
    stop: {
      kind: "none",
      why: `Docker's API did not answer; find the container with "${filter}" and stop it`,
    },
  };
}

/**
 * Who manages each of `processes`. A container engine is asked (its API, once) only when a holder
 * belongs to a container or forwards to one; when it does not answer, the container is named by
 * its id, or for a forwarder by the address it forwards to.
 */
export async function describeManagers(
  holders: readonly ManagedHolder[],
): Promise<Map<number, ProcessManager>> {
  const managers = new Map<number, ProcessManager>();
  const containerHolders: {
    process: ProcessInfo;
    id: string | null;
    engine: "docker" | "podman" | "containerd";
  }[] = [];
  for (const { process } of holders) {
    const proxied = process.name === "docker-proxy" ? parseDockerProxy(process.command) : null;
    const cgroup = parseCgroup(readText(`/proc/${process.pid}/cgroup`) ?? "");
    if (proxied) {
      containerHolders.push({ process, id: null, engine: "docker" });
      continue;
    }
    if (cgroup.container) {
      containerHolders.push({ process, ...cgroup.container });
      continue;
    }
    const parent = process.ppid ? readProcessInfo(process.ppid) : null;
    const byParent = parent && managerFromParent(process, parent);
    if (byParent) managers.set(process.pid, byParent);
    else if (cgroup.unit && startedByUnit(process, cgroup.unit.name)) {
      managers.set(process.pid, systemdManager(cgroup.unit));
    }
  }
  if (containerHolders.length === 0) return managers;
  let containers: ContainerInfo[] = [];
  try {
    containers = await listContainers(engineEndpoints(Deno.env.toObject()));
  } catch {
    // The engine did not answer: the container is named by what the process itself says.
  }
  for (const { process, id, engine } of containerHolders) {
    if (id !== null) {
      managers.set(process.pid, containerManager(containerById(containers, id), { engine, id }));
      continue;
    }
    const proxied = parseDockerProxy(process.command)!;
    managers.set(process.pid, forwarderManager(containerOfProxy(containers, proxied), proxied));
  }
  return managers;
}

/**
 * True when `process` is a service's main process, or a worker of it (nginx's): it, or an
 * ancestor in the same unit, was started by systemd itself. Everything else a service's process
 * started (a CI runner's job, a shell's command) is only in the unit's cgroup: stopping the unit
 * would stop far more than the holder, so the unit is not its manager.
 */
function startedByUnit(process: ProcessInfo, unit: string): boolean {
  let current = process;
  for (let depth = 0; depth < 3 && current.ppid; depth++) {
    const parent = readProcessInfo(current.ppid);
    if (!parent) return false;
    if (parent.name === "systemd") return true;
    if (parseCgroup(readText(`/proc/${parent.pid}/cgroup`) ?? "").unit?.name !== unit) return false;
    current = parent;
  }
  return false;
}

function systemdManager(
  unit: { readonly name: string; readonly uid: number | null },
): ProcessManager {
  const user = unit.uid === null ? [] : ["--user"];
  // A user's own systemd runs their units; root reaches it as <user>@ (systemctl's --machine).
  const machine = unit.uid !== null && unit.uid !== Deno.uid()
    ? ["--machine", `${userName(unit.uid)}@`]
    : [];
  return {
    kind: "systemd",
    name: unit.name,
    id: null,
    stopCommand: ["systemctl", ...user, "stop", unit.name].map(shellWord).join(" "),
    forwarder: false,
    restart: { kind: "within", ms: RESTART_WINDOWS_MS.systemd },
    stop: { kind: "command", argv: ["systemctl", ...user, ...machine, "stop", unit.name], env: {} },
  };
}
