/**
 * Who holds which port: sockets from the backend joined with facts about their processes, one
 * row per (socket, holder), as `who` and `list` show them.
 *
 * @module
 */

import type {
  HeldSocket,
  PlatformBackend,
  ProcessInfo,
  ProcessManager,
  SocketEntry,
  SocketQuery,
} from "../platform/types.ts";

/** The holder of one row: a process, or why there is none to show. */
export type Holder =
  /** A process holding the socket; `note` is what the OS says about it (usually null). */
  /**
   * A process holding the socket; `note` is what the OS says about it (usually null); `manager`
   * is who keeps it running, once {@linkcode withManagers} asked (null: nobody, or not asked).
   */
  | {
    readonly kind: "visible";
    readonly process: ProcessInfo;
    readonly note: string | null;
    readonly manager: ProcessManager | null;
  }
  /** A holder portctl cannot see (or more holders than the visible rows show); `note` says why. */
  | { readonly kind: "hidden"; readonly note: string }
  /** No process holds the socket (TIME_WAIT): nothing to end. */
  | { readonly kind: "none"; readonly note: string };

/** One socket and one of its holders. */
export interface SocketHolder {
  readonly socket: SocketEntry;
  readonly holder: Holder;
}

/** The PID of a row's process, or null when the row has none. */
export function holderPid(row: SocketHolder): number | null {
  return row.holder.kind === "visible" ? row.holder.process.pid : null;
}

/** Orders rows by port, protocol, IP version, address, then PID, so output is stable. */
export function compareHolders(a: SocketHolder, b: SocketHolder): number {
  return a.socket.port - b.socket.port ||
    a.socket.protocol.localeCompare(b.socket.protocol) ||
    a.socket.family - b.socket.family ||
    a.socket.address.localeCompare(b.socket.address) ||
    (holderPid(a) ?? 0) - (holderPid(b) ?? 0);
}

/** Every PID a backend named as a visible holder. */
function visiblePids(held: HeldSocket): readonly number[] {
  switch (held.holders.kind) {
    case "visible":
      return held.holders.pids;
    case "hidden":
      return held.holders.visiblePids;
    case "none":
      return [];
  }
}

/**
 * Joins held sockets with their processes: a row per visible process, and one row without a
 * process for a socket whose holders are (partly) hidden or that no process holds. A PID that
 * exited between the socket scan and now is dropped: its socket went with it (if it was shared,
 * the other holders still show).
 */
export function joinHolders(
  held: readonly HeldSocket[],
  processes: ReadonlyMap<number, ProcessInfo>,
): SocketHolder[] {
  const rows: SocketHolder[] = [];
  for (const entry of held) {
    const { socket, holders } = entry;
    // The note of hidden holders belongs to the row without a process, not to the visible ones.
    if (holders.kind === "none") rows.push({ socket, holder: holders });
    if (holders.kind === "hidden") {
      rows.push({ socket, holder: { kind: "hidden", note: holders.note } });
    }
    const note = holders.kind === "visible" ? holders.note : null;
    for (const pid of visiblePids(entry)) {
      const process = processes.get(pid);
      if (process) rows.push({ socket, holder: { kind: "visible", process, note, manager: null } });
    }
  }
  return rows.sort(compareHolders);
}

/**
 * Finds every socket `match` accepts and describes its holders. `query` says which tables `match`
 * accepts nothing from (`listeningTcpOnly`: no TCP socket outside LISTEN), which lets the backend
 * skip reading them.
 */
export function lookupHolders(
  backend: PlatformBackend,
  match: (socket: SocketEntry) => boolean,
  query: SocketQuery & { readonly listeningTcpOnly: boolean },
): SocketHolder[] {
  const held = backend.findSockets(match, query);
  if (held.length === 0) return [];
  const pids = [...new Set(held.flatMap(visiblePids))];
  return joinHolders(held, backend.describeProcesses(pids));
}

/**
 * The same rows with each visible holder's manager filled in: the backend is asked once, for the
 * processes of these rows only (a container engine only when one of them is a container's).
 */
export async function withManagers(
  backend: PlatformBackend,
  rows: readonly SocketHolder[],
): Promise<SocketHolder[]> {
  const holders = new Map<
    number,
    { process: ProcessInfo; ports: { protocol: "tcp" | "udp"; port: number }[] }
  >();
  for (const { socket, holder } of rows) {
    if (holder.kind !== "visible") continue;
    const entry = holders.get(holder.process.pid) ?? { process: holder.process, ports: [] };
    entry.ports.push({ protocol: socket.protocol, port: socket.port });
    holders.set(holder.process.pid, entry);
  }
  if (holders.size === 0) return [...rows];
  const managers = await backend.describeManagers([...holders.values()]);
  return rows.map((row) =>
    row.holder.kind === "visible"
      ? { ...row, holder: { ...row.holder, manager: managers.get(row.holder.process.pid) ?? null } }
      : row
  );
}
