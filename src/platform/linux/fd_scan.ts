/**
 * Maps socket inodes to the processes holding them by reading every `/proc/<pid>/fd/*` link
 * (`socket:[12345]`). This is the expensive part of a lookup (with 2000 processes, ~10 000 links),
 * so it runs only for inodes that matched, and through libc it makes no string per fd: folders
 * are read with `getdents64` into one buffer and each link with `readlinkat` relative to its open
 * folder, which also spares the kernel a path walk per fd. Without FFI, Deno's own APIs do the same.
 *
 * Two ways a holder hides, both handled: a process whose fd folder can be listed but whose links
 * the kernel refuses (EACCES from readlink: a process in a parent user namespace, such as a
 * container's PID 1 seen from inside; one whose uids differ from the reader's), which is reported
 * as unreadable, not skipped as if it held nothing; and a multi-threaded process whose leader
 * thread has exited (`pthread_exit` in main): its own fd folder is empty while its other threads
 * keep the process's files open, so their `task/<tid>/fd` folders are read instead.
 *
 * @module
 */

import {
  denoFolderScanner,
  type Found,
  libcProcessScanner,
  listPids,
  REFUSED,
  withThreads,
} from "./fd_folders.ts";
import {
  PARALLEL_FROM,
  scanInParallel,
  startScanWorker,
  systemThreads,
} from "./fd_scan_parallel.ts";
import { openScanLibc } from "./libc.ts";

/** A map of wanted inodes to their holders, and the callback a scan fills it through. */
function collector(inodes: ReadonlySet<string>) {
  const holders = new Map<string, number[]>();
  const wanted = new Map([...inodes].map((inode) => [Number(inode), inode]));
  const found: Found = (pid, inode) => {
    const inodeText = wanted.get(inode);
    if (inodeText === undefined) return;
    const pids = holders.get(inodeText);
    if (!pids) holders.set(inodeText, [pid]);
    else if (pids[pids.length - 1] !== pid) pids.push(pid);
  };
  return { holders, wanted, found };
}

/**
 * Reads the fds of `pids` (processes whose fd folder was refused) through their other threads.
 * Without root, a process whose leader thread exited refuses its own fd folder even to its own
 * user (the kernel's check needs the memory a zombie leader no longer has), while its live
 * threads' folders open. A rare path, so Deno's own APIs do it: only for sockets of the user's
 * own that no visible process held.
 */
export function findThreadHolders(
  pids: readonly number[],
  inodes: ReadonlySet<string>,
): Map<string, number[]> {
  const { holders, found } = collector(inodes);
  const scanFolder = denoFolderScanner(found);
  for (const pid of pids) withThreads(pid, { scanned: 0, scanFolder });
  return holders;
}

/** What a scan found. */
export interface FdScan {
  /** inode → PIDs holding it. */
  readonly holders: Map<string, number[]>;
  /**
   * Processes whose fds could not be read (EACCES on the fd folder or on its links): they may
   * hold anything.
   */
  readonly unreadable: readonly number[];
}

/**
 * Finds every holder of each wanted inode. Every process is scanned to the end: forked workers
 * share one inode, and each `SO_REUSEPORT` member has its own. Processes that vanish mid-scan
 * are skipped: that is normal, not an error.
 *
 * @returns inode → PIDs holding it (ascending; inodes nobody visible holds are absent), and the
 * PIDs whose fds could not be read.
 */
export function findSocketHolders(inodes: ReadonlySet<string>): FdScan {
  const unreadable: number[] = [];
  const { holders, wanted, found } = collector(inodes);
  if (inodes.size === 0) return { holders, unreadable };
  // Without full access Deno refuses /proc: that must fail loudly, never read as "free", also
  // when libc (which Deno's permissions do not see) would read it.
  Deno.readLinkSync("/proc/self");
  const libc = openScanLibc();
  if (!libc) {
    const scanFolder = denoFolderScanner(found);
    for (const proc of Deno.readDirSync("/proc")) {
      const pidText = proc.name;
      const first = pidText.charCodeAt(0);
      if (first < 48 || first > 57) continue; // not a PID folder
      const pid = Number(pidText);
      const scanned = withThreads(pid, {
        scanned: scanFolder(pid, `/proc/${pidText}/fd`),
        scanFolder,
      });
      if (scanned === REFUSED) unreadable.push(pid);
    }
    return { holders, unreadable };
  }
  // With many processes a second thread scans half of them; it starts before /proc is listed.
  const worker = systemThreads() >= PARALLEL_FROM ? startScanWorker() : null;
  const pids = listPids(libc);
  if (worker) {
    const scanned = scanInParallel(libc, { worker, pids, inodes: [...wanted.keys()] });
    if (scanned) {
      for (const [pid, inode] of scanned.found) found(pid, inode);
      for (const list of holders.values()) list.sort((a, b) => a - b);
      return { holders, unreadable: scanned.unreadable };
    }
  }
  const scanner = libcProcessScanner(libc, found);
  try {
    for (const pid of pids) if (!scanner.scan(pid)) unreadable.push(pid);
  } finally {
    scanner.close();
  }
  return { holders, unreadable };
}
