/**
 * Aligned text tables for terminals. The last column is truncated to the terminal width, the
 * way `ps` does with commands; when there is no width (piped), nothing is cut.
 *
 * @module
 */

import type { Styler } from "./style.ts";

/** Renders `rows` under `headers`, columns separated by two spaces; ends with a newline. */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: { width: number | null; style: Styler },
): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => row[column].length))
  );
  const last = headers.length - 1;
  const lines = [headers, ...rows].map((cells) => {
    const padded = cells.map((cell, column) =>
      column === last ? cell : cell.padEnd(widths[column])
    );
    let line = padded.join("  ");
    if (options.width !== null && line.length > options.width) {
      line = line.slice(0, Math.max(options.width - 1, 0)) + "…";
    }
    return line;
  });
  lines[0] = options.style.bold(lines[0]);
  return lines.join("\n") + "\n";
}
