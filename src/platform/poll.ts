/**
 * Waiting for something to become true (a process to exit, a port to be held again) by polling:
 * the one loop every backend and the kill engine use, and the one pause between two polls.
 *
 * Deno loads its timer machinery on the first `setTimeout`, which costs ~5 ms of main-thread time
 * here: a tenth of a whole `portctl kill`. Most servers exit within a few milliseconds of a
 * signal, so short pauses sleep on `Atomics.wait` instead (a blocking sleep, then a microtask
 * yield so concurrent polls take turns) and only longer ones use timers.
 *
 * @module
 */

const cell = new Int32Array(new SharedArrayBuffer(4));

/** Longest pause taken by blocking; longer ones go through `setTimeout`. */
const BLOCKING_LIMIT_MS = 2;

/**
 * Resolves after about `ms` milliseconds. With `blocking`, any pause sleeps on `Atomics.wait`.
 *
 * @example
 * ```ts
 * await pause(1); // a blocking 1 ms sleep, then a yield
 * await pause(20); // a timer
 * await pause(20, { blocking: true }); // a blocking 20 ms sleep, then a yield
 * ```
 */
export function pause(ms: number, options: { readonly blocking?: boolean } = {}): Promise<void> {
  if (ms > BLOCKING_LIMIT_MS && !options.blocking) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
  Atomics.wait(cell, 0, 0, Math.max(0, ms));
  return Promise.resolve();
}

/**
 * The default interval between polls: tight at first (most servers exit within a few
 * milliseconds of SIGTERM, and a check is one small read), then backing off for the slow ones.
 *
 * @example
 * ```ts
 * backoffMs(0); // 1
 * backoffMs(1000); // 20
 * ```
 */
export function backoffMs(waitedMs: number): number {
  return waitedMs < 50 ? 1 : waitedMs < 500 ? 5 : 20;
}

/** How long {@linkcode waitUntil} polls, and how often. */
export interface WaitOptions {
  /** Give up after this long; 0 checks once. */
  readonly timeoutMs: number;
  /** Milliseconds between checks, fixed or by time waited so far; {@linkcode backoffMs} by default. */
  readonly intervalMs?: number | ((waitedMs: number) => number);
  /**
   * Sleep between checks by blocking the thread, however long the pause: for a poll that is alone
   * in its process (`portctl wait`), where each timer's event-loop wake-up would cost about as
   * much CPU as the check itself. Never for polls that run side by side (the kill engine's).
   */
  readonly blocking?: boolean;
}

/**
 * Checks `done` until it is true (resolves true) or `timeoutMs` passes first (resolves false).
 * It always checks at least once, and once more at the deadline.
 *
 * @example
 * ```ts
 * const exited = await waitUntil(() => !handle.isRunning(), { timeoutMs: 5000 });
 * ```
 */
export async function waitUntil(done: () => boolean, options: WaitOptions): Promise<boolean> {
  const started = performance.now();
  const interval = options.intervalMs ?? backoffMs;
  while (!done()) {
    const waited = performance.now() - started;
    if (waited >= options.timeoutMs) return false;
    const next = typeof interval === "number" ? interval : interval(waited);
    await pause(Math.min(next, options.timeoutMs - waited), options);
  }
  return true;
}
