/**
 * `who` and `list` output: a table for people, a JSON array for scripts.
 *
 * @module
 */

import type { ManagerSummary } from "../core/hooks.ts";
import type { SocketHolder } from "../core/lookup.ts";
import { summarizeManager } from "../core/summary.ts";
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
  /** Who manages the process (a container, a service, a supervisor), or null. */
  readonly manager: ManagerSummary | null;
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
    manager: holder.kind === "visible" ? summarizeManager(holder.manager) : null,
    note: holder.note,
  };
}

/** `docker:web`, `systemd:nginx.service`: a manager in a table cell; `-` for none. */
export function managerCell(manager: Pick<ManagerSummary, "kind" | "name"> | null): string {
  return manager ? `${manager.kind}:${manager.name}` : "-";
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
 * shows the socket's owner in USER, so a person sees at a glance whose it is. A MANAGER column
 * (before COMMAND) appears when some holder has one.
 */
export function renderHolders(
  rows: readonly SocketHolder[],
  options: { width: number | null; style: Styler },
): string {
  const managed = rows.some(({ holder }) => holder.kind === "visible" && holder.manager);
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
      ...(managed ? [managerCell(holder.kind === "visible" ? holder.manager : null)] : []),
      process ? [process.command, note].filter(Boolean).join(" ") : note,
    ];
  });
  const headers = managed ? [...HEADERS.slice(0, -1), "MANAGER", "COMMAND"] : HEADERS;
  return renderTable(headers, cells, options);
}
