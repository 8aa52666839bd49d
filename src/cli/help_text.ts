/**
 * Help text shared by the commands, as the README documents it.
 *
 * @module
 */

import { describeSignals } from "../core/signals.ts";
import { currentSignals } from "../platform/mod.ts";

/** What targets look like. */
export const TARGETS_HELP = `TARGETS
  5432 or :5432      TCP and UDP, IPv4 and IPv6
  3000-3010          an inclusive range
  tcp:3000  udp:53   one protocol (also tcp4: tcp6: udp4: udp6:)
  tcp:3000-3005      a protocol and a range
By default a target matches TCP listeners and bound UDP sockets on that local port, on any
address; a client connected to the port is never matched.`;

/** The signals `--signal` takes here, for help; read from the backend's table. */
export function signalsHelp(): string {
  const table = currentSignals();
  if (!table) return "";
  const words = `--signal takes ${describeSignals(table)}; --term sends ${table.graceful}`.split(
    " ",
  );
  const lines = [""];
  for (const word of words) {
    const last = lines.length - 1;
    if (lines[last] && lines[last].length + word.length > 96) lines.push(word);
    else lines[last] = lines[last] ? `${lines[last]} ${word}` : word;
  }
  return `\n\nSIGNALS\n${lines.map((line) => `  ${line}`).join("\n")}`;
}
