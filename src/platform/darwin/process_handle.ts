/**
 * Ending a process on macOS: `kill(2)` with Darwin's signal numbers, after the start-time
 * identity check, and waiting for the process to be gone.
 *
 * @module
 */

import { waitUntil } from "../poll.ts";
import { DARWIN_SIGNALS } from "../signals.ts";
import type { ProcessHandle, ProcessInfo, SignalName, SignalResult } from "../types.ts";
import type { LibSystem } from "./libsystem.ts";
import { EPERM, ESRCH } from "./proc_info.ts";

/** Interval between checks while waiting for a process to exit. */
const EXIT_POLL_MS = 10;

/**
 * The start-time token of `pid`, or null when it has exited (zombies included). Other users'
 * processes refuse `proc_bsdinfo` without root; `kinfo_proc` carries the same start time.
 */
export function readStartTime(lib: LibSystem, pid: number): string | null {
  const bsd = lib.bsdInfo(pid);
  if (bsd.ok) return bsd.value.zombie ? null : bsd.value.startTime;
  if (bsd.errno === ESRCH) return null;
  const start = lib.kinfoProcStart(pid);
  return start.ok && !start.value.zombie ? start.value.startTime : null;
}

/**
 * A handle for ending `info`'s process; `native` opens libSystem on first use. Every operation
 * first checks the PID is still that process (its start time).
 */
export function openDarwinProcess(info: ProcessInfo, native: () => LibSystem): ProcessHandle {
  const isRunning = (): boolean => readStartTime(native(), info.pid) === info.startTime;
  return {
    info,
    isRunning,
    signal(signal: SignalName): SignalResult {
      const number = DARWIN_SIGNALS.numbers.get(signal);
      if (number === undefined) {
        return { kind: "unsupported", message: `${signal} does not exist on macOS` };
      }
      // The identity check and the kill are two syscalls; the window between them is
      // microseconds, against PID reuse that needs the whole PID space to wrap.
      if (!isRunning()) return { kind: "gone" };
      const result = native().kill(info.pid, number);
      if (result.ok) return { kind: "sent" };
      if (result.errno === ESRCH) return { kind: "gone" };
      if (result.errno === EPERM) {
        return {
          kind: "denied",
          message: "operation not permitted (the process belongs to another user)",
        };
      }
      return { kind: "denied", message: `kill failed with errno ${result.errno}` };
    },
    waitForExit: (timeoutMs: number) =>
      waitUntil(() => !isRunning(), { timeoutMs, intervalMs: EXIT_POLL_MS }),
    close() {},
  };
}
