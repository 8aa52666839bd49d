/**
 * Reading `/proc/<pid>/fd` folders: which socket inodes a process's fds name, through libc
 * (folders with getdents64 into one buffer, each link with readlinkat relative to its open folder,
 * no string per fd) or, without FFI, through Deno's own APIs. `fd_scan.ts` runs them over every
 * process; `fd_scan_parallel.ts` splits that between two threads.
 *
 * @module
 */

import type { ScanSymbols } from "./libc.ts";
import { otherThreads } from "./procfs_process.ts";

const SOCKET_PREFIX = "socket:[";
const SOCKET_PREFIX_BYTES = new TextEncoder().encode(SOCKET_PREFIX);
const CLOSE_BRACKET = 0x5d; // "]"

/** What a link reader answers for an fd that is not a socket, or is gone. */
export const NOT_A_SOCKET = -1;
/** What a link reader answers, and a folder scan, when the kernel refuses to show the fds. */
export const REFUSED = -2;

/**
 * The socket inode a link's bytes name (`socket:[12345]`), or {@linkcode NOT_A_SOCKET}.
 *
 * @example
 * ```ts
 * socketInode(new TextEncoder().encode("socket:[42]"), 11); // 42
 * ```
 */
export function socketInode(link: Uint8Array, length: number): number {
  if (length <= SOCKET_PREFIX_BYTES.length) return NOT_A_SOCKET;
  for (let i = 0; i < SOCKET_PREFIX_BYTES.length; i++) {
    if (link[i] !== SOCKET_PREFIX_BYTES[i]) return NOT_A_SOCKET;
  }
  let inode = 0;
  for (let i = SOCKET_PREFIX_BYTES.length; i < length && link[i] !== CLOSE_BRACKET; i++) {
    inode = inode * 10 + (link[i] - 48);
  }
  return inode;
}

/** The portable link reader: `Deno.readLinkSync`, one string per fd. */
export function readWithDeno(fdDir: string, fdName: string): number {
  let link: string;
  try {
    link = Deno.readLinkSync(fdDir + fdName);
  } catch (error) {
    // Refused, or closed (or its process gone) since the folder was listed.
    return error instanceof Deno.errors.PermissionDenied ? REFUSED : NOT_A_SOCKET;
  }
  return link.startsWith(SOCKET_PREFIX)
    ? Number(link.slice(SOCKET_PREFIX.length, -1))
    : NOT_A_SOCKET;
}

/** Reads one fd folder, telling `found` of each socket inode in it; how many fds, or refused. */
export type FolderScanner = (pid: number, folder: string) => number;

/** Called with every (process, socket inode) a folder scan finds. */
export type Found = (pid: number, inode: number) => void;

/** The portable folder scanner: `Deno.readDirSync` and {@linkcode readWithDeno}. */
export function denoFolderScanner(found: Found): FolderScanner {
  return (pid, folder) => {
    let fds: Iterable<Deno.DirEntry>;
    try {
      fds = Deno.readDirSync(folder);
    } catch (error) {
      // Exited (normal), or EACCES: another user's process, or even for root a container's init.
      return error instanceof Deno.errors.PermissionDenied ? REFUSED : 0;
    }
    let count = 0;
    try {
      for (const fd of fds) {
        count++;
        const inode = readWithDeno(`${folder}/`, fd.name);
        if (inode === REFUSED) return REFUSED; // every link of a process is refused alike
        if (inode !== NOT_A_SOCKET) found(pid, inode);
      }
    } catch {
      // The process exited while its fd folder was being read.
    }
    return count;
  };
}

/**
 * `struct linux_dirent64` (`include/linux/dirent.h`): `u64 d_ino` (0), `s64 d_off` (8),
 * `u16 d_reclen` (16), `u8 d_type` (18), then the NUL-terminated name (19).
 */
export const LINUX_DIRENT64 = { reclen: 16, name: 19 } as const;
/** Room left in a getdents64 buffer that proves the folder was read to its end. */
const LONGEST_DIRENT = LINUX_DIRENT64.name + 256 + 8;
const O_RDONLY_CLOEXEC = 0x80000; // O_RDONLY | O_CLOEXEC, the same on x86_64 and aarch64
const EACCES = 13;
const DOT = 0x2e;

/** `AT_FDCWD`: an `openat` path relative to the current folder, or absolute. */
const AT_FDCWD = -100;

/** The libc scanner: folders read with getdents64, links relative to their open folder. */
export interface LibcScanner {
  /** Scans the folder at `path` (NUL-terminated bytes) relative to the open folder `dirFd`. */
  readonly scanAt: (
    pid: number,
    folder: { readonly dirFd: number; readonly path: Uint8Array },
  ) => number;
  /** The same for a path given as text: a {@linkcode FolderScanner}. */
  readonly scan: FolderScanner;
}

