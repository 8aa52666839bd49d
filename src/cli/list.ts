/**
 * `portctl list` (alias `ls`): every listening TCP socket and bound UDP socket with its holders.
 *
 * @module
 */

import { buildCommand } from "@stricli/core";
import { lookupHolders } from "../core/lookup.ts";
import { loadBackend } from "../platform/mod.ts";
import type { Protocol, SocketEntry } from "../platform/types.ts";
import { holderJson, renderHolders } from "../output/holders.ts";
import type { CliContext } from "./context.ts";
import { switchFlag } from "./parsers.ts";
import { EXIT_CODES_HELP, ExitCode } from "./exit_codes.ts";

/** Parsed `list` flags. */
export interface ListFlags {
  readonly json?: boolean;
  readonly tcp?: boolean;
  readonly udp?: boolean;
  readonly allStates?: boolean;
}

/** Which sockets `list` shows for its flags. */
export function listFilter(flags: ListFlags): (socket: SocketEntry) => boolean {
  const protocols: Protocol[] = flags.tcp || flags.udp
    ? [...(flags.tcp ? ["tcp" as const] : []), ...(flags.udp ? ["udp" as const] : [])]
    : ["tcp", "udp"];
  return (socket) =>
    protocols.includes(socket.protocol) &&
    (socket.protocol === "udp" || socket.state === "LISTEN" || (flags.allStates ?? false));
}

async function runList(this: CliContext, flags: ListFlags) {
  const backend = await loadBackend();
  const rows = lookupHolders(backend, listFilter(flags), {
    listeningTcpOnly: !flags.allStates,
  });
  if (flags.json) {
    this.process.stdout.write(JSON.stringify(rows.map(holderJson), null, 2) + "\n");
  } else {
    this.process.stdout.write(renderHolders(rows, this));
  }
  this.exit = ExitCode.Ok;
}

/** The `list` command. */
export const listCommand = buildCommand({
  func: runList,
  parameters: {
    flags: {
      json: switchFlag("Print JSON"),
      tcp: switchFlag("TCP only"),
      udp: switchFlag("UDP only"),
      allStates: switchFlag("Also show TCP sockets that are not listening"),
    },
    positional: { kind: "tuple", parameters: [] },
  },
  docs: {
    brief: "List every listening port and its processes",
    fullDescription:
      `List every listening TCP socket and bound UDP socket with the processes holding
it. "list" exits 0 even when nothing listens (exit code 1 is for who and kill).

EXAMPLES
  portctl list
  portctl ls --tcp
  portctl list --json

${EXIT_CODES_HELP}`,
  },
});
