/**
 * Decoder for the system-wide socket tables `net.inet.tcp.pcblist_n` and `net.inet.udp.pcblist_n`,
 * the sysctls `netstat` reads. Unlike libproc's per-process view they list every IP socket,
 * whoever owns it, and need no privileges: they are what lets portctl say "held, owner not visible"
 * instead of "free" when another user's process holds a port.
 *
 * @module
 */

import type { Protocol, SocketState } from "../types.ts";
import { familyOf, pcbEntry, tcpStateName, udpStateName } from "./inet.ts";
import type { DecodedSocket } from "./proc_info.ts";

/** `xgn_kind` values from XNU `bsd/sys/socketvar.h`. */
export const XSO_SOCKET = 0x001;
/** The `struct xinpcb_n` record that starts each socket's group of records. */
export const XSO_INPCB = 0x010;
/** The `struct xtcpcb_n` record (TCP only). */
export const XSO_TCPCB = 0x020;
/** `so_state` bit (`bsd/sys/socketvar.h`): no file descriptor refers to the socket any more. */
export const SS_NOFDREF = 0x0001;

// Layouts. The user-visible copies in XNU `bsd/netinet/in_pcb.h`, `bsd/sys/socketvar.h` and
// `bsd/netinet/tcp_var.h` are declared under `#pragma pack(4)`, so 64-bit members are only
// 4-aligned (`inp_ppcb` sits at 20, not 24). Offsets were checked with a C compiler under
// pack(4), and match what others measured on live macOS 15/26 tables (so_uid at 64, inp_vflag at
// 44, the IPv4 local address at 76, an `xtcpcb_n` record of 204 bytes).
//
// The buffer is `struct xinpgen` (24 bytes), then per socket an `xinpcb_n`, an `xsocket_n`, two
// `xsockbuf_n`, an `xsockstat_n` and (TCP) an `xtcpcb_n`, each starting with `u32 len, u32 kind`
// and padded to a multiple of 8 that `len` does not include, then a closing `xinpgen`.

/** `struct xinpgen`: `u32 xig_len, u32 xig_count, u64 xig_gen, u64 xig_sogen`. */
export const XINPGEN = { size: 24 } as const;

/**
 * `struct xinpcb_n` (104 bytes): len, kind, `u64 xi_inpp` (8), `u_short inp_fport` (16) and
 * `inp_lport` (18) in network byte order, `u64 inp_ppcb` (20), `u64 inp_gencnt` (28),
 * `inp_flags` (36), `inp_flow` (40), `u_char inp_vflag` (44), ttl, protocol, then the 16-byte
 * address unions `inp_dependfaddr` (48) and `inp_dependladdr` (64).
 */
export const XINPCB_N = {
  size: 104,
  foreignPort: 16,
  localPort: 18,
  generation: 28,
  flags: 36,
  vflag: 44,
  foreignAddress: 48,
  localAddress: 64,
} as const;

/**
 * `struct xsocket_n` (104 bytes today): len, kind, `u64 xso_so` (8), `short so_type` (16),
 * `so_options` (20), `short so_linger` (24), `short so_state` (26), `u64 so_pcb` (28),
 * `xso_protocol` (36), `xso_family` (40), five shorts, `so_pgid` (56), `so_oobmark` (60),
 * `uid_t so_uid` (64), `pid_t so_last_pid` (68).
 */
export const XSOCKET_N = { socket: 8, state: 26, family: 40, uid: 64, lastPid: 68 } as const;

/** `struct xtcpcb_n`: len, kind, `u64 t_segq` (8), `t_dupacks` (16), `t_timer[4]`, `t_state` (36). */
export const XTCPCB_N = { state: 36 } as const;

