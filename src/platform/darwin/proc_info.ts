/**
 * What libproc and `sysctl` hand back on macOS, as bytes: the constants, the struct layouts
 * (written once, below, next to the XNU headers they come from) and pure decoders that run on any
 * OS, so they are tested here on bytes a C compiler laid out from those headers. The FFI binding
 * that fills the buffers is `libsystem.ts`.
 *
 * Layouts are the LP64 ones (every Mac Deno runs on: x86_64 and arm64, both little-endian).
 *
 * @module
 */

import type { SocketEntry, SocketState } from "../types.ts";
import {
  familyOf,
  IPPROTO_TCP,
  IPPROTO_UDP,
  pcbEntry,
  tcpStateName,
  udpStateName,
} from "./inet.ts";

// ---------------------------------------------------------------------------------------------
// Constants, from XNU `bsd/sys/proc_info.h` unless noted.

/** `proc_listpids` type: every process. */
export const PROC_ALL_PIDS = 1;
/** `proc_listpids` type: the processes whose parent is `typeinfo` (`sys/proc_info.h`). */
export const PROC_PPID_ONLY = 6;
/** `proc_pidinfo` flavor: the fd table as `struct proc_fdinfo[]`. */
export const PROC_PIDLISTFDS = 1;
/** `proc_pidinfo` flavor: `struct proc_bsdinfo` (same user or root only). */
export const PROC_PIDTBSDINFO = 3;
/** `proc_pidinfo` flavor: `struct proc_bsdshortinfo` (any user may read it). */
export const PROC_PIDT_SHORTBSDINFO = 13;
/** `proc_pidfdinfo` flavor: `struct socket_fdinfo`. */
export const PROC_PIDFDSOCKETINFO = 3;
/** `proc_fdinfo.proc_fdtype` of a socket. */
export const PROX_FDTYPE_SOCKET = 2;
/** `socket_info.soi_kind`: `soi_proto` holds an `in_sockinfo` (UDP, or TCP without a TCP PCB). */
export const SOCKINFO_IN = 1;
/** `socket_info.soi_kind`: `soi_proto` holds a `tcp_sockinfo`. */
export const SOCKINFO_TCP = 2;
/** `p_stat` of a zombie (`bsd/sys/proc.h`). */
export const SZOMB = 5;
/** `PROC_PIDPATHINFO_MAXSIZE` (4 * MAXPATHLEN). */
export const PROC_PIDPATHINFO_MAXSIZE = 4096;

/** errno values from `sys/errno.h`. */
export const EPERM = 1;
/** No such process. */
export const ESRCH = 3;
/** A buffer was too small. */
export const ENOMEM = 12;

/** sysctl MIB names from `sys/sysctl.h`. */
export const CTL_KERN = 1;
/** `kern.argmax`: the size of the largest argument area. */
export const KERN_ARGMAX = 8;
/** `kern.proc`: process records. */
export const KERN_PROC = 14;
/** `kern.proc.pid.<pid>`: one `kinfo_proc`. */
export const KERN_PROC_PID = 1;
/** `kern.procargs2.<pid>`: argc and the argument area. */
export const KERN_PROCARGS2 = 49;

// ---------------------------------------------------------------------------------------------
// Struct layouts. Offsets were computed from the struct definitions in XNU `bsd/sys/proc_info.h`
// (apple-oss-distributions/xnu), compiled with a C compiler for LP64 to check every offset and
// size, and cross-checked against independent decoders: the Rust `libproc` crate's `net_info.rs`
// mirror structs and a Go decoder that pins socket_fdinfo = 792 with soi_kind at 256, insi_lport
// at 268, insi_vflag at 288 and tcpsi_state at 344.

/** `struct proc_fdinfo { int32_t proc_fd; uint32_t proc_fdtype; }`: 8 bytes. */
export const PROC_FDINFO = { size: 8, fd: 0, type: 4 } as const;

/**
 * `struct proc_bsdinfo`: 136 bytes. Twelve 32-bit ids and flags (0..47), `pbi_comm[16]` at 48,
 * `pbi_name[32]` at 64, six 32-bit fields (96..119), then `uint64_t pbi_start_tvsec` at 120 and
 * `pbi_start_tvusec` at 128.
 */
