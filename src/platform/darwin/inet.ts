/**
 * Pieces of XNU's IP socket records shared by the two sources the darwin backend reads
 * (`socket_fdinfo` from libproc and `xinpcb_n` from the `pcblist_n` sysctls): address unions,
 * address families and TCP state codes.
 *
 * @module
 */

import type { IpFamily, Protocol, SocketEntry, SocketState } from "../types.ts";
import { formatIpv4, formatIpv6 } from "../ip_text.ts";

/** `AF_INET` in `sys/socket.h`. */
export const AF_INET = 2;
/** `AF_INET6` in `sys/socket.h` (30 on Darwin, not 10 as on Linux). */
export const AF_INET6 = 30;
/** `IPPROTO_TCP` in `netinet/in.h`. */
export const IPPROTO_TCP = 6;
/** `IPPROTO_UDP` in `netinet/in.h`. */
export const IPPROTO_UDP = 17;
/** `INI_IPV4` / `INP_IPV4`: the PCB carries an IPv4 address (in the last 4 bytes of the union). */
export const VFLAG_IPV4 = 0x1;
/** `INI_IPV6` / `INP_IPV6`: the PCB carries an IPv6 address (all 16 bytes of the union). */
export const VFLAG_IPV6 = 0x2;
/** `IN6P_IPV6_V6ONLY` in `inp_flags` (`netinet/in_pcb.h`): the socket's IPV6_V6ONLY is on. */
export const IN6P_IPV6_V6ONLY = 0x8000;

/**
 * `TSI_S_*` (`sys/proc_info.h`) and `TCPS_*` (`netinet/tcp_fsm.h`) share one numbering, 0..10;
 * each is named as Linux names it so every OS prints the same words.
 */
const TCP_STATES: readonly SocketState[] = [
  "CLOSE", // TSI_S_CLOSED
  "LISTEN",
  "SYN_SENT",
  "SYN_RECV", // TSI_S_SYN_RECEIVED
  "ESTABLISHED",
  "CLOSE_WAIT",
  "FIN_WAIT1", // TSI_S_FIN_WAIT_1
  "CLOSING",
  "LAST_ACK",
  "FIN_WAIT2", // TSI_S_FIN_WAIT_2
  "TIME_WAIT",
];

/**
 * The Linux name of a Darwin TCP state code.
 *
 * @example
 * ```ts
 * tcpStateName(1); // "LISTEN"
 * ```
 */
export function tcpStateName(code: number): SocketState {
  return TCP_STATES[code] ?? "UNKNOWN";
}

/** UDP has no state machine: a socket with a peer is connected, else it is only bound. */
export function udpStateName(foreignPort: number): SocketState {
  return foreignPort === 0 ? "UNCONN" : "ESTABLISHED";
}

/** Maps `IPPROTO_*` to a protocol portctl reports, or null for raw, ICMP and the like. */
export function protocolOf(ipProtocol: number): Protocol | null {
  if (ipProtocol === IPPROTO_TCP) return "tcp";
  if (ipProtocol === IPPROTO_UDP) return "udp";
  return null;
}

/**
 * The IP version of a socket: its address family when known, else (a PCB without a socket, such as
 * TIME_WAIT in `pcblist_n`) the PCB's version flags. Null for non-IP families.
 */
export function familyOf(addressFamily: number, vflag: number): IpFamily | null {
  if (addressFamily === AF_INET) return 4;
  if (addressFamily === AF_INET6) return 6;
  if (addressFamily !== 0) return null;
  return (vflag & VFLAG_IPV6) !== 0 ? 6 : 4;
}

/**
 * `SocketEntry.dualStack` from a PCB's `inp_flags`: for an IPv6 socket on `::`, true unless
 * IPV6_V6ONLY is on (XNU then also sets `INP_IPV4` in its `inp_vflag`: it takes IPv4 too);
 * undefined for any other address, where V6ONLY changes nothing the socket holds.
 *
 * @example
 * ```ts
 * dualStackOf(6, "::", 0); // true
 * ```
 */
export function dualStackOf(family: IpFamily, address: string, flags: number): boolean | undefined {
  if (family !== 6 || address !== "::") return undefined;
  return (flags & IN6P_IPV6_V6ONLY) === 0;
}

/**
 * Formats the 16-byte `in4in6_addr` / `in6_addr` union XNU uses for PCB addresses. An IPv6 socket
 * that talks IPv4 (connected to a mapped address) keeps only the IPv4 part, so it is printed
 * mapped, as Linux prints it.
 */
export function formatPcbAddress(
  bytes: Uint8Array,
  unionOffset: number,
  family: IpFamily,
  vflag: number,
): string {
  if (family === 4) return formatIpv4(bytes, unionOffset + 12);
  if ((vflag & VFLAG_IPV6) !== 0) return formatIpv6(bytes, unionOffset);
  return `::ffff:${formatIpv4(bytes, unionOffset + 12)}`;
}

/** Where a PCB record (`xinpcb_n`, `in_sockinfo`) keeps the fields of its local side. */
export interface PcbLayout {
  /** The 16-byte local address union. */
  readonly localAddress: number;
  /** `inp_flags` / `insi_flags` (u32). */
  readonly flags: number;
  /** The local port (u16, network order). */
  readonly localPort: number;
}

/** What both XNU records give to make a {@linkcode SocketEntry}, beside their local side. */
export interface PcbFields {
  /** Where the record starts in `bytes`, and its layout. */
  readonly record: number;
  readonly layout: PcbLayout;
  readonly protocol: Protocol;
  readonly family: IpFamily;
  /** `inp_vflag` / `insi_vflag`. */
  readonly vflag: number;
  readonly state: SocketState;
  readonly uid: number | null;
}

/**
 * The portable entry for a PCB: its local address printed, `dualStack` from its flags, `user` left
 * null (names are looked up only for sockets that match).
 */
export function pcbEntry(bytes: Uint8Array, fields: PcbFields): SocketEntry {
  const { record, layout, vflag, ...known } = fields;
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const address = formatPcbAddress(bytes, record + layout.localAddress, known.family, vflag);
  const dualStack = dualStackOf(known.family, address, data.getUint32(record + layout.flags, true));
  const port = data.getUint16(record + layout.localPort, false);
  return { ...known, address, port, ...(dualStack === undefined ? {} : { dualStack }), user: null };
}
