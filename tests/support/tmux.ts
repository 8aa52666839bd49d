/**
 * A real terminal for tests: a tmux pane of a fixed size on a tmux server of the test's own (its
 * own socket, so no one else's sessions are touched), driven with send-keys and read with
 * capture-pane. Waits poll the screen until the text is there, with a generous bound: no timing
 * is asserted.
 *
 * @module
 */

/** How long a wait for text on the screen may take before the test fails. */
const WAIT_LIMIT_MS = 30_000;
const POLL_MS = 50;

const server = `portctl-test-${Deno.pid}`;

async function tmux(args: string[]): Promise<string> {
  const output = await new Deno.Command("tmux", {
    args: ["-L", server, "-f", "/dev/null", ...args],
    // Panes run POSIX sh command lines; without SHELL tmux would take the login shell, which for
    // a system user (nobody) is nologin.
    env: { SHELL: "/bin/sh" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  if (!output.success) {
    throw new Error(`tmux ${args.join(" ")}: ${decoder.decode(output.stderr).trim()}`);
  }
  return decoder.decode(output.stdout);
}

/** A pane running one command, and what the shell printed after it (`EXIT=`, the tty modes). */
export interface Pane {
  /** The screen as text, one string per line (`-e`: with the escape sequences of colours). */
  capture(options?: { escapes?: boolean }): Promise<string[]>;
  /** Keys by tmux's names (`Enter`, `Escape`, `Up`, `C-c`, `Space`). */
  keys(...keys: string[]): Promise<void>;
  /** Text typed literally. */
  type(text: string): Promise<void>;
  /** Polls the screen until `found` says yes; returns that screen, or throws showing the last. */
  waitFor(found: (lines: string[]) => boolean, what: string): Promise<string[]>;
  /** A tmux format for the pane: `#{alternate_on}`, `#{cursor_flag}`, `#{pane_pid}`. */
  display(format: string): Promise<string>;
  resize(columns: number, rows: number): Promise<void>;
  /** Closes the pane as closing a terminal window does (its processes get SIGHUP). */
  kill(): Promise<void>;
}

let panes = 0;

/**
 * Opens a pane `columns` x `rows` running `command` (a shell command line) in `cwd`, with `env`
 * added to the environment.
 */
export async function openPane(
  command: string,
  options: { columns: number; rows: number; cwd: string; env: Record<string, string> },
): Promise<Pane> {
  const name = `pane${++panes}`;
  const env = Object.entries(options.env).flatMap(([key, value]) => ["-e", `${key}=${value}`]);
  await tmux([
    "new-session",
    "-d",
    "-s",
    name,
    "-x",
    String(options.columns),
    "-y",
    String(options.rows),
    "-c",
    options.cwd,
    ...env,
    command,
  ]);
  // A session's window follows the size given, not a client's (there is none).
  await tmux(["set-option", "-t", name, "window-size", "manual"]);
  const pane: Pane = {
    async capture({ escapes = false } = {}) {
      const text = await tmux(["capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", name]);
      return text.replace(/\n$/, "").split("\n");
    },
    async keys(...keys) {
      await tmux(["send-keys", "-t", name, ...keys]);
    },
    async type(text) {
      await tmux(["send-keys", "-t", name, "-l", text]);
    },
    async waitFor(found, what) {
      const deadline = Date.now() + WAIT_LIMIT_MS;
      let lines: string[] = [];
      while (Date.now() < deadline) {
        lines = await pane.capture();
        if (found(lines)) return lines;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      throw new Error(`the screen never showed ${what}; it shows:\n${lines.join("\n")}`);
    },
    async display(format) {
      return (await tmux(["display-message", "-p", "-t", name, format])).trim();
    },
    async resize(columns, rows) {
      await tmux(["resize-window", "-t", name, "-x", String(columns), "-y", String(rows)]);
    },
    async kill() {
      await tmux(["kill-session", "-t", name]);
    },
  };
  return pane;
}

/** Ends this test run's tmux server (and only it: it has its own socket). */
export async function closeTmux(): Promise<void> {
  await tmux(["kill-server"]).catch(() => {});
}