export const PROC_BSDINFO = {
  size: 136,
  status: 4,
  pid: 12,
  ppid: 16,
  uid: 20,
  comm: 48,
  commLength: 16,
  name: 64,
  nameLength: 32,
  startSeconds: 120,
  startMicroseconds: 128,
} as const;

/**
 * `struct proc_bsdshortinfo`: 64 bytes. pid, ppid, pgid, status (0..15), `pbsi_comm[16]` at 16,
 * flags at 32, then uid at 36.
 */
export const PROC_BSDSHORTINFO = {
  size: 64,
  pid: 0,
  ppid: 4,
  status: 12,
  comm: 16,
  commLength: 16,
  uid: 36,
} as const;

/**
 * `struct socket_fdinfo { struct proc_fileinfo pfi; struct socket_info psi; }`: 792 bytes.
 *
 * - `proc_fileinfo`: 24 bytes, so `psi` starts at 24.
 * - `socket_info`: `vinfo_stat soi_stat` (136 bytes, `vst_uid` at +16), `soi_so` (+136),
 *   `soi_pcb` (+144), `soi_type` (+152), `soi_protocol` (+156), `soi_family` (+160), eight shorts
 *   and `soi_oobmark` (+164..183), two 24-byte `sockbuf_info` (+184, +208), `soi_kind` (+232),
 *   `rfu_1` (+236), then the `soi_proto` union at +240, 8-aligned and sized to its largest member
 *   (`un_sockinfo`, 528 bytes): 24 + 240 + 528 = 792.
 */
export const SOCKET_FDINFO = {
  size: 792,
  uid: 24 + 16,
  type: 24 + 152,
  protocol: 24 + 156,
  family: 24 + 160,
  kind: 24 + 232,
  proto: 24 + 240,
} as const;

/**
 * `struct in_sockinfo` (80 bytes), offsets relative to `soi_proto`. `insi_fport` and `insi_lport`
 * are `int`s holding a `u_short` in network byte order; `insi_gencnt` (u64) at 8; `insi_flags`
 * (a copy of `inp_flags`) at 16 and `insi_flow`; `insi_vflag` at 24; `rfu_1` pads to 32; the
 * 16-byte `insi_faddr` and `insi_laddr` unions (`in4in6_addr` with the IPv4 address in its last
 * 4 bytes, or `in6_addr`). `struct tcp_sockinfo` starts with an `in_sockinfo`, so `tcpsi_state`
 * follows at 80.
 */
export const IN_SOCKINFO = {
  size: 80,
  foreignPort: 0,
  localPort: 4,
  generation: 8,
  flags: 16,
  vflag: 24,
  foreignAddress: 32,
  localAddress: 48,
  tcpState: 80,
} as const;

/**
 * The head of `struct kinfo_proc` (`sys/sysctl.h`), whose first member is `struct extern_proc`
 * (`sys/proc.h`): the `p_un` union holds `struct timeval p_starttime` (`tv_sec` i64 at 0,
 * `tv_usec` i32 at 8), then two pointers (16, 24), `p_flag` (32), `char p_stat` (36) and
 * `pid_t p_pid` (40). The whole struct is 648 bytes.
 */
export const KINFO_PROC = {
  size: 648,
  startSeconds: 0,
  startMicroseconds: 8,
  status: 36,
  pid: 40,
} as const;

// ---------------------------------------------------------------------------------------------
// Pure decoders.

const utf8 = new TextDecoder();

/** A DataView over exactly `bytes`. */
export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function requireLength(bytes: Uint8Array, size: number, what: string): void {
  if (bytes.byteLength < size) {
    throw new RangeError(`${what} needs ${size} bytes, got ${bytes.byteLength}`);
  }
}

/** A NUL-terminated C string from a fixed-size char array. */
export function cString(bytes: Uint8Array, offset: number, length: number): string {
  let end = offset;
  const limit = Math.min(offset + length, bytes.byteLength);
  while (end < limit && bytes[end] !== 0) end++;
  return utf8.decode(bytes.subarray(offset, end));
}

/**
 * The start-time token portctl stores for a process: `seconds.microseconds` of `p_start`, which
 * `proc_bsdinfo` and `kinfo_proc` both copy, so either source yields the same token.
 *
 * @example
 * ```ts
 * startTimeToken(1716220000n, 42); // "1716220000.000042"
 * ```
 */
export function startTimeToken(seconds: bigint, microseconds: number): string {
  return `${seconds}.${String(microseconds).padStart(6, "0")}`;
}

