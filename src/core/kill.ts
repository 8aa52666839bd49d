/**
 * The kill engine: from targets to ended processes, OS-agnostic. It finds every holder, asks the
 * hooks, signals all processes concurrently with escalation, then re-reads the socket table to
 * confirm each port is free (and notices a supervisor that restarted the server).
 *
 * @module
 */

import type {
  PlatformBackend,
  ProcessHandle,
  ProcessInfo,
  SignalName,
  SignalResult,
  SocketEntry,
} from "../platform/types.ts";
import type {
  BeforeKillContext,
  HookProcess,
  KillHooks,
  KillOutcome,
  SocketSummary,
} from "./hooks.ts";
import { lookupHolders, type SocketHolder } from "./lookup.ts";
import { cannotRestart } from "./supervisor.ts";
import { type PortTarget, socketMatches } from "./target.ts";

/** Which signals to send. */
export type KillMode =
  /** The default: the graceful signal, then SIGKILL for whatever is still alive at the timeout. */
  | { readonly kind: "escalate" }
  /** `--term`, `--signal X`, `--kill`: that signal only. */
  | { readonly kind: "single"; readonly signal: SignalName };

/** Everything a kill run needs, already parsed and validated. */
export interface KillOptions {
  readonly targets: readonly PortTarget[];
  readonly allStates: boolean;
  readonly mode: KillMode;
  /** How long to wait for each process to exit after a signal. */
  readonly timeoutMs: number;
  readonly dryRun: boolean;
  readonly hooks: KillHooks;
  /**
   * How long to watch the ports for a restart when an ended process had a live parent that is
   * not an interactive shell (a likely supervisor). Defaults to {@linkcode SUPERVISOR_SETTLE_MS}.
   */
  readonly settleMs?: number;
}

/** What happened to one matched process (or one socket whose holder cannot be seen). */
export interface ProcessKillReport {
  /** Null when the holder is not visible. */
  readonly process: HookProcess | null;
  readonly sockets: readonly SocketSummary[];
  /** Signals sent, in order. */
  readonly signals: readonly SignalName[];
  readonly outcome: KillOutcome;
  /** Why, for every outcome but `ended` and `dry-run` (and who stopped it, when a plugin did). */
  readonly message: string | null;
  /** From the first signal (or the hand-over to a plugin) to the outcome. */
  readonly elapsedMs: number;
}

/** A process that took a target port again after its holder was ended (a restart). */
export interface RespawnReport {
  /** The new holder, or null when it cannot be seen. */
  readonly process: HookProcess | null;
  readonly parent: HookProcess | null;
  /** Every target socket it holds. */
  readonly sockets: readonly SocketSummary[];
}

/** The result of a kill run. */
export interface KillResult {
  /** False when nothing held any target port. */
  readonly matched: boolean;
  readonly reports: readonly ProcessKillReport[];
  /** Empty unless a supervisor (or anyone) took a target port again. */
  readonly respawns: readonly RespawnReport[];
}

/** systemd restarts after 100 ms by default; half a second covers it and pm2/nodemon. */
export const SUPERVISOR_SETTLE_MS = 500;
/** After SIGKILL a process is gone as soon as the kernel reaps it; this bounds odd cases (D state). */
const AFTER_SIGKILL_WAIT_MS = 3000;
const SETTLE_POLL_MS = 25;

/** Summary of a socket as hooks and JSON see it. */
export function summarizeSocket(socket: SocketEntry): SocketSummary {
  const { protocol, family, address, port, state } = socket;
  return { protocol, family, address, port, state };
}

/** The process fields hooks and JSON see. */
export function summarizeProcess(info: ProcessInfo): HookProcess {
  const { pid, name, user, command } = info;
  return { pid, name, user, command };
}

interface MatchedProcess {
  readonly info: ProcessInfo;
  readonly sockets: SocketSummary[];
  /** What the OS says about this holder (Windows: "PID 4 is HTTP.sys"), if anything. */
  readonly note: string | null;
}

