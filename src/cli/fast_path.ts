/**
 * The fast path: a plain command line (`who 5432`, `kill 3000 --term --json`) read straight from
 * the command definitions in `commands.ts`, without loading stricli. Importing stricli through npm
 * costs ~3 ms of a ~25 ms run; most runs are this simple.
 *
 * Plain means: a command's name or alias, then only `--kebab-name` flags the command defines (a
 * value flag followed by its value), and positionals, each of which parses. Anything else (help,
 * `--flag=value`, `-x`, `--`, camelCase flags, a repeated flag, a value that starts with `-`, input
 * a parser rejects, an unknown word) is left to the stricli application, which reads it as it
 * always did and words any error. So the fast path accepts only what stricli would read the same
 * way, and fails only as stricli would: `tests/unit/fast_path_test.ts` holds it to that.
 *
 * @module
 */

import { ALIASES, COMMANDS } from "./commands.ts";
import type { CliContext } from "./context.ts";
import { failureExitCode, failureLine } from "./failures.ts";

/** A flag as the fast path reads it (stricli's `boolean` and `parsed` kinds). */
interface PlainFlag {
  readonly kind: string;
  readonly parse?: (this: CliContext, text: string) => unknown;
  readonly variadic?: boolean | string;
}

/** Positionals as the fast path reads them (stricli's `array` and `tuple` kinds). */
type PlainPositional =
  | {
    readonly kind: "array";
    readonly parameter: { readonly parse: (this: CliContext, text: string) => unknown };
    readonly minimum?: number;
    readonly maximum?: number;
  }
  | {
    readonly kind: "tuple";
    readonly parameters: readonly { readonly parse: (this: CliContext, text: string) => unknown }[];
  };

/** A command as the fast path reads it. */
interface PlainCommand {
  // deno-lint-ignore no-explicit-any
  readonly loader: () => Promise<(this: CliContext, flags: any, ...args: any[]) => unknown>;
  readonly parameters: {
    readonly flags?: Readonly<Record<string, PlainFlag>>;
    readonly positional?: PlainPositional;
  };
}

/** A plain command line, read: which command, its flags and its positionals, all parsed. */
export interface PlainCommandLine {
  readonly command: PlainCommand;
  /** Every flag the command defines, in definition order; undefined when not given (as stricli). */
  readonly flags: Record<string, unknown>;
  readonly args: readonly unknown[];
}

const commands: Readonly<Record<string, PlainCommand>> = COMMANDS;
const aliases: Readonly<Record<string, string>> = ALIASES;

/** `dryRun` → `dry-run`, as stricli spells a flag for `caseStyle: "allow-kebab-for-camel"`. */
export function kebabCase(name: string): string {
  return name.replace(/(?<=.)[A-Z]/g, (upper) => `-${upper.toLowerCase()}`);
}

/** `parse(text)`, or `undefined` when it throws: stricli then reads the line and words the error. */
async function parsed(
  parse: (this: CliContext, text: string) => unknown,
  { text, context }: { readonly text: string; readonly context: CliContext },
): Promise<{ value: unknown } | undefined> {
  try {
    return { value: await parse.call(context, text) };
  } catch {
    return undefined;
  }
}

/**
 * Reads `args` if it is a plain command line, else null (stricli reads it then).
 *
 * @example
 * ```ts
 * await readPlainCommandLine(["who", "5432", "--json"], context); // { command, flags: { json: true, ... }, args: [target] }
 * await readPlainCommandLine(["who", "--help"], context); // null
 * ```
 */
export async function readPlainCommandLine(
  args: readonly string[],
  context: CliContext,
): Promise<PlainCommandLine | null> {
  const [name, ...rest] = args;
  if (name === undefined) return null;
  const commandName = Object.hasOwn(aliases, name) ? aliases[name] : name;
  if (!Object.hasOwn(commands, commandName)) return null;
  const command = commands[commandName];
  const definitions = command.parameters.flags ?? {};
  const byInput = new Map(Object.keys(definitions).map((flag) => [`--${kebabCase(flag)}`, flag]));
  const flags: Record<string, unknown> = {};
  for (const flag of Object.keys(definitions)) flags[flag] = undefined;
  const positionals: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i];
    if (!token.startsWith("-")) {
      positionals.push(token);
      continue;
    }
    const flag = byInput.get(token);
    if (flag === undefined) return null;
    const definition = definitions[flag];
    if (definition.kind === "boolean") {
      if (flags[flag] !== undefined) return null;
      flags[flag] = true;
      continue;
    }
    if (definition.kind !== "parsed" || !definition.parse) return null;
    const text = rest[++i];
    if (text === undefined || text.startsWith("-")) return null;
    const value = await parsed(definition.parse, { text, context });
    if (!value) return null;
    if (definition.variadic === true) {
      flags[flag] = [...(flags[flag] as unknown[] | undefined ?? []), value.value];
    } else if (definition.variadic || flags[flag] !== undefined) {
      return null;
    } else {
      flags[flag] = value.value;
    }
  }
  const parsers = positionalParsers(command.parameters.positional, positionals.length);
  if (!parsers) return null;
  const values: unknown[] = [];
  for (const [i, parse] of parsers.entries()) {
    const value = await parsed(parse, { text: positionals[i], context });
    if (!value) return null;
    values.push(value.value);
  }
  return { command, flags, args: values };
}

/** The parser of each of `count` positionals, or null when the command takes another number. */
function positionalParsers(
  positional: PlainPositional | undefined,
  count: number,
): ((this: CliContext, text: string) => unknown)[] | null {
  if (!positional) return count === 0 ? [] : null;
  if (positional.kind === "tuple") {
    return count === positional.parameters.length
      ? positional.parameters.map((p) => p.parse)
      : null;
  }
  const { minimum = 0, maximum = Infinity } = positional;
  return count >= minimum && count <= maximum
    ? Array(count).fill(positional.parameter.parse)
    : null;
}

/**
 * Runs a plain command line as stricli would run it: a failure prints one line and sets its exit
 * code. Returns the exit code, or null when the command's code could not be loaded (stricli then
 * runs the line and reports that).
 */
export async function runPlainCommandLine(
  line: PlainCommandLine,
  context: CliContext,
): Promise<number | null> {
  let run;
  try {
    run = await line.command.loader();
  } catch {
    return null;
  }
  try {
    await run.call(context, line.flags, ...line.args);
  } catch (error) {
    context.process.stderr.write(`${failureLine(error)}\n`);
    return failureExitCode(error);
  }
  return context.exit;
}
