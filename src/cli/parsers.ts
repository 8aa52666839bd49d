/**
 * Flag and argument parsers shared by the commands: each turns text into a typed value or
 * throws a {@linkcode UsageError} that names the bad input.
 *
 * @module
 */

import { UsageError } from "../core/errors.ts";
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

/**
 * Parses a duration in seconds (`5`, `0.5`) into milliseconds; `flag` names it in errors.
 * `minimum` is in seconds: `--plugin-timeout 0` would fail every hook, so it has one.
 */
export function secondsParser(flag: string, minimum = 0): (text: string) => number {
  return (text: string) => {
    const seconds = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : NaN;
    if (!Number.isFinite(seconds) || seconds < minimum || seconds > 86_400) {
      throw new UsageError(
        `invalid ${flag} "${text}": expected a number of seconds from ${minimum} to 86400, ` +
          "e.g. 5 or 0.5",
      );
    }
    return Math.round(seconds * 1000);
  };
}

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
