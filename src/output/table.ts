/**
 * Aligned text tables for terminals. The last column (COMMAND) is cut at its end to the terminal
 * width, the way `ps` does; one other column may be cut at its start instead, keeping a path's
 * last parts (`…/shop/api`), and then the two share the room left. When there is no width
 * (piped, `--wide`), nothing is cut.
 *
 * @module
 */

import { printable } from "./printable.ts";
import type { Styler } from "./style.ts";

/** How a table is laid out. */
export interface TableOptions {
  /** Terminal width, or null for no cutting at all. */
  readonly width: number | null;
  readonly style: Styler;
  /** A column cut from its start (keeping its end) when the terminal is too narrow: a path. */
  readonly cutStart?: number;
}

/** Renders `rows` under `headers`, columns separated by two spaces; ends with a newline. */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: TableOptions,
): string {
  const safeRows = rows.map((row) => row.map(printable));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...safeRows.map((row) => row[column].length))
  );
  const last = headers.length - 1;
  const cutStart = options.cutStart ?? null;
  let room: number | null = null;
  if (options.width !== null) {
    // Every column but the last, with the two spaces after it.
    const fixed = widths.slice(0, last).reduce((sum, width) => sum + width + 2, 0);
    room = options.width - fixed;
    if (cutStart !== null) {
      // The two cut columns share their room: each gets what it needs when that fits in half,
      // else half and what the other leaves.
      const both = room + widths[cutStart];
      const half = Math.floor(both / 2);
      const wanted = widths[cutStart];
      const share = wanted <= half ? wanted : Math.max(half, both - widths[last]);
      widths[cutStart] = Math.min(wanted, Math.max(share, headers[cutStart].length));
      room = both - widths[cutStart];
    }
  }
  const lines = [headers, ...safeRows].map((cells) => {
    const prefix = cells.slice(0, last).map((cell, column) =>
      (column === cutStart ? fitStart(cell, widths[column]) : cell).padEnd(widths[column]) + "  "
    ).join("");
    return prefix + fit(cells[last], room);
  });
  lines[0] = options.style.bold(lines[0]);
  return lines.join("\n") + "\n";
}

/** `text` cut to `room` characters with an ellipsis (nothing is cut when `room` is null). */
function fit(text: string, room: number | null): string {
  if (room === null || text.length <= room) return text;
  return room <= 1 ? "" : text.slice(0, room - 1) + "…";
}

/**
 * `text` cut from its start to `room` characters, keeping whole trailing path parts where one
 * fits: `/home/dev/projects/shop/api` in 12 is `…/shop/api`.
 */
function fitStart(text: string, room: number): string {
  if (text.length <= room) return text;
  if (room <= 1) return "";
  const tail = text.slice(text.length - (room - 1));
  const separator = tail.search(/[\\/]/);
  return `…${separator > 0 ? tail.slice(separator) : tail}`;
}
