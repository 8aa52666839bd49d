/**
 * Who holds a socket row on Windows, with the traps Windows sets said plainly: PID 4 (the kernel:
 * HTTP.sys, SMB), PID 0 (no owner: closing connections), and an owning PID that has exited while
 * processes that inherited the socket handle keep it open.
 *
 * Pure: the process snapshot is passed in, so this is unit-tested on every OS.
 *
 * @module
 */

import type { HeldSocket, Protocol } from "../types.ts";
import type { OwnedSocketRow, ProcessEntry } from "./tables.ts";

/** PID 0, "System Idle Process": the owner Windows gives sockets no process owns. */
export const IDLE_PID = 0;
/** PID 4, "System": the kernel, owner of ports bound by drivers such as HTTP.sys and SMB. */
export const SYSTEM_PID = 4;

/** How many inheriting children a note names before it says "and N more". */
const MAX_NAMED_CHILDREN = 5;

/**
 * The {@linkcode HeldSocket} for one table row, given the processes alive now.
 *
 * @example
 * ```ts
 * heldSocketFor(row, takeProcessSnapshot()).holders; // { kind: "visible", pids: [4242], note: null }
 * ```
 */
export function heldSocketFor(
  row: OwnedSocketRow,
  snapshot: ReadonlyMap<number, ProcessEntry>,
): HeldSocket {
  const { socket, pid } = row;
  if (pid === IDLE_PID) {
    const note = socket.state === "LISTEN" || socket.state === "UNCONN"
      ? "no process owns it (Windows reports PID 0); the TCP/IP stack holds it, nothing to end"
      : `no process owns it (Windows reports PID 0): the TCP/IP stack keeps the connection in ${socket.state} until it expires by itself, nothing to end`;
    return { socket, holders: { kind: "none", note } };
  }
  if (pid === SYSTEM_PID) {
    const note = "held by the Windows kernel (PID 4, System), which cannot be ended: usually " +
      "HTTP.sys serving IIS, HttpListener, WinRM or WCF (list them with `netsh http show " +
      "servicestate`), or SMB/NetBIOS on 445/139; stop that service instead";
    return { socket, holders: { kind: "visible", pids: [pid], note } };
  }
  if (snapshot.has(pid)) return { socket, holders: { kind: "visible", pids: [pid], note: null } };
  const note = exitedOwnerNote(pid, snapshot);
  return { socket, holders: { kind: "hidden", visiblePids: [], note } };
}

/**
 * Windows names the process that created a socket, not the ones holding it now: when the creator
 * exits, children that inherited the handle keep the port. Its live children are the likely
 * holders; they are named, not ended, because the table cannot prove which one holds it.
 */
export function exitedOwnerNote(pid: number, snapshot: ReadonlyMap<number, ProcessEntry>): string {
  const children = [...snapshot.values()].filter((entry) =>
    entry.ppid === pid && entry.pid !== pid
  );
  const lead = `owning process ${pid} has exited, but the socket is still open in a process that ` +
    `inherited its handle`;
  if (children.length === 0) {
    return `${lead}; no live child of ${pid} was found, so a process it started (or a child of ` +
      `one) holds it: look for programs ${pid} launched`;
  }
  const named = children.slice(0, MAX_NAMED_CHILDREN).map((c) => `${c.pid} ${c.exeFile}`);
  const more = children.length > MAX_NAMED_CHILDREN
    ? ` and ${children.length - MAX_NAMED_CHILDREN} more`
    : "";
  return `${lead}; likely holders, the live children of ${pid}: ${named.join(", ")}${more}`;
}

/** Winsock's answer when a port is reserved: "forbidden by its access permissions". */
export const WSAEACCES = 10013;
/** Winsock's answer when a port is already bound. */
export const WSAEADDRINUSE = 10048;

/**
 * Why a port that no socket table lists may still refuse to bind on Windows, from the Winsock
 * error of a test bind (0 = it bound: nothing to explain). Hyper-V, WSL2, Docker and WinNAT reserve
 * ranges of ports that belong to no process.
 *
 * @example
 * ```ts
 * unheldPortNote("tcp", 50000, WSAEACCES); // "nothing holds tcp port 50000, but Windows ..."
 * unheldPortNote("tcp", 50000, 0); // null
 * ```
 */
export function unheldPortNote(protocol: Protocol, port: number, bindError: number): string | null {
  if (bindError === 0) return null;
  const what = `${protocol} port ${port}`;
  if (bindError === WSAEACCES) {
    return `nothing holds ${what}, but Windows has reserved it (binding fails with WSAEACCES, ` +
      `10013): Hyper-V, WSL2, Docker and WinNAT exclude port ranges that no process owns; see ` +
      `\`netsh int ipv4 show excludedportrange protocol=${protocol}\``;
  }
  if (bindError === WSAEADDRINUSE) {
    return `no process in Windows' socket tables holds ${what}, yet binding it fails with ` +
      `WSAEADDRINUSE (10048): it is held outside them (a kernel driver, another network ` +
      `compartment such as a container's, or under Wine a Linux process)`;
  }
  return `no process holds ${what}, but a test bind failed with Winsock error ${bindError}`;
}
