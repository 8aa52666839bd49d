/**
 * How a failure reaches the user: one line on stderr and a documented exit code, never a stack
 * trace. Shared by the stricli application and the fast path, which must fail the same way.
 *
 * @module
 */

import { UsageError } from "../core/errors.ts";
import { UnsupportedPlatformError } from "../platform/types.ts";
import { ExitCode } from "./exit_codes.ts";

/** The message of an error without its stack: users get one line, never a trace. */
export function messageOf(error: unknown): string {
  if (error instanceof Deno.errors.NotCapable) {
    // Deno grants /proc (and FFI) only with full access: say how to run, not what Deno checked.
    return "portctl needs full access to read the socket tables: run it as `deno run --allow-all` " +
      `(${error.message.split("\n")[0]})`;
  }
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0];
}

/** True for a failure of the input or the environment (exit 2), not of portctl itself. */
export function isUsageError(error: unknown): boolean {
  return error instanceof UsageError || error instanceof UnsupportedPlatformError ||
    error instanceof Deno.errors.NotCapable;
}

/** The line a command's failure prints: its message, or an internal error's. */
export function failureLine(error: unknown): string {
  return isUsageError(error)
    ? `portctl: ${messageOf(error)}`
    : `portctl: internal error: ${messageOf(error)}`;
}

/** The exit code of a command's failure. */
export function failureExitCode(error: unknown): number {
  return isUsageError(error) ? ExitCode.Usage : ExitCode.Internal;
}
