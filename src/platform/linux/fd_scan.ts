/**
 * Maps socket inodes to the processes holding them by reading every `/proc/<pid>/fd/*` link
 * (`socket:[12345]`). This is the expensive part of a lookup, so it runs only for inodes that
 * matched, and it allocates as little as it can per fd: it is called for every fd on the system.
 *
 * @module
 */

import { type LibcSymbols, openLibc } from "./libc.ts";

const SOCKET_PREFIX = "socket:[";
const SOCKET_PREFIX_BYTES = new TextEncoder().encode(SOCKET_PREFIX);
const CLOSE_BRACKET = 0x5d; // "]"

/** What a scan found. */
export interface FdScan {
  /** inode → PIDs holding it. */
  readonly holders: Map<string, number[]>;
  /** Processes whose fd directory refused to be read (EACCES): they may hold anything. */
  readonly unreadable: readonly number[];
}

/** Reads one fd link; returns the socket inode it names, or null for anything else. */
type SocketInodeReader = (fdDir: string, fdName: string) => number | null;

/** The portable reader: `Deno.readLinkSync`, one string per fd. */
export function readWithDeno(fdDir: string, fdName: string): number | null {
  let link: string;
  try {
    link = Deno.readLinkSync(fdDir + fdName);
  } catch {
    return null; // fd closed between readdir and readlink
  }
  return link.startsWith(SOCKET_PREFIX) ? Number(link.slice(SOCKET_PREFIX.length, -1)) : null;
}

/**
 * The fast reader: libc `readlink` into one reused buffer and the inode parsed from the bytes,
 * so no string is made per fd. `Deno.readLinkSync` costs ~15 µs a call here, this ~1 µs.
 */
export function libcReader(libc: LibcSymbols): SocketInodeReader {
  const path = new Uint8Array(64);
  const link = new Uint8Array(64);
  let prefix = "";
  let prefixLength = 0;
  return (fdDir, fdName) => {
    if (fdDir !== prefix) {
      prefix = fdDir;
      prefixLength = fdDir.length; // ASCII: "/proc/<digits>/fd/"
      for (let i = 0; i < prefixLength; i++) path[i] = fdDir.charCodeAt(i);
    }
    let end = prefixLength;
    for (let i = 0; i < fdName.length; i++) path[end++] = fdName.charCodeAt(i);
    path[end] = 0;
    const length = Number(libc.readlink(path, link, BigInt(link.length)));
    if (length <= SOCKET_PREFIX_BYTES.length) return null;
    for (let i = 0; i < SOCKET_PREFIX_BYTES.length; i++) {
      if (link[i] !== SOCKET_PREFIX_BYTES[i]) return null;
    }
    let inode = 0;
    for (let i = SOCKET_PREFIX_BYTES.length; i < length && link[i] !== CLOSE_BRACKET; i++) {
      inode = inode * 10 + (link[i] - 48);
    }
    return inode;
  };
}

/**
 * Finds every holder of each wanted inode. Every process is scanned to the end: forked workers
 * share one inode, and each `SO_REUSEPORT` member has its own. Processes that vanish or deny
 * access mid-scan are skipped: that is normal, not an error.
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
  // Outside the try: without full access Deno refuses /proc, which must fail, not read as free.
  for (const proc of Deno.readDirSync("/proc")) {
    const pidText = proc.name;
    const first = pidText.charCodeAt(0);
    if (first < 48 || first > 57) continue; // not a PID directory
    const fdDir = `/proc/${pidText}/fd/`;
    let fds: Iterable<Deno.DirEntry>;
    try {
      fds = Deno.readDirSync(fdDir);
    } catch (error) {
      // Exited (normal), or EACCES: another user's process, or even for root a container's init.
      if (error instanceof Deno.errors.PermissionDenied) unreadable.push(Number(pidText));
      continue;
    }
    try {
      for (const fd of fds) {
        const inode = readInode(fdDir, fd.name);
        if (inode === null) continue;
        const inodeText = wanted.get(inode);
        if (inodeText === undefined) continue;
        const pid = Number(pidText);
        const pids = holders.get(inodeText);
        if (!pids) holders.set(inodeText, [pid]);
        else if (pids[pids.length - 1] !== pid) pids.push(pid);
      }
    } catch {
      // The process exited while its fd directory was being read.
    }
  }
  return { holders, unreadable };
}
