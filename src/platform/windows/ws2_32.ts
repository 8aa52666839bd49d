/**
 * ws2_32.dll (Winsock): a test bind, to tell a port nobody holds from one Windows reserved.
 * Needs `--allow-ffi` only, not `--allow-net`. The library is opened on first use.
 *
 * @module
 */

import { openOnFirstUse } from "./dll.ts";

const SYMBOLS = {
  // int WSAStartup(WORD wVersionRequested, LPWSADATA lpWSAData)
  WSAStartup: { parameters: ["u16", "buffer"], result: "i32" },
  // SOCKET socket(int af, int type, int protocol); SOCKET is UINT_PTR
  socket: { parameters: ["i32", "i32", "i32"], result: "usize" },
  // int bind(SOCKET s, const sockaddr *name, int namelen)
  bind: { parameters: ["usize", "buffer", "i32"], result: "i32" },
  closesocket: { parameters: ["usize"], result: "i32" },
  WSAGetLastError: { parameters: [], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

const library = openOnFirstUse("ws2_32.dll", SYMBOLS);
let started = false;

/** The ws2_32.dll symbols, opened (and Winsock started) on first call. */
export function ws2_32(): ReturnType<typeof library> {
  const symbols = library();
  if (!started) {
    const wsaData = new Uint8Array(512); // WSADATA is 408 bytes on x64
    const code = symbols.WSAStartup(0x0202, wsaData);
    if (code !== 0) throw new Error(`WSAStartup failed: error ${code}`);
    started = true;
  }
  return symbols;
}

const AF_INET = 2;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
/** `INVALID_SOCKET`, `(SOCKET)~0`. */
const INVALID_SOCKET = 0xffff_ffff_ffff_ffffn;

/**
 * Binds `0.0.0.0:port` and closes it again: 0 when that worked, else the Winsock error
 * (`WSAEACCES` 10013 for a reserved port, `WSAEADDRINUSE` 10048 for a held one).
 */
export function testBind(protocol: "tcp" | "udp", port: number): number {
  const ws = ws2_32();
  const socket = protocol === "tcp"
    ? ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
    : ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  if (BigInt(socket) === INVALID_SOCKET) return ws.WSAGetLastError();
  try {
    // sockaddr_in { short sin_family; u_short sin_port (network order); in_addr sin_addr (any);
    //   char sin_zero[8]; } = 16 bytes
    const address = new Uint8Array(16);
    const view = new DataView(address.buffer);
    view.setUint16(0, AF_INET, true);
    view.setUint16(2, port, false);
    return ws.bind(socket, address, address.length) === 0 ? 0 : ws.WSAGetLastError();
  } finally {
    ws.closesocket(socket);
  }
}
