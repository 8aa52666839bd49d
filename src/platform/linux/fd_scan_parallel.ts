/**
 * The fd scan on two threads: with many processes (the scan is ~30 µs of kernel work each), a
 * worker takes chunks of the PID list while the main thread takes others, and the main thread
 * waits (blocking, so the backend stays synchronous) only for the chunk the worker is on.
 *
 * The worker is a Deno worker (~12 ms to start, on the other core, while the main thread is
 * already scanning). Everything is shared through one SharedArrayBuffer: the PIDs, a cursor both
 * threads claim chunks from, and the worker's findings. Whatever goes wrong in the worker (it
 * cannot start, it fails, it finds more than there is room for, it does not finish in time), the
 * caller scans alone instead: the answer is never partial.
 *
 * @module
 */

import { type Found, libcProcessScanner } from "./fd_folders.ts";
import type { ScanSymbols } from "./libc.ts";

/**
 * From how many threads on the system (an upper bound of the processes) a second scanning thread
 * pays for its start-up; measured: below ~1000 processes it does not.
 */
export const PARALLEL_FROM = 1000;
/** PIDs claimed at a time. */
const CHUNK = 64;
/** Longest wait for the worker's last chunk before scanning alone instead. */
const WAIT_MS = 10_000;
/** Room for the worker's findings: (pid, inode) pairs holding a wanted socket. */
export const MAX_FOUND = 4096;

/** Control slots at the start of the shared buffer (an Int32Array). */
export const SLOT = {
  /** The next index of the PID list to claim. */
  next: 0,
  /** Set by the worker before it claims anything. */
  started: 1,
  /** Set by the worker when it has nothing left to do (and notified). */
  done: 2,
  /** How many (pid, inode) pairs the worker found. */
  found: 3,
  /** How many PIDs the worker could not read. */
  unreadable: 4,
  /** Set when the worker's findings are unusable. */
  failed: 5,
  /** How many PIDs there are. */
  count: 6,
} as const;
const CONTROL = 8;

/** Where each region of the shared buffer starts, for `count` PIDs. */
export function layout(count: number) {
  const pids = CONTROL;
  const found = pids + count;
  const unreadable = found + 2 * MAX_FOUND;
  return { pids, found, unreadable, length: unreadable + count } as const;
}

/** Claims chunks of the shared PID list until none is left, scanning each PID. */
export function scanClaimed(shared: Int32Array, scan: (pid: number) => void): void {
  const count = shared[SLOT.count];
  const { pids } = layout(count);
  for (;;) {
    const start = Atomics.add(shared, SLOT.next, CHUNK);
    if (start >= count) return;
    const end = Math.min(start + CHUNK, count);
    for (let i = start; i < end; i++) scan(shared[pids + i]);
  }
}

/** What both threads found together. */
export interface ParallelScan {
  /** (pid, inode) pairs, by PID. */
  readonly found: readonly (readonly [number, number])[];
  /** PIDs whose fds could not be read, ascending. */
  readonly unreadable: readonly number[];
}

/**
 * The number of threads on the system (the kernel's count in `/proc/loadavg`, `running/total`): an
 * upper bound of the processes, known before `/proc` is listed, so the worker can start first.
 */
export function systemThreads(): number {
  try {
    const field = Deno.readTextFileSync("/proc/loadavg").split(" ")[3] ?? "";
    return Number(field.slice(field.indexOf("/") + 1)) || 0;
  } catch {
    return 0;
  }
}

/** Starts the scan's second thread (it waits for the PID list), or null when it cannot start. */
export function startScanWorker(): Worker | null {
  try {
    return new Worker(new URL("./fd_scan_worker.ts", import.meta.url).href, { type: "module" });
  } catch {
    return null;
  }
}

/**
 * Scans the processes `pids` for the socket `inodes` on this thread and `worker`'s (which it
 * ends), or returns null when the worker's part cannot be trusted (the caller then scans alone).
 */
export function scanInParallel(
  libc: ScanSymbols,
  { worker, pids, inodes }: {
    readonly worker: Worker;
    readonly pids: readonly number[];
    readonly inodes: readonly number[];
  },
): ParallelScan | null {
  const regions = layout(pids.length);
  const shared = new Int32Array(new SharedArrayBuffer(4 * regions.length));
  shared[SLOT.count] = pids.length;
  shared.set(pids, regions.pids);
  try {
    worker.postMessage({ shared: shared.buffer, inodes });
    const wanted = new Set(inodes);
    const found: [number, number][] = [];
    const unreadable: number[] = [];
    const record: Found = (pid, inode) => {
      if (wanted.has(inode)) found.push([pid, inode]);
    };
    const scanner = libcProcessScanner(libc, record);
    try {
      scanClaimed(shared, (pid) => {
        if (!scanner.scan(pid)) unreadable.push(pid);
      });
    } finally {
      scanner.close();
    }
    // A worker that has not started has claimed nothing, and will find nothing left to claim.
    if (Atomics.load(shared, SLOT.started) === 1) {
      if (Atomics.wait(shared, SLOT.done, 0, WAIT_MS) === "timed-out") return null;
    }
    if (Atomics.load(shared, SLOT.failed) === 1) return null;
    const foundByWorker = Math.min(Atomics.load(shared, SLOT.found), MAX_FOUND);
    for (let i = 0; i < foundByWorker; i++) {
      const at = regions.found + 2 * i;
      found.push([shared[at], shared[at + 1] >>> 0]);
    }
    const unreadableByWorker = Atomics.load(shared, SLOT.unreadable);
    for (let i = 0; i < unreadableByWorker; i++) unreadable.push(shared[regions.unreadable + i]);
    return {
      found: found.sort((a, b) => a[0] - b[0]),
      unreadable: unreadable.sort((a, b) => a - b),
    };
  } finally {
    worker.terminate();
  }
}
