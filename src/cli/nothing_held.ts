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

/** Writes `portctl: nothing holds port N` and any reservation notes to stderr. */
export function reportNothingHeld(
  backend: PlatformBackend,
  targets: readonly PortTarget[],
  context: CliContext,
): void {
  context.process.stderr.write(`portctl: nothing holds ${describeTargets(targets)}\n`);
  if (!backend.unheldPortNote) return;
  for (const target of targets) {
    // Single ports only: probing a whole range by binding each port would be slow and noisy.
    if (target.firstPort !== target.lastPort) continue;
    for (const protocol of target.protocols) {
      const note = backend.unheldPortNote(protocol, target.firstPort);
      if (note) context.process.stderr.write(`portctl: ${note}\n`);
    }
  }
}

/** What matched nothing: the targets, and with `--in`, the folder and the rows outside it. */
export interface Unmatched {
  readonly backend: PlatformBackend;
  readonly targets: readonly PortTarget[];
  /** `--in DIR`, or null. */
  readonly folder: string | null;
  /** Rows of holders outside `folder`. */
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
 * {@linkcode reportNothingHeld}, or, when `--in` left holders out,
 * `portctl: nothing in ~/shop holds port N; 2 other holders do (...)`.
 */
export function reportUnmatched(context: CliContext, unmatched: Unmatched): void {
  const { backend, targets, folder, outside } = unmatched;
  const others = countHolders(outside);
  if (folder === null || outside.length === 0) {
    reportNothingHeld(backend, targets, context);
    return;
  }
  const where = printable(folderLabel(folder, homeFolder()));
  const elsewhere = others === 0
    ? ""
    : `; ${others} other holder${
      others === 1 ? " does (without --in, who shows it)" : "s do (without --in, who shows them)"
    }`;
  context.process.stderr.write(
    `portctl: nothing in ${where} holds ${describeTargets(targets)}${elsewhere}\n`,
  );
}
