/**
 * The kernel socket tables through netlink `NETLINK_SOCK_DIAG` (what `ss` uses), called through
 * libc with Deno FFI, which opens on first use, never at import. The bytes sent and received are
 * encoded and decoded by `inet_diag.ts`.
 *
 * Why not only `/proc/net/tcp`: reading it walks the whole TCP established hash, which the kernel
 * sizes by RAM, so it costs milliseconds even when it holds three sockets. A sock_diag request
 * whose states are only `TCPF_LISTEN` walks the listening hash alone. When netlink cannot answer
 * (no libc, no FFI permission, socket() refused by seccomp or a sandbox, a kernel without
 * `inet_diag`), {@linkcode dumpSockets} returns null and the caller reads procfs instead.
 *
 * @module
 */

import { decodeDiagMessages, type DiagTable, encodeDiagRequest } from "./inet_diag.ts";
import { openLibc } from "./libc.ts";
import type { ProcNetSocket } from "./procfs_net.ts";

/** `AF_NETLINK`, from `include/linux/socket.h`. */
const AF_NETLINK = 16;
/** `SOCK_RAW`, from `include/linux/net.h`. */
const SOCK_RAW = 3;
/** `SOCK_CLOEXEC` (= `O_CLOEXEC`, 0o2000000 on x86_64 and aarch64). */
const SOCK_CLOEXEC = 0x80000;
/** `NETLINK_SOCK_DIAG`, from `include/uapi/linux/netlink.h`. */
const NETLINK_SOCK_DIAG = 4;
/** `recv` flag: return the real length of a datagram longer than the buffer. */
const MSG_TRUNC = 0x20;
/** `recv` flag: fail with EAGAIN rather than wait. */
const MSG_DONTWAIT = 0x40;

/**
 * Size of the one receive buffer. The kernel sizes each dump datagram by the largest buffer a
 * reader offered, capped just under 32 KiB (`netlink_recvmsg`), so one always fits.
 */
const RECEIVE_BUFFER_SIZE = 32 * 1024;

let receiveBuffer: Uint8Array | undefined;
let nextSeq = 1;
/**
 * The one netlink socket, opened on first use and kept: creating and closing a netlink socket costs
 * ~10 µs, more than a LISTEN-only dump, and `portctl wait` dumps every few milliseconds. Closed
 * after any dump that did not end cleanly, so a dump cut short never leaves its rest queued for
 * the next one.
 */
let openSocket: number | null = null;

/**
 * Every socket of one table, by a sock_diag dump, or null when netlink cannot answer (the caller
 * then reads `/proc/net/*`). With `listeningOnly`, a TCP dump asks for LISTEN sockets alone.
 * Entries have `user: null`, as {@linkcode parseProcNet} leaves them.
 *
 * @example
 * ```ts
 * const rows = dumpSockets({ protocol: "tcp", family: 4 }, { listeningOnly: true });
 * if (rows === null) {
 *   // read /proc/net/tcp instead
 * }
 * ```
 */
export function dumpSockets(
  table: DiagTable,
  options: { readonly listeningOnly?: boolean } = {},
): ProcNetSocket[] | null {
  const lib = openLibc();
  if (lib === null) return null;
  const fd = openSocket ?? lib.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return null;
  openSocket = null;
  const rows = dumpOn(lib, fd, table, options.listeningOnly ?? false);
  if (rows === null) lib.close(fd);
  else openSocket = fd;
  return rows;
}

/** One dump on the netlink socket `fd`, or null when it did not end cleanly. */
function dumpOn(
  lib: NonNullable<ReturnType<typeof openLibc>>,
  fd: number,
  table: DiagTable,
  listeningOnly: boolean,
): ProcNetSocket[] | null {
  const seq = nextSeq++;
  const request = encodeDiagRequest(table, { listeningOnly, seq });
  if (Number(lib.send(fd, request, BigInt(request.byteLength), 0)) !== request.byteLength) {
    return null;
  }
  const buffer = receiveBuffer ??= new Uint8Array(RECEIVE_BUFFER_SIZE);
  const rows: ProcNetSocket[] = [];
  for (;;) {
    // Never blocks: the kernel queues the first part of a dump inside send() and each next part
    // inside the recv() that takes the previous one, so a part is always waiting. Were none
    // (EAGAIN), procfs answers instead of portctl hanging.
    const received = Number(
      lib.recv(fd, buffer, BigInt(buffer.byteLength), MSG_TRUNC | MSG_DONTWAIT),
    );
    // An error, nothing queued, or a datagram cut short: none can be trusted as the whole table.
    if (received <= 0 || received > buffer.byteLength) return null;
    const batch = decodeDiagMessages(buffer.subarray(0, received), {
      protocol: table.protocol,
      into: rows,
      seq,
    });
    if (batch.kind === "error") return null;
    if (batch.done) return rows;
  }
}
