/**
 * Parsers for the kernel socket tables `/proc/net/{tcp,tcp6,udp,udp6}`.
 *
 * Line format (see the kernel's `net/ipv4/tcp_ipv4.c`, `get_tcp4_sock`):
 * `sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...`
 * Addresses are hex: IPv4 is one 32-bit word, IPv6 four, each printed in host (little-endian)
 * byte order; the port after `:` is plain big-endian hex.
 *
 * @module
 */

import { formatIpv6 } from "../ip_text.ts";
import type { IpFamily, Protocol, SocketEntry, SocketState } from "../types.ts";

/** A socket-table row: the portable entry plus the inode that links it to processes. */
export interface ProcNetSocket {
  readonly entry: SocketEntry;
  /** Socket inode; `0` for sockets no process holds (TIME_WAIT, orphaned FIN_WAIT2). */
  readonly inode: string;
}

/** TCP state codes from the kernel's `include/net/tcp_states.h`. */
const TCP_STATES: readonly SocketState[] = [
  "UNKNOWN",
  "ESTABLISHED", // 01
  "SYN_SENT",
  "SYN_RECV",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "TIME_WAIT",
  "CLOSE", // 07
  "CLOSE_WAIT",
  "LAST_ACK",
  "LISTEN", // 0A
  "CLOSING",
  "NEW_SYN_RECV",
  // 13 is TCP_BOUND_INACTIVE, a sock_diag filter bit only: such sockets are really in CLOSE.
  "CLOSE",
];

/** Maps a hex state code to its name. UDP reuses the codes: 07 is bound, 01 connected. */
export function socketStateName(protocol: Protocol, code: number): SocketState {
  if (protocol === "udp") return code === 1 ? "ESTABLISHED" : "UNCONN";
  return TCP_STATES[code] ?? "UNKNOWN";
}

/** Decodes one 8-hex-digit word as procfs prints it (host order, little-endian) into 4 bytes. */
function wordBytes(hex: string, at: number, out: number[]): void {
  for (let byte = 3; byte >= 0; byte--) {
    out.push(parseInt(hex.slice(at + byte * 2, at + byte * 2 + 2), 16));
  }
}

/**
 * Formats a procfs hex address: `0100007F` → `127.0.0.1`,
 * `00000000000000000000000001000000` → `::1`.
 *
 * @example
 * ```ts
 * decodeAddress("0100007F"); // "127.0.0.1"
 * ```
 */
export function decodeAddress(hex: string): string {
  const bytes: number[] = [];
  for (let at = 0; at < hex.length; at += 8) wordBytes(hex, at, bytes);
  return bytes.length === 4 ? bytes.join(".") : formatIpv6(bytes);
}

/** Options of {@linkcode parseProcNet}. */
export interface ParseProcNetOptions {
  /**
   * The system default for IPV6_V6ONLY (`/proc/sys/net/ipv6/bindv6only`: true for 1), or null
   * when unknown. Called at most once, and only when a row is bound to `::`. Without it, `::`
   * rows leave `dualStack` out.
   */
  readonly bindV6Only?: () => boolean | null;
}

/**
 * Parses one socket table. `user` is left null: names are looked up only for rows that match.
 *
 * procfs does not print a socket's IPV6_V6ONLY, so a `::` row's `dualStack` is the system default
 * (`options.bindV6Only`), not the socket's own setting: a server that turned V6ONLY on itself
 * (nginx's `ipv6only=on`) is taken as dual-stack on a system whose default is off.
 *
 * @example
 * ```ts
 * parseProcNet(Deno.readTextFileSync("/proc/net/tcp6"), { protocol: "tcp", family: 6 }, {
 *   bindV6Only: systemBindV6Only,
 * });
 * ```
 */
export function parseProcNet(
  text: string,
  table: { protocol: Protocol; family: IpFamily },
  options: ParseProcNetOptions = {},
): ProcNetSocket[] {
  const sockets: ProcNetSocket[] = [];
  let v6Only: boolean | null | undefined; // asked on the first `::` row
  const lines = text.split("\n");
  // Line 0 is the header.
  for (let i = 1; i < lines.length; i++) {
    const fields = lines[i].trim().split(/\s+/);
    if (fields.length < 10) continue;
    const local = fields[1];
    const colon = local.indexOf(":");
    const port = parseInt(local.slice(colon + 1), 16);
    const state = socketStateName(table.protocol, parseInt(fields[3], 16));
    const uid = Number(fields[7]);
    const address = decodeAddress(local.slice(0, colon));
    let dualStack: boolean | null = null;
    if (table.family === 6 && address === "::" && options.bindV6Only !== undefined) {
      if (v6Only === undefined) v6Only = options.bindV6Only();
      if (v6Only !== null) dualStack = !v6Only;
    }
    sockets.push({
      entry: {
        protocol: table.protocol,
        family: table.family,
        address,
        port,
        state,
        ...(dualStack === null ? {} : { dualStack }),
        uid,
        user: null,
      },
      inode: fields[9],
    });
  }
  return sockets;
}

let systemV6Only: boolean | null | undefined;

/**
 * The system default for IPV6_V6ONLY, from `/proc/sys/net/ipv6/bindv6only` (read once per
 * process), or null when it cannot be read (IPv6 disabled, no permission).
 *
 * @example
 * ```ts
 * systemBindV6Only(); // false on most systems: `::` sockets accept IPv4 too
 * ```
 */
export function systemBindV6Only(): boolean | null {
  if (systemV6Only === undefined) {
    try {
      const value = Deno.readTextFileSync("/proc/sys/net/ipv6/bindv6only").trim();
      systemV6Only = /^\d+$/.test(value) ? Number(value) !== 0 : null;
    } catch {
      systemV6Only = null;
    }
  }
  return systemV6Only;
}
