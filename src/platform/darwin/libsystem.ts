/**
 * The libSystem binding the darwin backend calls through `Deno.dlopen`: libproc (`proc_*`) and the
 * few libc calls beside it (`kill`, `sysctl`, `getpwuid_r`, errno), with their buffers and errno
 * handling. The library opens on first use, never at import; the structs it fills are decoded by
 * `proc_info.ts`.
 *
 * @module
 */

import {
  type BsdInfo,
  type BsdShortInfo,
  cString,
  CTL_KERN,
  decodeBsdInfo,
  decodeBsdShortInfo,
  decodeKinfoProcStart,
  decodeProcArgs,
  ENOMEM,
  ESRCH,
  KERN_ARGMAX,
  KERN_PROC,
  KERN_PROC_PID,
  KERN_PROCARGS2,
  KINFO_PROC,
  type KinfoProcStart,
  PROC_ALL_PIDS,
  PROC_BSDINFO,
  PROC_BSDSHORTINFO,
  PROC_PIDFDSOCKETINFO,
  PROC_PIDLISTFDS,
  PROC_PIDPATHINFO_MAXSIZE,
  PROC_PIDT_SHORTBSDINFO,
  PROC_PIDTBSDINFO,
  PROC_PPID_ONLY,
  SOCKET_FDINFO,
  view,
} from "./proc_info.ts";
import { decodeWorkingFolder, PROC_PIDVNODEPATHINFO, PROC_VNODEPATHINFO } from "./proc_where.ts";

/** Where libproc and libc live; it resolves from the dyld shared cache, not from disk. */
export const LIBSYSTEM_PATH = "/usr/lib/libSystem.B.dylib";

/**
 * The symbols portctl calls, with their C signatures. libproc's wrappers (`proc_*`) return 0, not
 * -1, when they fail, and set errno; the libc calls return -1 (or an error number).
 */
export const LIBSYSTEM_SYMBOLS = {
  /** `int proc_listpids(uint32_t type, uint32_t typeinfo, void *buffer, int buffersize)` */
  proc_listpids: { parameters: ["u32", "u32", "buffer", "i32"], result: "i32" },
  /** `int proc_pidinfo(int pid, int flavor, uint64_t arg, void *buffer, int buffersize)` */
  proc_pidinfo: { parameters: ["i32", "i32", "u64", "buffer", "i32"], result: "i32" },
  /** `int proc_pidfdinfo(int pid, int fd, int flavor, void *buffer, int buffersize)` */
  proc_pidfdinfo: { parameters: ["i32", "i32", "i32", "buffer", "i32"], result: "i32" },
  /** `int proc_pidpath(int pid, void *buffer, uint32_t buffersize)` */
  proc_pidpath: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** `int kill(pid_t pid, int sig)` */
  kill: { parameters: ["i32", "i32"], result: "i32" },
  /** `uid_t geteuid(void)` */
  geteuid: { parameters: [], result: "u32" },
  /**
   * `int getpwuid_r(uid_t uid, struct passwd *pwd, char *buf, size_t buflen,
   * struct passwd **result)`
   */
  getpwuid_r: { parameters: ["u32", "buffer", "buffer", "usize", "buffer"], result: "i32" },
  /**
   * `int sysctl(int *name, u_int namelen, void *oldp, size_t *oldlenp, void *newp,
   * size_t newlen)`
   */
  sysctl: { parameters: ["buffer", "u32", "buffer", "buffer", "pointer", "usize"], result: "i32" },
  /** `int sysctlbyname(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen)` */
  sysctlbyname: { parameters: ["buffer", "buffer", "buffer", "pointer", "usize"], result: "i32" },
  /** `int *__error(void)`: Darwin's errno location. */
  __error: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The callable symbols of {@linkcode LIBSYSTEM_SYMBOLS}. */
export type LibSystemSymbols = Deno.DynamicLibrary<typeof LIBSYSTEM_SYMBOLS>["symbols"];

/**
 * Opens libSystem (or a stand-in with the same symbols, for tests).
 *
 * @example
 * ```ts
 * const native = new LibSystem(openLibSystem().symbols);
 * ```
 */
export function openLibSystem(
  path: string = LIBSYSTEM_PATH,
): Deno.DynamicLibrary<typeof LIBSYSTEM_SYMBOLS> {
  return Deno.dlopen(path, LIBSYSTEM_SYMBOLS);
}

/** A native call's outcome: its value, or the errno it failed with. */
export type Native<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errno: number };

/** `struct passwd` is 72 bytes on LP64 Darwin; `pw_name` is its first member. */
const PASSWD_SIZE = 72;
/** Largest fd table read before giving up on a process (16 MiB of `proc_fdinfo`). */
const MAX_FD_LIST_BYTES = 16 * 1024 * 1024;

/**
 * The libSystem calls the darwin backend makes, with their buffers and errno handling. Buffers
 * returned by {@linkcode listFds} and {@linkcode socketFdInfo} are reused: read them before the
 * next call.
 */
