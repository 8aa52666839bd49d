/**
 * Pure decoders of the byte layouts Windows hands back: the owner-PID socket tables of
 * `GetExtendedTcpTable` / `GetExtendedUdpTable` and Toolhelp's `PROCESSENTRY32W`. No FFI here, so
 * they are unit-tested on every OS against byte fixtures.
 *
 * @module
 */

import type { IpFamily, Protocol, SocketEntry, SocketState } from "../types.ts";
import { formatIpv4, formatIpv6 } from "../ip_text.ts";

/** Which of the four owner-PID tables a buffer holds. */
export type TableKind = "tcp4" | "tcp6" | "udp4" | "udp6";

/** One row of an owner-PID table: the local socket and the PID Windows says owns it. */
export interface OwnedSocketRow {
  readonly socket: SocketEntry;
  /** `dwOwningPid`: the process that created the socket (0 = none, 4 = the kernel). */
  readonly pid: number;
}

/** Byte offsets of the fields portctl reads in one table row; `state` is -1 where there is none. */
interface RowLayout {
  readonly protocol: Protocol;
  readonly family: IpFamily;
  readonly size: number;
  readonly localAddr: number;
  readonly localPort: number;
  readonly state: number;
  readonly owningPid: number;
}

/**
 * Every table is `DWORD dwNumEntries` followed by the rows (tcpmib.h / udpmib.h,
 * `MIB_TCPTABLE_OWNER_PID` etc.). The rows hold only DWORDs and byte arrays, so there is no
 * padding after the count.
 */
export const TABLE_ROWS_OFFSET = 4;

/**
 * Row layouts, from the Win32 definitions (tcpmib.h, udpmib.h; every DWORD little-endian, except
 * that addresses are network byte order and ports are network byte order in the low 16 bits):
 */
export const ROW_LAYOUTS: Readonly<Record<TableKind, RowLayout>> = {
  // MIB_TCPROW_OWNER_PID { DWORD dwState; DWORD dwLocalAddr; DWORD dwLocalPort;
  //   DWORD dwRemoteAddr; DWORD dwRemotePort; DWORD dwOwningPid; }            = 24 bytes
  tcp4: {
    protocol: "tcp",
    family: 4,
    size: 24,
    state: 0,
    localAddr: 4,
    localPort: 8,
    owningPid: 20,
  },
  // MIB_TCP6ROW_OWNER_PID { UCHAR ucLocalAddr[16]; DWORD dwLocalScopeId; DWORD dwLocalPort;
  //   UCHAR ucRemoteAddr[16]; DWORD dwRemoteScopeId; DWORD dwRemotePort; DWORD dwState;
  //   DWORD dwOwningPid; }                                                    = 56 bytes
  tcp6: {
    protocol: "tcp",
    family: 6,
    size: 56,
    localAddr: 0,
    localPort: 20,
    state: 48,
    owningPid: 52,
  },
  // MIB_UDPROW_OWNER_PID { DWORD dwLocalAddr; DWORD dwLocalPort; DWORD dwOwningPid; } = 12 bytes
  udp4: {
    protocol: "udp",
    family: 4,
    size: 12,
    localAddr: 0,
    localPort: 4,
    state: -1,
    owningPid: 8,
  },
  // MIB_UDP6ROW_OWNER_PID { UCHAR ucLocalAddr[16]; DWORD dwLocalScopeId; DWORD dwLocalPort;
  //   DWORD dwOwningPid; }                                                    = 28 bytes
  udp6: {
    protocol: "udp",
    family: 6,
    size: 28,
    localAddr: 0,
    localPort: 20,
    state: -1,
    owningPid: 24,
  },
};

/**
 * `MIB_TCP_STATE` (tcpmib.h) 1..12, named as Linux names the same states so every OS prints the
 * same words: MIB_TCP_STATE_CLOSED = 1, LISTEN, SYN_SENT, SYN_RCVD, ESTAB, FIN_WAIT1, FIN_WAIT2,
 * CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT, DELETE_TCB = 12.
 */
