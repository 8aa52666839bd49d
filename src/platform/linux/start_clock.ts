/**
 * When a Linux process started, as a wall-clock time: `/proc/<pid>/stat` gives its start in clock
 * ticks since boot (field 22), `/proc/stat` the boot time (`btime`, whole seconds since the epoch)
 * and the auxiliary vector the tick rate (`AT_CLKTCK`, what `sysconf(_SC_CLK_TCK)` answers), as
 * `ps` computes it. Both are read once per run, and only when a process is described.
 *
 * @module
 */

/** `AT_CLKTCK` in the auxiliary vector (`<elf.h>`): the frequency of `times()` and `/proc` ticks. */
const AT_CLKTCK = 17n;
/** What every Linux architecture portctl runs on (x86_64, arm64) uses when nothing says. */
const DEFAULT_CLOCK_TICKS = 100;

/**
 * The boot time in seconds since the epoch from the text of `/proc/stat`, or null.
 *
 * @example
 * ```ts
 * parseBootTime("cpu  1 2 3\nbtime 1716220000\nprocesses 9\n"); // 1716220000
 * ```
 */
export function parseBootTime(procStat: string): number | null {
  const match = /^btime (\d+)$/m.exec(procStat);
  return match ? Number(match[1]) : null;
}

/**
 * The clock tick rate from the bytes of `/proc/self/auxv` (pairs of 64-bit type and value, ended
 * by type 0), or null when it is not there.
 *
 * @example
 * ```ts
 * parseClockTicks(Deno.readFileSync("/proc/self/auxv")); // 100
 * ```
 */
export function parseClockTicks(auxv: Uint8Array): number | null {
  const view = new DataView(auxv.buffer, auxv.byteOffset, auxv.byteLength);
  for (let at = 0; at + 16 <= auxv.byteLength; at += 16) {
    const type = view.getBigUint64(at, true);
    if (type === 0n) break;
    if (type === AT_CLKTCK) return Number(view.getBigUint64(at + 8, true)) || null;
  }
  return null;
}

/** The boot time and tick rate, read once per run; boot time null when `/proc/stat` says none. */
let clock: { readonly bootSeconds: number | null; readonly ticksPerSecond: number } | undefined;

function readClock(): NonNullable<typeof clock> {
  let bootSeconds: number | null = null;
  let ticksPerSecond: number | null = null;
  try {
    bootSeconds = parseBootTime(Deno.readTextFileSync("/proc/stat"));
  } catch {
    // Not readable (a sandbox): start times stay unknown.
  }
  try {
    ticksPerSecond = parseClockTicks(Deno.readFileSync("/proc/self/auxv"));
  } catch {
    // Not readable: every Linux portctl runs on counts 100 ticks a second.
  }
  return { bootSeconds, ticksPerSecond: ticksPerSecond ?? DEFAULT_CLOCK_TICKS };
}

/**
 * Milliseconds since the epoch at which a process started, from its start time in clock ticks
 * since boot (`/proc/<pid>/stat` field 22), or null when the boot time cannot be read. `btime`
 * is whole seconds, so this is the start to within a second, as `ps -o lstart` has it.
 *
 * @example
 * ```ts
 * startedAtMs("9876"); // 1716220098760 when booted at 1716220000 with 100 ticks a second
 * ```
 */
export function startedAtMs(startTicks: string): number | null {
  clock ??= readClock();
  const ticks = Number(startTicks);
  if (clock.bootSeconds === null || !Number.isFinite(ticks)) return null;
  return clock.bootSeconds * 1000 + Math.round(ticks * 1000 / clock.ticksPerSecond);
}
