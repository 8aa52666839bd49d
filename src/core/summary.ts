/**
 * The views of a socket and of a process that hooks and `kill --json` see: the fields they
 * promise, nothing platform-specific (no uid, no start time).
 *
 * @module
 */

import type { ProcessInfo, ProcessManager, SocketEntry } from "../platform/types.ts";
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
 * A process as hooks and JSON see it.
 *
 * @example
 * ```ts
 * summarizeProcess(info); // { pid: 4242, name: "node", user: "dev", command: "node server.js" }
 * ```
 */
export function summarizeProcess(info: ProcessInfo): HookProcess {
  const { pid, name, user, command } = info;
  return { pid, name, user, command };
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
