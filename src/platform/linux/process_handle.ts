/**
 * Ending a process on Linux: `Deno.kill` after the start-time identity check, and waiting for the
 * process (all its threads) to be gone.
 *
 * @module
 */

import { waitUntil } from "../poll.ts";
import type { ProcessHandle, ProcessInfo, SignalName, SignalResult } from "../types.ts";
import { hasExited, readStat } from "./procfs_process.ts";

const NOT_PERMITTED = "operation not permitted (the process belongs to another user)";

/** What a failed `Deno.kill` means: the process is gone, or the OS refused. */
function describeKillError(error: unknown): SignalResult {
  if (error instanceof Deno.errors.NotFound) return { kind: "gone" };
  if (error instanceof Deno.errors.PermissionDenied) {
    return { kind: "denied", message: NOT_PERMITTED };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/ESRCH|No such process/i.test(message)) return { kind: "gone" };
  if (/EPERM|not permitted/i.test(message)) return { kind: "denied", message: NOT_PERMITTED };
  return { kind: "denied", message };
}

/**
 * A handle for ending `info`'s process: every operation first checks, by its start time in
 * `/proc/<pid>/stat`, that the PID is still that process.
 */
export function openProcess(info: ProcessInfo): ProcessHandle {
  const isRunning = (): boolean => {
    const stat = readStat(info.pid);
    return stat !== null && stat.startTime === info.startTime && !hasExited(info.pid, stat);
  };
  return {
    info,
    isRunning,
    signal(signal: SignalName): SignalResult {
      // The identity check and the kill are two syscalls; the window between them is microseconds,
      // against PID reuse that needs the whole PID space to wrap.
      if (!isRunning()) return { kind: "gone" };
      try {
        Deno.kill(info.pid, signal);
        return { kind: "sent" };
      } catch (error) {
        return describeKillError(error);
      }
    },
    // A check is one small procfs read: the default backoff polls tightly at first.
    waitForExit: (timeoutMs: number) => waitUntil(() => !isRunning(), { timeoutMs }),
    close() {},
  };
}
