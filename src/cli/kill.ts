/**
 * `portctl kill <target>...`: end every process holding the ports, then confirm they are free.
 *
 * @module
 */

import { buildCommand } from "@stricli/core";
import { UsageError } from "../core/errors.ts";
import { NO_HOOKS } from "../core/hooks.ts";
import { type KillMode, killPort, killSucceeded } from "../core/kill.ts";
import { parseSignal } from "../core/signals.ts";
import type { PortTarget } from "../core/target.ts";
import { loadBackend } from "../platform/mod.ts";
import type { PlatformBackend } from "../platform/types.ts";
import { killJson, killLine, respawnLine } from "../output/kill_report.ts";
import type { CliContext } from "./context.ts";
import { TARGETS_HELP } from "./help_text.ts";
import { reportNothingHeld } from "./nothing_held.ts";
import { secondsParser, switchFlag, TARGETS_POSITIONAL } from "./parsers.ts";
import { EXIT_CODES_HELP, ExitCode } from "./exit_codes.ts";

/** Parsed `kill` flags. */
export interface KillFlags {
  readonly term?: boolean;
  readonly kill?: boolean;
  readonly signal?: string;
  readonly timeout?: number;
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly allStates?: boolean;
  readonly noFail?: boolean;
  readonly plugin?: readonly string[];
  readonly noPlugins?: boolean;
  readonly pluginTimeout?: number;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_PLUGIN_TIMEOUT_MS = 10_000;

/** Turns `--term`, `--kill` and `--signal` into one mode; more than one is a usage error. */
export function killModeFromFlags(flags: KillFlags, backend: PlatformBackend): KillMode {
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

async function loadHooks(flags: KillFlags, context: CliContext, backend: PlatformBackend) {
  if (flags.noPlugins) return NO_HOOKS;
  const { loadKillHooks } = await import("../plugins/mod.ts");
  return await loadKillHooks({
    pluginFiles: [...(flags.plugin ?? [])],
    noPlugins: false,
    pluginTimeoutMs: flags.pluginTimeout ?? DEFAULT_PLUGIN_TIMEOUT_MS,
    cwd: Deno.cwd(),
    env: Deno.env.toObject(),
    signals: [...backend.signals.numbers.keys()],
    warn: (line: string) => context.process.stderr.write(`portctl: ${line}\n`),
    log: (plugin: string, message: string) =>
      context.process.stderr.write(`${context.errorStyle.dim(`[${plugin}]`)} ${message}\n`),
  });
}

async function runKill(
  this: CliContext,
  flags: KillFlags,
  ...targets: PortTarget[]
): Promise<void> {
  const backend = await loadBackend();
  const mode = killModeFromFlags(flags, backend);
  const hooks = await loadHooks(flags, this, backend);
  const result = await killPort(backend, {
    targets,
    allStates: flags.allStates ?? false,
    mode,
    timeoutMs: flags.timeout ?? DEFAULT_TIMEOUT_MS,
    dryRun: flags.dryRun ?? false,
    hooks,
  });
  const out = this.process.stdout;
  if (flags.json) out.write(JSON.stringify(killJson(result), null, 2) + "\n");
  if (!result.matched) {
    if (!flags.json && !flags.noFail) reportNothingHeld(backend, targets, this);
    this.exit = flags.noFail ? ExitCode.Ok : ExitCode.NothingMatched;
    return;
  }
  if (!flags.json) {
    for (const report of result.reports) out.write(killLine(report, this.style) + "\n");
    for (const respawn of result.respawns) out.write(respawnLine(respawn, this.style) + "\n");
  }
  this.exit = killSucceeded(result) ? ExitCode.Ok : ExitCode.NotAllEnded;
}

/** The `kill` command. */
export const killCommand = buildCommand({
  func: runKill,
  parameters: {
    flags: {
      term: switchFlag(
        "Send SIGTERM only (Windows: Ctrl-C / WM_CLOSE); report what is still alive",
      ),
      kill: switchFlag("Send SIGKILL at once (Windows: TerminateProcess)"),
      signal: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "NAME|NUM",
        brief: "Send this signal only, e.g. INT, HUP, 9",
      },
      timeout: {
        kind: "parsed",
        parse: secondsParser("--timeout"),
        optional: true,
        placeholder: "SECONDS",
        brief: "How long to wait for each process to exit (default 5)",
      },
      dryRun: switchFlag("Show what would be signalled; signal nothing"),
      json: switchFlag("Print JSON"),
      allStates: switchFlag("Also match TCP sockets that are not listening"),
      noFail: switchFlag("Exit 0 when nothing holds the ports"),
      plugin: {
        kind: "parsed",
        parse: String,
        optional: true,
        variadic: true,
        placeholder: "FILE",
        brief: "Run this plugin file too (repeatable)",
      },
      noPlugins: switchFlag("Run no plugins at all"),
      pluginTimeout: {
        kind: "parsed",
        parse: secondsParser("--plugin-timeout", 0.1),
        optional: true,
        placeholder: "SECONDS",
        brief: "How long one plugin hook may take (default 10)",
      },
    },
    positional: TARGETS_POSITIONAL,
  },
  docs: {
    brief: "End every process holding the ports, then confirm they are free",
    fullDescription: `End every process that holds a target port, all at once: SIGTERM, wait up to
--timeout, then SIGKILL what is still alive. Afterwards portctl re-reads the socket table: if a
supervisor (systemd, pm2, nodemon, docker) restarted the server, it says so and exits 3.

${TARGETS_HELP}

EXAMPLES
  portctl kill 3000                  graceful, then forced after 5 s
  portctl kill 5432 --term           SIGTERM only; exit 3 if it is still alive
  portctl kill 8080 8443 --kill      SIGKILL at once
  portctl kill tcp:3000-3010 --dry-run --json
  portctl kill 3000 --no-fail        for scripts: a free port is fine too

${EXIT_CODES_HELP}`,
  },
});
