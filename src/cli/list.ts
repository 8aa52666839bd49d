/**
 * What `portctl list` (alias `ls`) does: every listening TCP socket and bound UDP socket with its
 * holders. Its flags and help are in `commands.ts`; this module loads only when `list` runs.
 *
 * @module
 */

import { splitByFolder } from "../core/folder.ts";
import { lookupHolders, withManagers } from "../core/lookup.ts";
import { loadBackend } from "../platform/mod.ts";
import type { Protocol, SocketEntry } from "../platform/types.ts";
import type { ListFlags } from "./commands.ts";
import type { CliContext } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";
import { printHolders } from "./print_holders.ts";

/** Which sockets `list` shows for its flags. */
export function listFilter(flags: ListFlags): (socket: SocketEntry) => boolean {
  const protocols: Protocol[] = flags.tcp || flags.udp
    ? [...(flags.tcp ? ["tcp" as const] : []), ...(flags.udp ? ["udp" as const] : [])]
    : ["tcp", "udp"];
  return (socket) =>
    protocols.includes(socket.protocol) &&
    (socket.protocol === "udp" || socket.state === "LISTEN" || (flags.allStates ?? false));
}

/** Runs `portctl list` with parsed flags. */
export async function runList(this: CliContext, flags: ListFlags) {
  const backend = await loadBackend();
  const found = lookupHolders(backend, listFilter(flags), { listeningTcpOnly: !flags.allStates });
  const rows = await withManagers(backend, splitByFolder(found, flags.in ?? null).inside);
  printHolders(this, { ...flags, rows });
  this.exit = ExitCode.Ok;
}
