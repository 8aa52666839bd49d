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

export { formatIpv6 };

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

/**
 * Parses one socket table. `user` is left null: names are looked up only for rows that match.
 *
 * @example
 * ```ts
 * parseProcNet(Deno.readTextFileSync("/proc/net/tcp"), { protocol: "tcp", family: 4 });
 * ```
 */
export function parseProcNet(
  text: string,
  table: { protocol: Protocol; family: IpFamily },
): ProcNetSocket[] {
  const sockets: ProcNetSocket[] = [];
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
    sockets.push({
      entry: {
        protocol: table.protocol,
        family: table.family,
        address: decodeAddress(local.slice(0, colon)),
        port,
        state,
        uid,
        user: null,
      },
      inode: fields[9],
    });
  }
  return sockets;
}
