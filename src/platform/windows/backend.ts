/**
 * The Windows backend: sockets from iphlpapi's owner-PID tables (plus a test bind, where a query
 * depends on whether a `[::]` socket is dual-stack), processes from a Toolhelp snapshot, ending
 * through a held process handle (Ctrl-C or `WM_CLOSE` first, `TerminateProcess` last). Native
 * calls only, through `Deno.dlopen`; nothing is shelled out.
 *
 * @module
 */

import type {
  HeldSocket,
  PlatformBackend,
  ProcessHandle,
  ProcessInfo,
  Protocol,
  SignalName,
  SignalResult,
  SocketEntry,
  SocketQuery,
} from "../types.ts";
import { describeWin32Error, ERROR_ACCESS_DENIED, ERROR_INVALID_PARAMETER } from "./errors.ts";
import { closeTopLevelWindows, type GracefulAttempt, sendCtrlC } from "./graceful.ts";
import { readOwnerPidTable } from "./iphlpapi.ts";
import {
  closeHandle,
  kernel32,
  lastError,
  PROCESS_QUERY_LIMITED_INFORMATION,
  PROCESS_TERMINATE,
  STILL_ACTIVE,
  SYNCHRONIZE,
  WAIT_OBJECT_0,
  WAIT_TIMEOUT,
} from "./kernel32.ts";
import { matchingRows } from "./dual_stack.ts";
import { heldSocketFor, IDLE_PID, SYSTEM_PID, unheldPortNote, WSAEADDRINUSE } from "./owners.ts";
import { testBind } from "./ws2_32.ts";
import { waitUntil } from "../poll.ts";
import { WINDOWS_SIGNALS } from "../signals.ts";
import { lazyManagerMethods } from "../lazy_modules.ts";
import { creationTime, describeFromSnapshot, takeProcessSnapshot } from "./processes.ts";
import { decodeSocketTable, type OwnedSocketRow, type TableKind } from "./tables.ts";

const TABLE_KINDS: readonly TableKind[] = ["tcp4", "tcp6", "udp4", "udp6"];

/** Exit code `TerminateProcess` gives, as `taskkill /F` does. */
const TERMINATED_EXIT_CODE = 1;
/** Interval between checks while waiting for a process to exit. */
const EXIT_POLL_MS = 10;
/**
 * After a process has exited, how long to wait for its sockets to leave the tables. Wine frees a
 * port 100-150 ms after the process handle is signalled; a row that stays longer is held by a
 * process that inherited the socket, which waiting will not change.
 */
const SOCKET_RELEASE_MS = 1_000;

/** Every owner-PID table row, IPv4 and IPv6, TCP and UDP. */
function readAllRows(): OwnedSocketRow[] {
  return TABLE_KINDS.flatMap((kind) => decodeSocketTable(kind, readOwnerPidTable(kind)));
}

/** The rows of the tables `query` needs, IPv4 and IPv6 (a `[::]` socket may hold IPv4 ports). */
function readRows(query: SocketQuery): OwnedSocketRow[] {
  const protocols = query.protocols ?? ["tcp", "udp"];
  const listeningOnly = query.listeningTcpOnly ?? false;
  return TABLE_KINDS.filter((kind) => protocols.some((protocol) => kind.startsWith(protocol)))
    .flatMap((kind) => decodeSocketTable(kind, readOwnerPidTable(kind, { listeningOnly })));
}

/**
 * Whether the IPv6 wildcard socket on `port` is dual-stack: Windows lists such a socket only in
 * the IPv6 table, so bind `0.0.0.0` there (the caller made sure no IPv4 socket holds the port).
 * A V6ONLY socket lets the bind through; any answer but "in use" (reserved, no Winsock) is no.
 */
function isDualStack(protocol: Protocol, port: number): boolean {
  try {
    return testBind(protocol, port) === WSAEADDRINUSE;
  } catch {
    return false;
  }
}

/**
 * The rows `match` accepts. A test bind only for a `[::]` row whose match depends on it
 * (`tcp4:3000`, `[::]:3000` only): a bind, never a connection.
 */
function readMatchingRows(match: (socket: SocketEntry) => boolean, query: SocketQuery) {
  return matchingRows(readRows(query), match, isDualStack);
}

