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
import { findRespawns, isLikelySupervisor, type RespawnReport, socketKey } from "./respawn.ts";
import { summarizeProcess, summarizeSocket } from "./summary.ts";
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
  /**
   * Signal only these process instances (the picker's confirmed rows), each by PID and start time.
   * Any other holder of a target port, a new PID or a reused one, is left alone and not reported:
   * what a person confirmed is all that is signalled. Hidden holders are not reported either.
   */
  readonly only?: readonly ProcessIdentity[];
}

/** One process instance: its PID and its start time, which tells it from a later user of the PID. */
export type ProcessIdentity = Pick<ProcessInfo, "pid" | "startTime">;

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

interface MatchedProcess {
  readonly info: ProcessInfo;
  readonly sockets: SocketSummary[];
  /** What the OS says about this holder (Windows: "PID 4 is HTTP.sys"), if anything. */
  readonly note: string | null;
}

/** A socket whose holder portctl cannot see, and why. */
interface HiddenSocket {
  readonly socket: SocketEntry;
  readonly note: string;
}

/** Rows grouped by process; hidden holders apart; sockets nobody holds left out. */
function groupByProcess(rows: readonly SocketHolder[]): {
  processes: MatchedProcess[];
  hidden: HiddenSocket[];
} {
  const byPid = new Map<number, MatchedProcess>();
  const hidden: HiddenSocket[] = [];
  for (const { socket, holder } of rows) {
    if (holder.kind === "none") continue;
    if (holder.kind === "hidden") {
      hidden.push({ socket, note: holder.note });
      continue;
    }
    const { process, note } = holder;
    const matched = byPid.get(process.pid) ?? { info: process, sockets: [], note };
    matched.sockets.push(summarizeSocket(socket));
    byPid.set(process.pid, matched);
  }
  return { processes: [...byPid.values()], hidden };
}

/**
 * The matched processes `only` allows (all, without it), no hidden holders when it is given, and
 * the PIDs left alone: holders already there, not a restart after the kill.
 */
