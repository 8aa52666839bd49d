/**
 * Aligned text tables for terminals. Only the last column (COMMAND) is cut to the terminal
 * width, the way `ps` does; when there is no width (piped), nothing is cut.
 *
 * @module
 */

import { printable } from "./printable.ts";
import type { Styler } from "./style.ts";

/** Renders `rows` under `headers`, columns separated by two spaces; ends with a newline. */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: { width: number | null; style: Styler },
): string {
  const safeRows = rows.map((row) => row.map(printable));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...safeRows.map((row) => row[column].length))
  );
  const last = headers.length - 1;
  const lines = [headers, ...safeRows].map((cells) => {
    const prefix = cells.slice(0, last).map((cell, column) => cell.padEnd(widths[column]) + "  ")
      .join("");
    return prefix + fit(cells[last], options.width === null ? null : options.width - prefix.length);
  });
  lines[0] = options.style.bold(lines[0]);
  return lines.join("\n") + "\n";
}

/** `text` cut to `room` characters with an ellipsis (nothing is cut when `room` is null). */
function fit(text: string, room: number | null): string {
  if (room === null || text.length <= room) return text;
  return room <= 1 ? "" : text.slice(0, room - 1) + "…";
}
