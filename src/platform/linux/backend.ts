/**
 * The Linux backend: sockets from netlink sock_diag (`/proc/net/*` where netlink cannot answer),
 * holders from `/proc/<pid>/fd`, signals through `Deno.kill`, identity from the start time in
 * `/proc/<pid>/stat`.
 *
 * @module
 */

import type {
  HeldSocket,
  IpFamily,
  PlatformBackend,
  Protocol,
  SocketEntry,
  SocketQuery,
} from "../types.ts";
import { describeEach } from "../describe_each.ts";
import { LINUX_SIGNALS } from "../signals.ts";
import { findSocketHolders, findThreadHolders } from "./fd_scan.ts";
import { parseProcNet, type ProcNetSocket, systemBindV6Only } from "./procfs_net.ts";
import { withListenerUids } from "./inet_diag.ts";
import { dumpSockets } from "./sock_diag.ts";
import { lazyManagerMethods } from "../lazy_modules.ts";
import { openProcess } from "./process_handle.ts";
import { readProcessInfo } from "./procfs_process.ts";
import { userName } from "../accounts.ts";

const TABLES: readonly { file: string; protocol: Protocol; family: IpFamily }[] = [
  { file: "/proc/net/tcp", protocol: "tcp", family: 4 },
  { file: "/proc/net/tcp6", protocol: "tcp", family: 6 },
  { file: "/proc/net/udp", protocol: "udp", family: 4 },
  { file: "/proc/net/udp6", protocol: "udp", family: 6 },
];

function readProcTable(table: typeof TABLES[number]): ProcNetSocket[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(table.file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return []; // IPv6 disabled: no tcp6/udp6 file
    // NotCapable (Deno grants /proc only with --allow-all) must fail loudly, never read as free.
    throw error;
  }
  return parseProcNet(text, table, { bindV6Only: systemBindV6Only });
}

/** One table's rows, and whether netlink gave them (procfs is the fallback, table by table). */
function readTable(
  table: typeof TABLES[number],
  listeningTcpOnly: boolean,
): { rows: ProcNetSocket[]; fromNetlink: boolean } {
  const listeningOnly = listeningTcpOnly && table.protocol === "tcp";
  const rows = dumpSockets(table, { listeningOnly });
  return rows === null
    ? { rows: readProcTable(table), fromNetlink: false }
    : { rows, fromNetlink: true };
}

/**
 * The rows `match` accepts of every table of the query's protocols, with user names filled in (the
 * first name costs one read of `/etc/passwd`; the rest come from memory).
 */
function readTables(match: (s: SocketEntry) => boolean, query: SocketQuery): ProcNetSocket[] {
  const listeningTcpOnly = query.listeningTcpOnly ?? false;
  const protocols = query.protocols ?? ["tcp", "udp"];
  const tables = TABLES.filter((table) => protocols.includes(table.protocol))
    .map((table) => readTable(table, listeningTcpOnly));
  // Netlink says uid 0 for a SYN_RECV request socket where procfs names its listener's owner.
  const listeners = listeningTcpOnly
    ? []
    : tables.flatMap((table) => table.rows.filter((row) => row.entry.state === "LISTEN"));
  return tables.flatMap(({ rows, fromNetlink }) =>
    (fromNetlink && !listeningTcpOnly ? withListenerUids(rows, listeners) : rows)
      .filter((row) => match(row.entry))
      .map((row) => ({ ...row, entry: { ...row.entry, user: userName(row.entry.uid ?? 0) } }))
  );
}

