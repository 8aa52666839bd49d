/**
 * The message for targets nothing holds, with the OS's word on ports that are free of sockets
 * but still refuse a bind (Windows' reserved ranges).
 *
 * @module
 */

import { describeTargets, type PortTarget } from "../core/target.ts";
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