export class LibSystem {
  readonly #lib: LibSystemSymbols;
  #fdList = new Uint8Array(64 * 1024);
  readonly #socketInfo = new Uint8Array(SOCKET_FDINFO.size);
  readonly #sizeOut = new BigUint64Array(1);
  #procArgs: Uint8Array | null = null;
  readonly #userNames = new Map<number, string | null>();
  #errnoCell: Int32Array | null = null;

  constructor(symbols: LibSystemSymbols) {
    this.#lib = symbols;
  }

  /** errno of the JS thread, which makes every call (its location never changes). */
  #errnoLocation(): Int32Array {
    if (this.#errnoCell === null) {
      const location = this.#lib.__error();
      if (location === null) throw new Error("cannot read errno: __error() returned null");
      this.#errnoCell = new Int32Array(Deno.UnsafePointerView.getArrayBuffer(location, 4));
    }
    return this.#errnoCell;
  }

  /**
   * Clears errno before a libproc call: libproc's wrappers return 0 on failure, which for some
   * calls is also a valid answer (a process with no fds), so only errno tells them apart.
   */
  #clearErrno(): void {
    this.#errnoLocation()[0] = 0;
  }

  /** errno, read right after a failed call. */
  #errno(): number {
    return this.#errnoLocation()[0];
  }

  #fail<T>(): Native<T> {
    return { ok: false, errno: this.#errno() };
  }

  /** Effective uid of portctl itself. */
  geteuid(): number {
    return this.#lib.geteuid();
  }

  /** Every PID on the system, zombies included. */
  listPids(): number[] {
    this.#clearErrno();
    const estimate = this.#lib.proc_listpids(PROC_ALL_PIDS, 0, null, 0);
    if (estimate <= 0) {
      throw new Error(`cannot list processes: proc_listpids failed with errno ${this.#errno()}`);
    }
    // Processes may appear between the two calls: leave room for a few hundred more.
    const buffer = new Int32Array(Math.ceil(estimate / 4) + 256);
    const written = this.#lib.proc_listpids(PROC_ALL_PIDS, 0, buffer, buffer.byteLength);
    if (written <= 0) {
      throw new Error(`cannot list processes: proc_listpids failed with errno ${this.#errno()}`);
    }
    return Array.from(buffer.subarray(0, written / 4));
  }

  /** The PIDs whose parent is `ppid` (`proc_listpids(PROC_PPID_ONLY, ppid)`); none on failure. */
  childPids(ppid: number): number[] {
    const buffer = new Int32Array(1024);
    const written = this.#lib.proc_listpids(PROC_PPID_ONLY, ppid, buffer, buffer.byteLength);
    return written > 0 ? Array.from(buffer.subarray(0, written / 4)) : [];
  }

  /** The raw `proc_fdinfo[]` of `pid` (a reused buffer). */
  listFds(pid: number): Native<Uint8Array> {
    for (;;) {
      const buffer = this.#fdList;
      this.#clearErrno();
      const written = this.#lib.proc_pidinfo(pid, PROC_PIDLISTFDS, 0n, buffer, buffer.byteLength);
      // 0 with errno clear is a process without fds (kernel_task).
      if (written < 0 || (written === 0 && this.#errno() !== 0)) return this.#fail();
      // A full buffer may mean a truncated list: grow and ask again.
      if (written < buffer.byteLength || buffer.byteLength >= MAX_FD_LIST_BYTES) {
        return { ok: true, value: buffer.subarray(0, written) };
      }
      this.#fdList = new Uint8Array(buffer.byteLength * 4);
    }
  }

  /** The raw `socket_fdinfo` of `fd` in `pid` (a reused buffer). */
  socketFdInfo(pid: number, fd: number): Native<Uint8Array> {
    const buffer = this.#socketInfo;
    this.#clearErrno();
    const written = this.#lib.proc_pidfdinfo(
      pid,
      fd,
      PROC_PIDFDSOCKETINFO,
      buffer,
      buffer.byteLength,
    );
    if (written <= 0) return this.#fail();
    if (written < SOCKET_FDINFO.size) return { ok: false, errno: 0 };
    return { ok: true, value: buffer };
  }

  /** `proc_bsdinfo` of `pid`; fails with EPERM for other users' processes unless root. */
  bsdInfo(pid: number): Native<BsdInfo> {
    const buffer = new Uint8Array(PROC_BSDINFO.size);
    this.#clearErrno();
    // arg 0: do not return zombies; an exited process reads as ESRCH.
    const written = this.#lib.proc_pidinfo(pid, PROC_PIDTBSDINFO, 0n, buffer, buffer.byteLength);
    if (written <= 0) return this.#fail();
    if (written < PROC_BSDINFO.size) return { ok: false, errno: ESRCH };
    return { ok: true, value: decodeBsdInfo(buffer) };
  }

  /** `proc_bsdshortinfo` of `pid`, readable for every user's processes. */
  bsdShortInfo(pid: number): Native<BsdShortInfo> {
    const buffer = new Uint8Array(PROC_BSDSHORTINFO.size);
    this.#clearErrno();
    const written = this.#lib.proc_pidinfo(
      pid,
      PROC_PIDT_SHORTBSDINFO,
      0n,
      buffer,
      buffer.byteLength,
    );
    if (written <= 0) return this.#fail();
    if (written < PROC_BSDSHORTINFO.size) return { ok: false, errno: ESRCH };
    return { ok: true, value: decodeBsdShortInfo(buffer) };
  }

  #sysctl(mib: readonly number[], buffer: Uint8Array): Native<Uint8Array> {
    const name = new Int32Array(mib);
    this.#sizeOut[0] = BigInt(buffer.byteLength);
    this.#clearErrno();
    const result = this.#lib.sysctl(name, mib.length, buffer, this.#sizeOut, null, 0n);
    if (result !== 0) return this.#fail();
    return { ok: true, value: buffer.subarray(0, Number(this.#sizeOut[0])) };
  }

  /** Start time and status of `pid` from `kinfo_proc`, readable for every user's processes. */
  kinfoProcStart(pid: number): Native<KinfoProcStart> {
    const result = this.#sysctl(
      [CTL_KERN, KERN_PROC, KERN_PROC_PID, pid],
      new Uint8Array(KINFO_PROC.size + 256),
    );
    if (!result.ok) return result;
    // For a PID that does not exist the call succeeds and returns nothing.
    if (result.value.byteLength < KINFO_PROC.pid + 4) return { ok: false, errno: ESRCH };
    const start = decodeKinfoProcStart(result.value);
    if (start.pid !== pid) return { ok: false, errno: ESRCH };
    return { ok: true, value: start };
  }

  /** The argument vector of `pid` (same user or root only). */
  procArgs(pid: number): Native<string[]> {
    if (this.#procArgs === null) {
      const argMax = this.#sysctl([CTL_KERN, KERN_ARGMAX], new Uint8Array(4));
      const size = argMax.ok && argMax.value.byteLength === 4
        ? new DataView(argMax.value.buffer).getInt32(0, true)
        : 1024 * 1024;
      this.#procArgs = new Uint8Array(Math.max(size, 4096));
    }
    const result = this.#sysctl([CTL_KERN, KERN_PROCARGS2, pid], this.#procArgs);
    if (!result.ok) return result;
    return { ok: true, value: decodeProcArgs(result.value) };
  }

  /** The executable path of `pid`, or null. */
  pidPath(pid: number): string | null {
    const buffer = new Uint8Array(PROC_PIDPATHINFO_MAXSIZE);
    const length = this.#lib.proc_pidpath(pid, buffer, buffer.byteLength);
    if (length <= 0) return null;
    return cString(buffer, 0, length);
  }

  /** The working folder of `pid` (same user or root only), or null when it cannot be read. */
  workingFolder(pid: number): string | null {
    const buffer = new Uint8Array(PROC_VNODEPATHINFO.size);
    const written = this.#lib.proc_pidinfo(pid, PROC_PIDVNODEPATHINFO, 0n, buffer, buffer.length);
    return written < PROC_VNODEPATHINFO.size ? null : decodeWorkingFolder(buffer);
  }

  /** `kill(pid, signal)`: ok, or the errno (ESRCH, EPERM). */
  kill(pid: number, signal: number): Native<void> {
    this.#clearErrno();
    if (this.#lib.kill(pid, signal) === 0) return { ok: true, value: undefined };
    return this.#fail();
  }

  /** The login name of `uid` from the directory service (cached), or null when there is none. */
  userName(uid: number): string | null {
    const cached = this.#userNames.get(uid);
    if (cached !== undefined) return cached;
    const record = new Uint8Array(PASSWD_SIZE + 56);
    const strings = new Uint8Array(16 * 1024);
    const found = new BigUint64Array(1);
    let name: string | null = null;
    const status = this.#lib.getpwuid_r(uid, record, strings, BigInt(strings.byteLength), found);
    if (status === 0 && found[0] !== 0n) {
      const namePointer = Deno.UnsafePointer.create(view(record).getBigUint64(0, true));
      if (namePointer !== null) name = new Deno.UnsafePointerView(namePointer).getCString();
    }
    this.#userNames.set(uid, name);
    return name;
  }

  /** The bytes of a sysctl by name (the `pcblist_n` tables), sized by asking first. */
  sysctlByName(name: string): Native<Uint8Array> {
    const cName = new TextEncoder().encode(`${name}\0`);
    for (let attempt = 0; attempt < 4; attempt++) {
      this.#sizeOut[0] = 0n;
      this.#clearErrno();
      if (this.#lib.sysctlbyname(cName, null, this.#sizeOut, null, 0n) !== 0) return this.#fail();
      // Sockets come and go between the two calls: ask for a quarter more than the estimate.
      const size = Number(this.#sizeOut[0]);
      const buffer = new Uint8Array(size + (size >> 2) + 4096);
      this.#sizeOut[0] = BigInt(buffer.byteLength);
      this.#clearErrno();
      if (this.#lib.sysctlbyname(cName, buffer, this.#sizeOut, null, 0n) === 0) {
        return { ok: true, value: buffer.subarray(0, Number(this.#sizeOut[0])) };
      }
      const errno = this.#errno();
      if (errno !== ENOMEM) return { ok: false, errno };
    }
    return { ok: false, errno: ENOMEM };
  }
}
