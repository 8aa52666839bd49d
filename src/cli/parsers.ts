/**
 * Flag and argument parsers shared by the commands: each turns text into a typed value or
 * throws a {@linkcode UsageError} that names the bad input.
 *
 * @module
 */

import { UsageError } from "../core/errors.ts";
import type { StopLevel } from "../core/kill.ts";
import { parseTarget, type PortTarget } from "../core/target.ts";
import type { WaitCondition } from "../core/wait.ts";
import { importLazy } from "../lazy_modules.ts";
import { currentSignals } from "../platform/mod.ts";

/** Parses a positional target (see {@linkcode parseTarget}). */
export function targetParser(text: string): PortTarget {
  // stricli hands `--signal=` (a flag with an empty value) over as a positional.
  if (text.startsWith("--")) {
    throw new UsageError(`"${text}" is neither a target nor a flag with a value; see --help`);
  }
  return parseTarget(text);
}

/** What a unit of a duration is in milliseconds; a number without a unit is seconds. */
const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** The longest duration a flag takes: a day. */
const MAX_DURATION_MS = 86_400_000;

/**
 * A duration in milliseconds from `500ms`, `5s`, `2m`, `1h` or a plain number of seconds (`5`,
 * `0.5`: plain numbers always meant seconds), or null when `text` is none of those.
 *
 * @example
 * ```ts
 * parseDuration("500ms"); // 500
 * parseDuration("2m"); // 120000
 * parseDuration("1.5"); // 1500
 * parseDuration("5x"); // null
 * ```
 */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return null;
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? "s"]);
}

/** `100ms`, `5s`, `2m`, `24h`: a whole number of the largest unit that fits. */
export function formatDuration(ms: number): string {
  for (const unit of ["h", "m", "s"]) {
    const size = DURATION_UNITS[unit];
    if (ms % size === 0 && (ms > 0 || unit === "s")) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * The parser of a duration flag (see {@linkcode parseDuration}), giving milliseconds; `flag` names
 * it in errors. `minimumMs`: `--plugin-timeout 0` would fail every hook, so it has one. `--timeout`
 * and `--plugin-timeout` take it, and so does every other flag that takes a duration.
 *
 * @example
 * ```ts
 * durationParser("--timeout")("2m"); // 120000
 * durationParser("--timeout")("5x"); // throws: invalid --timeout "5x": expected a duration ...
 * ```
 */
export function durationParser(
  flag: string,
  { minimumMs = 0 }: { readonly minimumMs?: number } = {},
): (text: string) => number {
  return (text: string) => {
    const ms = parseDuration(text);
    if (ms === null || ms < minimumMs || ms > MAX_DURATION_MS) {
      throw new UsageError(
        `invalid ${flag} "${text}": expected a duration from ${formatDuration(minimumMs)} to ` +
          `${formatDuration(MAX_DURATION_MS)} such as 500ms, 5s or 2m (a plain number is seconds)`,
      );
    }
    return ms;
  };
}

/**
 * Parses `--in DIR`: the folder's real path (links resolved, as the OS reports working folders),
 * or a usage error when it does not exist or is not a folder.
 *
 * @example
 * ```ts
 * parseFolder("."); // "/home/dev/shop/api"
 * parseFolder("nope"); // throws: invalid --in "nope": no such folder
 * ```
 */
export function parseFolder(text: string): string {
  let path: string;
  try {
    path = Deno.realPathSync(text);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? "no such folder" : "cannot be read";
    throw new UsageError(`invalid --in "${text}": ${why}; expected an existing folder`);
  }
  if (!Deno.statSync(path).isDirectory) {
    throw new UsageError(`invalid --in "${text}": not a folder; expected an existing folder`);
  }
  return path;
}

/** `--in DIR`, for every command that finds holders: only those working in DIR or below it. */
export const IN_FOLDER_FLAG = {
  kind: "parsed",
  parse: parseFolder,
  optional: true,
  placeholder: "DIR",
  brief: "Only processes whose working folder is DIR or below it",
} as const;

/** A boolean flag with no `--no-` twin (portctl's flags are all opt-in switches). */
export function switchFlag(brief: string) {
  return { kind: "boolean", optional: true, withNegated: false, brief } as const;
}

/**
 * Proposes the ports listening right now, for a target (stricli's `proposeCompletions`). The
 * completion scripts recognise it and ask `portctl completions ports` for them at each Tab.
 */
export async function proposePorts(): Promise<readonly string[]> {
  return (await (await importLazy("completions")).listeningPorts()).map(String);
}

/** Proposes the signal names this OS's backend can send, for `--signal`. */
export function proposeSignals(): readonly string[] {
  return [...(currentSignals()?.numbers.keys() ?? [])];
}

/** The values `kill --mode` takes, in the order help lists them. */
export const STOP_LEVELS: readonly StopLevel[] = ["auto", "process", "manager"];

/** Parses `kill --mode`: `auto`, `process` or `manager`. */
export function stopLevelParser(text: string): StopLevel {
  const level = STOP_LEVELS.find((l) => l === text.trim().toLowerCase());
  if (!level) {
    throw new UsageError(`invalid --mode "${text}": expected ${STOP_LEVELS.join(", ")}`);
  }
  return level;
}

/** The `<target>...` positional of `kill` and `who`: one or more, each parsed at the edge. */
export const TARGETS_POSITIONAL = {
  kind: "array",
  parameter: {
    brief: "Port, range or protocol:port",
    parse: targetParser,
    placeholder: "target",
    proposeCompletions: proposePorts,
  },
  minimum: 1,
} as const;

/** The shells `portctl completions` has a script for, in the order help lists them. */
export const SHELLS = ["bash", "zsh", "fish", "powershell"] as const;

/** A shell portctl can print a completion script for. */
export type Shell = typeof SHELLS[number];

/** What `portctl completions` prints: a shell's script, or (for those scripts) the live ports. */
export type CompletionsArgument = Shell | "ports";

/** Parses the argument of `portctl completions`: a shell, or `ports` (what the scripts run). */
export function parseCompletionsArgument(text: string): CompletionsArgument {
  if (text === "ports") return "ports";
  const shell = SHELLS.find((name) => name === text);
  if (!shell) {
    throw new UsageError(`unknown shell "${text}": expected one of ${SHELLS.join(", ")}`);
  }
  return shell;
}

/** What `portctl wait --for` takes, the default first. */
export const WAIT_CONDITIONS = ["listening", "free"] as const satisfies readonly WaitCondition[];

/** Parses `--for`'s value: `listening` or `free`. */
export function parseWaitCondition(text: string): WaitCondition {
  const condition = WAIT_CONDITIONS.find((name) => name === text);
  if (!condition) {
    throw new UsageError(`invalid --for "${text}": expected ${WAIT_CONDITIONS.join(" or ")}`);
  }
  return condition;
}
