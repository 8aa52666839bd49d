/**
 * The netlink `NETLINK_SOCK_DIAG` protocol as bytes (what `ss` speaks to the kernel): its
 * constants, the struct layouts (written once, below, next to the kernel headers they come from), a
 * pure request encoder and reply decoder, tested on replies captured from Linux. `sock_diag.ts`
 * sends the requests.
 *
 * Rows come back in the shape {@linkcode parseProcNet} gives, with the same values: the same state
 * names, the uid the way procfs prints it, the inode as decimal text. Exceptions: a TCP request
 * socket (SYN_RECV) carries uid 0 where procfs prints its listener's owner, which
 * {@linkcode withListenerUids} puts back once every table is read; a `::` socket's `dualStack`
 * is its own IPV6_V6ONLY here (procfs can give only the system default); and a TCP all-states
 * dump also lists bound-inactive sockets, which procfs never lists.
 *
 * Layouts are host-order (little-endian on every Linux Deno runs on: x86_64 and aarch64), except
 * the addresses and ports inside `inet_diag_sockid`, which are network order.
 *
 * @module
 */

import { formatIpv4, formatIpv6 } from "../ip_text.ts";
import type { IpFamily, Protocol, SocketState } from "../types.ts";
import { type ProcNetSocket, socketStateName } from "./procfs_net.ts";

// ---------------------------------------------------------------------------------------------
// Constants.

/** `AF_INET`. */
export const AF_INET = 2;
/** `AF_INET6`. */
export const AF_INET6 = 10;
/** `IPPROTO_TCP`, from `include/uapi/linux/in.h`. */
export const IPPROTO_TCP = 6;
/** `IPPROTO_UDP`. */
export const IPPROTO_UDP = 17;
/** `SOCK_DIAG_BY_FAMILY`, from `include/uapi/linux/sock_diag.h`: request and reply type. */
export const SOCK_DIAG_BY_FAMILY = 20;
/** `nlmsg_type` values from `include/uapi/linux/netlink.h`. */
export const NLMSG_NOOP = 1;
/** An error (or an ack); its payload is `struct nlmsgerr`, a negative errno first. */
export const NLMSG_ERROR = 2;
/** The end of a multipart (dump) reply. */
export const NLMSG_DONE = 3;
/** Data was lost. */
export const NLMSG_OVERRUN = 4;
/** `nlmsg_flags`: a request. */
export const NLM_F_REQUEST = 0x1;
/** `nlmsg_flags`: `NLM_F_ROOT | NLM_F_MATCH`, a dump of the whole table. */
export const NLM_F_DUMP = 0x300;

/** `TCP_LISTEN` is state 10 in `include/net/tcp_states.h`; `TCPF_LISTEN` is its bit. */
export const TCPF_LISTEN = 1 << 10;
/**
 * `TCPF_BOUND_INACTIVE` (bit 13, Linux 6.8+): asks also for TCP sockets bound but neither
 * listening nor connected (`bind()` without `listen()`), which the kernel reports in state 7,
 * CLOSE. They hold their port (another bind fails with EADDRINUSE), so a TCP all-states dump
 * (`--all-states`) asks for them, although `/proc/net/tcp` never lists them: on the procfs
 * fallback, and on kernels before 6.8, they stay unseen. A LISTEN-only dump leaves them out.
 */
export const TCPF_BOUND_INACTIVE = 1 << 13;
/** Every TCP state, bound-inactive sockets included: the TCP all-states dump. */
export const ALL_STATES = 0xffffffff;
/**
 * The states of a UDP dump: all but bit 13, which means nothing for UDP; left out so UDP
 * requests stay what they were.
 */
export const UDP_STATES = (ALL_STATES & ~TCPF_BOUND_INACTIVE) >>> 0;

// ---------------------------------------------------------------------------------------------
// Struct layouts, from `include/uapi/linux/netlink.h` and `include/uapi/linux/inet_diag.h`.
// Every member is naturally aligned and netlink pads messages to 4 bytes (`NLMSG_ALIGN`).

/** `struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid; }`: 16 bytes. */
export const NLMSGHDR = { size: 16, len: 0, type: 4, flags: 6, seq: 8, pid: 12 } as const;

/** `struct nlmsgerr { int error; struct nlmsghdr msg; }`: a negative errno, then the request's header. */
const NLMSGERR = { error: 0 } as const;

/**
 * `struct inet_diag_sockid`: 48 bytes. `__be16 sport` (0), `__be16 dport` (2),
 * `__be32 src[4]` (4), `__be32 dst[4]` (20), `u32 if` (36), `u32 cookie[2]` (40).
 */
const SOCKID = { size: 48, sport: 0, src: 4 } as const;

/**
 * `struct inet_diag_req_v2 { u8 family; u8 protocol; u8 ext; u8 pad; u32 states;
 * struct inet_diag_sockid id; }`: 56 bytes.
 */
export const INET_DIAG_REQ_V2 = {
  size: 8 + SOCKID.size,
  family: 0,
  protocol: 1,
  ext: 2,
  states: 4,
  id: 8,
} as const;

