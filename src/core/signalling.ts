/**
 * Signalling one process: the first signal, the wait, and SIGKILL when the plan escalates. The kill
 * engine decides whether and what to send; this module only sends it and says how it went.
 *
 * @module
 */

import type { ProcessHandle, SignalName, SignalResult } from "../platform/types.ts";
import type { KillOutcome } from "./hooks.ts";

/** After SIGKILL a process is gone as soon as the kernel reaps it; this bounds odd cases (D state). */
const AFTER_SIGKILL_WAIT_MS = 3000;

const SIGKILL: SignalName = "SIGKILL";

/** How ending one process went, before `afterKill` hears of it. */
export interface Ending {
  readonly outcome: KillOutcome;
  readonly message: string | null;
  /** Signals sent, in order. */
  readonly signals: readonly SignalName[];
}

/** What to send to one process, decided before the first signal. */
export interface SignalPlan {
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

/**
 * Sends `plan`'s signal and waits; escalates to SIGKILL when asked and needed. After a plugin
 * stopped the process itself, signals only if it did not go in time. Never throws.
 */
export async function sendSignals(handle: ProcessHandle, plan: SignalPlan): Promise<Ending> {
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
