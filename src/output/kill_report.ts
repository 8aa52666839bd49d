/**
 * `kill` output: one line per process for people, one JSON array for scripts.
 *
 * @module
 */

import type { KillResult, ProcessKillReport } from "../core/kill.ts";
import type { RespawnReport } from "../core/respawn.ts";
import type { HookProcess, SocketSummary } from "../core/hooks.ts";
import { formatEndpoint, formatProtocol, processJson } from "./holders.ts";
import { printable } from "./printable.ts";
import { folderLabel } from "./process_labels.ts";
import type { Styler } from "./style.ts";

/** One process in `kill --json`: its fields (null when it cannot be seen), then the report's. */
export type KillReportJson =
  & { readonly [Field in keyof HookProcess]: HookProcess[Field] | null }
  & Omit<ProcessKillReport, "process">;

/**
 * A process that took a target port again after the kill (a supervisor restarted the server),
 * in `kill --json`: the same fields as a killed process, `outcome: "respawned"`, no signals, and
 * its parent.
 */
export interface RespawnJson extends Omit<KillReportJson, "outcome"> {
  readonly outcome: "respawned";
  readonly parentPid: number | null;
  readonly parentName: string | null;
}

/** The JSON array `kill --json` prints: one object per process, then any respawns. */
export function killJson(result: KillResult): (KillReportJson | RespawnJson)[] {
  return [
    ...result.reports.map((report): KillReportJson => ({
      ...processJson(report.process),
      manager: report.manager,
      sockets: report.sockets,
      signals: report.signals,
      outcome: report.outcome,
      message: report.message,
      elapsedMs: Math.round(report.elapsedMs),
    })),
    ...result.respawns.map((respawn): RespawnJson => ({
      ...processJson(respawn.process),
      manager: respawn.manager,
      sockets: respawn.sockets,
      signals: [],
      outcome: "respawned",
      message: respawnMessage(respawn),
      elapsedMs: 0,
      parentPid: respawn.parent?.pid ?? null,
      parentName: respawn.parent?.name ?? null,
    })),
  ];
}

/** Who started the port's holder again, and the one command that stops it for good. */
function respawnMessage(respawn: RespawnReport): string {
  if (!respawn.process) return "the port was taken again by a process portctl cannot see";
  if (respawn.manager) {
    return `${respawn.manager.kind} (${respawn.manager.name}) started it again; stop it with: ` +
      respawn.manager.stop;
  }
  return respawn.parent
    ? `its parent ${respawn.parent.pid} ${respawn.parent.name} started it again; stop that ` +
      `parent (kill ${respawn.parent.pid}) or whatever runs it`
    : "the port was taken again; stop whatever starts it";
}

/** `tcp :3000, udp :3000` — protocol and port, the way people name what they killed. */
export function describeSockets(sockets: readonly SocketSummary[]): string {
  const names = new Set(sockets.map((s) => `${s.protocol} :${s.port}`));
  return [...names].join(", ");
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * The line for one process, e.g. `ended 4242 node (tcp :3000) by SIGTERM in 0.12 s`; with
 * `folder` (its label, when another process in the run has the same name),
 * `ended 4242 node in ~/shop/api (tcp :3000) by SIGTERM in 0.12 s`.
 */
export function killLine(
  report: ProcessKillReport,
  { style, folder = null }: { readonly style: Styler; readonly folder?: string | null },
): string {
  const where = folder === null ? "" : ` in ${printable(folder)}`;
  const who = report.process
    ? `${report.process.pid} ${printable(report.process.name)}${where} (${
      describeSockets(report.sockets)
    })`
    : report.sockets.map((s) =>
      `${formatProtocol(s.protocol, s.family)} ${formatEndpoint(s.address, s.port)}`
    ).join(", ");
  const last = report.signals[report.signals.length - 1];
  const why = report.message ? `: ${printable(report.message)}` : "";
  switch (report.outcome) {
    case "ended": {
      const how = last ? ` by ${last}` : "";
      const note = !last && report.message ? `: ${printable(report.message)}` : "";
      return `${style.green("ended")} ${who}${how} in ${seconds(report.elapsedMs)}${note}`;
    }
    case "dry-run":
      // Nothing to signal: it would be stopped through its manager (the message says how).
      if (report.signals.length === 0) return `${style.yellow("would stop")} ${who}${why}`;
      return `${style.yellow("would signal")} ${who} with ${report.signals.join(", ")}${why}`;
    case "still-running":
      return `${style.red("still running")} ${who}${why}`;
    case "denied":
      return `${style.red("denied")} ${who}${why}`;
    case "not-visible":
      // The note itself may open with the same words; say them once.
      return `${style.red("not visible")} ${who}${why.replace(/^: owner not visible: /, ": ")}`;
    case "skipped":
      return `${style.yellow("skipped")} ${who}${why}`;
    case "plugin-failed":
      return `${style.red("not ended")} ${who}${why}`;
  }
}

/** The line for a process that took a port again after its holder ended. */
export function respawnLine(respawn: RespawnReport, style: Styler): string {
  const where = describeSockets(respawn.sockets);
  const holder = respawn.process
    ? `PID ${respawn.process.pid} ${printable(respawn.process.name)}`
    : "a process portctl cannot see";
  const parent = respawn.parent
    ? ` (parent ${respawn.parent.pid} ${printable(respawn.parent.name)})`
    : "";
  return `${style.red("held again")} ${where} by ${holder}${parent}: ` +
    printable(respawnMessage(respawn));
}

/**
 * Every line `kill` prints: one per process, then one per restart. Processes that share a name
 * (five `node` servers) are told apart by their folder.
 */
export function killLines(
  result: KillResult,
  { style, home }: { readonly style: Styler; readonly home: string | null },
): string[] {
  const names = result.reports.flatMap((report) => report.process ? [report.process.name] : []);
  const shared = new Set(names.filter((name, i) => names.indexOf(name) !== i));
  const folderOf = (process: HookProcess | null) =>
    process && shared.has(process.name)
      ? (process.cwd === null ? "an unknown folder" : folderLabel(process.cwd, home))
      : null;
  return [
    ...result.reports.map((report) =>
      killLine(report, { style, folder: folderOf(report.process) })
    ),
    ...result.respawns.map((respawn) => respawnLine(respawn, style)),
  ];
}
