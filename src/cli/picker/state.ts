/**
 * The picker as data: what is listed, typed, highlighted, marked and being confirmed, and how
 * each key and each refresh changes it. Pure (no terminal, no clock of its own), so every rule the
 * screen follows, above all "what you confirmed is what gets signalled", is tested without one.
 *
 * @module
 */

import type { KillMode } from "../../core/kill.ts";
import type { Protocol } from "../../platform/types.ts";
import type { Key } from "./keys.ts";
import { checkPlan, type PlanChange, planFor, type PlannedEnd } from "./plan.ts";
import { matchesFilter, type PickRow } from "./rows.ts";

/** What the picker shows: the list, or a confirmation of what will be ended. */
export type PickerView =
  | { readonly kind: "list" }
  | {
    readonly kind: "confirm";
    readonly plan: readonly PlannedEnd[];
    /** Why this is a fresh confirmation (the list changed under an earlier one); empty if not. */
    readonly changes: readonly PlanChange[];
    /** `y` counts only from this time (ms): a changed plan must be seen before it is confirmed. */
    readonly confirmableAt: number;
  };

/** Everything the picker knows. */
export interface PickerState {
  readonly rows: readonly PickRow[];
  readonly filter: string;
  /** Only this protocol (Tab cycles), or both. */
  readonly protocol: Protocol | null;
  /** The highlighted row by key, and its place, for when that row goes away. */
  readonly cursor: { readonly key: string | null; readonly index: number };
  readonly marked: ReadonlySet<string>;
  readonly view: PickerView;
  /** How processes will be ended; Ctrl-T cycles through `modes`. */
  readonly mode: KillMode;
  readonly modes: readonly KillMode[];
  /** One line for the person (why a key did nothing, what changed), until the next key. */
  readonly notice: string | null;
}

/** What the session does after a key. */
export type PickerAction = "none" | "quit" | "confirm";

/** How long a changed plan is shown before `y` may confirm it. */
export const CHANGED_PLAN_GRACE_MS = 600;

/** The first state, for the first read of the table. */
export function initialState(
  rows: readonly PickRow[],
  options: { mode: KillMode; modes: readonly KillMode[]; protocol: Protocol | null },
): PickerState {
  return {
    rows,
    filter: "",
    protocol: options.protocol,
    cursor: { key: rows[0]?.key ?? null, index: 0 },
    marked: new Set(),
    view: { kind: "list" },
    mode: options.mode,
    modes: options.modes,
    notice: null,
  };
}

/** The rows the filter and the protocol let through, in order. */
export function visibleRows(state: PickerState): PickRow[] {
  return state.rows.filter((row) =>
    (state.protocol === null || row.entry.socket.protocol === state.protocol) &&
    matchesFilter(row, state.filter)
  );
}

/** The place of the highlighted row among the visible ones (-1 when none is visible). */
export function cursorIndex(state: PickerState): number {
  const rows = visibleRows(state);
  if (rows.length === 0) return -1;
  const at = rows.findIndex((row) => row.key === state.cursor.key);
  return at >= 0 ? at : Math.min(state.cursor.index, rows.length - 1);
}

/** Puts the highlight on the visible row at `index` (clamped). */
function moveTo(state: PickerState, index: number): PickerState {
  const rows = visibleRows(state);
  const at = Math.max(0, Math.min(index, rows.length - 1));
  return { ...state, cursor: { key: rows[at]?.key ?? null, index: at } };
}

/** Keeps the highlight on the same process, or on the row now at its place. */
function keepCursor(state: PickerState): PickerState {
  return moveTo(state, cursorIndex(state));
}

/**
 * A new read of the table: the highlight stays on the same process, marks on processes that are
 * gone are dropped, and a confirmation whose processes changed becomes a fresh one naming the
 * new holders (or goes back to the list when nothing is left to end).
 */
export function withRows(state: PickerState, rows: readonly PickRow[], now: number): PickerState {
  const keys = new Set(rows.map((row) => row.key));
  const marked = new Set([...state.marked].filter((key) => keys.has(key)));
  let next = keepCursor({ ...state, rows, marked });
  if (next.view.kind === "confirm") {
    const check = checkPlan(next.view.plan, rows);
    if (check.kind === "changed") next = { ...next, view: changedView(check, now) };
    if (next.view.kind === "confirm" && next.view.plan.length === 0) {
      next = { ...next, view: { kind: "list" }, notice: "nothing left to end: it changed" };
    }
  }
  return next;
}

function changedView(
  check: { plan: readonly PlannedEnd[]; changes: readonly PlanChange[] },
  now: number,
): PickerView {
  return {
    kind: "confirm",
    plan: check.plan,
    changes: check.changes,
    confirmableAt: now + CHANGED_PLAN_GRACE_MS,
  };
}

