/**
 * What `portctl who <target>...` (alias `find`) does: show which processes hold the ports. Its
 * flags and help are in `commands.ts`; this module loads only when `who` runs.
 *
 * @module
 */

import { lookupHolders, withManagers } from "../core/lookup.ts";
import { type PortTarget, socketMatches } from "../core/target.ts";
import { loadBackend } from "../platform/mod.ts";
import { holderJson, renderHolders } from "../output/holders.ts";
import type { WhoFlags } from "./commands.ts";
import type { CliContext } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";
import { reportNothingHeld } from "./nothing_held.ts";

/** Runs `portctl who` with parsed flags and targets. */
export async function runWho(this: CliContext, flags: WhoFlags, ...targets: PortTarget[]) {
  const backend = await loadBackend();
  const options = { allStates: flags.allStates ?? false };
  const rows = await withManagers(
    backend,
    lookupHolders(backend, (socket) => socketMatches(socket, targets, options), {
      listeningTcpOnly: !options.allStates,
    }),
  );
  if (flags.json) {
    this.process.stdout.write(JSON.stringify(rows.map(holderJson), null, 2) + "\n");
  } else if (rows.length > 0) {
    this.process.stdout.write(renderHolders(rows, this));
  } else {
    reportNothingHeld(backend, targets, this);
  }
  this.exit = rows.length > 0 ? ExitCode.Ok : ExitCode.NothingMatched;
}
