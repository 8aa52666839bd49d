/**
 * The portctl application: routes, help, and the mapping from every failure to one line on
 * stderr and a documented exit code.
 *
 * @module
 */

import {
  ArgumentScannerError,
  buildApplication,
  buildRouteMap,
  ExitCode as StricliExitCode,
  formatMessageForArgumentScannerError,
  run,
  text_en,
} from "@stricli/core";
import { UsageError } from "../core/errors.ts";
import { UnsupportedPlatformError } from "../platform/types.ts";
import { versionLine } from "../version.ts";
import { type CliContext, createContext } from "./context.ts";
import { completionsCommand } from "./completions_command.ts";
import { killCommand } from "./kill.ts";
import { listCommand } from "./list.ts";
import { pluginsRoutes } from "./plugins.ts";
import { whoCommand } from "./who.ts";
import { EXIT_CODES_HELP, ExitCode } from "./exit_codes.ts";

/** The message of an error without its stack: users get one line, never a trace. */
function messageOf(error: unknown): string {
  // stricli wraps a parser's exception; the parser's own message names the bad input best.
  if (error instanceof ArgumentScannerError) {
    const cause = (error as { exception?: unknown }).exception;
    if (cause instanceof UsageError) return cause.message;
    return formatMessageForArgumentScannerError(error, {
      FlagNotFoundError: (e) => `unknown flag "--${e.input}"; see --help for the flags`,
      AliasNotFoundError: (e) => `unknown flag "-${e.input}"; see --help for the flags`,
      UnsatisfiedPositionalError: () =>
        "missing target: give a port (5432), a range (3000-3010) or protocol:port (udp:53)",
      UnsatisfiedFlagError: (e) => `--${e.externalFlagName} needs a value; see --help`,
    }).replace(/^Failed to parse/, "invalid");
  }
  if (error instanceof Deno.errors.NotCapable) {
    // Deno grants /proc (and FFI) only with full access: say how to run, not what Deno checked.
    return "portctl needs full access to read the socket tables: run it as `deno run --allow-all` " +
      `(${error.message.split("\n")[0]})`;
  }
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0];
}

function isUsageError(error: unknown): boolean {
  return error instanceof UsageError || error instanceof UnsupportedPlatformError ||
    error instanceof ArgumentScannerError || error instanceof Deno.errors.NotCapable;
}

// stricli ends each message with its own newline.
const line = (error: unknown) => `portctl: ${messageOf(error)}`;

const routes = buildRouteMap({
  routes: {
    kill: killCommand,
    who: whoCommand,
    list: listCommand,
    plugins: pluginsRoutes,
    completions: completionsCommand,
  },
  aliases: { find: "who", ls: "list" },
  docs: {
    brief: "Find and end what holds a port, the same way on Linux, Windows and macOS",
    fullDescription: `portctl answers "what is holding port 5432?" and ends it.

EXAMPLES
  portctl who 5432              who holds port 5432 (TCP and UDP, IPv4 and IPv6)
  portctl kill 3000             SIGTERM, then SIGKILL after 5 s; confirms the port is free
  portctl kill 5432 --term      SIGTERM only
  portctl list --json           every listening port as JSON

${EXIT_CODES_HELP}`,
  },
});

const app = buildApplication(routes, {
  name: "portctl",
  versionInfo: { getCurrentVersion: () => Promise.resolve(versionLine()) },
  scanner: { caseStyle: "allow-kebab-for-camel", allowArgumentEscapeSequence: true },
  documentation: { disableAnsiColor: true },
  determineExitCode: (error) => isUsageError(error) ? ExitCode.Usage : ExitCode.Internal,
  localization: {
    text: {
      ...text_en,
      noCommandRegisteredForInput: ({ input, corrections }) =>
        `portctl: unknown command "${input}": expected kill, who, list, plugins or completions` +
        (corrections.length > 0 ? ` (did you mean ${corrections.join(" or ")}?)` : ""),
      exceptionWhileParsingArguments: line,
      exceptionWhileRunningCommand: (error) =>
        isUsageError(error) ? line(error) : `portctl: internal error: ${messageOf(error)}`,
      commandErrorResult: line,
      exceptionWhileLoadingCommandFunction: line,
      exceptionWhileLoadingCommandContext: line,
    },
  },
});

/** stricli's own negative codes (bad arguments, unknown command) are usage errors: exit 2. */
function toExitCode(code: number | string | null | undefined, context: CliContext): number {
  const numeric = Number(code ?? 0);
  if (numeric === StricliExitCode.Success) return context.exit;
  if (numeric < 0 && numeric !== StricliExitCode.InternalError) return ExitCode.Usage;
  return numeric === StricliExitCode.InternalError || numeric === StricliExitCode.CommandRunError
    ? ExitCode.Internal
    : numeric;
}

/** Runs portctl with `args` and returns the exit code. */
export async function runCli(args: readonly string[]): Promise<number> {
  const context = createContext();
  await run(app, args, context);
  const code = toExitCode(context.process.exitCode, context);
  // Lost output is a failure of portctl's own, unless the run already failed for a clearer reason.
  return context.outputFailed && code === ExitCode.Ok ? ExitCode.Internal : code;
}
