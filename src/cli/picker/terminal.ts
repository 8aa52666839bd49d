/**
 * The picker's terminal: raw input, the alternate screen, a hidden cursor while drawing, and the
 * way back on every exit path. Deno's own raw mode is used on every OS (it turns on VT input on
 * Windows, so arrows arrive as the same `ESC [ A` there), and output is plain VT sequences, which
 * Windows Terminal, conhost, macOS Terminal and every Linux terminal understand.
 *
 * The terminal is given back (cooked mode with echo, the main screen, the cursor shown) when the
 * picker returns or throws, on SIGTERM, SIGINT and SIGHUP (a closed terminal), and on `Deno.exit`
 * from anywhere (the `unload` event): {@linkcode Terminal.restore} is idempotent.
 *
 * @module
 */

/** VT sequences the picker writes: xterm's, supported by every terminal it targets. */
export const VT = {
  alternateScreen: "\x1b[?1049h",
  mainScreen: "\x1b[?1049l",
  hideCursor: "\x1b[?25l",
  showCursor: "\x1b[?25h",
  home: "\x1b[H",
  clearToLineEnd: "\x1b[K",
  clearBelow: "\x1b[J",
  /** Moves the cursor to a 0-based row and column. */
  moveTo: (row: number, column: number) => `\x1b[${row + 1};${column + 1}H`,
} as const;

/** A terminal size in characters. */
export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

/** The terminal while the picker runs. */
export interface Terminal {
  size(): TerminalSize;
  write(text: string): void;
  /** The next bytes typed, or null once the terminal is gone (closed, or end of input). */
  read(): Promise<Uint8Array | null>;
  /** Gives the terminal back as it was; safe to call more than once and from any path. */
  restore(): void;
}

/** Signals that end portctl while the picker runs: the terminal is given back first. */
const ENDING_SIGNALS: readonly Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT", "SIGBREAK"]
  : ["SIGTERM", "SIGINT", "SIGHUP"];

const encoder = new TextEncoder();

function writeAll(text: string): void {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += Deno.stdout.writeSync(bytes.subarray(written));
}

/** True when the picker can run here: stdin and stdout are both terminals. */
export function isInteractive(): boolean {
  return Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
}

/**
 * Takes the terminal: raw mode, the alternate screen, the cursor hidden. `onEndingSignal` runs
 * after the terminal is given back when SIGTERM, SIGINT or SIGHUP arrives (it exits portctl).
 * `onResize` runs on SIGWINCH (not on Windows, where the session polls the size instead).
 */
export function openTerminal(
  handlers: { onEndingSignal: (signal: Deno.Signal) => void; onResize: () => void },
): Terminal {
  const listeners = ENDING_SIGNALS.map((signal) => {
    const listener = () => {
      terminal.restore();
      handlers.onEndingSignal(signal);
    };
    return { signal, listener };
  });
  let restored = false;
  const onUnload = () => terminal.restore();
  const terminal: Terminal = {
    size() {
      const { columns, rows } = Deno.consoleSize();
      return { columns: Math.max(1, columns), rows: Math.max(1, rows) };
    },
    write: writeAll,
    async read() {
      const buffer = new Uint8Array(1024);
      try {
        const count = await Deno.stdin.read(buffer);
        return count === null ? null : buffer.subarray(0, count);
      } catch {
        return null; // EIO: the terminal was closed
      }
    },
    restore() {
      if (restored) return;
      restored = true;
      for (const { signal, listener } of listeners) Deno.removeSignalListener(signal, listener);
      if (Deno.build.os !== "windows") Deno.removeSignalListener("SIGWINCH", handlers.onResize);
      globalThis.removeEventListener("unload", onUnload);
      // Each step on its own: a closed terminal refuses the writes, not the mode change.
      try {
        writeAll(VT.showCursor + VT.mainScreen);
      } catch { /* the terminal is gone */ }
      try {
        Deno.stdin.setRaw(false);
      } catch { /* the terminal is gone */ }
    },
  };
  Deno.stdin.setRaw(true);
  globalThis.addEventListener("unload", onUnload);
  for (const { signal, listener } of listeners) Deno.addSignalListener(signal, listener);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGWINCH", handlers.onResize);
  try {
    writeAll(VT.alternateScreen + VT.hideCursor);
  } catch (error) {
    terminal.restore();
    throw error;
  }
  return terminal;
}