const TCP_STATES: readonly SocketState[] = [
  "CLOSE",
  "LISTEN",
  "SYN_SENT",
  "SYN_RECV",
  "ESTABLISHED",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "CLOSE_WAIT",
  "CLOSING",
  "LAST_ACK",
  "TIME_WAIT",
  "DELETE_TCB",
];

/**
 * The Linux name of a `MIB_TCP_STATE` value, `UNKNOWN` outside 1..12.
 *
 * @example
 * ```ts
 * tcpStateName(2); // "LISTEN"
 * ```
 */
export function tcpStateName(state: number): SocketState {
  return TCP_STATES[state - 1] ?? "UNKNOWN";
}

/**
 * A port stored in network byte order in the low 16 bits of a DWORD: the first two bytes in memory
 * are the port's high and low byte.
 */
function readPort(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

/**
 * Decodes a whole owner-PID table (`MIB_TCPTABLE_OWNER_PID`, `MIB_TCP6TABLE_OWNER_PID`,
 * `MIB_UDPTABLE_OWNER_PID`, `MIB_UDP6TABLE_OWNER_PID`) as filled by `GetExtendedTcpTable` /
 * `GetExtendedUdpTable`. Windows does not say which user owns a socket, so `uid`/`user` are null;
 * UDP rows are `UNCONN` (the owner-PID tables do not tell bound from connected UDP).
 *
 * @example
 * ```ts
 * const rows = decodeSocketTable("tcp4", bytes);
 * rows[0].socket.port; // 3000
 * ```
 * @throws {RangeError} when the buffer is shorter than its own row count says.
 */
export function decodeSocketTable(kind: TableKind, bytes: Uint8Array): OwnedSocketRow[] {
  if (bytes.length < TABLE_ROWS_OFFSET) {
    throw new RangeError(`${kind} table too short: ${bytes.length} bytes, need at least 4`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const layout = ROW_LAYOUTS[kind];
  const count = view.getUint32(0, true);
  const needed = TABLE_ROWS_OFFSET + count * layout.size;
  if (bytes.length < needed) {
    throw new RangeError(
      `${kind} table truncated: ${count} rows need ${needed} bytes, got ${bytes.length}`,
    );
  }
  const rows: OwnedSocketRow[] = [];
  for (let i = 0; i < count; i++) {
    const at = TABLE_ROWS_OFFSET + i * layout.size;
    const address = layout.family === 4
      ? formatIpv4(bytes, at + layout.localAddr)
      : formatIpv6(bytes, at + layout.localAddr);
    const state = layout.state < 0
      ? "UNCONN"
      : tcpStateName(view.getUint32(at + layout.state, true));
    rows.push({
      socket: {
        protocol: layout.protocol,
        family: layout.family,
        address,
        port: readPort(bytes, at + layout.localPort),
        state,
        uid: null,
        user: null,
      },
      pid: view.getUint32(at + layout.owningPid, true),
    });
  }
  return rows;
}

/**
 * `PROCESSENTRY32W` (tlhelp32.h) on 64-bit Windows, the only Windows Deno ships for:
 * `{ DWORD dwSize; DWORD cntUsage; DWORD th32ProcessID; ULONG_PTR th32DefaultHeapID;
 * DWORD th32ModuleID; DWORD cntThreads; DWORD th32ParentProcessID; LONG pcPriClassBase;
 * DWORD dwFlags; WCHAR szExeFile[MAX_PATH]; }`: the ULONG_PTR is 8-aligned, so `th32ProcessID` at
 * 8 is followed by 4 bytes of padding; 44 + 520 = 564, rounded up to 568.
 */
export const PROCESSENTRY32W = {
  size: 568,
  dwSize: 0,
  th32ProcessID: 8,
  th32ParentProcessID: 32,
  szExeFile: 44,
  /** MAX_PATH WCHARs. */
  szExeFileChars: 260,
} as const;

/** What one Toolhelp process entry says. */
export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  /** Image file name without the directory, e.g. `deno.exe`. */
  readonly exeFile: string;
}

/**
 * Decodes one `PROCESSENTRY32W` as `Process32FirstW` / `Process32NextW` fill it.
 *
 * @example
 * ```ts
 * decodeProcessEntry(entry); // { pid: 312, ppid: 32, exeFile: "deno.exe" }
 * ```
 */
export function decodeProcessEntry(bytes: Uint8Array): ProcessEntry {
  if (bytes.length < PROCESSENTRY32W.size) {
    throw new RangeError(
      `PROCESSENTRY32W needs ${PROCESSENTRY32W.size} bytes, got ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    pid: view.getUint32(PROCESSENTRY32W.th32ProcessID, true),
    ppid: view.getUint32(PROCESSENTRY32W.th32ParentProcessID, true),
    exeFile: decodeUtf16z(bytes, PROCESSENTRY32W.szExeFile, PROCESSENTRY32W.szExeFileChars),
  };
}

/**
 * The UTF-16LE string of at most `maxChars` units at `at`, up to its first NUL.
 *
 * @example
 * ```ts
 * decodeUtf16z(new Uint8Array([104, 0, 105, 0, 0, 0]), 0, 3); // "hi"
 * ```
 */
export function decodeUtf16z(bytes: Uint8Array, at: number, maxChars: number): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const limit = Math.min(maxChars, Math.floor((bytes.length - at) / 2));
  let end = 0;
  while (end < limit && view.getUint16(at + 2 * end, true) !== 0) end++;
  return UTF16LE.decode(bytes.subarray(at, at + 2 * end));
}

const UTF16LE = new TextDecoder("utf-16le");

/**
 * A `FILETIME` (two DWORDs, low then high: 100 ns ticks since 1601-01-01 UTC) as a decimal string,
 * the opaque `startTime` token of a Windows process.
 *
 * @example
 * ```ts
 * fileTimeToken(new Uint8Array([1, 0, 0, 0, 1, 0, 0, 0])); // "4294967297"
 * ```
 */
export function fileTimeToken(bytes: Uint8Array, at = 0): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ticks = (BigInt(view.getUint32(at + 4, true)) << 32n) | BigInt(view.getUint32(at, true));
  return ticks.toString();
}

/**
 * `ENUM_SERVICE_STATUS_PROCESSW` on x64 (winsvc.h): `LPWSTR lpServiceName` at 0,
 * `LPWSTR lpDisplayName` at 8, then `SERVICE_STATUS_PROCESS` (nine DWORDs: dwServiceType,
 * dwCurrentState, ..., dwProcessId at its 8th, dwServiceFlags) at 16; 56 bytes with padding.
 */
export const ENUM_SERVICE_STATUS_PROCESSW = {
  size: 56,
  lpServiceName: 0,
  lpDisplayName: 8,
  dwCurrentState: 16 + 4,
  dwProcessId: 16 + 28,
} as const;

/** One running service and the process it runs in. */
export interface ServiceEntry {
  readonly name: string;
  readonly displayName: string;
  readonly pid: number;
}

/**
 * Decodes the `count` records `EnumServicesStatusExW` wrote into `bytes`, whose strings it put in
 * the same buffer: each name pointer is read as an offset from `base`, the buffer's address.
 * Services with no process (stopped, or a driver) are left out.
 */
export function decodeServiceRecords(
  bytes: Uint8Array,
  { count, base }: { readonly count: number; readonly base: bigint },
): ServiceEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const L = ENUM_SERVICE_STATUS_PROCESSW;
  const text = (at: number) => {
    const offset = Number(view.getBigUint64(at, true) - base);
    return offset >= 0 && offset < bytes.length ? decodeUtf16z(bytes, offset, 512) : "";
  };
  const services: ServiceEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * L.size;
    if (at + L.size > bytes.length) break;
    const pid = view.getUint32(at + L.dwProcessId, true);
    if (pid === 0) continue;
    services.push({
      name: text(at + L.lpServiceName),
      displayName: text(at + L.lpDisplayName),
      pid,
    });
  }
  return services;
}
