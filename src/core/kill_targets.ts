/**
 * What a kill run acts on: the rows of a lookup grouped by process (hidden holders apart), and
 * narrowed to the instances a person confirmed (the picker's `only`).
 *
 * @module
 */

import type { ProcessInfo, ProcessManager, SocketEntry } from "../platform/types.ts";
import type { SocketSummary } from "./hooks.ts";
import type { SocketHolder } from "./lookup.ts";
import { summarizeSocket } from "./summary.ts";

/** One process instance: its PID and its start time, which tells it from a later user of the PID. */
export type ProcessIdentity = Pick<ProcessInfo, "pid" | "startTime">;

/** A process holding target sockets, with what is known of it. */
export interface MatchedProcess {
  readonly info: ProcessInfo;
  readonly sockets: SocketSummary[];
  /** What the OS says about this holder (Windows: "PID 4 is HTTP.sys"), if anything. */
  readonly note: string | null;
  readonly manager: ProcessManager | null;
}

/** A socket whose holder portctl cannot see, and why. */
export interface HiddenSocket {
  readonly socket: SocketEntry;
  readonly note: string;
}

/** Rows grouped by process; hidden holders apart; sockets nobody holds left out. */
export function groupByProcess(rows: readonly SocketHolder[]): {
  processes: MatchedProcess[];
  hidden: HiddenSocket[];
} {
  const byPid = new Map<number, MatchedProcess>();
  const hidden: HiddenSocket[] = [];
  for (const { socket, holder } of rows) {
    if (holder.kind === "none") continue;
    if (holder.kind === "hidden") {
      hidden.push({ socket, note: holder.note });
      continue;
    }
    const { process, note, manager } = holder;
    const matched = byPid.get(process.pid) ?? { info: process, sockets: [], note, manager };
    matched.sockets.push(summarizeSocket(socket));
    byPid.set(process.pid, matched);
  }
  return { processes: [...byPid.values()], hidden };
}

/**
 * The matched processes `only` allows (all, without it), no hidden holders when it is given, and
 * the PIDs left alone: holders already there, not a restart after the kill.
 */
export function restrictTo(
  grouped: { processes: MatchedProcess[]; hidden: HiddenSocket[] },
  only: readonly ProcessIdentity[] | undefined,
): { processes: MatchedProcess[]; hidden: HiddenSocket[]; leftAlone: number[] } {
  if (!only) return { ...grouped, leftAlone: [] };
  const allowed = (info: ProcessInfo) =>
    only.some((p) => p.pid === info.pid && p.startTime === info.startTime);
  return {
    processes: grouped.processes.filter((p) => allowed(p.info)),
    hidden: [],
    leftAlone: grouped.processes.filter((p) => !allowed(p.info)).map((p) => p.info.pid),
  };
}
