/**
 * The kill engine: from targets to ended processes, OS-agnostic. It finds every holder, asks the
 * hooks, signals all processes concurrently with escalation, then re-reads the socket table to
 * confirm each port is free (and notices a supervisor that restarted the server).
 *
 * @module
 */

import type {
  ManagerStopResult,
  PlatformBackend,
  ProcessHandle,
  ProcessManager,
  SignalName,
  SocketEntry,
} from "../platform/types.ts";
import type {
  BeforeKillContext,
  HookProcess,
  KillHooks,
  KillOutcome,
  ManagerSummary,
  SocketSummary,
} from "./hooks.ts";
import { splitByFolder } from "./folder.ts";
import { lookupHolders, type SocketHolder, withManagers } from "./lookup.ts";
import {
  findRespawns,
  type RespawnReport,
  type RestartWatch,
  restartWatchFor,
  socketKey,
} from "./respawn.ts";
import { summarizeManager, summarizeProcess, summarizeSocket } from "./summary.ts";
import { type Ending, sendSignals, type SignalPlan } from "./signalling.ts";
import {
  groupByProcess,
  type HiddenSocket,
  type MatchedProcess,
  type ProcessIdentity,
  restrictTo,
} from "./kill_targets.ts";
import { type PortTarget, socketMatches } from "./target.ts";

/** Which signals to send. */
export type KillMode =
  /** The default: the graceful signal, then SIGKILL for whatever is still alive at the timeout. */
  | { readonly kind: "escalate" }
  /** `--term`, `--signal X`, `--kill`: that signal only. */
  | { readonly kind: "single"; readonly signal: SignalName };

/**
 * At which level a held port is freed (`--mode`):
 * - `auto`: a container's port by stopping the container through its engine (its forwarder,
 *   docker-proxy, is never signalled); every other holder by signals;
 * - `process`: the holding processes by signals, whatever manages them;
 * - `manager`: each holder through its manager (the engine, supervisorctl, pm2, sv, systemctl...);
 *   holders nobody manages by signals.
 */
export type StopLevel = "auto" | "process" | "manager";

/** Everything a kill run needs, already parsed and validated. */
export interface KillOptions {
  readonly targets: readonly PortTarget[];
  readonly allStates: boolean;
  readonly mode: KillMode;
  /** Where to stop what holds the port; `auto` when not given. */
  readonly level?: StopLevel;
  /** How long to wait for each process to exit after a signal (and a manager's graceful stop). */
  readonly timeoutMs: number;
  readonly dryRun: boolean;
  readonly hooks: KillHooks;
  /** `--in DIR`: only processes whose working folder is this or below it; null for all. */
  readonly folder?: string | null;
  /**
   * Signal only these process instances (the picker's confirmed rows), each by PID and start time.
   * Any other holder of a target port, a new PID or a reused one, is left alone and not reported:
   * what a person confirmed is all that is signalled. Hidden holders are not reported either.
   */
  readonly only?: readonly ProcessIdentity[];
}

/** What happened to one matched process (or one socket whose holder cannot be seen). */
export interface ProcessKillReport {
  /** Null when the holder is not visible. */
  readonly process: HookProcess | null;
  /** Who manages it, when known. */
  readonly manager: ManagerSummary | null;
  readonly sockets: readonly SocketSummary[];
  /** Signals sent, in order. */
  readonly signals: readonly SignalName[];
  readonly outcome: KillOutcome;
  /** Why, for every outcome but `ended` and `dry-run` (and who stopped it, when a plugin did). */
  readonly message: string | null;
  /** From the first signal (or the hand-over to a plugin) to the outcome. */
  readonly elapsedMs: number;
}

/** The result of a kill run. */
export interface KillResult {
  /** False when nothing held any target port. */
  readonly matched: boolean;
  readonly reports: readonly ProcessKillReport[];
  /** Empty unless a supervisor (or anyone) took a target port again. */
  readonly respawns: readonly RespawnReport[];
  /** Holders of a target port outside `folder`, left alone (none without a folder). */
  readonly outside: readonly SocketHolder[];
}

/** Why portctl refuses to touch `pid`, or null when it may. */
function protectionReason(pid: number, backend: PlatformBackend): string | null {
  if (pid === Deno.pid) return "portctl does not signal itself";
  if (pid === Deno.ppid) return "portctl does not signal its own parent (your shell)";
  if (pid === 1 || backend.protectedPids.has(pid)) {
    return `portctl never signals PID ${pid}: it is the system's own process`;
  }
  return null;
}

/** What the engine shares between the processes of one run. */
interface RunState {
  readonly backend: PlatformBackend;
  readonly options: KillOptions;
  /** Each manager is asked to stop once, by the first of its processes to get there. */
  readonly managerStops: Map<string, Promise<ManagerStopResult>>;
}

