/**
 * portctl's exit codes, in one place: the commands set them, `runCli` maps failures to them, and
 * `--help` prints them from here (the README's table says the same words).
 *
 * @module
 */

/** Exit codes: documented in `--help` and the README. */
export const ExitCode = {
  /** Something matched and (kill) every matched process is gone. */
  Ok: 0,
  /** Nothing matched. */
  NothingMatched: 1,
  /** (wait) The timeout passed before the ports were listening or free. */
  TimedOut: 1,
  /** Bad usage or input; nothing was signalled. */
  Usage: 2,
  /** (kill) At least one matched process could not be ended, or the port is held again. */
  NotAllEnded: 3,
  /** portctl itself failed unexpectedly: a bug. */
  Internal: 4,
} as const;

/** One of {@linkcode ExitCode}'s values. */
export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];

/** An `EXIT CODES` help section from (code, meaning) pairs; continuation lines are indented. */
function exitCodesHelp(entries: readonly (readonly [ExitCodeValue, string])[]): string {
  const lines = entries.map(([code, meaning]) =>
    `  ${code}  ${meaning.replaceAll("\n", "\n     ")}`
  );
  return `EXIT CODES\n${lines.join("\n")}`;
}

const INTERNAL = "portctl itself failed unexpectedly (a bug: please report it)";

/** The exit codes of `kill`, `who` and `list`, word for word as in the README. */
export const EXIT_CODES_HELP = exitCodesHelp([
  [ExitCode.Ok, "something matched and (kill) every matched process is gone"],
  [ExitCode.NothingMatched, "nothing matched (kill --no-fail: 0)"],
  [
    ExitCode.Usage,
    "bad usage or input (or a plugin trust file that cannot be read or trusted); nothing was\n" +
    "signalled",
  ],
  [
    ExitCode.NotAllEnded,
    "(kill) a matched process could not be ended (still running, permission denied, owner not\n" +
    "visible, skipped or failed by a plugin, plugins that cannot be used) or the port was taken\n" +
    "again by a restarted server",
  ],
  [ExitCode.Internal, INTERNAL],
]);

/** The exit codes of `pick`: those of `kill` once something was ended. */
export const PICK_EXIT_CODES_HELP = exitCodesHelp([
  [ExitCode.Ok, "every process you confirmed is gone"],
  [ExitCode.NothingMatched, "you left without ending anything (Esc, Ctrl-C, a closed terminal)"],
  [ExitCode.Usage, "bad usage, or stdin or stdout is not a terminal; nothing was signalled"],
  [
    ExitCode.NotAllEnded,
    "a confirmed process could not be ended (as kill's 3), or it changed after you confirmed and\n" +
    "was left alone, or the port was taken again by a restarted server",
  ],
  [ExitCode.Internal, INTERNAL],
]);

/** The exit codes of `wait`. */
export const WAIT_EXIT_CODES_HELP = exitCodesHelp([
  [ExitCode.Ok, "every target port is listening (--for listening) or free (--for free)"],
  [
    ExitCode.TimedOut,
    "the timeout passed first; stderr has one line per target still missing or still held",
  ],
  [ExitCode.Usage, "bad usage or input"],
  [ExitCode.Internal, INTERNAL],
]);

/** The exit codes of the commands that only print or record (plugins, completions). */
export const SIMPLE_EXIT_CODES_HELP = exitCodesHelp([
  [ExitCode.Ok, "done"],
  [
    ExitCode.Usage,
    "bad usage or input (an unknown shell, no .portctl/plugins folder to trust or one that cannot\n" +
    "be trusted, a missing --plugin file, a trust file that cannot be read or trusted)",
  ],
  [ExitCode.Internal, INTERNAL],
]);
