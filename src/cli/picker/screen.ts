/**
 * The picker's screen as text: one frame for a state and a terminal size. Pure: the session writes
 * the frame. Every line is cut to the width (nothing wraps, so nothing scrolls), everything from
 * other processes goes through the sanitiser, and without colour (`NO_COLOR`) the highlight and
 * marks are still plain characters (`>` and `*`).
 *
 * @module
 */

import {
  endsThroughManager,
  type KillMode,
  managerLabel,
  type StopLevel,
} from "../../core/kill.ts";
import { describeSockets } from "../../output/kill_report.ts";
import { printable } from "../../output/printable.ts";
import type { Styler } from "../../output/style.ts";
import { summarizeSocket } from "../../core/summary.ts";
import type { PlanChange, PlannedEnd } from "./plan.ts";
import { plannedProcesses } from "./plan.ts";
import { type PickColumn, type PickRow, shownColumns } from "./rows.ts";
import { cursorIndex, type PickerState, visibleRows } from "./state.ts";

/** What the screen needs besides the state. */
export interface ScreenOptions {
  readonly width: number;
  readonly height: number;
  readonly style: Styler;
  /** How a mode ends a process, in words: `SIGTERM, then SIGKILL after 5 s`. */
  readonly describeMode: (mode: KillMode) => string;
  /** Whether plugins are asked before anything is signalled. */
  readonly plugins: boolean;
  /** `--mode`: which processes are stopped through their manager rather than signalled. */
  readonly level: StopLevel;
}

/** A rendered frame: its lines (exactly `height`), and where the text cursor goes, if shown. */
export interface Frame {
  readonly lines: readonly string[];
  readonly cursor: { readonly row: number; readonly column: number } | null;
}

/** Lines above the rows (title, filter, header) and below them (keys). */
const CHROME_LINES = 4;

/** How many rows fit on a screen `height` lines tall. */
export function rowsOnScreen(height: number): number {
  return Math.max(1, height - CHROME_LINES);
}

/** `text` cut to `width` characters, with an ellipsis when cut. */
export function cut(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return width <= 0 ? "" : chars.slice(0, width - 1).join("") + "…";
}

const LIST_KEYS = "Up/Down move  Space mark  Enter end  Tab tcp/udp  ^T signal  Esc quit";
const CONFIRM_KEYS = "y end them  n or Esc back to the list  ^C quit";

function protocolText(state: PickerState): string {
  return state.protocol ?? "tcp+udp";
}

function titleLine(state: PickerState, options: ScreenOptions): string {
  const shown = visibleRows(state).length;
  const marked = state.marked.size > 0 ? ` | ${state.marked.size} marked` : "";
  return `portctl | ${shown} of ${state.rows.length} shown | ${protocolText(state)}${marked} | ` +
    `ends: ${options.describeMode(state.mode)}`;
}

/** Each shown column's width for `rows`: its widest cell, at most its `maxWidth`. */
function columnWidths(columns: readonly PickColumn[], rows: readonly PickRow[]): number[] {
  return columns.map((column) =>
    Math.min(
      column.maxWidth,
      Math.max(column.header.length, ...rows.map((row) => [...printable(column.text(row))].length)),
    )
  );
}

function tableLine(cells: readonly string[], widths: readonly number[]): string {
  const last = cells.length - 1;
  return cells.map((cell, i) => i === last ? cell : cut(cell, widths[i]).padEnd(widths[i]))
    .join("  ");
}