/** Ends one process: refusals, the hooks' decision, then the signals. Never throws. */
async function endProcess(matched: MatchedProcess, run: RunState): Promise<ProcessKillReport> {
  const { backend, options } = run;
  const process = summarizeProcess(matched.info);
  const manager = summarizeManager(matched.manager);
  const context: BeforeKillContext = {
    process,
    manager,
    sockets: matched.sockets,
    signal: options.mode.kind === "single" ? options.mode.signal : backend.signals.graceful,
    dryRun: options.dryRun,
    platform: backend.os,
    timeout: options.timeoutMs / 1000,
  };
  const started = performance.now();
  const ending = await decideAndEnd(matched, { context, run });
  const elapsedMs = ending.signals.length > 0 || ending.outcome === "ended"
    ? performance.now() - started
    : 0;
  await options.hooks.afterKill({ ...context, outcome: ending.outcome, elapsedMs });
  return { process, manager, sockets: matched.sockets, ...ending, elapsedMs };
}

/** Container engines: at `auto`, a port they publish is freed by stopping the container. */
const CONTAINER_KINDS = new Set(["docker", "podman", "containerd", "wsl"]);

/** Whether a holder managed by `manager` is ended through it at `level` (else by signals). */
export function endsThroughManager(manager: ProcessManager | null, level: StopLevel): boolean {
  if (!manager || level === "process") return false;
  if (level === "manager") return true;
  // An engine's forwarder is never signalled by default: the container is what holds the port.
  return manager.forwarder || CONTAINER_KINDS.has(manager.kind);
}

/** `docker (web)`: a manager as the lines name it. */
export function managerLabel(manager: Pick<ProcessManager, "kind" | "name">): string {
  return `${manager.kind} (${manager.name})`;
}

async function decideAndEnd(
  matched: MatchedProcess,
  { context, run }: { readonly context: BeforeKillContext; readonly run: RunState },
): Promise<Ending> {
  const { backend, options } = run;
  const refused = (outcome: KillOutcome, message: string): Ending => ({
    outcome,
    message,
    signals: [],
  });
  const refusal = protectionReason(context.process.pid, backend);
  if (refusal) return refused("denied", matched.note ? `${refusal}; ${matched.note}` : refusal);

  // Phase 1, the decision: every plugin may refuse before any plugin acts.
  const decision = await options.hooks.beforeKill(context);
  let signal = context.signal;
  switch (decision.kind) {
    case "skip":
      return refused("skipped", `${decision.plugin}: ${decision.reason}`);
    case "failed":
      return refused("plugin-failed", decision.message);
    case "signal":
      if (!backend.signals.numbers.has(decision.signal)) {
        return refused(
          "plugin-failed",
          `plugin ${decision.plugin} asked for ${decision.signal}, which ${backend.os} cannot send`,
        );
      }
      signal = decision.signal;
      break;
    case "proceed":
      break;
  }
  // Phase 2, the action: a plugin may stop the process its own way (drain, docker stop).
  const stop = await options.hooks.stop({ ...context, signal });
  if (stop.kind === "failed") return refused("plugin-failed", stop.message);
  const handledBy = stop.kind === "stopped" ? stop.plugin : null;
  const manager = handledBy === null && endsThroughManager(matched.manager, options.level ?? "auto")
    ? matched.manager
    : null;
  if (options.dryRun) {
    const message = handledBy
      ? `plugin ${handledBy} would stop it`
      : manager
      ? `through ${managerLabel(manager)}: ${manager.stopCommand}`
      : null;
    return { outcome: "dry-run", message, signals: manager ? [] : [signal] };
  }

  const handle = backend.openProcess(matched.info);
  const plan = {
    signal,
    handledBy,
    escalate: options.mode.kind === "escalate",
    timeoutMs: options.timeoutMs,
  };
  try {
    if (manager) return await endThroughManager(handle, { manager, plan, run });
    return await sendSignals(handle, plan);
  } finally {
    handle.close();
  }
}

/** How long a process gets to go once the manager that ran it (nodemon, a loop) is ended. */
const AFTER_MANAGER_END_MS = 300;

/** The key one manager is stopped under, whichever of its processes asks. */
function managerKey(manager: ProcessManager): string {
  return `${manager.kind}\0${manager.id ?? ""}\0${manager.name}`;
}

/**
 * Ends a process through its manager: the manager is asked once per run (two forwarders of one
 * container, the workers of one service), then the process is waited for. When the manager is
 * gone but its process was left running (a shell loop's server), it is signalled as usual.
 */
