/**
 * What `portctl wait <target>...` does: poll the socket tables until the ports are listening or
 * free, then say nothing (exit 0), or at the timeout say which targets are still missing or held
 * and by whom (exit 1). Its flags and help are in `commands.ts`; this module loads only when
 * `wait` runs.
 *
 * @module
 */

import { splitByFolder } from "../core/folder.ts";
import { lookupHolders, type SocketHolder } from "../core/lookup.ts";
import type { PortTarget } from "../core/target.ts";
import {
  judgeTargets,
  targetMatcher,
  type WaitCondition,
  waitForPorts,
  waitQuery,
  type WaitResult,
} from "../core/wait.ts";
import { loadBackend } from "../platform/mod.ts";
import type { PlatformBackend } from "../platform/types.ts";
import { type StatusLine, statusLine } from "../output/status_line.ts";
import { progressLine, timeoutLine, waitJson } from "../output/wait_report.ts";
import { DEFAULT_WAIT_TIMEOUT_MS, type WaitFlags } from "./commands.ts";
import type { CliContext } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";
import { folderLabel, homeFolder } from "../output/process_labels.ts";

/** The progress line, on a terminal only: nothing when stderr is piped. */
function progressStatus(context: CliContext): StatusLine | null {
  if (!Deno.stderr.isTerminal()) return null;
  let width = 0;
  try {
    width = Deno.consoleSize().columns;
  } catch {
    // No size to be had.
  }
  // A terminal that gives no size (0 columns: a pty nobody sized) is taken as a standard one.
  if (width <= 0) width = 80;
  return statusLine((text) => context.process.stderr.write(text), { width });
}

/**
 * Who holds the target ports, looked up once the wait is over (the one holder scan of a run). For
 * `free`, the result becomes what that look found: a port let go since the last poll is free.
 */
function withHolders(
  backend: PlatformBackend,
  result: WaitResult,
  options: {
    readonly targets: readonly PortTarget[];
    readonly condition: WaitCondition;
    readonly folder: string | null;
  },
): { result: WaitResult; holders: SocketHolder[] } {
  const { targets, condition, folder } = options;
  // With --in, holders elsewhere neither count nor are named: they are not what was waited for.
  const { inside: holders } = splitByFolder(
    lookupHolders(backend, targetMatcher(targets), {
      listeningTcpOnly: true,
      ...waitQuery(targets),
    }),
    folder,
  );
  if (condition === "listening") return { result, holders };
  const states = judgeTargets(holders.map((row) => row.socket), targets, condition);
  return {
    result: { ...result, met: states.every((state) => state.met), targets: states },
    holders,
  };
}

/** Runs `portctl wait` with parsed flags and targets. */
export async function runWait(this: CliContext, flags: WaitFlags, ...targets: PortTarget[]) {
  const backend = await loadBackend();
  const condition = flags.for ?? "listening";
  const timeoutMs = flags.timeout ?? DEFAULT_WAIT_TIMEOUT_MS;
  const status = progressStatus(this);
  const folder = flags.in ?? null;
  const polled = await waitForPorts(backend, targets, {
    condition,
    timeoutMs,
    folder,
    onPoll: status
      ? (progress) => status.show(progressLine(progress, { condition, targets, timeoutMs }))
      : undefined,
  });
  status?.clear();
  // Holders are looked for only when they are printed: the listeners for --json, what still holds
  // a port that should be free. A wait that met its condition without --json scans nothing.
  const named = condition === "listening" ? flags.json : !polled.met;
  const { result, holders } = named
    ? withHolders(backend, polled, { targets, condition, folder })
    : { result: polled, holders: [] };
  if (flags.json) {
    this.process.stdout.write(
      JSON.stringify(waitJson(result, { condition, holders }), null, 2) + "\n",
    );
  } else {
    for (const state of result.targets) {
      if (state.met) continue;
      const line = timeoutLine(state, {
        condition,
        timeoutMs,
        holders,
        folder: folder === null ? null : folderLabel(folder, homeFolder()),
      });
      this.process.stderr.write(`portctl: ${line}\n`);
    }
  }
  this.exit = result.met ? ExitCode.Ok : ExitCode.TimedOut;
}
