/**
 * The stricli application: every command (`commands.ts` and `plugins.ts`), help, `--version`, and
 * the wording of every parse error. It reads every command line the fast path leaves (help, an
 * error, anything but a plain command line), and it is what the completion scripts are generated
 * from. Loaded only then: stricli costs ~3 ms to import.
 *
 * @module
 */

import {
  ArgumentScannerError,
  buildApplication,
  buildCommand,
  buildRouteMap,
  ExitCode as StricliExitCode,
  formatMessageForArgumentScannerError,
  type PartialApplicationConfiguration,
  type RouteMap,
  run,
  text_en,
} from "@stricli/core";
import { UsageError } from "../core/errors.ts";
import { versionLine } from "../version.ts";
import { ALIASES, COMMANDS } from "./commands.ts";
import type { CliContext } from "./context.ts";
import { EXIT_CODES_HELP, ExitCode } from "./exit_codes.ts";
import { failureLine, isUsageError, messageOf } from "./failures.ts";
import { pluginsRoutes } from "./plugins.ts";

/** The message of an error, and for a parse error the parser's own words. */
function lineOf(error: unknown): string {
  // stricli wraps a parser's exception; the parser's own message names the bad input best.
  if (error instanceof ArgumentScannerError) {
    const cause = (error as { exception?: unknown }).exception;
    if (cause instanceof UsageError) return `portctl: ${cause.message}`;
    const text = formatMessageForArgumentScannerError(error, {
      FlagNotFoundError: (e) => `unknown flag "--${e.input}"; see --help for the flags`,
      AliasNotFoundError: (e) => `unknown flag "-${e.input}"; see --help for the flags`,
      UnsatisfiedPositionalError: () =>
        "missing target: give a port (5432), a range (3000-3010) or protocol:port (udp:53)",
      UnsatisfiedFlagError: (e) => `--${e.externalFlagName} needs a value; see --help`,
    }).replace(/^Failed to parse/, "invalid");
    return `portctl: ${text}`;
  }
  return `portctl: ${messageOf(error)}`;
}

/**
 * Every command, by name, with its aliases: the one route map help, the parser and the completion
 * scripts read.
 */
export const routes: RouteMap<CliContext> = buildRouteMap({
  routes: {
    kill: buildCommand(COMMANDS.kill),
    who: buildCommand(COMMANDS.who),
    list: buildCommand(COMMANDS.list),
    pick: buildCommand(COMMANDS.pick),
    wait: buildCommand(COMMANDS.wait),
    plugins: pluginsRoutes,
    completions: buildCommand(COMMANDS.completions),
  },
  aliases: ALIASES,
  docs: {
    brief: "Find and end what holds a port, the same way on Linux, Windows and macOS",
    fullDescription: `portctl answers "what is holding port 5432?" and ends it. On a terminal,
"portctl" alone opens the picker: a live list to filter, mark and end from ("portctl pick --help").

EXAMPLES
  portctl                       the picker: type to filter, Space marks, Enter, then y ends
  portctl who 5432              who holds port 5432 (TCP and UDP, IPv4 and IPv6)
  portctl kill 3000             SIGTERM, then SIGKILL after 5 s; confirms the port is free
  portctl kill 5432 --term      SIGTERM only
  portctl list --json           every listening port as JSON
  portctl wait 3000             wait until something listens on 3000 (&& npm test)

${EXIT_CODES_HELP}`,
  },
});

/** How portctl reads a command line: also what the fast path reproduces. */
export const SCANNER = {
  caseStyle: "allow-kebab-for-camel",
  allowArgumentEscapeSequence: true,
} as const;

const configuration: PartialApplicationConfiguration = {
  name: "portctl",
  versionInfo: { getCurrentVersion: () => Promise.resolve(versionLine()) },
  scanner: SCANNER,
  documentation: { disableAnsiColor: true },
  determineExitCode: (error: unknown) =>
    isUsageError(error) || error instanceof ArgumentScannerError
      ? ExitCode.Usage
      : ExitCode.Internal,
  localization: {
    text: {
      ...text_en,
      noCommandRegisteredForInput: ({ input, corrections }) =>
        `portctl: unknown command "${input}": expected ${
          routes.getAllEntries().filter((e) => !e.hidden).map((e) => e.name.original).join(", ")
            .replace(/, ([^,]*)$/, " or $1")
        }` + (corrections.length > 0 ? ` (did you mean ${corrections.join(" or ")}?)` : ""),
      exceptionWhileParsingArguments: lineOf,
      exceptionWhileRunningCommand: failureLine,
      commandErrorResult: lineOf,
      exceptionWhileLoadingCommandFunction: lineOf,
      exceptionWhileLoadingCommandContext: lineOf,
    },
  },
};

/** The application for `routes` (tests build one around stand-in commands). */
export function buildPortctl(root: RouteMap<CliContext> = routes) {
  return buildApplication(root, configuration);
}

const app = buildPortctl();

/** stricli's own negative codes (bad arguments, unknown command) are usage errors: exit 2. */
function toExitCode(code: number | string | null | undefined, context: CliContext): number {
  const numeric = Number(code ?? 0);
  if (numeric === StricliExitCode.Success) return context.exit;
  if (numeric < 0 && numeric !== StricliExitCode.InternalError) return ExitCode.Usage;
  return numeric === StricliExitCode.InternalError || numeric === StricliExitCode.CommandRunError
    ? ExitCode.Internal
    : numeric;
}

/** Runs `args` through stricli and returns the exit code. */
export async function runApp(args: readonly string[], context: CliContext): Promise<number> {
  await run(app, args, context);
  return toExitCode(context.process.exitCode, context);
}