/**
 * The socket fds in the `struct proc_fdinfo[]` that `proc_pidinfo(PROC_PIDLISTFDS)` writes (other
 * files, pipes and kqueues are skipped).
 *
 * @example
 * ```ts
 * socketFds(new Uint8Array([0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0])); // [3]
 * ```
 */
export function socketFds(bytes: Uint8Array): number[] {
  const data = view(bytes);
  const fds: number[] = [];
  for (let at = 0; at + PROC_FDINFO.size <= bytes.byteLength; at += PROC_FDINFO.size) {
    if (data.getUint32(at + PROC_FDINFO.type, true) !== PROX_FDTYPE_SOCKET) continue;
    fds.push(data.getInt32(at + PROC_FDINFO.fd, true));
  }
  return fds;
}

/** An IP socket as libproc (or `pcblist_n`) describes it. */
export interface DecodedSocket {
  /** The portable entry; `user` is left null, names are looked up only for sockets that match. */
  readonly entry: SocketEntry;
  /**
   * `inp_gencnt`: numbers this PCB among its protocol's PCBs, the same in `socket_fdinfo` and in
   * `pcblist_n`, so it links a socket-table row to the processes that hold the socket.
   */
  readonly generation: bigint;
}

/** The transport protocol of a `socket_fdinfo`, or null for non-IP and non-TCP/UDP sockets. */
function socketProtocol(data: DataView): "tcp" | "udp" | null {
  const kind = data.getInt32(SOCKET_FDINFO.kind, true);
  if (kind === SOCKINFO_TCP) return "tcp";
  if (kind !== SOCKINFO_IN) return null;
  const protocol = data.getInt32(SOCKET_FDINFO.protocol, true);
  if (protocol === IPPROTO_UDP) return "udp";
  // A TCP socket whose TCP PCB is already gone is reported with kind IN.
  if (protocol === IPPROTO_TCP) return "tcp";
  return null;
}

/**
 * The local port of a `socket_fdinfo`, or null when it is not a TCP/UDP socket. Cheap: no
 * allocation, for filtering before a full decode.
 */
export function socketFdLocalPort(bytes: Uint8Array): number | null {
  requireLength(bytes, SOCKET_FDINFO.size, "socket_fdinfo");
  const data = view(bytes);
  if (socketProtocol(data) === null) return null;
  // The int holds a network-order u_short: its first two bytes are the port, big-endian.
  return data.getUint16(SOCKET_FDINFO.proto + IN_SOCKINFO.localPort, false);
}

/**
 * Decodes the `struct socket_fdinfo` that `proc_pidfdinfo(PROC_PIDFDSOCKETINFO)` writes. Returns
 * null for sockets portctl does not report (Unix, raw, ICMP, kernel control).
 *
 * @example
 * ```ts
 * decodeSocketFdInfo(bytes)?.entry; // { protocol: "tcp", family: 4, address: "127.0.0.1", ... }
 * ```
 */
export function decodeSocketFdInfo(bytes: Uint8Array): DecodedSocket | null {
  requireLength(bytes, SOCKET_FDINFO.size, "socket_fdinfo");
  const data = view(bytes);
  const protocol = socketProtocol(data);
  if (protocol === null) return null;
  const base = SOCKET_FDINFO.proto;
  const vflag = bytes[base + IN_SOCKINFO.vflag];
  const family = familyOf(data.getInt32(SOCKET_FDINFO.family, true), vflag);
  if (family === null) return null;
  const foreignPort = data.getUint16(base + IN_SOCKINFO.foreignPort, false);
  const kind = data.getInt32(SOCKET_FDINFO.kind, true);
  let state: SocketState;
  if (protocol === "udp") state = udpStateName(foreignPort);
  else if (kind === SOCKINFO_TCP) {
    state = tcpStateName(data.getInt32(base + IN_SOCKINFO.tcpState, true));
  } else state = tcpStateName(0);
  return {
    entry: pcbEntry(bytes, {
      record: base,
      layout: IN_SOCKINFO,
      protocol,
      family,
      vflag,
      state,
      uid: data.getUint32(SOCKET_FDINFO.uid, true),
    }),
    generation: data.getBigUint64(base + IN_SOCKINFO.generation, true),
  };
}

