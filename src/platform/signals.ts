/**
 * The signal table of each backend, in one place: which signals the OS can deliver, the number
 * each one has there (as its `kill -l` numbers them) and which one is graceful. `--signal`,
 * `--term`, the kill engine, plugins' `{ signal }` replies, completions and help all read these.
 *
 * Pure data, no FFI: every table is importable (and tested) on every OS.
 *
 * @module
 */

import type { PlatformName, SignalName, SignalTable } from "./types.ts";

function table(graceful: SignalName, numbers: Readonly<Partial<Record<SignalName, number>>>) {
  return {
    graceful,
    numbers: new Map(Object.entries(numbers) as [SignalName, number][]),
  } satisfies SignalTable;
}

/**
 * Every POSIX signal Deno can send on Linux, with its number (`man 7 signal`, x86 and ARM), in
 * the order help lists them.
 */
export const LINUX_SIGNALS: SignalTable = table("SIGTERM", {
  SIGTERM: 15,
  SIGKILL: 9,
  SIGINT: 2,
  SIGHUP: 1,
  SIGQUIT: 3,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGABRT: 6,
  SIGALRM: 14,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGPIPE: 13,
  SIGTRAP: 5,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGSEGV: 11,
  SIGILL: 4,
  SIGSYS: 31,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
});

/**
 * Every signal Deno can name on macOS, with Darwin's numbers (`sys/signal.h`). They differ from
 * Linux from 7 up (SIGBUS is 10, SIGUSR1 30), so `--signal 30` means SIGUSR1 here, as `kill -30`
 * does on a Mac.
 */
export const DARWIN_SIGNALS: SignalTable = table("SIGTERM", {
  SIGTERM: 15,
  SIGKILL: 9,
  SIGINT: 2,
  SIGHUP: 1,
  SIGQUIT: 3,
  SIGUSR1: 30,
  SIGUSR2: 31,
  SIGABRT: 6,
  SIGALRM: 14,
  SIGCONT: 19,
  SIGSTOP: 17,
  SIGTSTP: 18,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGPIPE: 13,
  SIGTRAP: 5,
  SIGBUS: 10,
  SIGFPE: 8,
  SIGSEGV: 11,
  SIGILL: 4,
  SIGSYS: 12,
  SIGURG: 16,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 23,
  SIGINFO: 29,
  SIGEMT: 7,
});

/**
 * What Windows can do, under the POSIX names (and numbers) people type: SIGTERM = Ctrl-C to the
 * process's console and `WM_CLOSE` to its windows; SIGINT = Ctrl-C only; SIGKILL =
 * `TerminateProcess`. SIGBREAK is left out: Ctrl-Break can only be sent to a whole console, where
 * its default action ends every program on it, and under Wine it hangs the target.
 */
export const WINDOWS_SIGNALS: SignalTable = table("SIGTERM", {
  SIGTERM: 15,
  SIGINT: 2,
  SIGKILL: 9,
});

/**
 * The signal table of `os`'s backend.
 *
 * @example
 * ```ts
 * signalTableOf("windows").numbers.has("SIGBREAK"); // false
 * ```
 */
export function signalTableOf(os: PlatformName): SignalTable {
  switch (os) {
    case "linux":
      return LINUX_SIGNALS;
    case "darwin":
      return DARWIN_SIGNALS;
    case "windows":
      return WINDOWS_SIGNALS;
  }
}
