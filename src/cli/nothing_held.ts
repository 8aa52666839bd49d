/**
 * The message for targets nothing holds, with the OS's word on ports that are free of sockets
 * but still refuse a bind (Windows' reserved ranges), or, with `--in DIR`, how many holders there
 * are elsewhere.
 *
 * @module
 */

import type { SocketHolder } from "../core/lookup.ts";
import { describeTargets, type PortTarget } from "../core/target.ts";
import { folderLabel, homeFolder } from "../output/process_labels.ts";
import { printable } from "../output/printable.ts";
import type { PlatformBackend } from "../platform/types.ts";
import type { CliContext } from "./context.ts";

/** `--in DIR` and the rows it left out, for the message. */
export interface FolderScope {
  /** The folder (`--in`), or null without one. */
  readonly folder: string | null;
  /** Rows of holders outside it. */
  readonly outside: readonly SocketHolder[];
}

/** How many holders (processes, and sockets whose holder is hidden) `rows` name. */
function countHolders(rows: readonly SocketHolder[]): number {
  const pids = new Set(
    rows.flatMap((r) => r.holder.kind === "visible" ? [r.holder.process.pid] : []),
  );
  return pids.size + rows.filter((r) => r.holder.kind === "hidden").length;
}

/**
 * Writes `portctl: nothing holds port N` and any reservation notes to stderr; with `--in`,
 * `portctl: nothing in ~/shop holds port N; 2 other holders do (...)`.
 */
export function reportNothingHeld(
  backend: PlatformBackend,
  targets: readonly PortTarget[],
  context: CliContext,
  scope: FolderScope = { folder: null, outside: [] },
): void {
  const stderr = context.process.stderr;
  if (scope.folder !== null) {
    const others = countHolders(scope.outside);
    const where = printable(folderLabel(scope.folder, homeFolder()));
    const elsewhere = others === 0
      ? ""
      : `; ${others} other holder${others === 1 ? " does" : "s do"} (without --in, who shows ${
        others === 1 ? "it" : "them"
      })`;
    stderr.write(`portctl: nothing in ${where} holds ${describeTargets(targets)}${elsewhere}\n`);
    if (scope.outside.length > 0) return;
  } else {
    stderr.write(`portctl: nothing holds ${describeTargets(targets)}\n`);
  }
  if (!backend.unheldPortNote) return;
  for (const target of targets) {
    // Single ports only: probing a whole range by binding each port would be slow and noisy.
    if (target.firstPort !== target.lastPort) continue;
    for (const protocol of target.protocols) {
      const note = backend.unheldPortNote(protocol, target.firstPort);
      if (note) stderr.write(`portctl: ${note}\n`);
    }
  }
}
