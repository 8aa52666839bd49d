/**
 * Who holds which port: sockets from the backend joined with facts about their processes, one
 * row per (socket, process), as `who` and `list` show them.
 *
 * @module
 */

import type { HeldSocket, PlatformBackend, ProcessInfo, SocketEntry } from "../platform/types.ts";

/** One socket and one of its holders (or none, when the holder cannot be seen). */
export interface SocketHolder {
  readonly socket: SocketEntry;
  /** Null when no holder is visible or no process holds the socket. */
  readonly process: ProcessInfo | null;
  readonly ownerless: boolean;
  readonly ownerNote: string | null;
}

/** Orders rows by port, protocol, IP version, address, then PID, so output is stable. */
export function compareHolders(a: SocketHolder, b: SocketHolder): number {
  return a.socket.port - b.socket.port ||
    a.socket.protocol.localeCompare(b.socket.protocol) ||
    a.socket.family - b.socket.family ||
    a.socket.address.localeCompare(b.socket.address) ||
    (a.process?.pid ?? 0) - (b.process?.pid ?? 0);
}

/**
 * Joins held sockets with their processes. A PID that exited between the socket scan and now
 * is dropped: its socket went with it (if it was shared, the other holders still show).
 */
export function joinHolders(
  held: readonly HeldSocket[],
  processes: ReadonlyMap<number, ProcessInfo>,
): SocketHolder[] {
  const rows: SocketHolder[] = [];
  for (const entry of held) {
    const base = {
      socket: entry.socket,
      ownerless: entry.ownerless ?? false,
      ownerNote: entry.ownerNote ?? null,
    };
    // A socket with no visible holder, or with holders portctl may not see, gets a row without
    // a process: held, not free, and the note says why.
    if (entry.pids.length === 0 || entry.hiddenHolders) rows.push({ ...base, process: null });
    for (const pid of entry.pids) {
      const process = processes.get(pid);
      // The hidden-holders note belongs to the row without a process; others (Windows' "PID 4 is
      // HTTP.sys") describe the process itself.
      if (process) {
        rows.push({ ...base, ownerNote: entry.hiddenHolders ? null : base.ownerNote, process });
      }
    }
  }
  return rows.sort(compareHolders);
}

/**
 * Finds every socket `match` accepts and describes its holders. `listeningTcpOnly` promises that
 * `match` rejects TCP sockets outside LISTEN, which lets the backend skip reading them.
 */
export function lookupHolders(
  backend: PlatformBackend,
  match: (socket: SocketEntry) => boolean,
  query: { readonly listeningTcpOnly: boolean },
): SocketHolder[] {
  const held = backend.findSockets(match, query);
  if (held.length === 0) return [];
  const pids = [...new Set(held.flatMap((entry) => entry.pids))];
  return joinHolders(held, backend.describeProcesses(pids));
}
