/**
 * What `portctl pick` (and `portctl` alone on a terminal) does: the picker, then ending what was
 * confirmed through the kill engine, as `portctl kill` does. Its flags and help are in
 * `commands.ts`; this module, the picker's code with it, loads only when the picker opens.
 *
 * @module
 */

import { UsageError } from "../core/errors.ts";
import { type KillMode, killPort, killSucceeded, type ProcessKillReport } from "../core/kill.ts";
import { splitByFolder } from "../core/folder.ts";
import { lookupHolders, withManagers } from "../core/lookup.ts";
import { summarizeManager, summarizeProcess, summarizeSocket } from "../core/summary.ts";
import { loadBackend } from "../platform/mod.ts";
import type { PlatformBackend } from "../platform/types.ts";
import { DEFAULT_TIMEOUT_MS, type PickFlags } from "./commands.ts";
import type { CliContext } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";
import { killModeFromFlags, loadHooks, writeKillLines } from "./kill.ts";
import { listFilter } from "./list.ts";
import { planIdentities, type PlannedEnd, plannedProcesses, planTargets } from "./picker/plan.ts";
import { pickRows } from "./picker/rows.ts";
import { runPicker } from "./picker/session.ts";
import { isInteractive } from "./picker/terminal.ts";

/** How a mode ends a process, in words, for the title and the confirmation. */
export function describeMode(
  mode: KillMode,
  options: { graceful: Deno.Signal; timeoutMs: number },
): string {
  if (mode.kind === "single") return `${mode.signal} only`;
  return `${options.graceful}, then SIGKILL after ${options.timeoutMs / 1000} s`;
}

/**
 * Reports for confirmed processes the engine did not signal (`only` left them alone): gone is
 * ended, as `kill` says of a process that exits before its signal; still running means it let go
 * of the port or changed after the confirmation, so it was not touched.
 */
function unsignalledReports(
  plan: readonly PlannedEnd[],
  reported: ReadonlySet<number>,
  backend: PlatformBackend,
): ProcessKillReport[] {
  return plannedProcesses(plan).filter(({ process }) => !reported.has(process.pid)).map(
    ({ process, rows }) => {
      const holder = rows[0].entry.holder;
      const handle = backend.openProcess(process);
      const running = (() => {
        try {
          return handle.isRunning();
        } finally {
          handle.close();
        }
      })();
      return {
        process: summarizeProcess(process),
        manager: summarizeManager(holder.kind === "visible" ? holder.manager : null),
        sockets: rows.map((row) => summarizeSocket(row.entry.socket)),
        signals: [],
        outcome: running ? "still-running" : "ended",
        message: running
          ? "not signalled: it no longer holds the port as it did when you confirmed"
          : "exited before portctl signalled it",
        elapsedMs: 0,
      };
    },
  );
}

/** Runs `portctl pick` with parsed flags. */
export async function runPick(this: CliContext, flags: PickFlags): Promise<void> {
  if (!isInteractive()) {
    throw new UsageError(
      "pick needs a terminal: stdin and stdout must both be one (in scripts, use list and kill)",
    );
  }
  const backend = await loadBackend();
  const mode = killModeFromFlags(flags, backend);
  const timeoutMs = flags.timeout ?? DEFAULT_TIMEOUT_MS;
  const graceful = backend.signals.graceful;
  const match = listFilter({ tcp: flags.tcp, udp: flags.udp, allStates: flags.allStates });
  const query = { listeningTcpOnly: !flags.allStates };
  const level = flags.mode ?? "auto";
  const folder = flags.in ?? null;
  const outcome = await runPicker({
    // Only the processes in --in's folder are offered; the others are not the person's to pick.
    readRows: async () =>
      pickRows(
        await withManagers(
          backend,
          splitByFolder(lookupHolders(backend, match, query), folder).inside,
        ),
      ),
    mode,
    modes: [
      { kind: "escalate" },
      { kind: "single", signal: graceful },
      { kind: "single", signal: "SIGKILL" },
    ],
    protocol: null,
    style: this.style,
    describeMode: (shown) => describeMode(shown, { graceful, timeoutMs }),
    plugins: !flags.noPlugins,
    level,
    onEndingSignal: () => Deno.exit(ExitCode.NothingMatched),
  });
  if (outcome.kind === "quit") {
    this.exit = ExitCode.NothingMatched;
    return;
  }
  // The screen is closed: plugins' lines and the result print on the terminal as kill's do.
  const hooks = await loadHooks(flags, this, backend);
  let result;
  try {
    result = await killPort(backend, {
      targets: planTargets(outcome.plan),
      only: planIdentities(outcome.plan),
      allStates: flags.allStates ?? false,
      mode: outcome.mode,
      level,
      folder,
      timeoutMs,
      dryRun: false,
      hooks,
    });
  } finally {
    hooks.close();
  }
  const reported = new Set(result.reports.flatMap((r) => r.process ? [r.process.pid] : []));
  const reports = [...result.reports, ...unsignalledReports(outcome.plan, reported, backend)];
  writeKillLines({ ...result, reports }, this);
  this.exit = killSucceeded({ ...result, reports }) ? ExitCode.Ok : ExitCode.NotAllEnded;
}
