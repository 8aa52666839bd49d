/**
 * What `portctl kill <target>...` does: end every process holding the ports, then confirm they are
 * free. Its flags and help are in `commands.ts`; this module loads only when `kill` runs.
 *
 * @module
 */

import { UsageError } from "../core/errors.ts";
import { NO_HOOKS } from "../core/hooks.ts";
import { type KillMode, killPort, type KillResult, killSucceeded } from "../core/kill.ts";
import { parseSignal } from "../core/signals.ts";
import type { PortTarget } from "../core/target.ts";
import { importLazy } from "../lazy_modules.ts";
import { loadBackend } from "../platform/mod.ts";
import type { PlatformBackend } from "../platform/types.ts";
import { killJson, killLines } from "../output/kill_report.ts";
import { printable } from "../output/printable.ts";
import { homeFolder } from "../output/process_labels.ts";
import { DEFAULT_PLUGIN_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, type KillFlags } from "./commands.ts";
import type { CliContext } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";
import { reportUnmatched } from "./nothing_held.ts";

/** Turns `--term`, `--kill` and `--signal` into one mode; more than one is a usage error. */
export function killModeFromFlags(
  flags: Pick<KillFlags, "term" | "kill" | "signal">,
  backend: PlatformBackend,
): KillMode {
  const chosen = [
    flags.term && "--term",
    flags.kill && "--kill",
    flags.signal !== undefined && "--signal",
  ].filter(Boolean);
  if (chosen.length > 1) {
    throw new UsageError(`${chosen.join(" and ")} cannot be combined: choose one`);
  }
  if (flags.term) return { kind: "single", signal: backend.signals.graceful };
  if (flags.kill) return { kind: "single", signal: "SIGKILL" };
  if (flags.signal !== undefined) {
    return { kind: "single", signal: parseSignal(flags.signal, backend) };
  }
  return { kind: "escalate" };
}

/** A plugin's log line is cut here: one line of the terminal, not a screenful. */
const LOG_LINE_LIMIT = 2000;

/** The hooks for a kill run: the plugins the flags allow (none with `--no-plugins`). */
export async function loadHooks(
  flags: Pick<KillFlags, "noPlugins" | "plugin" | "pluginTimeout">,
  context: CliContext,
  backend: PlatformBackend,
) {
  if (flags.noPlugins) return NO_HOOKS;
  const { loadKillHooks } = await importLazy("plugins");
  const stderr = context.process.stderr;
  // Plugin names, log lines and messages are someone else's text: printed through the sanitiser.
  return await loadKillHooks({
    pluginFiles: [...(flags.plugin ?? [])],
    noPlugins: false,
    pluginTimeoutMs: flags.pluginTimeout ?? DEFAULT_PLUGIN_TIMEOUT_MS,
    cwd: Deno.cwd(),
    env: Deno.env.toObject(),
    signals: [...backend.signals.numbers.keys()],
    warn: (line: string) => stderr.write(`portctl: ${printable(line)}\n`),
    log: (plugin: string, message: string) => {
      const text = message.length > LOG_LINE_LIMIT
        ? `${message.slice(0, LOG_LINE_LIMIT)}…`
        : message;
      stderr.write(`${context.errorStyle.dim(`[${printable(plugin)}]`)} ${printable(text)}\n`);
    },
  });
}

/** Prints a kill's lines: one per process, then one per port taken again. */
export function writeKillLines(
  result: KillResult,
  context: CliContext,
): void {
  for (const line of killLines(result, { style: context.style, home: homeFolder() })) {
    context.process.stdout.write(line + "\n");
  }
}

/** Runs `portctl kill` with parsed flags and targets. */
export async function runKill(
  this: CliContext,
  flags: KillFlags,
  ...targets: PortTarget[]
): Promise<void> {
  const backend = await loadBackend();
  const mode = killModeFromFlags(flags, backend);
  const hooks = await loadHooks(flags, this, backend);
  let result;
  try {
    result = await killPort(backend, {
      targets,
      allStates: flags.allStates ?? false,
      mode,
      level: flags.mode ?? "auto",
      timeoutMs: flags.timeout ?? DEFAULT_TIMEOUT_MS,
      dryRun: flags.dryRun ?? false,
      hooks,
      folder: flags.in ?? null,
    });
  } finally {
    hooks.close();
  }
  const out = this.process.stdout;
  if (flags.json) out.write(JSON.stringify(killJson(result), null, 2) + "\n");
  if (!result.matched) {
    if (!flags.json && !flags.noFail) {
      reportUnmatched(this, {
        backend,
        targets,
        folder: flags.in ?? null,
        outside: result.outside,
      });
    }
    this.exit = flags.noFail ? ExitCode.Ok : ExitCode.NothingMatched;
    return;
  }
  if (!flags.json) writeKillLines(result, this);
  this.exit = killSucceeded(result) ? ExitCode.Ok : ExitCode.NotAllEnded;
}