/** One row of a `pcblist_n` table. */
export interface PcbSocket extends DecodedSocket {
  /**
   * True when no process can hold the socket: a PCB whose socket is gone, or a socket no file
   * descriptor refers to any more (`SS_NOFDREF`: closed, lingering in TIME_WAIT or FIN_WAIT_2).
   */
  readonly orphaned: boolean;
  /** `so_last_pid`: the last process that used the socket, a hint only (it may be stale). */
  readonly lastPid: number | null;
}

function roundUp8(length: number): number {
  return (length + 7) & ~7;
}

/**
 * Decodes one `pcblist_n` buffer. Throws a `RangeError` when a record runs past the end, which
 * means the layout is not what this decoder expects.
 *
 * @example
 * ```ts
 * decodePcbList(bytes, "tcp").map((row) => row.entry.port);
 * ```
 */
export function decodePcbList(bytes: Uint8Array, protocol: Protocol): PcbSocket[] {
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < XINPGEN.size) {
    throw new RangeError(`pcblist_n is ${bytes.byteLength} bytes, shorter than its header`);
  }
  const rows: PcbSocket[] = [];
  let inpcb = -1;
  let socket = -1;
  let tcpcb = -1;

  const flush = (): void => {
    if (inpcb >= 0) {
      const row = decodeRow(bytes, data, protocol, inpcb, socket, tcpcb);
      if (row !== null) rows.push(row);
    }
    inpcb = socket = tcpcb = -1;
  };

  const headerLength = data.getUint32(0, true);
  if (headerLength !== XINPGEN.size) {
    throw new RangeError(`pcblist_n header says ${headerLength} bytes, expected ${XINPGEN.size}`);
  }
  let at = XINPGEN.size;
  while (at + 8 <= bytes.byteLength) {
    const length = data.getUint32(at, true);
    // The closing xinpgen (24 bytes) ends the list; every record is longer than that.
    if (length <= XINPGEN.size) break;
    if (at + length > bytes.byteLength) {
      throw new RangeError(`pcblist_n record at ${at} (${length} bytes) runs past the end`);
    }
    const kind = data.getUint32(at + 4, true);
    if (kind === XSO_INPCB) {
      flush();
      if (length >= XINPCB_N.localAddress + 16) inpcb = at;
    } else if (kind === XSO_SOCKET && length >= XSOCKET_N.lastPid + 4) {
      socket = at;
    } else if (kind === XSO_TCPCB && length >= XTCPCB_N.state + 4) {
      tcpcb = at;
    }
    at += roundUp8(length);
  }
  flush();
  return rows;
}

function decodeRow(
  bytes: Uint8Array,
  data: DataView,
  protocol: Protocol,
  inpcb: number,
  socket: number,
  tcpcb: number,
): PcbSocket | null {
  const hasSocket = socket >= 0 && data.getBigUint64(socket + XSOCKET_N.socket, true) !== 0n;
  const vflag = bytes[inpcb + XINPCB_N.vflag];
  const family = familyOf(hasSocket ? data.getInt32(socket + XSOCKET_N.family, true) : 0, vflag);
  if (family === null) return null;
  let state: SocketState;
  if (protocol === "udp") state = udpStateName(data.getUint16(inpcb + XINPCB_N.foreignPort, false));
  else state = tcpcb >= 0 ? tcpStateName(data.getInt32(tcpcb + XTCPCB_N.state, true)) : "UNKNOWN";
  const lastPid = hasSocket ? data.getInt32(socket + XSOCKET_N.lastPid, true) : 0;
  const noFdRef = hasSocket && (data.getInt16(socket + XSOCKET_N.state, true) & SS_NOFDREF) !== 0;
  return {
    entry: pcbEntry(bytes, {
      record: inpcb,
      layout: XINPCB_N,
      protocol,
      family,
      vflag,
      state,
      uid: hasSocket ? data.getUint32(socket + XSOCKET_N.uid, true) : null,
    }),
    generation: data.getBigUint64(inpcb + XINPCB_N.generation, true),
    orphaned: !hasSocket || noFdRef,
    lastPid: lastPid > 0 ? lastPid : null,
  };
}
