/**
 * `portctl completions <shell>`: prints a completion script. `portctl completions ports` (used by
 * those scripts, not shown in help) prints the ports listening right now, one per line.
 *
 * @module
 */

import { buildCommand } from "@stricli/core";
import { UsageError } from "../core/errors.ts";
import { lookupHolders } from "../core/lookup.ts";
import { loadBackend } from "../platform/mod.ts";
import { completionScript, parseShell, SHELLS } from "./completions.ts";
import type { CliContext } from "./context.ts";
import { listFilter } from "./list.ts";
import { ExitCode, SIMPLE_EXIT_CODES_HELP } from "./exit_codes.ts";

type CompletionsWhat = ReturnType<typeof parseShell> | "ports";

function parseWhat(text: string): NonNullable<CompletionsWhat> {
  if (text === "ports") return "ports";
  const shell = parseShell(text);
  if (!shell) {
    throw new UsageError(`unknown shell "${text}": expected one of ${SHELLS.join(", ")}`);
  }
  return shell;
}

async function runCompletions(
  this: CliContext,
  _flags: Record<never, never>,
  what: NonNullable<CompletionsWhat>,
): Promise<void> {
  this.exit = ExitCode.Ok;
  if (what !== "ports") {
    this.process.stdout.write(completionScript(what));
    return;
  }
  // Completion must never fail loudly inside someone's shell: no ports is an empty answer.
  try {
    const backend = await loadBackend();
    const ports = new Set(
      lookupHolders(backend, listFilter({}), { listeningTcpOnly: true }).map((row) =>
        row.socket.port
      ),
    );
    const sorted = [...ports].sort((a, b) => a - b);
    this.process.stdout.write(sorted.map((port) => `${port}\n`).join(""));
  } catch {
    // Unsupported OS or no permission: nothing to offer.
  }
}

/** The `completions` command. */
export const completionsCommand = buildCommand({
  func: runCompletions,
  parameters: {
    flags: {},
    positional: {
      kind: "tuple",
      parameters: [{
        brief: "bash, zsh, fish or powershell",
        parse: parseWhat,
        placeholder: "shell",
      }],
    },
  },
  docs: {
    brief: "Print a shell completion script",
    fullDescription: `Print a completion script for bash, zsh, fish or PowerShell. Targets complete
to the ports that are listening right now.

EXAMPLES
  eval "$(portctl completions bash)"
  portctl completions zsh > "\${fpath[1]}/_portctl"
  portctl completions fish > ~/.config/fish/completions/portctl.fish
  portctl completions powershell | Out-String | Invoke-Expression

${SIMPLE_EXIT_CODES_HELP}`,
  },
});
