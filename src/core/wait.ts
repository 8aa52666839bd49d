/**
 * Waiting until target ports are listening or free, from the socket tables alone: each poll is
 * one {@linkcode PlatformBackend.listSockets} call (on Linux a few netlink dumps, ~40-80 µs), never
 * a look for holders, never a connection to the port, never a signal.
 *
 * @module
 */

import type { PlatformBackend, Protocol, SocketEntry, SocketQuery } from "../platform/types.ts";
import { waitUntil } from "../platform/poll.ts";
import { splitByFolder } from "./folder.ts";
import { lookupHolders } from "./lookup.ts";
import { socketKey } from "./respawn.ts";
import { type PortTarget, socketMatches } from "./target.ts";

/** What `portctl wait` waits for: every target port listening, or no target port held. */
export type WaitCondition = "listening" | "free";

/**
 * Milliseconds between two polls: a change is seen within this (plus one poll, ~0.1 ms) of
 * happening, and polling costs about 1% of one core (`deno task bench` measures both).
 */
export const WAIT_POLL_MS = 15;

/** Where one target stands. */
export interface TargetState {
  readonly target: PortTarget;
  /** True when the condition holds for every port of the target. */
  readonly met: boolean;
  /**
   * The ports that keep it from holding, ascending: those without a listener (`listening`) or
   * those still held (`free`); empty when met.
   */
  readonly pendingPorts: readonly number[];
}

/** The target ports held by the sockets in `sockets`: a target's ports, per target. */
function heldPorts(
  sockets: readonly SocketEntry[],
  targets: readonly PortTarget[],
): Set<number>[] {
  return targets.map((target) => {
    const ports = new Set<number>();
    for (const socket of sockets) {
      if (socketMatches(socket, [target], { allStates: false })) ports.add(socket.port);
    }
    return ports;
  });
}

/** True when the condition holds for `target`, whose ports `held` are held. */
function holds(target: PortTarget, held: ReadonlySet<number>, condition: WaitCondition): boolean {
  return condition === "free"
    ? held.size === 0
    : held.size === target.lastPort - target.firstPort + 1;
}

/**
 * Where each target stands, given the sockets that match any of them. A target matches as
 * everywhere in portctl ({@linkcode socketMatches}): TCP in LISTEN and bound UDP sockets, on any
 * address, a dual-stack `[::]` socket counting for IPv4 too.
 *
 * @example
 * ```ts
 * judgeTargets([listener3000], [parseTarget("3000-3001")], "listening");
 * // [{ target, met: false, pendingPorts: [3001] }]
 * ```
 */
export function judgeTargets(
  sockets: readonly SocketEntry[],
  targets: readonly PortTarget[],
  condition: WaitCondition,
): TargetState[] {
  const held = heldPorts(sockets, targets);
  return targets.map((target, i) => {
    const met = holds(target, held[i], condition);
    if (met) return { target, met, pendingPorts: [] };
    const pendingPorts = condition === "free"
      ? [...held[i]].sort((a, b) => a - b)
      : portsOf(target).filter((port) => !held[i].has(port));
    return { target, met, pendingPorts };
  });
}

function portsOf(target: PortTarget): number[] {
  return Array.from(
    { length: target.lastPort - target.firstPort + 1 },
    (_, i) => i + target.firstPort,
  );
}

/** A socket held on any target port (the default matching: TCP LISTEN, bound UDP). */
export function targetMatcher(targets: readonly PortTarget[]): (socket: SocketEntry) => boolean {
  return (socket) => socketMatches(socket, targets, { allStates: false });
}

/**
 * The tables a wait reads: TCP listeners only, and only the protocols some target names
 * (`tcp:3000` never reads the UDP tables).
 */
export function waitQuery(targets: readonly PortTarget[]): SocketQuery {
  const protocols = new Set<Protocol>(targets.flatMap((target) => target.protocols));
  return { listeningTcpOnly: true, protocols: [...protocols] };
}

/** How a wait ended. */
export interface WaitResult {
  /** True when the condition held for every target before the timeout. */
  readonly met: boolean;
  /** Where each target stood at the last poll. */
  readonly targets: readonly TargetState[];
  /** Milliseconds from the first poll to the last. */
  readonly elapsedMs: number;
}