function findSockets(match: (socket: SocketEntry) => boolean, query: SocketQuery = {}) {
  const rows = readMatchingRows(match, query);
  if (rows.length === 0) return []; // a free port costs no process snapshot
  const snapshot = takeProcessSnapshot();
  return rows.map((row): HeldSocket => heldSocketFor(row, snapshot));
}

function describeProcesses(pids: readonly number[]): Map<number, ProcessInfo> {
  if (pids.length === 0) return new Map();
  return describeFromSnapshot(pids, takeProcessSnapshot());
}

/** True while some socket row still names `pid` as its owner. */
function ownsSockets(pid: number): boolean {
  return readAllRows().some((row) => row.pid === pid);
}

/**
 * Whether `pid` is still the process `startTime` names, for when no handle is held: a PID Windows
 * will not open is assumed to still be running (it exists; its identity cannot be checked).
 */
function probe(pid: number, startTime: string): boolean {
  const k32 = kernel32();
  const handle = k32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
  if (handle === null) return lastError() !== ERROR_INVALID_PARAMETER;
  try {
    const exitCode = new Uint32Array(1);
    if (k32.GetExitCodeProcess(handle, exitCode) && exitCode[0] !== STILL_ACTIVE) return false;
    return startTime === "" || creationTime(handle) === startTime;
  } finally {
    closeHandle(handle);
  }
}

/**
 * A process picked for ending. It holds an `OpenProcess` handle from the identity check to
 * `close()`: while any handle is open Windows does not reuse the PID, so every later call acts on
 * the very process that was checked.
 */
class WindowsProcessHandle implements ProcessHandle {
  readonly info: ProcessInfo;
  #handle: Deno.PointerObject | null = null;
  #canTerminate = false;
  /** Set when the PID no longer names `info` (exited, or reused by a newer process). */
  #gone = false;
  /** Why nothing can be done to the process, when Windows refused every handle. */
  #denied: string | null = null;

