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
  /** The process's user; null without a visible process (`note` then names the socket's owner). */
  readonly user: string | null;
  readonly command: string | null;
  /** Why the owner is missing (not visible, held by the kernel) or special; usually null. */
  readonly note: string | null;
}

/**
 * The JSON object for one row. `pid`, `name`, `user` and `command` are the process's, all null
 * on a row without a visible process; `note` then says why, and whose socket it is.
 */
export function holderJson(row: SocketHolder): HolderJson {
  const { protocol, family, address, port, state } = row.socket;
  const { holder } = row;
  const process = holder.kind === "visible" ? holder.process : null;
  return {
    protocol,
    family,
    address,
    port,
    state,
    pid: process?.pid ?? null,
    name: process?.name ?? null,
    user: process?.user ?? null,
    command: process?.command ?? null,
    note: holder.note,
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

/**
 * The aligned table `who` and `list` print. Unlike the JSON, a row without a visible process
 * shows the socket's owner in USER, so a person sees at a glance whose it is.
 */
export function renderHolders(
  rows: readonly SocketHolder[],
  options: { width: number | null; style: Styler },
): string {
  const cells = rows.map(({ socket, holder }) => {
    const process = holder.kind === "visible" ? holder.process : null;
    const note = holder.note === null ? "" : `(${holder.note})`;
    return [
      formatProtocol(socket.protocol, socket.family),
      formatEndpoint(socket.address, socket.port),
      socket.state,
      process ? String(process.pid) : "-",
      // Without a visible process, the socket's own owner still says whose it is.
      process?.user ?? socket.user ?? "-",
      process?.name ?? "-",
      process ? [process.command, note].filter(Boolean).join(" ") : note,
    ];
  });
  return renderTable(HEADERS, cells, options);
}
