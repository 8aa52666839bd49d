/**
 * iphlpapi.dll: the owner-PID socket tables (`GetExtendedTcpTable`, `GetExtendedUdpTable`).
 * The library is opened on first use, so importing this file on another OS costs nothing.
 *
 * @module
 */

import { openOnFirstUse } from "./dll.ts";

import { describeWin32Error, ERROR_INSUFFICIENT_BUFFER } from "./errors.ts";
import type { TableKind } from "./tables.ts";

// DWORD GetExtendedTcpTable(PVOID pTcpTable, PDWORD pdwSize, BOOL bOrder, ULONG ulAf,
//   TCP_TABLE_CLASS TableClass, ULONG Reserved); GetExtendedUdpTable has the same shape.
const SYMBOLS = {
  GetExtendedTcpTable: {
    parameters: ["buffer", "buffer", "i32", "u32", "u32", "u32"],
    result: "u32",
  },
  GetExtendedUdpTable: {
    parameters: ["buffer", "buffer", "i32", "u32", "u32", "u32"],
    result: "u32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The iphlpapi.dll symbols, opened on first call. */
export const iphlpapi = openOnFirstUse("iphlpapi.dll", SYMBOLS);

const AF_INET = 2;
const AF_INET6 = 23;
/** `TCP_TABLE_CLASS.TCP_TABLE_OWNER_PID_LISTENER`: listeners only, rows as below. */
const TCP_TABLE_OWNER_PID_LISTENER = 3;
/** `TCP_TABLE_CLASS.TCP_TABLE_OWNER_PID_ALL`: listeners and connections, with owning PIDs. */
const TCP_TABLE_OWNER_PID_ALL = 5;
/** `UDP_TABLE_CLASS.UDP_TABLE_OWNER_PID`: bound UDP sockets, with owning PIDs. */
const UDP_TABLE_OWNER_PID = 1;
const NO_ERROR = 0;
/** The table can grow between the size query and the read; more than a few rounds means a bug. */
const MAX_READS = 8;

/**
 * The raw bytes of one owner-PID table, as `decodeSocketTable` takes them. Asks for the size,
 * allocates, and asks again while Windows answers `ERROR_INSUFFICIENT_BUFFER` (sockets opened
 * between the calls), with some slack so a busy machine does not loop. With `listeningOnly`, a
 * TCP table holds the listeners alone (same row layout), which spares copying every connection.
 *
 * @throws {Error} with the iphlpapi error code and name when the call fails.
 */
export function readOwnerPidTable(
  kind: TableKind,
  options: { readonly listeningOnly?: boolean } = {},
): Uint8Array {
  const symbols = iphlpapi();
  const family = kind.endsWith("6") ? AF_INET6 : AF_INET;
  const tcp = kind.startsWith("tcp");
  const tcpClass = options.listeningOnly ? TCP_TABLE_OWNER_PID_LISTENER : TCP_TABLE_OWNER_PID_ALL;
  const size = new Uint32Array(1);
  const read = (buffer: Uint8Array | null): number =>
    tcp
      ? symbols.GetExtendedTcpTable(buffer, size, 0, family, tcpClass, 0)
      : symbols.GetExtendedUdpTable(buffer, size, 0, family, UDP_TABLE_OWNER_PID, 0);
  let buffer = new Uint8Array(0);
  let code = read(null);
  for (let reads = 1; code === ERROR_INSUFFICIENT_BUFFER && reads < MAX_READS; reads++) {
    buffer = new Uint8Array(size[0] + 16 * 56); // room for a few more rows
    size[0] = buffer.length;
    code = read(buffer);
  }
  if (code !== NO_ERROR) {
    const api = tcp ? "GetExtendedTcpTable" : "GetExtendedUdpTable";
    throw new Error(describeWin32Error(`${api}(${kind})`, code));
  }
  // Success without a buffer can only mean an empty table: say so the way a table would.
  return buffer.length > 0 ? buffer : new Uint8Array(4);
}