  constructor(info: ProcessInfo) {
    this.info = info;
    const { pid } = info;
    if (pid === IDLE_PID || pid === SYSTEM_PID) {
      this.#denied = `PID ${pid} is the Windows kernel and cannot be ended`;
      return;
    }
    const k32 = kernel32();
    const full = PROCESS_TERMINATE | SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION;
    let handle = k32.OpenProcess(full, 0, pid);
    let code = handle === null ? lastError() : 0;
    this.#canTerminate = handle !== null;
    if (handle === null && code === ERROR_ACCESS_DENIED) {
      // Another user's or an elevated process: maybe it can still be watched, just not ended.
      handle = k32.OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
      if (handle === null) code = lastError();
    }
    if (handle === null) {
      if (code === ERROR_INVALID_PARAMETER) this.#gone = true;
      else {
        this.#denied = `${describeWin32Error(`OpenProcess(${pid})`, code)}${
          code === ERROR_ACCESS_DENIED ? " (run portctl as administrator to end it)" : ""
        }`;
      }
      return;
    }
    this.#handle = handle;
    const started = creationTime(handle);
    if (info.startTime === "" || started === null) {
      // Identity cannot be checked against the earlier look: act on nothing.
      this.#denied = `cannot confirm that PID ${pid} is still the process that held the port ` +
        `(its creation time is not readable)`;
    } else if (started !== info.startTime || this.#exited()) {
      this.#gone = true;
    }
    if (this.#gone || this.#denied !== null) this.close();
  }

  #exited(): boolean {
    if (this.#handle !== null) {
      const wait = kernel32().WaitForSingleObject(this.#handle, 0);
      if (wait === WAIT_OBJECT_0) return true;
      if (wait === WAIT_TIMEOUT) return false;
      // WAIT_FAILED: never read a failed wait as "ended"; ask again without the handle.
    }
    return !probe(this.info.pid, this.info.startTime);
  }

  isRunning(): boolean {
    if (this.#gone) return false;
    if (this.#exited()) {
      this.#gone = true;
      return false;
    }
    return true;
  }

  signal(signal: SignalName): SignalResult {
    if (!this.isRunning()) return { kind: "gone" };
    if (this.#denied !== null) return { kind: "denied", message: this.#denied };
    switch (signal) {
      case "SIGKILL":
        return this.#terminate();
      case "SIGINT":
        return this.#graceful([sendCtrlC(this.info.pid)]);
      case "SIGTERM":
        return this.#graceful([sendCtrlC(this.info.pid), closeTopLevelWindows(this.info.pid)]);
      default:
        return {
          kind: "unsupported",
          message: `${signal} does not exist on Windows: use ${
            [...WINDOWS_SIGNALS.numbers.keys()].join(", ")
          }`,
        };
    }
  }

  #terminate(): SignalResult {
    const { pid } = this.info;
    if (this.#handle === null || !this.#canTerminate) {
      return {
        kind: "denied",
        message:
          `${describeWin32Error(`OpenProcess(${pid}, PROCESS_TERMINATE)`, ERROR_ACCESS_DENIED)} ` +
          `(run portctl as administrator to end it)`,
      };
    }
    if (kernel32().TerminateProcess(this.#handle, TERMINATED_EXIT_CODE)) return { kind: "sent" };
    const code = lastError();
    // TerminateProcess on a process that is already exiting answers ERROR_ACCESS_DENIED.
    if (!this.isRunning()) return { kind: "gone" };
    return { kind: "denied", message: describeWin32Error(`TerminateProcess(${pid})`, code) };
  }

  /** The result of the graceful attempts: sent if any got through. */
  #graceful(attempts: readonly GracefulAttempt[]): SignalResult {
    if (attempts.some((a) => a.kind === "sent")) return { kind: "sent" };
    if (attempts.some((a) => a.kind === "gone") || !this.isRunning()) return { kind: "gone" };
    // A graceful attempt that failed (AttachConsole refused, say) is no reason to stop: the
    // default kill then goes on to TerminateProcess, which has rights of its own.
    const failed = attempts.flatMap((a) => a.kind === "failed" ? [a.message] : []);
    if (failed.length > 0) {
      return { kind: "unsupported", message: `graceful stop failed: ${failed.join("; ")}` };
    }
    const reasons = attempts.flatMap((a) => a.kind === "unavailable" ? [a.reason] : []);
    return {
      kind: "unsupported",
      message: `graceful stop is not available for ${this.info.name} (${this.info.pid}): ` +
        `${reasons.join(" and ")}; only SIGKILL (TerminateProcess) can end it`,
    };
  }

  async waitForExit(timeoutMs: number): Promise<boolean> {
    // Short non-blocking checks: a blocking WaitForSingleObject would stall the event loop and
    // every other process being waited for.
    const exit = { timeoutMs, intervalMs: EXIT_POLL_MS };
    if (!await waitUntil(() => !this.isRunning(), exit)) return false;
    // Exited; its sockets leave the tables a moment later (Wine), so that "exited" also means
    // "its ports are free" to the caller who re-reads the table next.
    const release = { timeoutMs: SOCKET_RELEASE_MS, intervalMs: EXIT_POLL_MS };
    await waitUntil(() => !ownsSockets(this.info.pid), release);
    return true;
  }

  close(): void {
    closeHandle(this.#handle);
    this.#handle = null;
  }
}

function openProcess(info: ProcessInfo): ProcessHandle {
  return new WindowsProcessHandle(info);
}

/**
 * Why a port no socket table lists may still be unusable, or null when it binds: Windows reserves
 * port ranges (Hyper-V, WSL2, Docker, WinNAT) that no process owns, and users otherwise hear only
 * "nothing holds it". The backend's `unheldPortNote`, asked only when a target matched nothing.
 *
 * @example
 * ```ts
 * explainUnheldPort("tcp", 50000); // "nothing holds tcp port 50000, but Windows has reserved it ..."
 * ```
 */
export function explainUnheldPort(protocol: Protocol, port: number): string | null {
  try {
    return unheldPortNote(protocol, port, testBind(protocol, port));
  } catch {
    return null; // no Winsock: nothing to add
  }
}

const parts = { signals: WINDOWS_SIGNALS, describeProcesses, openProcess };

/** The Windows implementation of {@linkcode PlatformBackend}. */
export const backend: PlatformBackend = {
  os: "windows",
  ...parts,
  protectedPids: new Set([IDLE_PID, SYSTEM_PID]),
  findSockets,
  listSockets: (match, query = {}) => readMatchingRows(match, query).map((row) => row.socket),
  unheldPortNote: explainUnheldPort,
  // Managers are read, and stopped, only when a port is held: their code loads then.
  ...lazyManagerMethods("windowsManagers", parts),
  childrenOf: (pid) =>
    [...takeProcessSnapshot().values()].filter((e) => e.ppid === pid).map((e) => e.pid),
};