async function endThroughManager(
  handle: ProcessHandle,
  { manager, plan, run }: {
    readonly manager: ProcessManager;
    readonly plan: SignalPlan;
    readonly run: RunState;
  },
): Promise<Ending> {
  const through = managerLabel(manager);
  if (manager.stop.kind === "end-manager") {
    const refusal = protectionReason(manager.stop.pid, run.backend);
    if (refusal) return { outcome: "denied", message: `${through}: ${refusal}`, signals: [] };
  }
  const key = managerKey(manager);
  let stopping = run.managerStops.get(key);
  if (!stopping) {
    stopping = run.backend.stopThroughManager(manager, { timeoutMs: plan.timeoutMs });
    run.managerStops.set(key, stopping);
  }
  const result = await stopping;
  if (result.kind === "failed") {
    return { outcome: "still-running", message: `not stopped: ${result.message}`, signals: [] };
  }
  const graceMs = manager.stop.kind === "end-manager" ? AFTER_MANAGER_END_MS : plan.timeoutMs;
  if (await handle.waitForExit(graceMs)) {
    return { outcome: "ended", message: `stopped through ${through}`, signals: [] };
  }
  if (manager.forwarder) {
    return {
      outcome: "still-running",
      message: `${through} was stopped, but its forwarder still runs`,
      signals: [],
    };
  }
  const ending = await sendSignals(handle, plan);
  return { ...ending, message: ending.message ?? `${through} was stopped; its process was left` };
}

function hiddenReport({ socket, note }: HiddenSocket): ProcessKillReport {
  return {
    process: null,
    manager: null,
    sockets: [summarizeSocket(socket)],
    signals: [],
    outcome: "not-visible",
    message: note,
    elapsedMs: 0,
  };
}

/**
 * Finds and ends every process holding a target port, then confirms the ports are free (and that
 * no manager started a holder again, watching as long as one plausibly could).
 *
 * @example
 * ```ts
 * const result = await killPort(backend, {
 *   targets: [parseTarget("3000")], allStates: false, mode: { kind: "escalate" },
 *   timeoutMs: 5000, dryRun: false, hooks: NO_HOOKS,
 * });
 * ```
 */
export async function killPort(
  backend: PlatformBackend,
  options: KillOptions,
): Promise<KillResult> {
  const match = (socket: SocketEntry) => socketMatches(socket, options.targets, options);
  const query = { listeningTcpOnly: !options.allStates };
  const { inside, outside } = splitByFolder(
    lookupHolders(backend, match, query),
    options.folder ?? null,
  );
  const grouped = groupByProcess(await withManagers(backend, inside));
  const { processes, hidden, leftAlone } = restrictTo(grouped, options.only);
  if (processes.length === 0 && hidden.length === 0) {
    return { matched: false, reports: [], respawns: [], outside };
  }
  // Parents, and their children, are read before the kill: afterwards an orphan's ppid is 1.
  const parents = backend.describeProcesses(
    processes.flatMap((p) => p.info.ppid ? [p.info.ppid] : []),
  );
  const level = options.level ?? "auto";
  const restarts: RestartWatch[] = options.dryRun ? [] : processes.map((p) =>
    // A manager that stopped its process keeps it stopped: the final read confirms it.
    endsThroughManager(p.manager, level) ? { kind: "none" } : restartWatchFor(backend, {
      manager: p.manager,
      parent: parents.get(p.info.ppid ?? -1) ?? null,
    })
  );
  const run: RunState = { backend, options, managerStops: new Map() };
  const ended = await Promise.all(processes.map((p) => endProcess(p, run)));
  const reports = [...ended, ...hidden.map(hiddenReport)];
  if (options.dryRun || !ended.some((report) => report.outcome === "ended")) {
    return { matched: true, reports, respawns: [], outside };
  }
  // Holders outside the folder, or not confirmed, were left alone: still there, they are no restart.
  const left = groupByProcess(outside);
  const survivors = new Set([
    ...ended.flatMap((r) => r.outcome !== "ended" && r.process ? [r.process.pid] : []),
    ...left.processes.map((p) => p.info.pid),
    ...leftAlone,
  ]);
  const respawns = await findRespawns(backend, {
    match,
    query,
    survivors,
    hiddenSockets: new Set(
      [...grouped.hidden, ...left.hidden].map(({ socket }) => socketKey(socket)),
    ),
    restarts: restarts.filter((_, i) => ended[i].outcome === "ended"),
  });
  return { matched: true, reports, respawns, outside };
}

/** True when every matched process is gone and no target port is held again. */
export function killSucceeded(result: KillResult): boolean {
  return result.respawns.length === 0 &&
    result.reports.every((r) => r.outcome === "ended" || r.outcome === "dry-run");
}
