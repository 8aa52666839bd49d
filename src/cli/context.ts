/**
 * What every command gets: output streams, environment facts and a place for its exit code.
 * Built on `Deno.stdout`/`Deno.stderr`, not Node's `process`: touching `process` wakes Deno's
 * Node compatibility layer, which costs more start-up than the whole lookup.
 *
 * @module
 */

import type { CommandContext } from "@stricli/core";
import { type Styler, stylerFor } from "../output/style.ts";

/** The stricli context portctl's commands run with. */
export interface CliContext extends CommandContext {
  readonly process: {
    readonly stdout: { write(text: string): void };
    readonly stderr: { write(text: string): void };
    exitCode?: number | string | null;
  };
  /** Styling for stdout (a terminal, and `NO_COLOR` unset). */
  readonly style: Styler;
  /** Styling for stderr. */
  readonly errorStyle: Styler;
  /** Terminal width for tables, or null when stdout is not a terminal. */
  readonly width: number | null;
  /** Set by a command: the process exit code. */
  exit: number;
}

const encoder = new TextEncoder();

function writer(stream: typeof Deno.stdout | typeof Deno.stderr) {
  return {
    write(text: string) {
      const bytes = encoder.encode(text);
      let written = 0;
      try {
        while (written < bytes.length) written += stream.writeSync(bytes.subarray(written));
      } catch (error) {
        // `portctl list | head -1` closes the pipe early: that is the reader's choice, not an error.
        if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
      }
    },
  };
}

function terminalWidth(): number | null {
  if (!Deno.stdout.isTerminal()) return null;
  try {
    return Deno.consoleSize().columns;
  } catch {
    return null;
  }
}

/** The context for a real run. */
export function createContext(): CliContext {
  const noColor = Deno.env.get("NO_COLOR");
  return {
    process: { stdout: writer(Deno.stdout), stderr: writer(Deno.stderr) },
    style: stylerFor(Deno.stdout.isTerminal(), noColor),
    errorStyle: stylerFor(Deno.stderr.isTerminal(), noColor),
    width: terminalWidth(),
    exit: 0,
  };
}
