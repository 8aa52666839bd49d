/**
 * What a person confirmed in the picker, and the check that it is still true. A plan names each
 * process instance (PID and start time) and the port it was seen on. Before anything is signalled
 * the plan is checked against a fresh read of the socket table: a process that exited, restarted
 * with the same PID, or was replaced by another PID on the port makes a new plan that names the new
 * holder, and that plan needs its own confirmation. The kill engine then signals only the
 * instances of the confirmed plan (`KillOptions.only`) and checks the start time before each signal.
 *
 * @module
 */

import type { ProcessIdentity } from "../../core/kill_targets.ts";
import { parseTarget, type PortTarget } from "../../core/target.ts";
import type { ProcessInfo, Protocol } from "../../platform/types.ts";
import type { PickRow } from "./rows.ts";

/** One process to end, and the socket it was confirmed on. */
export interface PlannedEnd {
  readonly row: PickRow;
  readonly process: ProcessInfo;
}

/** What has changed about one planned end since it was confirmed. */
export type PlanChange =
  /** Another process (or the same PID started again) holds the port now: it replaces the old. */
  | {
    readonly kind: "replaced";
    readonly before: PlannedEnd;
    readonly after: readonly PlannedEnd[];
  }
  /** Nothing portctl can see holds the port now: nothing to end there. */
  | { readonly kind: "gone"; readonly before: PlannedEnd; readonly hidden: boolean };

/** The result of checking a plan against a fresh read. */
export type PlanCheck =
  | { readonly kind: "unchanged" }
  /** `plan` is what holds the ports now (maybe nothing); it needs a new confirmation. */
  | {
    readonly kind: "changed";
    readonly plan: readonly PlannedEnd[];
    readonly changes: readonly PlanChange[];
  };

/** The planned ends for the rows a person chose; rows without a visible process are left out. */
export function planFor(rows: readonly PickRow[]): PlannedEnd[] {
  return rows.flatMap((row) => row.process ? [{ row, process: row.process }] : []);
}

const sameInstance = (a: ProcessInfo, b: ProcessInfo) =>
  a.pid === b.pid && a.startTime === b.startTime;

const portOf = (end: PlannedEnd | PickRow) => {
  const socket = "entry" in end ? end.entry.socket : end.row.entry.socket;
  return `${socket.protocol} ${socket.port}`;
};

/**
 * Checks `plan` against `fresh` rows: unchanged when every planned process instance still holds
 * its port. Otherwise a new plan: the unchanged ends, plus each new holder of a port whose planned
 * process no longer holds it.
 *
 * @example
 * ```ts
 * checkPlan(plan, pickRows(lookupHolders(backend, match, query))); // { kind: "unchanged" }
 * ```
 */
export function checkPlan(plan: readonly PlannedEnd[], fresh: readonly PickRow[]): PlanCheck {
  const changes: PlanChange[] = [];
  const next: PlannedEnd[] = [];
  const planned = (row: PickRow) => next.some((end) => end.row.key === row.key);
  for (const end of plan) {
    const onPort = fresh.filter((row) => portOf(row) === portOf(end));
    if (onPort.some((row) => row.process && sameInstance(row.process, end.process))) {
      if (!planned(end.row)) next.push(end);
      continue;
    }
    const after = planFor(onPort).filter((candidate) => !planned(candidate.row));
    next.push(...after);
    changes.push(
      after.length > 0
        ? { kind: "replaced", before: end, after }
        : { kind: "gone", before: end, hidden: onPort.some((row) => !row.process) },
    );
  }
  return changes.length === 0 ? { kind: "unchanged" } : { kind: "changed", plan: next, changes };
}

/** The targets for the kill engine: each planned port, on its protocol. */
export function planTargets(plan: readonly PlannedEnd[]): PortTarget[] {
  const texts = new Set(plan.map((end) => {
    const { protocol, port } = end.row.entry.socket;
    return `${protocol satisfies Protocol}:${port}`;
  }));
  return [...texts].map(parseTarget);
}

/** The process instances the kill engine may signal: exactly the planned ones. */
export function planIdentities(plan: readonly PlannedEnd[]): ProcessIdentity[] {
  return plan.map(({ process: { pid, startTime } }) => ({ pid, startTime }));
}

/** The planned processes, each once, with every socket it was planned on. */
export function plannedProcesses(
  plan: readonly PlannedEnd[],
): { process: ProcessInfo; rows: PickRow[] }[] {
  const byInstance = new Map<string, { process: ProcessInfo; rows: PickRow[] }>();
  for (const end of plan) {
    const key = `${end.process.pid}@${end.process.startTime}`;
    const entry = byInstance.get(key) ?? { process: end.process, rows: [] };
    entry.rows.push(end.row);
    byInstance.set(key, entry);
  }
  return [...byInstance.values()];
}