function findSockets(
  match: (socket: SocketEntry) => boolean,
  query: SocketQuery = {},
): HeldSocket[] {
  let rows = readTables(match, query);
  const wanted = new Set(rows.map((row) => row.inode).filter((inode) => inode !== "0"));
  const { holders, unreadable } = findSocketHolders(wanted);
  // Deno.uid() needs --allow-sys: asked only once there is a socket to explain.
  const myUid = rows.length > 0 ? Deno.uid() : null;
  const mine = rows.filter((row) =>
    row.inode !== "0" && !holders.has(row.inode) && row.entry.uid === myUid
  );
  if (myUid !== 0 && mine.length > 0 && unreadable.length > 0) {
    // A socket of the user's own that nobody visible holds: a process of theirs whose leader
    // thread exited holds it, seen only through its other threads.
    const inodes = new Set(mine.map((row) => row.inode));
    for (const [inode, pids] of findThreadHolders(unreadable, inodes)) holders.set(inode, pids);
  }
  const unresolved = rows.filter((row) => row.inode !== "0" && !holders.has(row.inode));
  if (unresolved.length > 0) {
    // A socket closed between the table read and the fd scan has no holder because it is gone,
    // not because its holder is hidden: read the tables again and keep only what still exists.
    const current = new Set(readTables(match, query).map((row) => row.inode));
    rows = rows.filter((row) => !unresolved.includes(row) || current.has(row.inode));
  }
  if (rows.length === 0) return [];
  return rows.map((row): HeldSocket => {
    const socket = row.entry;
    if (row.inode === "0") {
      const note = "held by the kernel, not by a process (it goes away by itself)";
      return { socket, holders: { kind: "none", note } };
    }
    const pids = holders.get(row.inode) ?? [];
    const owner = socket.user ?? String(socket.uid);
    if (pids.length === 0) {
      return {
        socket,
        holders: {
          kind: "hidden",
          visiblePids: [],
          note: hiddenOwnerNote(owner, myUid, unreadable),
        },
      };
    }
    // Not root, and another user's socket: its creator (nginx's root master beside its workers,
    // say) may be among the processes that could not be inspected.
    if (myUid === 0 || unreadable.length === 0 || socket.uid === myUid) {
      return { socket, holders: { kind: "visible", pids, note: null } };
    }
    const note = `other holders may be hidden: the socket belongs to user ${owner}, whose ` +
      "processes portctl cannot inspect; run portctl with sudo to see and end them";
    return { socket, holders: { kind: "hidden", visiblePids: pids, note } };
  });
}

/** Why nobody visible holds a socket, and what to do about it. */
function hiddenOwnerNote(owner: string, myUid: number | null, unreadable: readonly number[]) {
  if (myUid !== 0) {
    return `owner not visible: the socket belongs to user ${owner}; run portctl with sudo to ` +
      "see and end it";
  }
  if (unreadable.length > 0) {
    const shown = unreadable.slice(0, 3).join(", ") + (unreadable.length > 3 ? ", ..." : "");
    return `owner not visible: even root may not read the fds of PID ${shown} (a process of a ` +
      "parent user namespace, such as the host's init seen from a container, or a protected " +
      "process); one of them, or a process in another PID namespace, holds it";
  }
  return "owner not visible: no process in this PID namespace holds it (a container or another " +
    "PID namespace does)";
}

/** The PIDs of `pid`'s children, from each of its threads' `children` list. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      const text = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/children`);
      for (const child of text.split(" ")) if (child.trim() !== "") children.push(Number(child));
    }
  } catch {
    // Exited, or a kernel without CONFIG_PROC_CHILDREN: no children seen.
  }
  return children;
}

/** True while `pid` sleeps on a timer: its wait channel is the kernel's nanosleep. */
function isPausing(pid: number): boolean {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/wchan`).includes("nanosleep");
  } catch {
    return false;
  }
}

const parts = {
  signals: LINUX_SIGNALS,
  describeProcesses: (pids: readonly number[]) => describeEach(pids, readProcessInfo),
  openProcess,
};

/** The Linux implementation of {@linkcode PlatformBackend}. */
export const backend: PlatformBackend = {
  os: "linux",
  ...parts,
  protectedPids: new Set([1]),
  findSockets,
  listSockets: (match, query = {}) => readTables(match, query).map((row) => row.entry),
  // Managers are read, and stopped, only when a port is held: their code loads then.
  ...lazyManagerMethods("linuxManagers", parts),
  childrenOf,
  isPausing,
};
