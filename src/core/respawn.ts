/**
 * After a kill: confirming the target ports are free, and catching a manager that starts the server
 * again. portctl watches only while a restart is plausible, and for as long as that manager takes:
 *
 * - a known manager (supervisord, pm2, runit, systemd, ...): until its restart would have happened
 *   (its {@linkcode RestartHabit}), or the restart is seen;
 * - a parent that exited, an interactive shell, a run-as wrapper, a manager that never restarts a
 *   killed process (nodemon): nothing to watch, the ports are read once;
 * - any other live parent: only while it shows signs of restarting: a new child (the `sleep 1` of
 *   a shell loop, the new server of a supervisor that restarts at once), or sleeping on a timer
 *   (`time.sleep(1)` before a restart, where the OS says), each sign extending the watch by
 *   {@linkcode EVIDENCE_MS}, up to {@linkcode EVIDENCE_CAP_MS}; and no longer once every such
 *   parent has exited (an `sh -c` goes with its child).
 *
 * @module
 */

import { pause } from "../platform/poll.ts";
import type {
  PlatformBackend,
  ProcessInfo,
  ProcessManager,
  SocketEntry,
} from "../platform/types.ts";
import type { HookProcess, ManagerSummary, SocketSummary } from "./hooks.ts";
import { lookupHolders, type SocketHolder, withManagers } from "./lookup.ts";
import { summarizeManager, summarizeProcess, summarizeSocket } from "./summary.ts";
import { cannotRestart } from "./supervisor.ts";

/** A process that took a target port again after its holder was ended (a restart). */
export interface RespawnReport {
  /** The new holder, or null when it cannot be seen. */
  readonly process: HookProcess | null;
  readonly parent: HookProcess | null;
  /** Who manages the new holder, when known: the one to stop it through. */
  readonly manager: ManagerSummary | null;
  /** Every target socket it holds. */
  readonly sockets: readonly SocketSummary[];
}

/** How long a parent with no new child is watched after its child died. */
export const EVIDENCE_MS = 15;
/** The longest a parent's signs of restarting keep the watch going. */
export const EVIDENCE_CAP_MS = 5000;
/** Between two reads of the socket table while watching. */
const TABLE_POLL_MS = 25;
/** Between two looks at a watched parent's children. */
const CHILDREN_POLL_MS = 3;

/** Names a socket across two reads of the table. */
export function socketKey(socket: SocketEntry): string {
  return `${socket.protocol}${socket.family} ${socket.address} ${socket.port}`;
}

/** A parent to watch for signs of restarting what it ran. */
export interface WatchedParent {
  readonly parent: ProcessInfo;
  /** Its children before the kill (the ended process among them): not signs. */
  readonly childrenBefore: ReadonlySet<number>;
}

/** How one ended process may come back, as decided before it was ended. */
export type RestartWatch =
  /** Nothing will start it again: the ports are read once. */
  | { readonly kind: "none" }
  /** Its manager may, within this long. */
  | { readonly kind: "fixed"; readonly ms: number }
  /** Its parent might, if it shows signs. */
  | { readonly kind: "evidence"; readonly watched: WatchedParent };

/**
 * What to watch for one process about to be ended by signals: by its manager's habit, else by
 * its parent (read before the kill, with its children then).
 */
export function restartWatchFor(
  backend: PlatformBackend,
  { manager, parent }: {
    readonly manager: ProcessManager | null;
    readonly parent: ProcessInfo | null;
  },
): RestartWatch {
  if (manager) {
    switch (manager.restart.kind) {
      case "within":
        return { kind: "fixed", ms: manager.restart.ms };
      case "never":
        return { kind: "none" };
      case "evidence":
        break;
    }
  }
  if (!parent || cannotRestart(parent)) return { kind: "none" };
  return {
    kind: "evidence",
    watched: { parent, childrenBefore: new Set(backend.childrenOf(parent.pid)) },
  };
}

/** What {@linkcode findRespawns} watches, and for how long. */
export interface RespawnWatch {
  readonly match: (socket: SocketEntry) => boolean;
  readonly query: { readonly listeningTcpOnly: boolean };
  /** Processes portctl already reported as still alive: not new holders. */
  readonly survivors: ReadonlySet<number>;
  /** Sockets already reported as held by someone portctl cannot see (by {@linkcode socketKey}). */
  readonly hiddenSockets: ReadonlySet<string>;
  /** One per ended process: how it may come back. */
  readonly restarts: readonly RestartWatch[];
}

