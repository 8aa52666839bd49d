/**
 * What `portctl who <target>...` (alias `find`) does: show which processes hold the ports. Its
 * flags and help are in `commands.ts`; this module loads only when `who` runs.
 *
 * @module
 */

import { splitByFolder } from "../core/folder.ts";
import { lookupHolders, withManagers } from "../core/lookup.ts";
import { type PortTarget, socketMatches } from "../core/target.ts";
import { loadBackend } from "../platform/mod.ts";
import type { WhoFlags } from "./commands.ts";
import type { CliContext } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";
import { reportUnmatched } from "./nothing_held.ts";
import { printHolders } from "./print_holders.ts";

/** Runs `portctl who` with parsed flags and targets. */
export async function runWho(this: CliContext, flags: WhoFlags, ...targets: PortTarget[]) {
  const backend = await loadBackend();
  const options = { allStates: flags.allStates ?? false };
  const found = lookupHolders(backend, (socket) => socketMatches(socket, targets, options), {
    listeningTcpOnly: !options.allStates,
  });
  const { inside, outside } = splitByFolder(found, flags.in ?? null);
  const rows = await withManagers(backend, inside);
  if (flags.json || rows.length > 0) printHolders(this, { ...flags, rows });
  else reportUnmatched(this, { backend, targets, folder: flags.in ?? null, outside });
  this.exit = rows.length > 0 ? ExitCode.Ok : ExitCode.NothingMatched;
}
