/**
 * The views of a socket and of a process that hooks and JSON output see: the fields they promise,
 * nothing platform-specific (no uid, no start-time token).
 *
 * @module
 */

import type { ProcessInfo, ProcessManager, SocketEntry, WorkingFolder } from "../platform/types.ts";
import type { HookProcess, ManagerSummary, SocketSummary } from "./hooks.ts";

/**
 * A socket as hooks and JSON see it.
 *
 * @example
 * ```ts
 * summarizeSocket(entry); // { protocol: "tcp", family: 4, address: "127.0.0.1", port: 3000, state: "LISTEN" }
 * ```
 */
export function summarizeSocket(socket: SocketEntry): SocketSummary {
  const { protocol, family, address, port, state } = socket;
  return { protocol, family, address, port, state };
}

/**
 * A working folder as text, as Linux and `lsof` print it: `/tmp/x (deleted)` for a folder removed
 * since the process entered it.
 *
 * @example
 * ```ts
 * folderText({ path: "/tmp/x", deleted: true }); // "/tmp/x (deleted)"
 * ```
 */
export function folderText(folder: WorkingFolder | null): string | null {
  if (folder === null) return null;
  return folder.deleted ? `${folder.path} (deleted)` : folder.path;
}

/**
 * A process as hooks and JSON see it.
 *
 * @example
 * ```ts
 * summarizeProcess(info);
 * // { pid: 4242, name: "node", user: "dev", command: "node server.js", cwd: "/home/dev/shop/api",
 * //   startedAt: "2026-05-20T16:00:00.123Z", exe: "/usr/bin/node" }
 * ```
 */
export function summarizeProcess(info: ProcessInfo): HookProcess {
  const { pid, name, user, command, exe } = info;
  const startedAt = info.startedAtMs === null ? null : new Date(info.startedAtMs).toISOString();
  return { pid, name, user, command, cwd: folderText(info.cwd), startedAt, exe };
}

/**
 * A manager as hooks and JSON see it: what it is, its name and id, and the command that stops it.
 *
 * @example
 * ```ts
 * summarizeManager(manager); // { kind: "docker", name: "web", id: "3f1c0a9e2b7d", stop: "docker stop web" }
 * ```
 */
export function summarizeManager(manager: ProcessManager | null): ManagerSummary | null {
  if (!manager) return null;
  return { kind: manager.kind, name: manager.name, id: manager.id, stop: manager.stopCommand };
}
