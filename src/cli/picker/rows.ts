/**
 * The picker's rows and columns. A row is one (socket, holder) pair from the same lookup `list`
 * uses, named by a key that survives refreshes: the socket and the process instance (PID and start
 * time), so the highlight and the marks follow a process, never a screen position.
 *
 * Columns are data: each says its header, its text, how wide it may grow, whether typing matches
 * it, and when it is shown. The screen, the filter and the width cutting all read
 * {@linkcode PICK_COLUMNS}, so a new column (the MANAGER of a container or a service, the FOLDER a
 * server runs in) is one entry here.
 *
 * @module
 */

import type { SocketHolder } from "../../core/lookup.ts";
import { folderText } from "../../core/summary.ts";
import { socketKey } from "../../core/respawn.ts";
import type { ProcessInfo } from "../../platform/types.ts";
import { formatEndpoint, formatProtocol, managerCell } from "../../output/holders.ts";
import { folderLabel, homeFolder } from "../../output/process_labels.ts";

/** One line of the picker: a socket and one of its holders. */
export interface PickRow {
  /** Names this row across refreshes: the socket, and the process by PID and start time. */
  readonly key: string;
  readonly entry: SocketHolder;
  /** The process that holds the socket, or null when none can be seen (nothing to end). */
  readonly process: ProcessInfo | null;
}

/**
 * Rows for the holders of one lookup, in its order.
 *
 * @example
 * ```ts
 * pickRows(lookupHolders(backend, match, query))[0].key; // "tcp4 127.0.0.1 3000 4242@81234"
 * ```
 */
export function pickRows(entries: readonly SocketHolder[]): PickRow[] {
  return entries.map((entry) => {
    const process = entry.holder.kind === "visible" ? entry.holder.process : null;
    const who = process ? `${process.pid}@${process.startTime}` : entry.holder.kind;
    return { key: `${socketKey(entry.socket)} ${who}`, entry, process };
  });
}

/** A column of the picker. */
export interface PickColumn {
  readonly header: string;
  /** The cell's text, as the process or the OS gave it (the screen sanitises it). */
  readonly text: (row: PickRow) => string;
  /** Widest the column grows before its cells are cut, so the columns after it stay in view. */
  readonly maxWidth: number;
  /** Typing in the filter matches this column. */
  readonly searchable: boolean;
  /** Whether the column is shown for these rows (a column nobody has a value for is not). */
  readonly shown: (rows: readonly PickRow[]) => boolean;
}

const always = () => true;
/** Shown when some row has text for `column` (how MANAGER and FOLDER will appear only when known). */
export const whenAnyRowHas = (text: (row: PickRow) => string) => (rows: readonly PickRow[]) =>
  rows.some((row) => text(row) !== "");

const managerText = (row: PickRow) =>
  row.entry.holder.kind === "visible" && row.entry.holder.manager
    ? managerCell(row.entry.holder.manager)
    : "";

const folderOf = (row: PickRow) => {
  const folder = folderText(row.process?.cwd ?? null);
  return folder === null ? "" : folderLabel(folder, homeFolder());
};

const stateText = (row: PickRow) =>
  row.entry.socket.state === "LISTEN" || row.entry.socket.state === "UNCONN"
    ? ""
    : row.entry.socket.state;

/**
 * The picker's columns, left to right. `list`'s columns, with STATE only when a row is not
 * listening (`--all-states`), and the port searchable as `:3000` as well as `3000`.
 */
export const PICK_COLUMNS: readonly PickColumn[] = [
  {
    header: "PROTO",
    text: (row) => formatProtocol(row.entry.socket.protocol, row.entry.socket.family),
    maxWidth: 5,
    searchable: true,
    shown: always,
  },
  {
    header: "ADDRESS:PORT",
    text: (row) => formatEndpoint(row.entry.socket.address, row.entry.socket.port),
    maxWidth: 24,
    searchable: true,
    shown: always,
  },
  {
    header: "STATE",
    text: stateText,
    maxWidth: 11,
    searchable: true,
    shown: whenAnyRowHas(stateText),
  },
  {
    header: "PID",
    text: (row) => row.process ? String(row.process.pid) : "-",
    maxWidth: 7,
    searchable: true,
    shown: always,
  },
  {
    header: "USER",
    // Without a visible process, the socket's own owner still says whose it is.
    text: (row) => row.process?.user ?? row.entry.socket.user ?? "-",
    maxWidth: 12,
    searchable: true,
    shown: always,
  },
  {
    header: "NAME",
    text: (row) => row.process?.name ?? "-",
    maxWidth: 16,
    searchable: true,
    shown: always,
  },
  {
    header: "MANAGER",
    text: managerText,
    maxWidth: 32,
    searchable: true,
    shown: whenAnyRowHas(managerText),
  },
  {
    header: "FOLDER",
    text: folderOf,
    maxWidth: 28,
    searchable: true,
    shown: whenAnyRowHas(folderOf),
  },
  {
    header: "COMMAND",
    text: (row) =>
      row.process
        ? row.process.command
        : row.entry.holder.kind === "visible"
        ? ""
        : `(${row.entry.holder.note})`,
    maxWidth: Infinity,
    searchable: true,
    shown: always,
  },
];

/** The columns shown for `rows`. */
export function shownColumns(rows: readonly PickRow[]): PickColumn[] {
  return PICK_COLUMNS.filter((column) => column.shown(rows));
}

/**
 * True when `row` matches what was typed: case-insensitive, a substring of any searchable column
 * (so `:3000` and `3000` find the port, `node` the name or the command, `dev` the user).
 *
 * @example
 * ```ts
 * matchesFilter(row, ":3000"); // true for a row on 127.0.0.1:3000
 * ```
 */
export function matchesFilter(row: PickRow, filter: string): boolean {
  const wanted = filter.toLowerCase();
  return wanted === "" ||
    PICK_COLUMNS.some((column) =>
      column.searchable && column.text(row).toLowerCase().includes(wanted)
    );
}