/**
 * `struct inet_diag_msg { u8 family; u8 state; u8 timer; u8 retrans; struct inet_diag_sockid id;
 * u32 expires; u32 rqueue; u32 wqueue; u32 uid; u32 inode; }`: 72 bytes, then attributes.
 */
export const INET_DIAG_MSG = {
  size: 4 + SOCKID.size + 20,
  family: 0,
  state: 1,
  sport: 4 + SOCKID.sport,
  src: 4 + SOCKID.src,
  uid: 4 + SOCKID.size + 12,
  inode: 4 + SOCKID.size + 16,
} as const;

/** Size of a whole dump request: header and `inet_diag_req_v2`. */
export const DIAG_REQUEST_SIZE = NLMSGHDR.size + INET_DIAG_REQ_V2.size;

/** Rounds `n` up to netlink's 4-byte alignment (`NLMSG_ALIGN`). */
function align(n: number): number {
  return (n + 3) & ~3;
}

// ---------------------------------------------------------------------------------------------
// Pure encoding and decoding.

/** Which table to dump: the same pair `parseProcNet` takes. */
export interface DiagTable {
  readonly protocol: Protocol;
  readonly family: IpFamily;
}

/**
 * Encodes a `SOCK_DIAG_BY_FAMILY` dump request for one table. With `listeningOnly` (TCP only) the
 * request asks for `TCPF_LISTEN` alone, which spares the kernel the connection hash; without it,
 * a TCP request asks for every state, bound-inactive sockets included.
 *
 * @example
 * ```ts
 * const request = encodeDiagRequest({ protocol: "tcp", family: 4 }, { listeningOnly: true, seq: 1 });
 * request.byteLength; // 72
 * ```
 */
export function encodeDiagRequest(
  table: DiagTable,
  options: { readonly listeningOnly?: boolean; readonly seq?: number } = {},
): Uint8Array {
  const bytes = new Uint8Array(DIAG_REQUEST_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint32(NLMSGHDR.len, DIAG_REQUEST_SIZE, true);
  view.setUint16(NLMSGHDR.type, SOCK_DIAG_BY_FAMILY, true);
  view.setUint16(NLMSGHDR.flags, NLM_F_REQUEST | NLM_F_DUMP, true);
  view.setUint32(NLMSGHDR.seq, options.seq ?? 0, true);
  // nlmsg_pid 0: addressed to the kernel. The socket id stays all zero: no filter.
  const request = NLMSGHDR.size;
  bytes[request + INET_DIAG_REQ_V2.family] = table.family === 4 ? AF_INET : AF_INET6;
  bytes[request + INET_DIAG_REQ_V2.protocol] = table.protocol === "tcp" ? IPPROTO_TCP : IPPROTO_UDP;
  const states = table.protocol === "udp"
    ? UDP_STATES
    : options.listeningOnly
    ? TCPF_LISTEN
    : ALL_STATES;
  view.setUint32(request + INET_DIAG_REQ_V2.states, states, true);
  return bytes;
}

/** What one batch of reply messages said. */
export type DiagBatch =
  /** Sockets were appended; `done` once `NLMSG_DONE` was seen (the dump is complete). */
  | { readonly kind: "sockets"; readonly done: boolean }
  /** The kernel answered `NLMSG_ERROR` (`errno` positive, e.g. 2 for ENOENT) or the bytes are bad. */
  | { readonly kind: "error"; readonly errno: number };

/**
 * Decodes the reply messages in `bytes` (one or more `recv` results, back to back), appending a
 * row per `inet_diag_msg` to `into` for `protocol`'s table. Messages of another sequence number
 * are skipped when `seq` is given.
 *
 * @example
 * ```ts
 * const rows: ProcNetSocket[] = [];
 * const batch = decodeDiagMessages(reply, { protocol: "tcp", into: rows });
 * if (batch.kind === "sockets" && batch.done) console.log(rows.length);
 * ```
 */
export function decodeDiagMessages(
  bytes: Uint8Array,
  options: {
    readonly protocol: Protocol;
    readonly into: ProcNetSocket[];
    readonly seq?: number;
  },
): DiagBatch {
  const { protocol, into, seq } = options;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + NLMSGHDR.size <= bytes.byteLength) {
    const length = view.getUint32(at + NLMSGHDR.len, true);
    if (length < NLMSGHDR.size || at + length > bytes.byteLength) {
      return { kind: "error", errno: 0 };
    }
    const type = view.getUint16(at + NLMSGHDR.type, true);
    const payload = at + NLMSGHDR.size;
    const next = at + align(length);
    if (seq !== undefined && view.getUint32(at + NLMSGHDR.seq, true) !== seq) {
      at = next;
      continue;
    }
    if (type === NLMSG_DONE) return { kind: "sockets", done: true };
    if (type === NLMSG_ERROR) {
      const errno = length >= NLMSGHDR.size + 4
        ? -view.getInt32(payload + NLMSGERR.error, true)
        : 0;
      return { kind: "error", errno };
    }
    if (type === NLMSG_OVERRUN) return { kind: "error", errno: 0 };
    if (type === SOCK_DIAG_BY_FAMILY) {
      if (length < NLMSGHDR.size + INET_DIAG_MSG.size) return { kind: "error", errno: 0 };
      const familyCode = bytes[payload + INET_DIAG_MSG.family];
      const family: IpFamily = familyCode === AF_INET ? 4 : 6;
      const src = payload + INET_DIAG_MSG.src;
      const state: SocketState = socketStateName(protocol, bytes[payload + INET_DIAG_MSG.state]);
      const address = family === 4 ? formatIpv4(bytes, src) : formatIpv6(bytes, src);
      // Only a socket on `::` can take IPv4 too; elsewhere V6ONLY changes nothing it holds.
      const v6Only = address === "::"
        ? u8Attribute(view, payload + INET_DIAG_MSG.size, at + length, INET_DIAG_SKV6ONLY)
        : null;
      into.push({
        entry: {
          protocol,
          family,
          address,
          port: view.getUint16(payload + INET_DIAG_MSG.sport, false),
          state,
          ...(v6Only === null ? {} : { dualStack: v6Only === 0 }),
          uid: view.getUint32(payload + INET_DIAG_MSG.uid, true),
          user: null,
        },
        inode: String(view.getUint32(payload + INET_DIAG_MSG.inode, true)),
      });
    }
    // NLMSG_NOOP and unknown types carry nothing for us.
    at = next;
  }
  return { kind: "sockets", done: false };
}

