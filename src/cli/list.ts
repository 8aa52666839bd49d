/**
 * What `portctl list` (alias `ls`) does: every listening TCP socket and bound UDP socket with its
 * holders. Its flags and help are in `commands.ts`; this module loads only when `list` runs.
 *
 * @module
 */

import { lookupHolders, withManagers } from "../core/lookup.ts";
import { loadBackend } from "../platform/mod.ts";
import type { Protocol, SocketEntry } from "../platform/types.ts";
import { holderJson, renderHolders } from "../output/holders.ts";
import type { ListFlags } from "./commands.ts";
import type { CliContext } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";

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
  const rows = await withManagers(
    backend,
    lookupHolders(backend, listFilter(flags), { listeningTcpOnly: !flags.allStates }),
  );
  if (flags.json) {
    this.process.stdout.write(JSON.stringify(rows.map(holderJson), null, 2) + "\n");
  } else {
    this.process.stdout.write(renderHolders(rows, this));
  }
  this.exit = ExitCode.Ok;
}
