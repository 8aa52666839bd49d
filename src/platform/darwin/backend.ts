/**
 * The macOS backend, native calls only (no `lsof`, no `netstat`):
 *
 * - Sockets: the system-wide tables `net.inet.{tcp,udp}.pcblist_n` (what `netstat` reads), which
 *   list every IP socket and its owning uid without privileges.
 * - Holders: every process's fds through libproc (`proc_listpids`, `proc_pidinfo(PROC_PIDLISTFDS)`,
 *   `proc_pidfdinfo(PROC_PIDFDSOCKETINFO)`), read only when some socket matches. A socket-table
 *   row and an fd are the same socket when protocol and `inp_gencnt` agree.
 * - Processes: `proc_pidinfo(PROC_PIDTBSDINFO)` for parent, uid, name and start time (the identity
 *   re-checked before each `kill(2)`), `sysctl KERN_PROCARGS2` for the command line,
 *   `proc_pidpath` for the program and `proc_pidinfo(PROC_PIDVNODEPATHINFO)` for the working folder.
 *
 * Without root, libproc refuses to list another user's fds (EPERM): such sockets still show up,
 * from the socket table, as held with no visible owner, with the owner's user name.
 *
 * @module
 */

import type {
  HeldSocket,
  PlatformBackend,
  ProcessInfo,
  Protocol,
  SocketEntry,
  SocketQuery,
} from "../types.ts";
import { LibSystem, type LibSystemSymbols, openLibSystem } from "./libsystem.ts";
import {
  type DecodedSocket,
  decodeSocketFdInfo,
  EPERM,
  ESRCH,
  socketFdLocalPort,
  socketFds,
} from "./proc_info.ts";
import { startTimeTokenToMs } from "./proc_where.ts";
import { decodePcbList, type PcbSocket } from "./pcblist.ts";
import { describeEach } from "../describe_each.ts";
import { DARWIN_SIGNALS } from "../signals.ts";
import { openDarwinProcess } from "./process_handle.ts";
import { lazyManagerMethods } from "../lazy_modules.ts";

/** Options for {@linkcode createBackend}. */
export interface DarwinBackendOptions {
  /**
   * Opens libSystem's symbols, on first use. Defaults to `/usr/lib/libSystem.B.dylib`; tests pass a
   * stand-in library with the same symbols.
   */
  readonly openLibrary?: () => LibSystemSymbols;
}

/** How many processes refused to show their fds during a scan. */
interface ScanReport {
  readonly denied: number;
}

/** Key that names one PCB: generation counts are per protocol. */
function pcbKey(socket: DecodedSocket): string {
  return `${socket.entry.protocol}:${socket.generation}`;
}

/**
 * Creates the macOS backend. Nothing native is touched until a method is called.
 *
 * @example
 * ```ts
 * const backend = createBackend();
 * backend.findSockets((socket) => socket.port === 3000 && socket.state === "LISTEN");
 * ```
 */
