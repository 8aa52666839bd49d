/**
 * The second thread of the fd scan (`fd_scan_parallel.ts`): it claims chunks of the shared PID
 * list, scans them, writes what it finds into the shared buffer and says when it is done.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { libcProcessScanner } from "./fd_folders.ts";
import { layout, MAX_FOUND, scanClaimed, SLOT } from "./fd_scan_parallel.ts";
import { openScanLibc } from "./libc.ts";

self.onmessage = (event: MessageEvent<{ shared: SharedArrayBuffer; inodes: number[] }>) => {
  const shared = new Int32Array(event.data.shared);
  const regions = layout(shared[SLOT.count]);
  try {
    const libc = openScanLibc();
    if (!libc) return; // it claims nothing: the main thread scans every PID
    Atomics.store(shared, SLOT.started, 1);
    const wanted = new Set(event.data.inodes);
    const scanner = libcProcessScanner(libc, (pid, inode) => {
      if (!wanted.has(inode)) return;
      const n = Atomics.add(shared, SLOT.found, 1);
      if (n >= MAX_FOUND) {
        Atomics.store(shared, SLOT.failed, 1);
        return;
      }
      shared[regions.found + 2 * n] = pid;
      shared[regions.found + 2 * n + 1] = inode | 0;
    });
    try {
      scanClaimed(shared, (pid) => {
        if (scanner.scan(pid)) return;
        shared[regions.unreadable + Atomics.add(shared, SLOT.unreadable, 1)] = pid;
      });
    } finally {
      scanner.close();
    }
  } catch {
    Atomics.store(shared, SLOT.failed, 1);
  } finally {
    Atomics.store(shared, SLOT.done, 1);
    Atomics.notify(shared, SLOT.done);
  }
};