function groupByProcess(holders: readonly SocketHolder[]): {
  processes: MatchedProcess[];
  invisible: SocketHolder[];
} {
  const byPid = new Map<number, MatchedProcess>();
  const invisible: SocketHolder[] = [];
  for (const holder of holders) {
    if (holder.ownerless) continue;
    if (!holder.process) {
      invisible.push(holder);
      continue;
    }
    const matched = byPid.get(holder.process.pid) ??
      { info: holder.process, sockets: [] as SocketSummary[], note: holder.ownerNote };
    matched.sockets.push(summarizeSocket(holder.socket));
    byPid.set(holder.process.pid, matched);
  }
  return { processes: [...byPid.values()], invisible };
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

const SIGKILL: SignalName = "SIGKILL";

/** Ends one process: hooks, then the signal sequence. Never throws. */
async function endProcess(
  matched: MatchedProcess,
  backend: PlatformBackend,
  options: KillOptions,
): Promise<ProcessKillReport> {
  const process = summarizeProcess(matched.info);
  const planned = options.mode.kind === "single" ? options.mode.signal : backend.signals[0];
  const context: BeforeKillContext = {
    process,
    sockets: matched.sockets,
    signal: planned,
    dryRun: options.dryRun,
    platform: backend.os,
    timeout: options.timeoutMs / 1000,
  };
  const started = performance.now();
  const signals: SignalName[] = [];
  const finish = async (outcome: KillOutcome, message: string | null) => {
    const elapsedMs = signals.length > 0 || outcome === "ended" ? performance.now() - started : 0;
    await options.hooks.afterKill({ ...context, outcome, elapsedMs });
    return { process, sockets: matched.sockets, signals, outcome, message, elapsedMs };
  };

  const refusal = protectionReason(process.pid, backend);
  if (refusal) return finish("denied", matched.note ? `${refusal}; ${matched.note}` : refusal);

  // Phase 1, the decision: every plugin may refuse before any plugin acts.
  const decision = await options.hooks.beforeKill(context);
  let firstSignal = planned;
  switch (decision.kind) {
    case "skip":
      return finish("skipped", `${decision.plugin}: ${decision.reason}`);
    case "failed":
      return finish("plugin-failed", decision.message);
    case "signal":
      if (!backend.signals.includes(decision.signal)) {
        return finish(
          "plugin-failed",
          `plugin ${decision.plugin} asked for ${decision.signal}, which ${backend.os} cannot send`,
        );
      }
      firstSignal = decision.signal;
      break;
    case "proceed":
      break;
  }
  // Phase 2, the action: a plugin may stop the process its own way (drain, docker stop).
  const stop = await options.hooks.stop({ ...context, signal: firstSignal });
  if (stop.kind === "failed") return finish("plugin-failed", stop.message);
  const handledBy = stop.kind === "stopped" ? stop.plugin : null;
  if (options.dryRun) {
    signals.push(firstSignal);
    return finish("dry-run", handledBy ? `plugin ${handledBy} would stop it` : null);
  }

  const handle = backend.openProcess(matched.info);
  try {
    return await runSignals(handle, firstSignal, handledBy, options, signals, finish);
  } finally {
    handle.close();
  }
}

async function runSignals(
  handle: ProcessHandle,
  firstSignal: SignalName,
  handledBy: string | null,
  options: KillOptions,
  signals: SignalName[],
  finish: (outcome: KillOutcome, message: string | null) => Promise<ProcessKillReport>,
): Promise<ProcessKillReport> {
  if (handledBy) {
    // The plugin stopped it its own way; escalate only if it did not work in time.
    if (await handle.waitForExit(options.timeoutMs)) {
      return finish("ended", `stopped by ${handledBy}`);
    }
  }
  const send = async (signal: SignalName, waitMs: number): Promise<SendOutcome> => {
    const result = handle.signal(signal);
    if (result.kind === "gone") return "exited";
    if (result.kind !== "sent") return result;
    signals.push(signal);
    return await handle.waitForExit(waitMs) ? "exited" : "alive";
  };
  const waitAfter = (signal: SignalName) =>
    signal === SIGKILL ? AFTER_SIGKILL_WAIT_MS : options.timeoutMs;
  const first = await send(firstSignal, waitAfter(firstSignal));
  if (first === "exited") {
    // nginx workers, for one, exit on their master's signal before portctl reaches them.
    return finish("ended", signals.length === 0 ? "exited before portctl signalled it" : null);
  }
  if (first !== "alive" && first.kind === "denied") return finish("denied", first.message);
  const escalate = options.mode.kind === "escalate" && firstSignal !== SIGKILL;
  if (!escalate) {
    const why = first !== "alive"
      ? first.message
      : `still running ${waitAfter(firstSignal) / 1000} s after ${firstSignal}` +
        (firstSignal === SIGKILL ? "" : "; use --kill to force it");
    return finish("still-running", why);
  }
  // Escalation: the graceful signal failed or is not available here (Windows without a console).
  const second = await send(SIGKILL, AFTER_SIGKILL_WAIT_MS);
  if (second === "exited") return finish("ended", null);
  if (second !== "alive") {
    return finish(second.kind === "denied" ? "denied" : "still-running", second.message);
  }
  return finish("still-running", `still running after ${signals.join(" and ")}`);
}

/** How one signal went: exited in time, still alive at the deadline, or not delivered. */
type SendOutcome =
  | "exited"
  | "alive"
  | Extract<SignalResult, { kind: "denied" | "unsupported" }>;

function invisibleReport(holder: SocketHolder): ProcessKillReport {
  return {
    process: null,
    sockets: [summarizeSocket(holder.socket)],
    signals: [],
    outcome: "not-visible",
    message: holder.ownerNote ?? "the process holding this socket cannot be seen",
    elapsedMs: 0,
  };
}

function socketKey(socket: SocketEntry): string {
  return `${socket.protocol}${socket.family} ${socket.address} ${socket.port}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True when a parent that outlived its child may restart it (not a terminal shell, running). */
function isLikelySupervisor(parent: ProcessInfo | undefined, backend: PlatformBackend): boolean {
  if (!parent || cannotRestart(parent)) return false;
  const handle = backend.openProcess(parent);
  try {
    return handle.isRunning();
  } finally {
    handle.close();
  }
}

/**
 * Re-reads the socket table until `settleMs` passes and reports holders that are new: anyone
 * holding a target port who is not a process portctl already reported as still alive.
 */
async function findRespawns(
  backend: PlatformBackend,
  match: (socket: SocketEntry) => boolean,
  query: { readonly listeningTcpOnly: boolean },
  known: { survivors: ReadonlySet<number>; invisibleSockets: ReadonlySet<string> },
  settleMs: number,
): Promise<RespawnReport[]> {
  const deadline = performance.now() + settleMs;
  while (true) {
    const fresh = lookupHolders(backend, match, query).filter((holder) =>
      !holder.ownerless &&
      (holder.process
        ? !known.survivors.has(holder.process.pid)
        : !known.invisibleSockets.has(socketKey(holder.socket)))
    );
    if (fresh.length > 0) {
      const parentPids = fresh.flatMap((h) => h.process?.ppid ? [h.process.ppid] : []);
      const parents = backend.describeProcesses(parentPids);
      // One report per new holder; sockets nobody visible holds are reported one by one.
      const byHolder = new Map<number | string, RespawnReport & { sockets: SocketSummary[] }>();
      for (const holder of fresh) {
        const key = holder.process?.pid ?? socketKey(holder.socket);
        const parent = holder.process?.ppid ? parents.get(holder.process.ppid) : undefined;
        const report = byHolder.get(key) ?? {
          process: holder.process ? summarizeProcess(holder.process) : null,
          parent: parent ? summarizeProcess(parent) : null,
          sockets: [],
        };
        report.sockets.push(summarizeSocket(holder.socket));
        byHolder.set(key, report);
      }
      return [...byHolder.values()];
    }
    if (performance.now() >= deadline) return [];
    await sleep(SETTLE_POLL_MS);
  }
}

/**
 * Finds and ends every process holding a target port, then confirms the ports are free.
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
  const { processes, invisible } = groupByProcess(lookupHolders(backend, match, query));
  if (processes.length === 0 && invisible.length === 0) {
    return { matched: false, reports: [], respawns: [] };
  }
  // Parents are read before the kill: afterwards an orphan's ppid is already 1.
  const parents = backend.describeProcesses(
    processes.flatMap((p) => p.info.ppid ? [p.info.ppid] : []),
  );
  const ended = await Promise.all(processes.map((p) => endProcess(p, backend, options)));
  const reports = [...ended, ...invisible.map(invisibleReport)];
  if (options.dryRun || !ended.some((report) => report.outcome === "ended")) {
    return { matched: true, reports, respawns: [] };
  }
  const survivors = new Set(
    ended.filter((r) => r.outcome !== "ended" && r.process).map((r) => r.process!.pid),
  );
  const supervised = processes.some((p, i) =>
    ended[i].outcome === "ended" && isLikelySupervisor(parents.get(p.info.ppid ?? -1), backend)
  );
  const settleMs = supervised ? (options.settleMs ?? SUPERVISOR_SETTLE_MS) : 0;
  const invisibleSockets = new Set(invisible.map((holder) => socketKey(holder.socket)));
  const respawns = await findRespawns(
    backend,
    match,
    query,
    { survivors, invisibleSockets },
    settleMs,
  );
  return { matched: true, reports, respawns };
}

/** True when every matched process is gone and no target port is held again. */
export function killSucceeded(result: KillResult): boolean {
  return result.respawns.length === 0 &&
    result.reports.every((r) => r.outcome === "ended" || r.outcome === "dry-run");
}
