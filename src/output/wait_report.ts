/**
 * `wait` output: the progress line on a terminal, one line per target at the timeout, and the
 * JSON of the final state.
 *
 * @module
 */

import type { SocketHolder } from "../core/lookup.ts";
import { socketMatches } from "../core/target.ts";
import type { TargetState, WaitCondition, WaitProgress, WaitResult } from "../core/wait.ts";
import { type HolderJson, holderJson } from "./holders.ts";
import { printable } from "./printable.ts";

/** `wait --json`: the final state. Field names are a contract (the README shows them). */
export interface WaitJson {
  /** What was waited for: `listening` or `free`. */
  readonly for: WaitCondition;
  /** True when every target met the condition (exit 0). */
  readonly met: boolean;
  /** Milliseconds spent waiting. */
  readonly elapsedMs: number;
  readonly targets: readonly {
    /** The target as typed. */
    readonly target: string;
    readonly met: boolean;
    /** Ports without a listener (`listening`) or still held (`free`); empty when met. */
    readonly pendingPorts: readonly number[];
  }[];
  /** Who holds the target ports at the end, as `who --json` prints them. */
  readonly holders: readonly HolderJson[];
}

/** The JSON `wait --json` prints. */
export function waitJson(
  result: WaitResult,
  options: { readonly condition: WaitCondition; readonly holders: readonly SocketHolder[] },
): WaitJson {
  return {
    for: options.condition,
    met: result.met,
    elapsedMs: Math.round(result.elapsedMs),
    targets: result.targets.map((state) => ({
      target: state.target.text,
      met: state.met,
      pendingPorts: state.pendingPorts,
    })),
    holders: options.holders.map(holderJson),
  };
}

/** `30 s`, `0.5 s`, `1.25 s`. */
export function formatSeconds(ms: number): string {
  return `${Math.round(ms / 10) / 100} s`;
}

/** Ports in a line, at most ten of them: `3003, 3007` or `3000, ..., 3009 and 90 more`. */
function listPorts(ports: readonly number[]): string {
  const shown = ports.slice(0, 10).join(", ");
  return ports.length > 10 ? `${shown} and ${ports.length - 10} more` : shown;
}

/**
 * The holders of one target, each once: `4242 node (user dev, tcp :3000)`, or for a socket whose
 * owner portctl cannot see, `an unseen process (owner not visible; user root, tcp :3000)`.
 */
function describeHolders(rows: readonly SocketHolder[]): string {
  const byHolder = new Map<string, { who: string; facts: string[] }>();
  for (const { socket, holder } of rows) {
    const key = holder.kind === "visible" ? `pid ${holder.process.pid}` : holder.kind;
    const user = holder.kind === "visible" ? holder.process.user : socket.user;
    const entry = byHolder.get(key) ?? {
      who: holder.kind === "visible"
        ? `${holder.process.pid} ${printable(holder.process.name)}`
        : holder.kind === "hidden"
        ? "an unseen process"
        : "the kernel",
      facts: user === null ? [] : [`user ${printable(user)}`],
    };
    const where = `${socket.protocol} :${socket.port}`;
    if (!entry.facts.includes(where)) entry.facts.push(where);
    byHolder.set(key, entry);
  }
  return [...byHolder.entries()].map(([key, { who, facts }]) =>
    `${who} (${key === "hidden" ? "owner not visible; " : ""}${facts.join(", ")})`
  ).join(", ");
}

/**
 * The line for a target that did not meet the condition in time, e.g.
 * `3000 is still held after 30 s by 4242 node (user dev, tcp :3000)`. `holders` are the rows
 * found for every target; the line names those on this target's ports. With `--in`, `folder`
 * (as shown: `~/shop`) says where it was waited for: `3000 is not listening in ~/shop after 30 s`.
 */
export function timeoutLine(
  state: TargetState,
  options: {
    readonly condition: WaitCondition;
    readonly timeoutMs: number;
    readonly holders: readonly SocketHolder[];
    readonly folder?: string | null;
  },
): string {
  const { target, pendingPorts } = state;
  const after = (options.folder ? `in ${options.folder} ` : "") +
    `after ${formatSeconds(options.timeoutMs)}`;
  const range = target.firstPort !== target.lastPort;
  if (options.condition === "listening") {
    return `${target.text} is not listening ${after}` +
      (range ? ` (nothing listens on ${listPorts(pendingPorts)})` : "");
  }
  const rows = options.holders.filter((row) =>
    socketMatches(row.socket, [target], { allStates: false })
  );
  const where = range ? ` (${listPorts(pendingPorts)})` : "";
  const by = rows.length > 0 ? ` by ${describeHolders(rows)}` : "";
  return `${target.text} is still held${where} ${after}${by}`;
}

/**
 * The progress line on a terminal: `waiting for 3000 to listen (1.2 s of 30 s)`, with a count
 * of ports when there are several.
 */
export function progressLine(
  progress: WaitProgress,
  options: {
    readonly condition: WaitCondition;
    readonly targets: readonly TargetState["target"][];
    readonly timeoutMs: number;
  },
): string {
  const what = options.condition === "listening" ? "to listen" : "to be free";
  const word = options.condition === "listening" ? "listening" : "free";
  const count = progress.totalPorts > 1
    ? `: ${progress.metPorts} of ${progress.totalPorts} ports ${word}`
    : "";
  const time = `${(progress.elapsedMs / 1000).toFixed(1)} s of ${formatSeconds(options.timeoutMs)}`;
  const targets = options.targets.map((target) => target.text).join(", ");
  return `waiting for ${targets} ${what}${count} (${time})`;
}
