/**
 * What the completion scripts offer, read from the stricli route map the parser itself uses: every
 * command, alias, subcommand and flag, with the briefs help shows. A flag or subcommand added there
 * reaches every shell, and nothing here lists one by hand.
 *
 * What a value completes to comes from its definition too: stricli's `proposeCompletions` (signal
 * names, shell names; {@linkcode proposePorts} stands for the ports listening at the time of the
 * Tab, which the scripts ask `portctl completions ports` for), or, for a flag whose placeholder is
 * `FILE` or `DIR`, the shell's own file or folder names.
 *
 * @module
 */

import type { CommandContext, RouteMap } from "@stricli/core";
import { kebabCase } from "../fast_path.ts";
import { proposePorts } from "../parsers.ts";

/** What a flag's value or a positional word completes to. */
export type ValueCompletion =
  | { readonly kind: "nothing" }
  | { readonly kind: "words"; readonly words: readonly string[] }
  | { readonly kind: "files" }
  | { readonly kind: "folders" }
  | { readonly kind: "ports" };

/** One flag of a command. */
export interface FlagCompletion {
  /** The flag as typed, without the leading `--`: `dry-run`. */
  readonly name: string;
  readonly brief: string;
  /** What its value completes to; null for a switch, which takes none. */
  readonly value: ValueCompletion | null;
  /** May be given more than once (`--plugin a --plugin b`). */
  readonly repeatable: boolean;
}

/** A command or a group of subcommands, and what may follow it on the command line. */
export interface CommandCompletion {
  /** The words that lead here, by their main names: `["plugins", "list"]`; `[]` for portctl. */
  readonly path: readonly string[];
  /** This level's name first, then its aliases: `["list", "ls"]`. */
  readonly names: readonly string[];
  readonly brief: string;
  /** Its flags, `--help` included (and `--version` for portctl itself). */
  readonly flags: readonly FlagCompletion[];
  /** What a positional word completes to: a subcommand for a group, else its arguments. */
  readonly positional: ValueCompletion;
  /** A group's subcommands; empty for a command. */
  readonly subcommands: readonly CommandCompletion[];
}

/** stricli's help flag on every command and group; `--version` on the application. */
const HELP: FlagCompletion = { name: "help", brief: "Show help", value: null, repeatable: false };
const VERSION: FlagCompletion = {
  name: "version",
  brief: "Print the version and target",
  value: null,
  repeatable: false,
};

/** The parts of a stricli flag or positional the completions read. */
interface Proposing {
  readonly kind?: string;
  readonly brief?: string;
  readonly placeholder?: string;
  readonly variadic?: boolean | string;
  readonly proposeCompletions?: (this: CommandContext, partial: string) => unknown;
}

async function valueCompletion(
  parameter: Proposing,
  context: CommandContext,
): Promise<ValueCompletion> {
  const propose = parameter.proposeCompletions;
  if (propose === proposePorts) return { kind: "ports" };
  if (propose) return { kind: "words", words: [...await propose.call(context, "") as string[]] };
  if (parameter.placeholder === "FILE") return { kind: "files" };
  return parameter.placeholder === "DIR" ? { kind: "folders" } : { kind: "nothing" };
}

/** The parameters of a stricli command, loosely typed: the completions read them, nothing more. */
interface CommandParameters {
  readonly flags?: Readonly<Record<string, Proposing>>;
  readonly positional?:
    | { readonly kind: "array"; readonly parameter: Proposing }
    | { readonly kind: "tuple"; readonly parameters: readonly Proposing[] };
}

async function flagsOf(
  parameters: CommandParameters,
  context: CommandContext,
): Promise<FlagCompletion[]> {
  const flags: FlagCompletion[] = [];
  for (const [name, flag] of Object.entries(parameters.flags ?? {})) {
    flags.push({
      name: kebabCase(name),
      brief: flag.brief ?? "",
      value: flag.kind === "boolean" ? null : await valueCompletion(flag, context),
      repeatable: flag.variadic !== undefined && flag.variadic !== false,
    });
  }
  return [...flags, HELP];
}

async function positionalOf(
  parameters: CommandParameters,
  context: CommandContext,
): Promise<ValueCompletion> {
  const positional = parameters.positional;
  if (!positional) return { kind: "nothing" };
  if (positional.kind === "array") return await valueCompletion(positional.parameter, context);
  const first = positional.parameters[0];
  return first ? await valueCompletion(first, context) : { kind: "nothing" };
}

/**
 * The completion tree of `routes`, portctl's own route map: portctl, its commands and their
 * subcommands, hidden routes left out.
 *
 * @example
 * ```ts
 * const root = await completionTree(routes, context);
 * root.subcommands.map((c) => c.names); // [["kill"], ["who", "find"], ...]
 * ```
 */
export async function completionTree(
  routes: RouteMap<CommandContext>,
  context: CommandContext,
): Promise<CommandCompletion> {
  const root = await group(routes, { path: [], names: [], context });
  return { ...root, flags: [...root.flags, VERSION] };
}

/** Where a group of routes sits: the words that lead to it, its names, the context to ask with. */
interface GroupPlace {
  readonly path: readonly string[];
  readonly names: readonly string[];
  readonly context: CommandContext;
}

async function group(
  routes: RouteMap<CommandContext>,
  { path, names, context }: GroupPlace,
): Promise<CommandCompletion> {
  const subcommands: CommandCompletion[] = [];
  for (const entry of routes.getAllEntries()) {
    if (entry.hidden) continue;
    const name = entry.name["convert-camel-to-kebab"];
    const entryNames = [name, ...entry.aliases];
    const target = entry.target;
    if ("getAllEntries" in target) {
      subcommands.push(await group(target, { path: [...path, name], names: entryNames, context }));
      continue;
    }
    const parameters = target.parameters as CommandParameters;
    subcommands.push({
      path: [...path, name],
      names: entryNames,
      brief: target.brief,
      flags: await flagsOf(parameters, context),
      positional: await positionalOf(parameters, context),
      subcommands: [],
    });
  }
  return {
    path,
    names,
    brief: routes.brief,
    flags: [HELP],
    positional: { kind: "words", words: subcommands.flatMap((c) => c.names) },
    subcommands,
  };
}

/** Every node of the tree, depth first, the tree's root first. */
export function allCommands(root: CommandCompletion): CommandCompletion[] {
  return [root, ...root.subcommands.flatMap(allCommands)];
}

/** Every way of typing `node`'s path: `["plugins ls", "plugins list"]`, aliases included. */
export function spellings(root: CommandCompletion, node: CommandCompletion): string[] {
  let spelled = [""];
  let level = root;
  for (const name of node.path) {
    const next = level.subcommands.find((c) => c.names[0] === name)!;
    spelled = spelled.flatMap((prefix) => next.names.map((n) => (prefix ? `${prefix} ${n}` : n)));
    level = next;
  }
  return spelled;
}
