/**
 * `who` and `list` output: a table for people, a JSON array for scripts.
 *
 * @module
 */

import type { HookProcess, ManagerSummary } from "../core/hooks.ts";
import type { SocketHolder } from "../core/lookup.ts";
import { summarizeManager, summarizeProcess } from "../core/summary.ts";
import type { IpFamily, Protocol, SocketState } from "../platform/types.ts";
import { ageLabel, folderLabel, programNote } from "./process_labels.ts";
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
  /** Working folder; `<path> (deleted)` when removed since (Linux); null when unreadable. */
  readonly cwd: string | null;
  /** When the process started, ISO 8601 in UTC. */
  readonly startedAt: string | null;
  /** The executable's path. */
  readonly exe: string | null;
  /** Who manages the process (a container, a service, a supervisor), or null. */
  readonly manager: ManagerSummary | null;
  /** Why the owner is missing (not visible, held by the kernel) or special; usually null. */
  readonly note: string | null;
}

/** A process's fields in `who`/`list`/`kill --json`, all null when it cannot be seen. */
export function processJson(
  process: HookProcess | null,
): { readonly [Field in keyof HookProcess]: HookProcess[Field] | null } {
  return {
    pid: process?.pid ?? null,
    name: process?.name ?? null,
    user: process?.user ?? null,
    command: process?.command ?? null,
    cwd: process?.cwd ?? null,
    startedAt: process?.startedAt ?? null,
    exe: process?.exe ?? null,
  };
}

/**
 * The JSON object for one row. `pid`, `name`, `user`, `command`, `cwd`, `startedAt` and `exe` are
 * the process's, all null on a row without a visible process; `note` then says why, and whose
 * socket it is. `cwd`, `startedAt` and `exe` are also null where the OS will not say.
 */
export function holderJson(row: SocketHolder): HolderJson {
  const { protocol, family, address, port, state } = row.socket;
  const { holder } = row;
  const process = holder.kind === "visible" ? summarizeProcess(holder.process) : null;
  return {
    protocol,
    family,
    address,
    port,
    state,
    ...processJson(process),
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

/** How `who` and `list` lay their table out. */
export interface HolderTableOptions {
  /** Terminal width to cut FOLDER and COMMAND to, or null for no cutting (piped). */
  readonly width: number | null;
  readonly style: Styler;
  /** Written `~` in FOLDER; null to show folders in full. */
  readonly home: string | null;
  /** Now, for AGE. */
  readonly nowMs: number;
  /** `--wide`: nothing cut, whatever the terminal, and a PROGRAM column with the full path. */
  readonly wide: boolean;
}

/**
 * The aligned table `who` and `list` print. Unlike the JSON, a row without a visible process
 * shows the socket's owner in USER, so a person sees at a glance whose it is. NAME adds the
 * program's file name where the name does not say it (`MainThread (python3.11)`). A MANAGER
 * column (after NAME) appears when some holder has one.
 */
export function renderHolders(rows: readonly SocketHolder[], options: HolderTableOptions): string {
  const managed = rows.some(({ holder }) => holder.kind === "visible" && holder.manager);
  const headers = ["PROTO", "ADDRESS:PORT", "STATE", "PID", "USER", "NAME"];
  if (managed) headers.push("MANAGER");
  headers.push("AGE", "FOLDER");
  if (options.wide) headers.push("PROGRAM");
  headers.push("COMMAND");
  const cells = rows.map(({ socket, holder }) => {
    const info = holder.kind === "visible" ? holder.process : null;
    const process = info ? summarizeProcess(info) : null;
    const note = holder.note === null ? "" : `(${holder.note})`;
    const program = process ? programNote(process.name, process.exe) : null;
    return [
      formatProtocol(socket.protocol, socket.family),
      formatEndpoint(socket.address, socket.port),
      socket.state,
      process ? String(process.pid) : "-",
      // Without a visible process, the socket's own owner still says whose it is.
      process?.user ?? socket.user ?? "-",
      process ? (program ? `${process.name} (${program})` : process.name) : "-",
      ...(managed ? [managerCell(holder.kind === "visible" ? holder.manager : null)] : []),
      info ? ageLabel(info.startedAtMs, options.nowMs) : "-",
      process ? folderLabel(process.cwd, options.home) : "-",
      ...(options.wide ? [process?.exe ?? "-"] : []),
      process ? [process.command, note].filter(Boolean).join(" ") : note,
    ];
  });
  return renderTable(headers, cells, {
    width: options.wide ? null : options.width,
    style: options.style,
    cutStart: headers.indexOf("FOLDER"),
  });
}
