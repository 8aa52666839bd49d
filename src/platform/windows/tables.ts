/**
 * Pure decoders of the byte layouts Windows hands back: the owner-PID socket tables of
 * `GetExtendedTcpTable` / `GetExtendedUdpTable`, Toolhelp's `PROCESSENTRY32W`, and a process's
 * parameters block (its working folder and command line). No FFI here, so they are unit-tested on
 * every OS against byte fixtures.
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

/** FILETIME ticks (100 ns) from 1601-01-01 to the Unix epoch. */
const EPOCH_AS_FILETIME = 116_444_736_000_000_000n;

/**
 * A `startTime` token (a creation `FILETIME`, see {@linkcode fileTimeToken}) as milliseconds since
 * the Unix epoch, or null for an empty or non-numeric token.
 *
 * @example
 * ```ts
 * fileTimeTokenToMs("116444736000000000"); // 0
 * ```
 */
export function fileTimeTokenToMs(token: string): number | null {
  if (!/^\d+$/.test(token)) return null;
  return Number((BigInt(token) - EPOCH_AS_FILETIME) / 10_000n);
}

/**
 * Where a process's parameters are, on 64-bit Windows (winternl.h, ntddk.h). From
 * `NtQueryInformationProcess(ProcessBasicInformation)`: `PROCESS_BASIC_INFORMATION { NTSTATUS
 * ExitStatus; PPEB PebBaseAddress; ... }`, 48 bytes, the PEB's address at 8 (after 4 bytes of
 * padding). In the PEB, `ProcessParameters` (a `PRTL_USER_PROCESS_PARAMETERS`) is at 0x20.
 */
export const PROCESS_BASIC_INFORMATION_X64 = { size: 48, pebBaseAddress: 8 } as const;
/** See {@linkcode PROCESS_BASIC_INFORMATION_X64}. */
export const PEB_X64 = { processParameters: 0x20 } as const;

/**
 * `RTL_USER_PROCESS_PARAMETERS` on x64: `ULONG MaximumLength; ULONG Length;` (the block's size,
 * strings included), flags, the console handle and the three standard handles up to 0x38, then
 * `CURDIR CurrentDirectory { UNICODE_STRING DosPath; HANDLE Handle; }` at 0x38, `DllPath` at 0x50,
 * `ImagePathName` at 0x60 and `CommandLine` at 0x70. Windows keeps the strings inside the block
 * (the current directory in a buffer of MAX_PATH characters that `SetCurrentDirectory` rewrites).
 */
export const RTL_USER_PROCESS_PARAMETERS_X64 = {
  length: 4,
  currentDirectory: 0x38,
  commandLine: 0x70,
  /** Up to the end of `CommandLine`: what must be read to find both strings. */
  headerSize: 0x80,
} as const;

/** `UNICODE_STRING { USHORT Length; USHORT MaximumLength; PWSTR Buffer; }`, Buffer at 8 on x64. */
export const UNICODE_STRING_X64 = { size: 16, length: 0, buffer: 8 } as const;

/** A `UNICODE_STRING` as it sits in another process: its size in bytes and where it is there. */
export interface RemoteString {
  readonly byteLength: number;
  readonly address: bigint;
}

/** Decodes the `UNICODE_STRING` at `at` (see {@linkcode UNICODE_STRING_X64}). */
export function decodeRemoteString(bytes: Uint8Array, at: number): RemoteString {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    byteLength: view.getUint16(at + UNICODE_STRING_X64.length, true),
    address: view.getBigUint64(at + UNICODE_STRING_X64.buffer, true),
  };
}

/**
 * The text of `string` when its characters lie in `block`, a copy of the other process's memory
 * from `blockAddress`; null when they lie elsewhere (then they are read on their own).
 *
 * @example
 * ```ts
 * const folder = decodeRemoteString(block, RTL_USER_PROCESS_PARAMETERS_X64.currentDirectory);
 * remoteStringIn(block, { blockAddress, string: folder }); // "C:\\shop\\api\\"
 * ```
 */
export function remoteStringIn(
  block: Uint8Array,
  { blockAddress, string }: { readonly blockAddress: bigint; readonly string: RemoteString },
): string | null {
  const offset = string.address - blockAddress;
  if (offset < 0n || offset + BigInt(string.byteLength) > BigInt(block.byteLength)) return null;
  const at = Number(offset);
  return UTF16LE.decode(block.subarray(at, at + string.byteLength));
}

/**
 * A working folder as `CurrentDirectory.DosPath` spells it (always ending in a backslash), as
 * people write it: `C:\shop\api\` becomes `C:\shop\api`; a drive's root keeps its backslash.
 *
 * @example
 * ```ts
 * folderPath("C:\\shop\\api\\"); // "C:\\shop\\api"
 * folderPath("C:\\"); // "C:\\"
 * ```
 */
export function folderPath(dosPath: string): string {
  return dosPath.length > 3 && dosPath.endsWith("\\") ? dosPath.slice(0, -1) : dosPath;
}
