/**
 * After a kill: re-reading the socket table to confirm the target ports are free, and noticing a
 * supervisor (systemd, pm2, nodemon, docker) that restarted the server on one of them.
 *
 * @module
 */

import { waitUntil } from "../platform/poll.ts";
import type { PlatformBackend, ProcessInfo, SocketEntry } from "../platform/types.ts";
import type { HookProcess, SocketSummary } from "./hooks.ts";
import { lookupHolders, type SocketHolder } from "./lookup.ts";
import { summarizeProcess, summarizeSocket } from "./summary.ts";
import { cannotRestart } from "./supervisor.ts";

/** A process that took a target port again after its holder was ended (a restart). */
export interface RespawnReport {
  /** The new holder, or null when it cannot be seen. */
  readonly process: HookProcess | null;
  readonly parent: HookProcess | null;
  /** Every target socket it holds. */
  readonly sockets: readonly SocketSummary[];
}

/** Between two reads of the socket table while watching for a restart. */
const SETTLE_POLL_MS = 25;

/** Names a socket across two reads of the table. */
export function socketKey(socket: SocketEntry): string {
  return `${socket.protocol}${socket.family} ${socket.address} ${socket.port}`;
}

/** True when a parent that outlived its child may restart it (not a terminal shell, running). */
export function isLikelySupervisor(
  parent: ProcessInfo | undefined,
  backend: PlatformBackend,
): boolean {
  if (!parent || cannotRestart(parent)) return false;
  const handle = backend.openProcess(parent);
  try {
    return handle.isRunning();
  } finally {
    handle.close();
  }
}

/** What {@linkcode findRespawns} watches, and for how long. */
export interface RespawnWatch {
  readonly match: (socket: SocketEntry) => boolean;
  readonly query: { readonly listeningTcpOnly: boolean };
  /** Processes portctl already reported as still alive: not new holders. */
  readonly survivors: ReadonlySet<number>;
  /** Sockets already reported as held by someone portctl cannot see (by {@linkcode socketKey}). */
  readonly hiddenSockets: ReadonlySet<string>;
  /** How long to keep re-reading the table; 0 reads it once. */
  readonly settleMs: number;
}

/** Holders of a target port that are new: not a survivor, not a socket already reported hidden. */
function newHolders(backend: PlatformBackend, watch: RespawnWatch): SocketHolder[] {
  return lookupHolders(backend, watch.match, watch.query).filter(({ socket, holder }) => {
    switch (holder.kind) {
      case "none":
        return false;
      case "visible":
        return !watch.survivors.has(holder.process.pid);
      case "hidden":
        return !watch.hiddenSockets.has(socketKey(socket));
    }
  });
}

/**
 * Re-reads the socket table until `settleMs` passes and reports holders that are new: anyone
 * holding a target port who is not a process portctl already reported as still alive.
 */
export async function findRespawns(
  backend: PlatformBackend,
  watch: RespawnWatch,
): Promise<RespawnReport[]> {
  let fresh: SocketHolder[] = [];
  await waitUntil(() => (fresh = newHolders(backend, watch)).length > 0, {
    timeoutMs: watch.settleMs,
    intervalMs: SETTLE_POLL_MS,
  });
  const processOf = (row: SocketHolder) =>
    row.holder.kind === "visible" ? row.holder.process : null;
  const parents = backend.describeProcesses(fresh.flatMap((row) => {
    const ppid = processOf(row)?.ppid;
    return ppid ? [ppid] : [];
  }));
  // One report per new holder; sockets nobody visible holds are reported one by one.
  const byHolder = new Map<number | string, RespawnReport & { sockets: SocketSummary[] }>();
  for (const row of fresh) {
    const process = processOf(row);
    const key = process?.pid ?? socketKey(row.socket);
    const parent = process?.ppid ? parents.get(process.ppid) : undefined;
    const report = byHolder.get(key) ?? {
      process: process ? summarizeProcess(process) : null,
      parent: parent ? summarizeProcess(parent) : null,
      sockets: [],
    };
    report.sockets.push(summarizeSocket(row.socket));
    byHolder.set(key, report);
  }
  return [...byHolder.values()];
}
