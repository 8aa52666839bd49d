/**
 * `portctl who <target>...` (alias `find`): which processes hold the ports.
 *
 * @module
 */

import { buildCommand } from "@stricli/core";
import { lookupHolders } from "../core/lookup.ts";
import { type PortTarget, socketMatches } from "../core/target.ts";
import { loadBackend } from "../platform/mod.ts";
import { holderJson, renderHolders } from "../output/holders.ts";
import type { CliContext } from "./context.ts";
import { TARGETS_HELP } from "./help_text.ts";
import { reportNothingHeld } from "./nothing_held.ts";
import { switchFlag, TARGETS_POSITIONAL } from "./parsers.ts";
import { EXIT_CODES_HELP, ExitCode } from "./exit_codes.ts";

/** Parsed `who` flags. */
export interface WhoFlags {
  readonly json?: boolean;
  readonly allStates?: boolean;
}

async function runWho(this: CliContext, flags: WhoFlags, ...targets: PortTarget[]) {
  const backend = await loadBackend();
  const options = { allStates: flags.allStates ?? false };
  const rows = lookupHolders(backend, (socket) => socketMatches(socket, targets, options), {
    listeningTcpOnly: !options.allStates,
  });
  if (flags.json) {
    this.process.stdout.write(JSON.stringify(rows.map(holderJson), null, 2) + "\n");
  } else if (rows.length > 0) {
    this.process.stdout.write(renderHolders(rows, this));
  } else {
    reportNothingHeld(backend, targets, this);
  }
  this.exit = rows.length > 0 ? ExitCode.Ok : ExitCode.NothingMatched;
}

/** The `who` command. */
export const whoCommand = buildCommand({
  func: runWho,
  parameters: {
    flags: {
      json: switchFlag("Print JSON"),
      allStates: switchFlag("Also match TCP sockets that are not listening"),
    },
    positional: TARGETS_POSITIONAL,
  },
  docs: {
    brief: "Show which processes hold the ports",
    fullDescription: `Show every process holding a target port: protocol, address, state, PID, user,
name and command. A socket whose owner portctl cannot see (another user's process; run with
sudo) is shown with a note, never left out.

${TARGETS_HELP}

EXAMPLES
  portctl who 5432
  portctl who tcp:3000-3010 --json
  portctl find udp6:53

${EXIT_CODES_HELP}`,
  },
});