export function createBackend(options: DarwinBackendOptions = {}): PlatformBackend {
  let opened: LibSystem | null = null;
  const native = (): LibSystem => {
    opened ??= new LibSystem((options.openLibrary ?? (() => openLibSystem().symbols))());
    return opened;
  };

  const withUser = (entry: SocketEntry): SocketEntry =>
    entry.uid === null
      ? entry
      : { ...entry, user: native().userName(entry.uid) ?? String(entry.uid) };

  /**
   * Calls `visit` with the raw `socket_fdinfo` of every TCP/UDP socket fd of every process whose
   * fds are readable. `ports`, when given, skips sockets on other local ports before decoding.
   */
  const scanSocketFds = (
    ports: ReadonlySet<number> | null,
    visit: (pid: number, info: Uint8Array) => void,
  ): ScanReport => {
    const lib = native();
    let denied = 0;
    for (const pid of lib.listPids()) {
      const fds = lib.listFds(pid);
      if (!fds.ok) {
        // ESRCH: exited since the PID list was read, which is normal.
        if (fds.errno === EPERM) denied++;
        continue;
      }
      for (const fd of socketFds(fds.value)) {
        const info = lib.socketFdInfo(pid, fd);
        if (!info.ok) continue; // closed since the fd list was read
        const port = socketFdLocalPort(info.value);
        if (port === null || (ports !== null && !ports.has(port))) continue;
        visit(pid, info.value);
      }
    }
    return { denied };
  };

  /** The tables of `protocols` (the kernel lists every TCP state: there is no LISTEN-only read). */
  const readSocketTable = (protocols: readonly Protocol[]): PcbSocket[] | null => {
    const rows: PcbSocket[] = [];
    for (const protocol of protocols) {
      const table = native().sysctlByName(`net.inet.${protocol}.pcblist_n`);
      if (!table.ok) return null;
      try {
        rows.push(...decodePcbList(table.value, protocol));
      } catch (error) {
        if (error instanceof RangeError) return null; // not the layout we know: scan fds instead
        throw error;
      }
    }
    // Every Mac has some sockets (mDNSResponder's UDP ones, at least): empty tables mean the
    // read went wrong, and scanning fds is the safer answer. A TCP table alone may be empty.
    return rows.length === 0 && protocols.includes("udp") ? null : rows;
  };

  const unseenNote = (row: PcbSocket, report: ScanReport): string => {
    const lib = native();
    const euid = lib.geteuid();
    if (euid === 0) {
      return report.denied === 0
        ? "owner not visible: no process lists this socket among its open files"
        : `owner not visible: ${report.denied} processes refused to list their open files, ` +
          "even to root";
    }
    let hint = "";
    if (row.lastPid !== null) {
      const last = lib.bsdShortInfo(row.lastPid);
      hint = ` (last used by PID ${row.lastPid}${last.ok ? ` ${last.value.name}` : ""})`;
    }
    if (row.entry.uid === euid) {
      return `owner not visible: none of the processes you can inspect holds it${hint}; ` +
        "run portctl with sudo to look at every process";
    }
    const owner = withUser(row.entry);
    return `owner not visible: the socket belongs to user ${
      owner.user ?? owner.uid
    }${hint}; run portctl with sudo to see and end it`;
  };

  /** Socket table first, then holders of the matching rows only. */
  const findWithTable = (
    table: readonly PcbSocket[],
    match: (socket: SocketEntry) => boolean,
  ): HeldSocket[] => {
    const rows = table.filter((row) => match(row.entry));
    if (rows.length === 0) return []; // a free port costs two sysctls, no fd scan
    const holders = new Map<string, number[]>();
    for (const row of rows) if (!row.orphaned) holders.set(pcbKey(row), []);
    const ports = new Set(rows.map((row) => row.entry.port));
    const report = holders.size === 0 ? { denied: 0 } : scanSocketFds(ports, (pid, info) => {
      const socket = decodeSocketFdInfo(info);
      const pids = socket === null ? undefined : holders.get(pcbKey(socket));
      if (pids !== undefined && !pids.includes(pid)) pids.push(pid);
    });
    return rows.map((row): HeldSocket => {
      const socket = withUser(row.entry);
      if (row.orphaned) {
        const note = "held by the kernel, not by a process (it goes away by itself)";
        return { socket, holders: { kind: "none", note } };
      }
      const pids = (holders.get(pcbKey(row)) ?? []).sort((a, b) => a - b);
      if (pids.length > 0) return { socket, holders: { kind: "visible", pids, note: null } };
      return {
        socket,
        holders: { kind: "hidden", visiblePids: [], note: unseenNote(row, report) },
      };
    });
  };

  /** Fallback when the socket table cannot be read: only sockets of readable processes. */
  const findByScan = (match: (socket: SocketEntry) => boolean): HeldSocket[] => {
    const found = new Map<string, { entry: SocketEntry; pids: number[] }>();
    scanSocketFds(null, (pid, info) => {
      const socket = decodeSocketFdInfo(info);
      if (socket === null || !match(socket.entry)) return;
      const key = pcbKey(socket);
      const held = found.get(key) ?? { entry: socket.entry, pids: [] };
      if (!held.pids.includes(pid)) held.pids.push(pid);
      found.set(key, held);
    });
    return [...found.values()].map((held): HeldSocket => ({
      socket: withUser(held.entry),
      holders: { kind: "visible", pids: held.pids.sort((a, b) => a - b), note: null },
    }));
  };

  const findSockets = (match: (socket: SocketEntry) => boolean, query: SocketQuery = {}) => {
    const table = readSocketTable(query.protocols ?? ["tcp", "udp"]);
    return table === null ? findByScan(match) : findWithTable(table, match);
  };

  /** The table rows alone; only where the tables cannot be read, the fd scan's sockets. */
  const listSockets = (match: (socket: SocketEntry) => boolean, query: SocketQuery = {}) => {
    const table = readSocketTable(query.protocols ?? ["tcp", "udp"]);
    if (table === null) return findByScan(match).map((held) => held.socket);
    return table.filter((row) => match(row.entry)).map((row) => row.entry);
  };

  const describeProcess = (pid: number): ProcessInfo | null => {
    const lib = native();
    const bsd = lib.bsdInfo(pid);
    let facts: { ppid: number; uid: number; name: string; startTime: string };
    if (bsd.ok) {
      if (bsd.value.zombie) return null;
      facts = bsd.value;
    } else {
      if (bsd.errno === ESRCH) return null;
      const short = lib.bsdShortInfo(pid);
      const start = lib.kinfoProcStart(pid);
      if (!short.ok || !start.ok || short.value.zombie || start.value.zombie) return null;
      facts = { ...short.value, startTime: start.value.startTime };
    }
    const args = lib.procArgs(pid);
    const exe = lib.pidPath(pid);
    const command = args.ok && args.value.length > 0 ? args.value.join(" ") : exe ?? facts.name;
    const cwd = lib.workingFolder(pid);
    return {
      pid,
      ppid: facts.ppid,
      name: facts.name,
      user: lib.userName(facts.uid) ?? String(facts.uid),
      command,
      startTime: facts.startTime,
      cwd: cwd === null ? null : { path: cwd, deleted: false },
      startedAtMs: startTimeTokenToMs(facts.startTime),
      exe,
    };
  };

  const parts = {
    signals: DARWIN_SIGNALS,
    describeProcesses: (pids: readonly number[]) => describeEach(pids, describeProcess),
    openProcess: (info: ProcessInfo) => openDarwinProcess(info, native),
  };
  return {
    os: "darwin",
    ...parts,
    // 0 is kernel_task, 1 is launchd.
    protectedPids: new Set([0, 1]),
    findSockets,
    listSockets,
    // Managers are read, and stopped, only when a port is held: their code loads then.
    ...lazyManagerMethods("darwinManagers", parts),
    childrenOf: (pid) => native().childPids(pid),
  };
}

/** The macOS implementation of {@linkcode PlatformBackend}; libSystem opens on first use. */
export const backend: PlatformBackend = createBackend();
