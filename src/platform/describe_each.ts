/**
 * `describeProcesses` for backends that read one process at a time (Linux procfs, macOS libproc).
 *
 * @module
 */

import type { ProcessInfo } from "./types.ts";

/**
 * Facts about each PID in `pids`, read once each by `describe`; PIDs it finds gone are left out.
 *
 * @example
 * ```ts
 * describeEach([4242, 4242, 9], readProcessInfo); // Map { 4242 => {...} } when 9 has exited
 * ```
 */
export function describeEach(
  pids: readonly number[],
  describe: (pid: number) => ProcessInfo | null,
): Map<number, ProcessInfo> {
  const found = new Map<number, ProcessInfo>();
  for (const pid of pids) {
    if (found.has(pid)) continue;
    const info = describe(pid);
    if (info) found.set(pid, info);
  }
  return found;
}