/**
 * `y` was pressed and the table read again: `end` with the plan when nothing changed, or the state
 * with a fresh confirmation naming what holds the ports now.
 */
export function confirmAgainst(
  state: PickerState,
  fresh: readonly PickRow[],
  now: number,
): { kind: "end"; plan: readonly PlannedEnd[] } | { kind: "changed"; state: PickerState } {
  if (state.view.kind !== "confirm") return { kind: "changed", state };
  const check = checkPlan(state.view.plan, fresh);
  if (check.kind === "unchanged") return { kind: "end", plan: state.view.plan };
  return { kind: "changed", state: withRows(state, fresh, now) };
}

function toggleMark(state: PickerState): PickerState {
  const row = visibleRows(state)[cursorIndex(state)];
  if (!row) return state;
  if (!row.process) {
    return { ...state, notice: "nothing to end on this row: its owner is not visible" };
  }
  const marked = new Set(state.marked);
  if (!marked.delete(row.key)) marked.add(row.key);
  return moveTo({ ...state, marked }, cursorIndex(state) + 1);
}

function askToConfirm(state: PickerState): PickerState {
  const marked = state.rows.filter((row) => state.marked.has(row.key));
  const chosen = marked.length > 0 ? marked : [visibleRows(state)[cursorIndex(state)]];
  const plan = planFor(chosen.filter((row) => row !== undefined));
  if (plan.length === 0) {
    return {
      ...state,
      notice: chosen[0] ? "nothing to end on this row: its owner is not visible" : "nothing to end",
    };
  }
  return { ...state, view: { kind: "confirm", plan, changes: [], confirmableAt: 0 } };
}

function cycle<T>(values: readonly T[], current: T): T {
  return values[(values.indexOf(current) + 1) % values.length];
}

/** What one key does in the list. */
function listKey(state: PickerState, key: Key, pageSize: number): [PickerState, PickerAction] {
  const at = cursorIndex(state);
  switch (key.kind) {
    case "up":
      return [moveTo(state, at - 1), "none"];
    case "down":
      return [moveTo(state, at + 1), "none"];
    case "page-up":
      return [moveTo(state, at - pageSize), "none"];
    case "page-down":
      return [moveTo(state, at + pageSize), "none"];
    case "home":
      return [moveTo(state, 0), "none"];
    case "end":
      return [moveTo(state, Infinity), "none"];
    case "space":
      return [toggleMark(state), "none"];
    case "enter":
      return [askToConfirm(state), "none"];
    case "escape":
      return [state, "quit"];
    case "tab":
      return [
        keepCursor({ ...state, protocol: cycle([null, "tcp", "udp"], state.protocol) }),
        "none",
      ];
    case "backspace":
      return [keepCursor({ ...state, filter: [...state.filter].slice(0, -1).join("") }), "none"];
    case "text":
      return [keepCursor({ ...state, filter: state.filter + key.text }), "none"];
    case "ctrl":
      switch (key.letter) {
        case "c":
          return [state, "quit"];
        case "p":
          return [moveTo(state, at - 1), "none"];
        case "n":
          return [moveTo(state, at + 1), "none"];
        case "u":
          return [keepCursor({ ...state, filter: "" }), "none"];
        case "t":
          return [{ ...state, mode: cycle(state.modes, state.mode) }, "none"];
      }
  }
  return [state, "none"];
}

/** What one key does while a confirmation is shown. */
function confirmKey(state: PickerState, key: Key, now: number): [PickerState, PickerAction] {
  if (state.view.kind !== "confirm") return [state, "none"];
  if (key.kind === "text" && /^[yY]$/.test(key.text)) {
    if (now < state.view.confirmableAt) {
      return [
        { ...state, notice: "what will be ended just changed: read it, then press y" },
        "none",
      ];
    }
    return [state, "confirm"];
  }
  if (key.kind === "escape" || (key.kind === "text" && /^[nN]$/.test(key.text))) {
    return [{ ...state, view: { kind: "list" } }, "none"];
  }
  if (key.kind === "ctrl" && key.letter === "c") return [state, "quit"];
  return [state, "none"];
}

/**
 * What a key does: the new state, and whether the session quits or checks and ends the plan.
 * `pageSize` is how many rows Page Up/Down move; `now` is the time in ms.
 */
export function pressKey(
  state: PickerState,
  key: Key,
  options: { pageSize: number; now: number },
): [PickerState, PickerAction] {
  const cleared = { ...state, notice: null };
  return state.view.kind === "list"
    ? listKey(cleared, key, options.pageSize)
    : confirmKey(cleared, key, options.now);
}
