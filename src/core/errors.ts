/**
 * Errors the CLI maps to exit codes, and the exit codes themselves.
 *
 * @module
 */

/** Exit codes: documented in `--help` and the README. */
export const ExitCode = {
  /** Something matched and (kill) every matched process is gone. */
  Ok: 0,
  /** Nothing matched. */
  NothingMatched: 1,
  /** Bad usage or input. */
  Usage: 2,
  /** (kill) At least one matched process could not be ended, or the port is held again. */
  NotAllEnded: 3,
} as const;

/** Bad input from the user: shown as one line, exit code 2, nothing signalled. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