/** Holders of a target port that are new: not a survivor, not a socket already reported hidden. */
function newHolders(backend: PlatformBackend, watch: RespawnWatch): SocketHolder[] {
  // Usually the ports are free: the socket table alone says so, without a look for holders.
  if (backend.listSockets(watch.match, watch.query).length === 0) return [];
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
 * What the watched parents show: `signs` while some parent is alive and started a child since the
 * kill, or sleeps on a timer as a supervisor does before it restarts what died; `alive` while any
 * is still running (once none is, nobody is left to restart anything: an `sh -c` exits with its
 * child).
 */
function parentSigns(
  backend: PlatformBackend,
  parents: readonly WatchedParent[],
): { readonly alive: boolean; readonly signs: boolean } {
  let alive = false;
  for (const { parent, childrenBefore } of parents) {
    const handle = backend.openProcess(parent);
    try {
      if (!handle.isRunning()) continue;
    } finally {
      handle.close();
    }
    alive = true;
    if (
      backend.childrenOf(parent.pid).some((child) => !childrenBefore.has(child)) ||
      (backend.isPausing?.(parent.pid) ?? false)
    ) return { alive, signs: true };
  }
  return { alive, signs: false };
}

/**
 * Re-reads the socket table while a restart is plausible (see the module) and reports holders
 * that are new: anyone holding a target port who is not a process portctl already reported as
 * still alive. Returns at the first one seen.
 */
export async function findRespawns(
  backend: PlatformBackend,
  watch: RespawnWatch,
): Promise<RespawnReport[]> {
  const started = performance.now();
  const fixedUntil = started +
    Math.max(0, ...watch.restarts.map((r) => r.kind === "fixed" ? r.ms : 0));
  const parents = watch.restarts.flatMap((r) => r.kind === "evidence" ? [r.watched] : []);
  let evidenceUntil = parents.length > 0 ? started + EVIDENCE_MS : started;
  let nextTable = started;
  let fresh: SocketHolder[] = [];
  for (;;) {
    const now = performance.now();
    if (now >= nextTable) {
      fresh = newHolders(backend, watch);
      if (fresh.length > 0) break;
      nextTable = now + TABLE_POLL_MS;
    }
    if (parents.length > 0) {
      const seen = parentSigns(backend, parents);
      if (seen.signs) evidenceUntil = Math.min(started + EVIDENCE_CAP_MS, now + EVIDENCE_MS);
      else if (!seen.alive) evidenceUntil = Math.min(evidenceUntil, now);
    }
    const until = Math.max(fixedUntil, evidenceUntil);
    if (now >= until) {
      // One last read, so a restart in the last moments is not missed.
      if (until > started) fresh = newHolders(backend, watch);
      break;
    }
    const wait = parents.length > 0 ? CHILDREN_POLL_MS : nextTable - now;
    await pause(Math.max(1, Math.min(wait, until - now)));
  }
  return await describeRespawns(backend, fresh);
}

/** One report per new holder, with its parent and manager; hidden sockets one by one. */
async function describeRespawns(
  backend: PlatformBackend,
  rows: readonly SocketHolder[],
): Promise<RespawnReport[]> {
  if (rows.length === 0) return [];
  const fresh = await withManagers(backend, rows);
  const processOf = (row: SocketHolder) =>
    row.holder.kind === "visible" ? row.holder.process : null;
  const parents = backend.describeProcesses(fresh.flatMap((row) => {
    const ppid = processOf(row)?.ppid;
    return ppid ? [ppid] : [];
  }));
  const byHolder = new Map<number | string, RespawnReport & { sockets: SocketSummary[] }>();
  for (const row of fresh) {
    const process = processOf(row);
    const key = process?.pid ?? socketKey(row.socket);
    const parent = process?.ppid ? parents.get(process.ppid) : undefined;
    const report = byHolder.get(key) ?? {
      process: process ? summarizeProcess(process) : null,
      parent: parent ? summarizeProcess(parent) : null,
      manager: row.holder.kind === "visible" ? summarizeManager(row.holder.manager) : null,
      sockets: [],
    };
    report.sockets.push(summarizeSocket(row.socket));
    byHolder.set(key, report);
  }
  return [...byHolder.values()];
}