/** The libc folder scanner: no string per fd, links read relative to the open folder. */
export function libcFolderScanner(libc: ScanSymbols, found: Found): LibcScanner {
  const encoder = new TextEncoder();
  const name = new Uint8Array(64);
  const link = new Uint8Array(64);
  const entries = new Uint8Array(32 * 1024);
  const view = new DataView(entries.buffer);
  const errno = new Deno.UnsafePointerView(libc.__errno_location()!);
  const getdents64 = libc.getdents64!;
  // Sizes as the BigInts FFI takes, made once: this loop runs for every fd on the system.
  const entriesSize = BigInt(entries.length);
  const linkSize = BigInt(link.length);
  const scanAt: LibcScanner["scanAt"] = (pid, { dirFd, path }) => {
    const fd = libc.openat(dirFd, path, O_RDONLY_CLOEXEC);
    if (fd < 0) return errno.getInt32() === EACCES ? REFUSED : 0; // else exited: normal
    let count = 0;
    try {
      for (;;) {
        const length = Number(getdents64(fd, entries, entriesSize));
        if (length <= 0) break; // the end, or the process exited meanwhile
        for (let at = 0; at < length; at += view.getUint16(at + LINUX_DIRENT64.reclen, true)) {
          const start = at + LINUX_DIRENT64.name;
          if (entries[start] === DOT) continue; // "." and ".."
          count++;
          let end = 0;
          for (let i = start; entries[i] !== 0; i++) name[end++] = entries[i];
          name[end] = 0;
          const linkLength = Number(libc.readlinkat(fd, name, link, linkSize));
          if (linkLength < 0) {
            if (errno.getInt32() === EACCES) return REFUSED; // every link is refused alike
            continue; // closed since the folder was read
          }
          const inode = socketInode(link, linkLength);
          if (inode !== NOT_A_SOCKET) found(pid, inode);
        }
        // procfs fills the buffer while entries remain: room left means this was the last part.
        if (length < entries.length - LONGEST_DIRENT) break;
      }
    } finally {
      libc.close(fd);
    }
    return count;
  };
  const path = new Uint8Array(96);
  const scan: FolderScanner = (pid, folder) => {
    const { written = 0 } = encoder.encodeInto(folder, path);
    path[written] = 0;
    return scanAt(pid, { dirFd: AT_FDCWD, path });
  };
  return { scanAt, scan };
}

/** Every PID in `/proc`, read with getdents64 (no string per process). */
export function listPids(libc: ScanSymbols): number[] {
  const proc = libc.openat(AT_FDCWD, PROC, O_RDONLY_CLOEXEC);
  if (proc < 0) throw new Error("cannot read /proc");
  const entries = new Uint8Array(64 * 1024);
  const view = new DataView(entries.buffer);
  const pids: number[] = [];
  try {
    for (;;) {
      const length = Number(libc.getdents64!(proc, entries, BigInt(entries.length)));
      if (length <= 0) return pids;
      for (let at = 0; at < length; at += view.getUint16(at + LINUX_DIRENT64.reclen, true)) {
        let i = at + LINUX_DIRENT64.name;
        if (entries[i] < 48 || entries[i] > 57) continue; // not a PID folder
        let pid = 0;
        for (; entries[i] !== 0; i++) pid = pid * 10 + entries[i] - 48;
        pids.push(pid);
      }
    }
  } finally {
    libc.close(proc);
  }
}

const PROC = new TextEncoder().encode("/proc\0");
const FD_SUFFIX = new TextEncoder().encode("/fd");

/**
 * After a process's own fd folder read as empty (a kernel thread, or a process whose leader
 * thread exited while its other threads hold its files), reads a live thread's: threads share
 * one fd table. Returns how the process read in the end.
 */
export function withThreads(
  pid: number,
  { scanned, scanFolder }: { readonly scanned: number; readonly scanFolder: FolderScanner },
): number {
  if (scanned !== 0) return scanned;
  const pidText = String(pid);
  for (const tid of otherThreads(pidText)) {
    scanned = scanFolder(pid, `/proc/${pidText}/task/${tid}/fd`);
    if (scanned !== 0) break;
  }
  return scanned;
}

/** Scans whole processes through libc, by PID; `close()` when done. */
export interface ProcessScanner {
  /** Scans `pid`'s fds; returns false when they could not be read (unreadable). */
  scan(pid: number): boolean;
  close(): void;
}

/** The libc process scanner: each `<pid>/fd` opened relative to one open `/proc`. */
export function libcProcessScanner(libc: ScanSymbols, found: Found): ProcessScanner {
  const folders = libcFolderScanner(libc, found);
  const proc = libc.openat(AT_FDCWD, PROC, O_RDONLY_CLOEXEC);
  if (proc < 0) throw new Error("cannot read /proc");
  const folder = new Uint8Array(32);
  return {
    scan(pid) {
      const digits = String(pid);
      for (let i = 0; i < digits.length; i++) folder[i] = digits.charCodeAt(i);
      folder.set(FD_SUFFIX, digits.length);
      folder[digits.length + FD_SUFFIX.length] = 0;
      const scanned = folders.scanAt(pid, { dirFd: proc, path: folder });
      return withThreads(pid, { scanned, scanFolder: folders.scan }) !== REFUSED;
    },
    close: () => libc.close(proc),
  };
}
