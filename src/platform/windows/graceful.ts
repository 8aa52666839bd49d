/**
 * Windows has no SIGTERM. The graceful stops it does have: Ctrl-C to a console program (as if
 * typed in its console window) and `WM_CLOSE` to a GUI program's top-level windows (as if its
 * close button were clicked).
 *
 * @module
 */

import { describeWin32Error, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER } from "./errors.ts";
import {
  CTRL_C_EVENT,
  kernel32,
  lastError,
  STD_ERROR_HANDLE,
  STD_INPUT_HANDLE,
  STD_OUTPUT_HANDLE,
} from "./kernel32.ts";
import { ENUM_WINDOWS_PROC, user32, WM_CLOSE } from "./user32.ts";

/** What one graceful attempt did. */
export type GracefulAttempt =
  | { readonly kind: "sent" }
  /** This way of stopping does not apply to the process (no console, no window). */
  | { readonly kind: "unavailable"; readonly reason: string }
  /** The process exited before anything could be sent. */
  | { readonly kind: "gone" }
  | { readonly kind: "failed"; readonly message: string };

/**
 * How long portctl keeps ignoring Ctrl-C after sending one. The event reaches every process on
 * the target's console asynchronously, portctl too when it shares that console; under Wine,
 * restoring the default at once killed a same-console sender in 2 of 3 runs, and never after a
 * ~300 ms pause.
 */
const IGNORE_CTRL_C_MS = 1_000;
let restoreCtrlC: ReturnType<typeof setTimeout> | undefined;

/** Allows Ctrl-C to a process on portctl's own console (every program there receives it). */
export const SHARED_CONSOLE_VARIABLE = "PORTCTL_CTRL_C_SHARED_CONSOLE";

const STD_HANDLES = [STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE] as const;

/**
 * Sends Ctrl-C to the console `pid` runs in: detach from portctl's own console, attach to the
 * target's, ignore Ctrl-C here, generate the event for the whole console (Windows cannot aim
 * Ctrl-C at one process group), detach, and re-attach to portctl's console. Every process on the
 * target's console receives it, exactly as if it were typed there.
 *
 * `AttachConsole` replaces the std handles and `FreeConsole` closes them, so they are saved and
 * restored: otherwise portctl's later output is lost.
 */
export function sendCtrlC(pid: number): GracefulAttempt {
  const k32 = kernel32();
  const ownConsole = consoleProcesses();
  // Ctrl-C goes to a whole console. On portctl's own console it would also reach portctl's
  // parent (an npm script, a file watcher) and stop it: refuse unless the user says they cope.
  if (ownConsole.includes(pid) && Deno.env.get(SHARED_CONSOLE_VARIABLE) !== "1") {
    return {
      kind: "unavailable",
      reason: `process ${pid} shares portctl's console, where Ctrl-C would also stop portctl's ` +
        `parent (set ${SHARED_CONSOLE_VARIABLE}=1 if every program there ignores it)`,
    };
  }
  const savedHandles = STD_HANDLES.map((which) => k32.GetStdHandle(which));
  const ownConsolePeers = ownConsole.filter((p) => p !== Deno.pid);
  k32.FreeConsole();
  let result: GracefulAttempt;
  if (!k32.AttachConsole(pid)) {
    const code = lastError();
    result = code === ERROR_INVALID_HANDLE
      ? { kind: "unavailable", reason: `process ${pid} has no console to send Ctrl-C to` }
      : code === ERROR_INVALID_PARAMETER
      ? { kind: "gone" }
      : { kind: "failed", message: describeWin32Error(`AttachConsole(${pid})`, code) };
  } else {
    k32.SetConsoleCtrlHandler(null, 1);
    scheduleCtrlCRestore();
    result = k32.GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0) ? { kind: "sent" } : {
      kind: "failed",
      message: describeWin32Error(`GenerateConsoleCtrlEvent(CTRL_C_EVENT) to ${pid}`, lastError()),
    };
    k32.FreeConsole();
  }
  // Back to portctl's own console, through any other process still attached to it.
  for (const peer of ownConsolePeers) {
    if (k32.AttachConsole(peer)) break;
  }
  STD_HANDLES.forEach((which, i) => k32.SetStdHandle(which, savedHandles[i]));
  return result;
}

/** PIDs attached to portctl's console (empty when it has none). */
function consoleProcesses(): number[] {
  let list = new Uint32Array(64);
  let count = kernel32().GetConsoleProcessList(list, list.length);
  if (count > list.length) {
    list = new Uint32Array(count + 16);
    count = kernel32().GetConsoleProcessList(list, list.length);
  }
  return Array.from(list.subarray(0, Math.min(count, list.length)));
}

function scheduleCtrlCRestore(): void {
  if (restoreCtrlC !== undefined) clearTimeout(restoreCtrlC);
  const timer = setTimeout(() => {
    restoreCtrlC = undefined;
    kernel32().SetConsoleCtrlHandler(null, 0);
  }, IGNORE_CTRL_C_MS);
  Deno.unrefTimer(timer); // never keeps portctl alive
  restoreCtrlC = timer;
}

/** A top-level window and whether it is visible. */
export interface TopLevelWindow {
  readonly hwnd: Deno.PointerObject;
  readonly visible: boolean;
}

/**
 * The windows to send `WM_CLOSE` to: the visible ones (a program's real windows); only when there
 * are none, the hidden ones (a tray program's main window is often hidden).
 *
 * @example
 * ```ts
 * windowsToClose([{ hwnd, visible: false }, { hwnd: other, visible: true }]); // [other's]
 * ```
 */
export function windowsToClose<W extends { readonly visible: boolean }>(
  windows: readonly W[],
): W[] {
  const visible = windows.filter((w) => w.visible);
  return visible.length > 0 ? visible : [...windows];
}

/** Every top-level window `pid` owns, by `EnumWindows` + `GetWindowThreadProcessId`. */
export function topLevelWindows(pid: number): TopLevelWindow[] {
  const u32 = user32();
  const found: TopLevelWindow[] = [];
  const owner = new Uint32Array(1);
  const callback = new Deno.UnsafeCallback(ENUM_WINDOWS_PROC, (hwnd) => {
    if (hwnd !== null) {
      u32.GetWindowThreadProcessId(hwnd, owner);
      if (owner[0] === pid) found.push({ hwnd, visible: u32.IsWindowVisible(hwnd) !== 0 });
    }
    return 1; // continue enumerating
  });
  try {
    u32.EnumWindows(callback.pointer, 0n);
  } finally {
    callback.close();
  }
  return found;
}

/** Posts `WM_CLOSE` to the top-level windows of `pid`. */
export function closeTopLevelWindows(pid: number): GracefulAttempt {
  let windows: TopLevelWindow[];
  try {
    windows = windowsToClose(topLevelWindows(pid));
  } catch (error) {
    // No window station (a service session, Server Core): no windows to close.
    const reason = error instanceof Error ? error.message : String(error);
    return { kind: "unavailable", reason: `cannot list windows: ${reason}` };
  }
  if (windows.length === 0) {
    return { kind: "unavailable", reason: `process ${pid} has no top-level window to close` };
  }
  let posted = 0;
  let failure = 0;
  for (const { hwnd } of windows) {
    if (user32().PostMessageW(hwnd, WM_CLOSE, 0n, 0n)) posted++;
    else failure = lastError();
  }
  return posted > 0 ? { kind: "sent" } : {
    kind: "failed",
    message: describeWin32Error(`PostMessageW(WM_CLOSE) to a window of ${pid}`, failure),
  };
}
