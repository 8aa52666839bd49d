/**
 * `who` and `list` output: a table for people, a JSON array for scripts.
 *
 * @module
 */

import type { SocketHolder } from "../core/lookup.ts";
import type { IpFamily, Protocol, SocketState } from "../platform/types.ts";
import type { Styler } from "./style.ts";
import { renderTable } from "./table.ts";

/** One (socket, process) pair in `who --json` / `list --json`. Field names are a contract. */
export interface HolderJson {
  readonly protocol: Protocol;
  readonly family: IpFamily;
  readonly address: string;
  readonly port: number;
  readonly state: SocketState;
  readonly pid: number | null;
  readonly name: string | null;
  readonly user: string | null;
  readonly command: string | null;
  /** Why the owner is missing (not visible, held by the kernel) or special; usually null. */
  readonly note: string | null;
}

/** The JSON object for one row. */
export function holderJson(row: SocketHolder): HolderJson {
  const { protocol, family, address, port, state } = row.socket;
  const process = row.process;
  return {
    protocol,
    family,
    address,
    port,
    state,
    pid: process?.pid ?? null,
    name: process?.name ?? null,
    // When the process is hidden, the socket's own uid still says whose it is.
    user: process ? process.user : null,
    command: process?.command ?? null,
    note: row.ownerNote,
  };
}

/** `127.0.0.1:80`, `[::1]:80`. */
export function formatEndpoint(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

/** `tcp`, `tcp6`, `udp`, `udp6`, as netstat and ss print them. */
export function formatProtocol(protocol: Protocol, family: IpFamily): string {
  return family === 6 ? `${protocol}6` : protocol;
}

const HEADERS = ["PROTO", "ADDRESS:PORT", "STATE", "PID", "USER", "NAME", "COMMAND"];

/** The aligned table `who` and `list` print. */
export function renderHolders(
  rows: readonly SocketHolder[],
  options: { width: number | null; style: Styler },
): string {
  const cells = rows.map((row) => {
    const { socket, process } = row;
    return [
      formatProtocol(socket.protocol, socket.family),
      formatEndpoint(socket.address, socket.port),
      socket.state,
      process ? String(process.pid) : "-",
      process?.user ?? socket.user ?? "-",
      process?.name ?? "-",
      process
        ? process.command + (row.ownerNote ? ` (${row.ownerNote})` : "")
        : `(${row.ownerNote ?? "owner not visible"})`,
    ];
  });
  return renderTable(HEADERS, cells, options);
}