/** What {@linkcode waitForPorts} is told. */
export interface WaitOptions {
  readonly condition: WaitCondition;
  /** Give up after this long; 0 checks once. */
  readonly timeoutMs: number;
  /** Called after every poll that did not end the wait: for a progress line. */
  readonly onPoll?: (progress: WaitProgress) => void;
  /**
   * `--in DIR`: only sockets held by a process working in this folder (or below) count; null for
   * all. Costs a look for holders, made only while some target socket exists.
   */
  readonly folder?: string | null;
}

/**
 * With `--in`, how long a look for holders is trusted while the same sockets stay open: a change
 * in the sockets is looked at at once; a server replaced on the very same sockets, within this.
 */
export const FOLDER_RECHECK_MS = 250;

/**
 * A filter keeping the sockets held by processes in `folder`. A look for holders costs far more
 * than a poll, so it is made only when some target socket exists, and again only when the
 * sockets change or after {@linkcode FOLDER_RECHECK_MS}.
 */
function folderFilter(
  backend: PlatformBackend,
  { match, query, folder }: {
    readonly match: (socket: SocketEntry) => boolean;
    readonly query: SocketQuery;
    readonly folder: string;
  },
): (sockets: SocketEntry[]) => SocketEntry[] {
  let lastKeys = "";
  let lastLookAt = -Infinity;
  let inside: SocketEntry[] = [];
  return (sockets) => {
    if (sockets.length === 0) return sockets;
    const keys = sockets.map(socketKey).sort().join("|");
    const now = performance.now();
    if (keys !== lastKeys || now - lastLookAt >= FOLDER_RECHECK_MS) {
      const rows = lookupHolders(backend, match, { ...query, listeningTcpOnly: true });
      inside = splitByFolder(rows, folder).inside.map((row) => row.socket);
      lastKeys = keys;
      lastLookAt = now;
    }
    return inside;
  };
}

/** Where a wait stands after a poll, for a progress line. */
export interface WaitProgress {
  readonly elapsedMs: number;
  /** Target ports that meet the condition, of `totalPorts`. */
  readonly metPorts: number;
  readonly totalPorts: number;
}

/**
 * Polls the socket tables until every target meets `condition` or the timeout passes. It reads
 * only the tables (no holders), connects to nothing and signals nothing.
 *
 * @example
 * ```ts
 * const result = await waitForPorts(backend, [parseTarget("3000")], {
 *   condition: "listening",
 *   timeoutMs: 30_000,
 * });
 * result.met; // true once something listens on 3000
 * ```
 */
export async function waitForPorts(
  backend: PlatformBackend,
  targets: readonly PortTarget[],
  options: WaitOptions,
): Promise<WaitResult> {
  const match = targetMatcher(targets);
  const query = waitQuery(targets);
  const folder = options.folder ?? null;
  const inFolder = folder === null ? null : folderFilter(backend, { match, query, folder });
  const started = performance.now();
  let sockets: SocketEntry[] = [];
  // Blocking sleeps: nothing else runs meanwhile, and a timer's wake-up costs as much as a poll.
  const met = await waitUntil(() => {
    sockets = backend.listSockets(match, query);
    if (inFolder) sockets = inFolder(sockets);
    // Only counts while waiting: the pending port lists are built once, at the end.
    const held = heldPorts(sockets, targets);
    if (targets.every((target, i) => holds(target, held[i], options.condition))) return true;
    options.onPoll?.(progressOf(targets, held, options.condition, performance.now() - started));
    return false;
  }, { timeoutMs: options.timeoutMs, intervalMs: WAIT_POLL_MS, blocking: true });
  // waitUntil polls once more at the deadline, so `sockets` is the last word either way.
  return {
    met,
    targets: judgeTargets(sockets, targets, options.condition),
    elapsedMs: performance.now() - started,
  };
}

function progressOf(
  targets: readonly PortTarget[],
  held: readonly Set<number>[],
  condition: WaitCondition,
  elapsedMs: number,
): WaitProgress {
  let metPorts = 0, totalPorts = 0;
  targets.forEach((target, i) => {
    const size = target.lastPort - target.firstPort + 1;
    totalPorts += size;
    metPorts += condition === "listening" ? held[i].size : size - held[i].size;
  });
  return { elapsedMs, metPorts, totalPorts };
}
