/**
 * The picker running on a terminal: keys, a refresh about once a second, resizes, and a frame
 * drawn after each. It returns what the person chose; it signals nothing itself. Before it returns
 * a plan, the plan is checked against a fresh read of the table (see `plan.ts`).
 *
 * @module
 */

import type { KillMode } from "../../core/kill.ts";
import type { Protocol } from "../../platform/types.ts";
import type { Styler } from "../../output/style.ts";
import { readKeys } from "./keys.ts";
import type { PlannedEnd } from "./plan.ts";
import type { PickRow } from "./rows.ts";
import { renderFrame, rowsOnScreen, type ScreenOptions } from "./screen.ts";
import { confirmAgainst, initialState, type PickerState, pressKey, withRows } from "./state.ts";
import { openTerminal, type TerminalSize, VT } from "./terminal.ts";

/** How the picker ended. */
export type PickOutcome =
  /** Esc, Ctrl-C, or the terminal went away: nothing is signalled. */
  | { readonly kind: "quit" }
  /** Confirmed with `y` and still true on a fresh read: end exactly these, this way. */
  | { readonly kind: "end"; readonly plan: readonly PlannedEnd[]; readonly mode: KillMode };

/** What the picker needs. */
export interface PickerOptions {
  /** One read of the socket table, as rows (with who manages each holder). */
  readonly readRows: () => Promise<PickRow[]>;
  readonly mode: KillMode;
  /** The ways Ctrl-T cycles through. */
  readonly modes: readonly KillMode[];
  readonly protocol: Protocol | null;
  readonly style: Styler;
  readonly describeMode: ScreenOptions["describeMode"];
  readonly plugins: boolean;
  readonly level: ScreenOptions["level"];
  /** Called when SIGTERM, SIGINT or SIGHUP ends portctl, after the terminal is given back. */
  readonly onEndingSignal: (signal: Deno.Signal) => void;
}

/** How often the list is read again. */
export const REFRESH_MS = 1000;

type PickerEvent =
  | { readonly kind: "input"; readonly bytes: Uint8Array | null }
  | { readonly kind: "tick" }
  | { readonly kind: "resize" };

/** Events from the keyboard, the timer and SIGWINCH, one at a time, in order. */
function eventQueue() {
  const queued: PickerEvent[] = [];
  let waiting: ((event: PickerEvent) => void) | null = null;
  return {
    push(event: PickerEvent) {
      if (waiting) {
        const wake = waiting;
        waiting = null;
        wake(event);
      } else {
        queued.push(event);
      }
    },
    next(): Promise<PickerEvent> {
      const event = queued.shift();
      return event ? Promise.resolve(event) : new Promise((resolve) => waiting = resolve);
    },
  };
}

/** One frame as bytes for the terminal: drawn from the top, cursor hidden while drawing. */
function frameText(state: PickerState, size: TerminalSize, options: PickerOptions): string {
  const frame = renderFrame(state, {
    width: size.columns,
    height: size.rows,
    style: options.style,
    describeMode: options.describeMode,
    plugins: options.plugins,
    level: options.level,
  });
  const cursor = frame.cursor
    ? VT.moveTo(frame.cursor.row, frame.cursor.column) + VT.showCursor
    : "";
  return VT.hideCursor + VT.home + frame.lines.join(`${VT.clearToLineEnd}\r\n`) +
    VT.clearToLineEnd + VT.clearBelow + cursor;
}

/**
 * Runs the picker until the person quits or confirms, and gives the terminal back whatever
 * happens. The first read of the table happens before the screen opens, so a failure to read it
 * prints as usual.
 */
export async function runPicker(options: PickerOptions): Promise<PickOutcome> {
  let state = initialState(await options.readRows(), options);
  const events = eventQueue();
  const terminal = openTerminal({
    onEndingSignal: options.onEndingSignal,
    onResize: () => events.push({ kind: "resize" }),
  });
  let open = true;
  const timer = setInterval(() => events.push({ kind: "tick" }), REFRESH_MS);
  try {
    let size = terminal.size();
    (async () => {
      while (open) {
        const bytes = await terminal.read();
        events.push({ kind: "input", bytes });
        if (!bytes) return;
      }
    })();
    while (true) {
      terminal.write(frameText(state, size, options));
      const event = await events.next();
      const now = performance.now();
      if (event.kind === "resize") size = terminal.size();
      if (event.kind === "tick") {
        // Windows has no SIGWINCH: the size is read again with each refresh.
        size = terminal.size();
        state = withRows(state, await options.readRows(), now);
      }
      if (event.kind !== "input") continue;
      if (event.bytes === null) return { kind: "quit" };
      for (const key of readKeys(event.bytes)) {
        const [next, action] = pressKey(state, key, { pageSize: rowsOnScreen(size.rows), now });
        state = next;
        if (action === "quit") return { kind: "quit" };
        if (action !== "confirm") continue;
        const checked = confirmAgainst(state, await options.readRows(), now);
        if (checked.kind === "end") return { kind: "end", plan: checked.plan, mode: state.mode };
        state = checked.state;
        break; // keys typed after `y` were typed at the plan that changed: drop them
      }
    }
  } finally {
    open = false;
    clearInterval(timer);
    terminal.restore();
  }
}
