/**
 * What `who` and `list` print for their rows: JSON for scripts, the table for people. (`wait`
 * prints the same rows.)
 *
 * @module
 */

import type { SocketHolder } from "../core/lookup.ts";
import { holderJson, renderHolders } from "../output/holders.ts";
import { homeFolder } from "../output/process_labels.ts";
import type { CliContext } from "./context.ts";

/** Writes `rows` to stdout: as one JSON array with `json`, else as the table (`wide`: uncut). */
export function printHolders(
  context: CliContext,
  { rows, json, wide }: {
    readonly rows: readonly SocketHolder[];
    readonly json?: boolean;
    readonly wide?: boolean;
  },
): void {
  if (json) {
    context.process.stdout.write(JSON.stringify(rows.map(holderJson), null, 2) + "\n");
    return;
  }
  context.process.stdout.write(renderHolders(rows, {
    width: context.width,
    style: context.style,
    home: homeFolder(),
    nowMs: Date.now(),
    wide: wide ?? false,
  }));
}
