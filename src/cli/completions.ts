/**
 * What `portctl completions <shell>` does: print the shell's completion script, generated from
 * the stricli route map the parser uses (`completions/model.ts`). `portctl completions ports`, what
 * those scripts run at each Tab, prints the ports listening right now, one per line. Its flags and
 * help are in `commands.ts`; this module loads only when `completions` runs.
 *
 * @module
 */

import type { CommandContext } from "@stricli/core";
import { lookupHolders } from "../core/lookup.ts";
import { importLazy } from "../lazy_modules.ts";
import { loadBackend } from "../platform/mod.ts";
import { bashScript } from "./completions/bash.ts";
import { fishScript } from "./completions/fish.ts";
import { type CommandCompletion, completionTree } from "./completions/model.ts";
import { powershellScript } from "./completions/powershell.ts";
import { zshScript } from "./completions/zsh.ts";
import type { CliContext } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";
import { listFilter } from "./list.ts";
import type { CompletionsArgument, Shell } from "./parsers.ts";

const SCRIPTS: Readonly<Record<Shell, (root: CommandCompletion) => string>> = {
  bash: bashScript,
  zsh: zshScript,
  fish: fishScript,
  powershell: powershellScript,
};

/**
 * The completion script for `shell`, for every command portctl has.
 *
 * @example
 * ```ts
 * console.log(await completionScript("bash", context)); // then: eval "$(portctl completions bash)"
 * ```
 */
export async function completionScript(shell: Shell, context: CommandContext): Promise<string> {
  const { routes } = await importLazy("app");
  return SCRIPTS[shell](await completionTree(routes as never, context));
}

/**
 * The ports something listens on right now (TCP in LISTEN, bound UDP), ascending; none when they
 * cannot be read (an unsupported OS, no permission): completion must never fail loudly inside
 * someone's shell.
 */
export async function listeningPorts(): Promise<number[]> {
  try {
    const backend = await loadBackend();
    const rows = lookupHolders(backend, listFilter({}), { listeningTcpOnly: true });
    return [...new Set(rows.map((row) => row.socket.port))].sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/** Runs `portctl completions <shell|ports>`. */
export async function runCompletions(
  this: CliContext,
  _flags: Record<never, never>,
  what: CompletionsArgument,
): Promise<void> {
  this.exit = ExitCode.Ok;
  if (what === "ports") {
    this.process.stdout.write((await listeningPorts()).map((port) => `${port}\n`).join(""));
    return;
  }
  this.process.stdout.write(await completionScript(what, this));
}