function listLines(state: PickerState, options: ScreenOptions): string[] {
  const { style, width } = options;
  const rows = visibleRows(state);
  const columns = shownColumns(state.rows);
  const widths = columnWidths(columns, state.rows);
  const room = rowsOnScreen(options.height);
  const at = cursorIndex(state);
  // The highlight stays in view; the window moves only as far as it must.
  const first = Math.max(0, Math.min(at - Math.floor(room / 2), rows.length - room));
  const lines = [style.bold(cut(`  ${tableLine(columns.map((c) => c.header), widths)}`, width))];
  for (const [i, row] of rows.slice(first, first + room).entries()) {
    const here = first + i === at;
    const mark = state.marked.has(row.key) ? "*" : " ";
    const text = cut(
      `${here ? ">" : " "}${mark}${tableLine(columns.map((c) => printable(c.text(row))), widths)}`,
      width,
    );
    lines.push(here ? style.inverse(text.padEnd(width)) : row.process ? text : style.dim(text));
  }
  if (rows.length === 0) {
    lines.push(state.rows.length === 0 ? "  nothing is listening" : "  no row matches the filter");
  }
  return lines;
}

/** `4242 node (tcp :3000)`: a process as the confirmation names it. */
function nameOf(end: PlannedEnd): string {
  return `${end.process.pid} ${printable(end.process.name)} (${
    describeSockets([summarizeSocket(end.row.entry.socket)])
  })`;
}

function changeLine(change: PlanChange): string {
  if (change.kind === "replaced") {
    return `  ${nameOf(change.before)} is gone; now held by ${change.after.map(nameOf).join(", ")}`;
  }
  return `  ${nameOf(change.before)} is gone; ` +
    (change.hidden ? "held by a process portctl cannot see" : "nothing holds the port now");
}

function confirmLines(
  view: Extract<PickerState["view"], { kind: "confirm" }>,
  options: ScreenOptions & { mode: KillMode },
): string[] {
  const { style, width } = options;
  const processes = plannedProcesses(view.plan);
  const count = processes.length === 1 ? "this process" : `these ${processes.length} processes`;
  const lines: string[] = [];
  if (view.changes.length > 0) {
    lines.push(
      style.yellow("Changed since you pressed Enter:"),
      ...view.changes.map(changeLine),
      "",
    );
  }
  lines.push(style.bold(cut(`End ${count}?`, width)));
  for (const { process, rows } of processes) {
    const sockets = describeSockets(rows.map((row) => summarizeSocket(row.entry.socket)));
    const holder = rows[0].entry.holder;
    const manager = holder.kind === "visible" ? holder.manager : null;
    // A container's port is freed by stopping the container: say so, and how, before `y`.
    const how = manager && endsThroughManager(manager, options.level)
      ? `stopped through ${printable(managerLabel(manager))}: ${printable(manager.stopCommand)}`
      : printable(process.command);
    lines.push(cut(`  ${process.pid}  ${printable(process.name)}  (${sockets})  ${how}`, width));
  }
  const plugins = options.plugins ? "; plugins are asked first" : "; no plugins";
  lines.push("", cut(`How: ${options.describeMode(options.mode)}${plugins}`, width));
  return lines;
}

/**
 * The frame for `state`: title, filter, the table or the confirmation, and the key hints (or the
 * notice), each line cut to the width and the whole exactly the height.
 */
export function renderFrame(state: PickerState, options: ScreenOptions): Frame {
  const { width, height, style } = options;
  const filterLine = `Filter: ${printable(state.filter)}`;
  const body = state.view.kind === "list"
    ? listLines(state, options)
    : confirmLines(state.view, { ...options, mode: state.mode });
  const keys = state.view.kind === "list" ? LIST_KEYS : CONFIRM_KEYS;
  const footer = state.notice
    ? style.yellow(cut(state.notice, width))
    : style.dim(cut(keys, width));
  const room = Math.max(0, height - 3);
  const shownBody = body.length > room
    ? [...body.slice(0, room - 1), cut(`  … ${body.length - room + 1} more lines`, width)]
    : body;
  const lines = [
    style.bold(cut(titleLine(state, options), width)),
    cut(filterLine, width),
    ...shownBody,
    ...Array(Math.max(0, room - shownBody.length)).fill(""),
    footer,
  ].slice(0, height);
  const cursor = state.view.kind === "list"
    ? { row: 1, column: Math.min(width - 1, [...filterLine].length) }
    : null;
  return { lines, cursor };
}