/** What `proc_bsdinfo` says about a process. */
export interface BsdInfo {
  readonly pid: number;
  readonly ppid: number;
  /** Effective uid. */
  readonly uid: number;
  /** `pbi_name` (up to 32 bytes) when set, else `pbi_comm` (up to 16). */
  readonly name: string;
  /** See {@linkcode startTimeToken}. */
  readonly startTime: string;
  readonly zombie: boolean;
}

/**
 * Decodes the `struct proc_bsdinfo` that `proc_pidinfo(PROC_PIDTBSDINFO)` writes.
 *
 * @example
 * ```ts
 * decodeBsdInfo(bytes).startTime; // "1716220000.000042"
 * ```
 */
export function decodeBsdInfo(bytes: Uint8Array): BsdInfo {
  requireLength(bytes, PROC_BSDINFO.size, "proc_bsdinfo");
  const data = view(bytes);
  const name = cString(bytes, PROC_BSDINFO.name, PROC_BSDINFO.nameLength) ||
    cString(bytes, PROC_BSDINFO.comm, PROC_BSDINFO.commLength);
  const microseconds = data.getBigUint64(PROC_BSDINFO.startMicroseconds, true);
  return {
    pid: data.getUint32(PROC_BSDINFO.pid, true),
    ppid: data.getUint32(PROC_BSDINFO.ppid, true),
    uid: data.getUint32(PROC_BSDINFO.uid, true),
    name,
    startTime: startTimeToken(
      data.getBigUint64(PROC_BSDINFO.startSeconds, true),
      Number(microseconds),
    ),
    zombie: data.getUint32(PROC_BSDINFO.status, true) === SZOMB,
  };
}

/** What `proc_bsdshortinfo` says about a process: no start time. */
export type BsdShortInfo = Omit<BsdInfo, "startTime">;

/** Decodes the `struct proc_bsdshortinfo` that `proc_pidinfo(PROC_PIDT_SHORTBSDINFO)` writes. */
export function decodeBsdShortInfo(bytes: Uint8Array): BsdShortInfo {
  requireLength(bytes, PROC_BSDSHORTINFO.size, "proc_bsdshortinfo");
  const data = view(bytes);
  return {
    pid: data.getUint32(PROC_BSDSHORTINFO.pid, true),
    ppid: data.getUint32(PROC_BSDSHORTINFO.ppid, true),
    uid: data.getUint32(PROC_BSDSHORTINFO.uid, true),
    name: cString(bytes, PROC_BSDSHORTINFO.comm, PROC_BSDSHORTINFO.commLength),
    zombie: data.getUint32(PROC_BSDSHORTINFO.status, true) === SZOMB,
  };
}

/** Identity facts from the head of `struct kinfo_proc`. */
export interface KinfoProcStart {
  readonly pid: number;
  readonly startTime: string;
  readonly zombie: boolean;
}

/** Decodes the start time and status from a `struct kinfo_proc` (`sysctl KERN_PROC_PID`). */
export function decodeKinfoProcStart(bytes: Uint8Array): KinfoProcStart {
  requireLength(bytes, KINFO_PROC.pid + 4, "kinfo_proc");
  const data = view(bytes);
  return {
    pid: data.getInt32(KINFO_PROC.pid, true),
    startTime: startTimeToken(
      data.getBigInt64(KINFO_PROC.startSeconds, true),
      data.getInt32(KINFO_PROC.startMicroseconds, true),
    ),
    zombie: bytes[KINFO_PROC.status] === SZOMB,
  };
}

/**
 * Decodes `sysctl KERN_PROCARGS2`: `int argc`, the executable path, NUL padding, then `argc`
 * NUL-terminated arguments (the environment follows and is ignored).
 *
 * @example
 * ```ts
 * decodeProcArgs(bytes); // ["node", "server.js"]
 * ```
 */
export function decodeProcArgs(bytes: Uint8Array): string[] {
  if (bytes.byteLength < 4) return [];
  const argc = view(bytes).getInt32(0, true);
  let at = 4;
  while (at < bytes.byteLength && bytes[at] !== 0) at++; // executable path
  while (at < bytes.byteLength && bytes[at] === 0) at++; // its padding
  const args: string[] = [];
  while (args.length < argc && at < bytes.byteLength) {
    let end = at;
    while (end < bytes.byteLength && bytes[end] !== 0) end++;
    args.push(utf8.decode(bytes.subarray(at, end)));
    at = end + 1;
  }
  return args;
}
