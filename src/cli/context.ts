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
  /** Set when stdout or stderr could not be written (not a closed pipe). */
  outputFailed: boolean;
}

const encoder = new TextEncoder();

/**
 * A stream writer that never throws: output that cannot be written (a closed pipe after
 * `| head -1`, a full disk) must not turn into a stack trace. A closed pipe is the reader's
 * choice and stays silent; any other failure is reported once through `onError`.
 */
function writer(
  stream: typeof Deno.stdout | typeof Deno.stderr,
  onError: (error: Error) => void,
) {
  return {
    write(text: string) {
      const bytes = encoder.encode(text);
      let written = 0;
      try {
        while (written < bytes.length) written += stream.writeSync(bytes.subarray(written));
      } catch (error) {
        if (error instanceof Deno.errors.BrokenPipe) return;
        onError(error instanceof Error ? error : new Error(String(error)));
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
  let reported = false;
  const context: CliContext = {
    process: {
      stdout: writer(Deno.stdout, (error) => {
        context.outputFailed = true;
        if (reported) return;
        reported = true;
        context.process.stderr.write(`portctl: cannot write the output: ${error.message}\n`);
      }),
      stderr: writer(Deno.stderr, () => {
        context.outputFailed = true;
      }),
    },
    style: stylerFor(Deno.stdout.isTerminal(), noColor),
    errorStyle: stylerFor(Deno.stderr.isTerminal(), noColor),
    width: terminalWidth(),
    exit: 0,
    outputFailed: false,
  };
  return context;
}
