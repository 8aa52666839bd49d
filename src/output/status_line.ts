/**
 * A one-line status on a terminal (stderr), redrawn in place and cleared at the end, so it never
 * mixes with output: carriage return and spaces only, no escape sequences (`NO_COLOR` and dumb
 * terminals see the same thing).
 *
 * @module
 */

/** A line that is redrawn in place. */
export interface StatusLine {
  /** Shows `text` instead of the current line (drawn only when it changed). */
  show(text: string): void;
  /** Removes the line, leaving the cursor where it started. */
  clear(): void;
}

/**
 * A status line written through `write`, cut to `width - 1` characters so it never wraps (a
 * wrapped line cannot be redrawn with a carriage return).
 *
 * @example
 * ```ts
 * const status = statusLine((text) => context.process.stderr.write(text), { width: 80 });
 * status.show("waiting for 3000 to listen (0.1 s of 30 s)");
 * status.clear();
 * ```
 */
export function statusLine(
  write: (text: string) => void,
  options: { readonly width: number },
): StatusLine {
  let shown = "";
  return {
    show(text) {
      const line = text.slice(0, Math.max(0, options.width - 1));
      if (line === shown) return;
      write(`\r${line.padEnd(shown.length)}`);
      shown = line;
    },
    clear() {
      if (shown === "") return;
      write(`\r${" ".repeat(shown.length)}\r`);
      shown = "";
    },
  };
}