/**
 * `INET_DIAG_SKV6ONLY` (`include/uapi/linux/inet_diag.h`): a u8 attribute, the socket's
 * IPV6_V6ONLY. `inet_diag_msg_attrs_fill` adds it to every AF_INET6 socket in LISTEN or CLOSE (a
 * bound UDP socket, a bound-inactive TCP one), which is every state a `::` socket can be in.
 */
export const INET_DIAG_SKV6ONLY = 11;
/** `struct rtattr { u16 len; u16 type; }`, 4-byte aligned; `len` counts the header. */
const RTATTR = { size: 4, len: 0, type: 2 } as const;
/** `nla_type` bits that are flags (`NLA_F_NESTED`, `NLA_F_NET_BYTEORDER`), not the type. */
const NLA_TYPE_MASK = 0x3fff;

/**
 * The u8 value of the first attribute of `type` among the rtattrs between `from` and `end` (one
 * message's), or null when there is none. A malformed attribute ends the search: the value is
 * then unknown, not a reason to distrust the row.
 */
function u8Attribute(view: DataView, from: number, end: number, type: number): number | null {
  let at = from;
  while (at + RTATTR.size <= end) {
    const length = view.getUint16(at + RTATTR.len, true);
    if (length < RTATTR.size || at + length > end) return null;
    if ((view.getUint16(at + RTATTR.type, true) & NLA_TYPE_MASK) === type) {
      return length > RTATTR.size ? view.getUint8(at + RTATTR.size) : null;
    }
    at += align(length);
  }
  return null;
}

/** Wildcard addresses a listener may be bound to, per family. */
const ANY_ADDRESS = { 4: "0.0.0.0", 6: "::" } as const;

/**
 * Gives each TCP request socket (SYN_RECV, inode 0) in `dumped` the uid of the listener it
 * arrived on, found among `listeners`: `/proc/net/tcp` prints the listener's owner for these rows,
 * `inet_diag` prints 0. The listener is the LISTEN row on the same port bound to the same
 * address, else to the wildcard, else (for IPv4) a dual-stack IPv6 one. Other rows are returned
 * as they are (the same array when there is nothing to change).
 *
 * @example
 * ```ts
 * const tcp = [...v4, ...v6];
 * const fixed = withListenerUids(v4, tcp);
 * ```
 */
export function withListenerUids(
  dumped: readonly ProcNetSocket[],
  listeners: readonly ProcNetSocket[],
): readonly ProcNetSocket[] {
  if (!dumped.some(isRequestSocket)) return dumped;
  const owners = new Map<string, number | null>();
  for (const { entry } of listeners) {
    if (entry.protocol !== "tcp" || entry.state !== "LISTEN") continue;
    owners.set(`${entry.family} ${entry.address} ${entry.port}`, entry.uid);
  }
  const ownerOf = (entry: ProcNetSocket["entry"]): number | null | undefined => {
    const keys = [
      `${entry.family} ${entry.address} ${entry.port}`,
      `${entry.family} ${ANY_ADDRESS[entry.family]} ${entry.port}`,
    ];
    if (entry.family === 4) {
      keys.push(`6 ::ffff:${entry.address} ${entry.port}`, `6 :: ${entry.port}`);
    }
    for (const key of keys) {
      if (owners.has(key)) return owners.get(key);
    }
    return undefined;
  };
  return dumped.map((row) => {
    if (!isRequestSocket(row)) return row;
    const uid = ownerOf(row.entry);
    return uid === undefined ? row : { ...row, entry: { ...row.entry, uid } };
  });
}

function isRequestSocket(row: ProcNetSocket): boolean {
  return row.entry.protocol === "tcp" && row.entry.state === "SYN_RECV" && row.inode === "0";
}
