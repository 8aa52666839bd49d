/**
 * Maps socket inodes to the processes holding them by reading every `/proc/<pid>/fd/*` link
 * (`socket:[12345]`). This is the expensive part of a lookup, so it runs only for inodes that
 * matched, and it allocates as little as it can per fd: it is called for every fd on the system.
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

import { type LibcSymbols, openLibc } from "./libc.ts";
import { otherThreads } from "./procfs_process.ts";

const SOCKET_PREFIX = "socket:[";
const SOCKET_PREFIX_BYTES = new TextEncoder().encode(SOCKET_PREFIX);
const CLOSE_BRACKET = 0x5d; // "]"

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

/** What {@linkcode SocketInodeReader} answers for an fd that is not a socket, or is gone. */
export const NOT_A_SOCKET = -1;
/** What {@linkcode SocketInodeReader} answers when the kernel refuses to show the link. */
export const REFUSED = -2;

/**
 * Reads one fd link: the socket inode it names, {@linkcode NOT_A_SOCKET} for anything else (or an
 * fd closed since the folder was listed), or {@linkcode REFUSED}.
 */
type SocketInodeReader = (fdDir: string, fdName: string) => number;

/** Why a link could not be read: refused, or gone (closed, or its process exited). */
function failedRead(path: string, error?: unknown): number {
  if (error === undefined) {
    try {
      Deno.readLinkSync(path); // only to learn why libc's readlink failed: it is rare
      return NOT_A_SOCKET;
    } catch (cause) {
      error = cause;
    }
  }
  return error instanceof Deno.errors.PermissionDenied ? REFUSED : NOT_A_SOCKET;
}

/** The portable reader: `Deno.readLinkSync`, one string per fd. */
export function readWithDeno(fdDir: string, fdName: string): number {
  let link: string;
  try {
    link = Deno.readLinkSync(fdDir + fdName);
  } catch (error) {
    return failedRead(fdDir + fdName, error);
  }
  return link.startsWith(SOCKET_PREFIX)
    ? Number(link.slice(SOCKET_PREFIX.length, -1))
    : NOT_A_SOCKET;
}

/**
 * The fast reader: libc `readlink` into one reused buffer and the inode parsed from the bytes,
 * so no string is made per fd. `Deno.readLinkSync` costs ~15 µs a call here, this ~1 µs.
 */
export function libcReader(libc: LibcSymbols): SocketInodeReader {
  const path = new Uint8Array(96);
  const link = new Uint8Array(64);
  let prefix = "";
  let prefixLength = 0;
  return (fdDir, fdName) => {
    if (fdDir !== prefix) {
      prefix = fdDir;
      prefixLength = fdDir.length; // ASCII: "/proc/<pid>/fd/" or "/proc/<pid>/task/<tid>/fd/"
      for (let i = 0; i < prefixLength; i++) path[i] = fdDir.charCodeAt(i);
    }
    let end = prefixLength;
    for (let i = 0; i < fdName.length; i++) path[end++] = fdName.charCodeAt(i);
    path[end] = 0;
    const length = Number(libc.readlink(path, link, BigInt(link.length)));
    if (length < 0) return failedRead(fdDir + fdName);
    if (length <= SOCKET_PREFIX_BYTES.length) return NOT_A_SOCKET;
    for (let i = 0; i < SOCKET_PREFIX_BYTES.length; i++) {
      if (link[i] !== SOCKET_PREFIX_BYTES[i]) return NOT_A_SOCKET;
    }
    let inode = 0;
    for (let i = SOCKET_PREFIX_BYTES.length; i < length && link[i] !== CLOSE_BRACKET; i++) {
      inode = inode * 10 + (link[i] - 48);
    }
    return inode;
  };
}

/** How reading one fd folder went: how many fds it had, or refused. */
type FolderScan = number | typeof REFUSED;

/**
 * Finds every holder of each wanted inode. Every process is scanned to the end: forked workers
 * share one inode, and each `SO_REUSEPORT` member has its own. Processes that vanish mid-scan
 * are skipped: that is normal, not an error.
 *
 * @returns inode → PIDs holding it (ascending; inodes nobody visible holds are absent), and the
 * PIDs whose fds could not be read.
 */
export function findSocketHolders(inodes: ReadonlySet<string>): FdScan {
  const holders = new Map<string, number[]>();
  const unreadable: number[] = [];
  if (inodes.size === 0) return { holders, unreadable };
  const wanted = new Map([...inodes].map((inode) => [Number(inode), inode]));
  const libc = openLibc();
  const readInode = libc ? libcReader(libc) : readWithDeno;

  /** Reads `fdDir`'s links, recording `pid` as the holder of every wanted inode among them. */
  const scanFolder = (pid: number, fdDir: string): FolderScan => {
    let fds: Iterable<Deno.DirEntry>;
    try {
      fds = Deno.readDirSync(fdDir);
    } catch (error) {
      // Exited (normal), or EACCES: another user's process, or even for root a container's init.
      return error instanceof Deno.errors.PermissionDenied ? REFUSED : 0;
    }
    let count = 0;
    try {
      for (const fd of fds) {
        count++;
        const inode = readInode(fdDir, fd.name);
        if (inode === REFUSED) return REFUSED; // every link of the process is refused alike
        if (inode === NOT_A_SOCKET) continue;
        const inodeText = wanted.get(inode);
        if (inodeText === undefined) continue;
        const pids = holders.get(inodeText);
        if (!pids) holders.set(inodeText, [pid]);
        else if (pids[pids.length - 1] !== pid) pids.push(pid);
      }
    } catch {
      // The process exited while its fd folder was being read.
    }
    return count;
  };

  // Outside a try: without full access Deno refuses /proc, which must fail, not read as free.
  for (const proc of Deno.readDirSync("/proc")) {
    const pidText = proc.name;
    const first = pidText.charCodeAt(0);
    if (first < 48 || first > 57) continue; // not a PID folder
    const pid = Number(pidText);
    let scanned = scanFolder(pid, `/proc/${pidText}/fd/`);
    // No fds at all: a kernel thread, or a process whose leader thread exited while its other
    // threads hold its files. Any live thread shows them (threads share one fd table).
    if (scanned === 0) {
      for (const tid of otherThreads(pidText)) {
        scanned = scanFolder(pid, `/proc/${pidText}/task/${tid}/fd/`);
        if (scanned !== 0) break;
      }
    }
    if (scanned === REFUSED) unreadable.push(pid);
  }
  return { holders, unreadable };
}
