/**
 * A pause between two polls of a process or a port.
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
 * Resolves after about `ms` milliseconds.
 *
 * @example
 * ```ts
 * await pollPause(1); // a blocking 1 ms sleep, then a yield
 * await pollPause(20); // a timer
 * ```
 */
export function pollPause(ms: number): Promise<void> {
  if (ms > BLOCKING_LIMIT_MS) return new Promise((resolve) => setTimeout(resolve, ms));
  Atomics.wait(cell, 0, 0, ms);
  return Promise.resolve();
}
