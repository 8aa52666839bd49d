/**
 * `--signal` values: a name (`TERM`, `SIGTERM`, `sigterm`) or a number (`15`).
 *
 * @module
 */

import type { SignalName } from "../platform/types.ts";
import { UsageError } from "./errors.ts";

/** Linux signal numbers (`man 7 signal`, x86/ARM), for `--signal 9` and friends. */
const SIGNAL_NUMBERS: Readonly<Record<number, SignalName>> = {
  1: "SIGHUP",
  2: "SIGINT",
  3: "SIGQUIT",
  4: "SIGILL",
  5: "SIGTRAP",
  6: "SIGABRT",
  7: "SIGBUS",
  8: "SIGFPE",
  9: "SIGKILL",
  10: "SIGUSR1",
  11: "SIGSEGV",
  12: "SIGUSR2",
  13: "SIGPIPE",
  14: "SIGALRM",
  15: "SIGTERM",
  17: "SIGCHLD",
  18: "SIGCONT",
  19: "SIGSTOP",
  20: "SIGTSTP",
  21: "SIGTTIN",
  22: "SIGTTOU",
  23: "SIGURG",
  24: "SIGXCPU",
  25: "SIGXFSZ",
  26: "SIGVTALRM",
  27: "SIGPROF",
  28: "SIGWINCH",
  29: "SIGIO",
  30: "SIGPWR",
  31: "SIGSYS",
};

/** Signal numbers that mean the same on Linux, macOS and the BSDs (POSIX's well-known ones). */
const PORTABLE_NUMBERS = new Set([1, 2, 3, 6, 9, 14, 15]);

/** ` (or 2, 9, 15)`: the portable numbers of the signals this OS supports. */
function portableNumbersOf(supported: readonly SignalName[]): string {
  const numbers = [...PORTABLE_NUMBERS].filter((n) => supported.includes(SIGNAL_NUMBERS[n]));
  return numbers.length > 0 ? ` (or ${numbers.join(", ")})` : "";
}

/**
 * Parses a `--signal` value against the signals this OS can deliver.
 *
 * @example
 * ```ts
 * parseSignal("int", ["SIGTERM", "SIGINT"]); // "SIGINT"
 * ```
 */
export function parseSignal(text: string, supported: readonly SignalName[]): SignalName {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) {
    return signalByName(trimmed, supported) ?? invalidSignal(text, supported);
  }
  // Numbers follow Linux numbering. macOS numbers others differently (SIGUSR1 is 30 there), so
  // elsewhere only the numbers every system shares are taken (kill -9, kill -15, kill -2).
  const number = Number(trimmed);
  const name = Deno.build.os === "linux" || PORTABLE_NUMBERS.has(number)
    ? SIGNAL_NUMBERS[number]
    : undefined;
  return supported.find((signal) => signal === name) ?? invalidSignal(text, supported);
}

/**
 * The signal `text` names (`INT`, `sigint`, `SIGINT`) when it is in `supported`, else null.
 *
 * @example
 * ```ts
 * signalByName("int", ["SIGTERM", "SIGINT"]); // "SIGINT"
 * ```
 */
export function signalByName(
  text: string,
  supported: readonly SignalName[],
): SignalName | null {
  const upper = text.trim().toUpperCase();
  const name = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  return supported.find((signal) => signal === name) ?? null;
}

function invalidSignal(text: string, supported: readonly SignalName[]): never {
  const names = supported.map((s) => s.slice(3)).join(", ");
  throw new UsageError(
    `invalid signal "${text}" on ${Deno.build.os}: expected one of ${names}` +
      (Deno.build.os === "linux" ? " or its number" : portableNumbersOf(supported)),
  );
}