function restrictTo(
  grouped: { processes: MatchedProcess[]; hidden: HiddenSocket[] },
  only: readonly ProcessIdentity[] | undefined,
): { processes: MatchedProcess[]; hidden: HiddenSocket[]; leftAlone: number[] } {
  if (!only) return { ...grouped, leftAlone: [] };
  const allowed = (info: ProcessInfo) =>
    only.some((p) => p.pid === info.pid && p.startTime === info.startTime);
  return {
    processes: grouped.processes.filter((p) => allowed(p.info)),
    hidden: [],
    leftAlone: grouped.processes.filter((p) => !allowed(p.info)).map((p) => p.info.pid),
  };
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

/** How ending one process went, before `afterKill` hears of it. */
interface Ending {
  readonly outcome: KillOutcome;
  readonly message: string | null;
  /** Signals sent, in order. */
  readonly signals: readonly SignalName[];
}

/** Ends one process: refusals, the hooks' decision, then the signals. Never throws. */
async function endProcess(
  matched: MatchedProcess,
  backend: PlatformBackend,
  options: KillOptions,
): Promise<ProcessKillReport> {
  const process = summarizeProcess(matched.info);
  const context: BeforeKillContext = {
    process,
    sockets: matched.sockets,
    signal: options.mode.kind === "single" ? options.mode.signal : backend.signals.graceful,
    dryRun: options.dryRun,
    platform: backend.os,
    timeout: options.timeoutMs / 1000,
  };
  const started = performance.now();
  const ending = await decideAndSignal(matched, { context, backend, options });
  const elapsedMs = ending.signals.length > 0 || ending.outcome === "ended"
    ? performance.now() - started
    : 0;
  await options.hooks.afterKill({ ...context, outcome: ending.outcome, elapsedMs });
  return { process, sockets: matched.sockets, ...ending, elapsedMs };
}

/** What ending one process is done with: what hooks are told, the backend, the run's options. */
interface EndingRun {
  readonly context: BeforeKillContext;
  readonly backend: PlatformBackend;
  readonly options: KillOptions;
}

async function decideAndSignal(
  matched: MatchedProcess,
  { context, backend, options }: EndingRun,
): Promise<Ending> {
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
  if (options.dryRun) {
    const message = handledBy ? `plugin ${handledBy} would stop it` : null;
    return { outcome: "dry-run", message, signals: [signal] };
  }

  const handle = backend.openProcess(matched.info);
  try {
    return await sendSignals(handle, {
      signal,
      handledBy,
      escalate: options.mode.kind === "escalate",
      timeoutMs: options.timeoutMs,
    });
  } finally {
    handle.close();
  }
}

/** What to send to one process, decided before the first signal. */
interface SignalPlan {
  /** The first signal (the graceful one, `--signal`'s, or a plugin's). */
  readonly signal: SignalName;
  /** The plugin that said it stopped the process itself, if one did. */
  readonly handledBy: string | null;
  /** Follow with SIGKILL when the first signal did not end it in time. */
  readonly escalate: boolean;
  readonly timeoutMs: number;
}

/** One signal and the wait after it. */
type SignalStep =
  /** Gone in time; `sent` is false when it had exited before the signal. */
  | { readonly kind: "exited"; readonly sent: boolean }
  /** Sent, and still alive at the deadline. */
  | { readonly kind: "alive" }
  /** Not delivered. */
  | Extract<SignalResult, { kind: "denied" | "unsupported" }>;

async function signalAndWait(
  handle: ProcessHandle,
  { signal, waitMs }: { readonly signal: SignalName; readonly waitMs: number },
): Promise<SignalStep> {
  const result = handle.signal(signal);
  if (result.kind === "gone") return { kind: "exited", sent: false };
  if (result.kind !== "sent") return result;
  return await handle.waitForExit(waitMs) ? { kind: "exited", sent: true } : { kind: "alive" };
}

const wasSent = (step: SignalStep) =>
  step.kind === "alive" || (step.kind === "exited" && step.sent);

async function sendSignals(handle: ProcessHandle, plan: SignalPlan): Promise<Ending> {
  if (plan.handledBy !== null) {
    // The plugin stopped it its own way; escalate only if it did not work in time.
    if (await handle.waitForExit(plan.timeoutMs)) {
      return { outcome: "ended", message: `stopped by ${plan.handledBy}`, signals: [] };
    }
  }
  const firstWaitMs = plan.signal === SIGKILL ? AFTER_SIGKILL_WAIT_MS : plan.timeoutMs;
  const first = await signalAndWait(handle, { signal: plan.signal, waitMs: firstWaitMs });
  const sent = wasSent(first) ? [plan.signal] : [];
  if (first.kind === "exited") {
    // nginx workers, for one, exit on their master's signal before portctl reaches them.
    const message = first.sent ? null : "exited before portctl signalled it";
    return { outcome: "ended", message, signals: sent };
  }
  if (first.kind === "denied") return { outcome: "denied", message: first.message, signals: sent };
  if (!plan.escalate || plan.signal === SIGKILL) {
    const message = first.kind === "unsupported"
      ? first.message
      : `still running ${firstWaitMs / 1000} s after ${plan.signal}` +
        (plan.signal === SIGKILL ? "" : "; use --kill to force it");
    return { outcome: "still-running", message, signals: sent };
  }
  // Escalation: the graceful signal failed or is not available here (Windows without a console).
  const second = await signalAndWait(handle, { signal: SIGKILL, waitMs: AFTER_SIGKILL_WAIT_MS });
  const signals = wasSent(second) ? [...sent, SIGKILL] : sent;
  switch (second.kind) {
    case "exited":
      return { outcome: "ended", message: null, signals };
    case "alive":
      return {
        outcome: "still-running",
        message: `still running after ${signals.join(" and ")}`,
        signals,
      };
    case "denied":
    case "unsupported":
      return {
        outcome: second.kind === "denied" ? "denied" : "still-running",
        message: second.message,
        signals,
      };
  }
}

function hiddenReport({ socket, note }: HiddenSocket): ProcessKillReport {
  return {
    process: null,
    sockets: [summarizeSocket(socket)],
    signals: [],
    outcome: "not-visible",
    message: note,
    elapsedMs: 0,
  };
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
  const grouped = groupByProcess(lookupHolders(backend, match, query));
  const { processes, hidden, leftAlone } = restrictTo(grouped, options.only);
  if (processes.length === 0 && hidden.length === 0) {
    return { matched: false, reports: [], respawns: [] };
  }
  // Parents are read before the kill: afterwards an orphan's ppid is already 1.
  const parents = backend.describeProcesses(
    processes.flatMap((p) => p.info.ppid ? [p.info.ppid] : []),
  );
  const ended = await Promise.all(processes.map((p) => endProcess(p, backend, options)));
  const reports = [...ended, ...hidden.map(hiddenReport)];
  if (options.dryRun || !ended.some((report) => report.outcome === "ended")) {
    return { matched: true, reports, respawns: [] };
  }
  const survivors = new Set([
    ...ended.flatMap((r) => r.outcome !== "ended" && r.process ? [r.process.pid] : []),
    ...leftAlone,
  ]);
  const supervised = processes.some((p, i) =>
    ended[i].outcome === "ended" && isLikelySupervisor(parents.get(p.info.ppid ?? -1), backend)
  );
  const respawns = await findRespawns(backend, {
    match,
    query,
    survivors,
    hiddenSockets: new Set(grouped.hidden.map(({ socket }) => socketKey(socket))),
    settleMs: supervised ? (options.settleMs ?? SUPERVISOR_SETTLE_MS) : 0,
  });
  return { matched: true, reports, respawns };
}

/** True when every matched process is gone and no target port is held again. */
export function killSucceeded(result: KillResult): boolean {
  return result.respawns.length === 0 &&
    result.reports.every((r) => r.outcome === "ended" || r.outcome === "dry-run");
}
