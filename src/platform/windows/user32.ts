/**
 * user32.dll: the top-level windows of a process and `WM_CLOSE`, the graceful stop of GUI
 * programs. The library is opened on first use.
 *
 * @module
 */

import { openOnFirstUse } from "./dll.ts";

const SYMBOLS = {
  // BOOL EnumWindows(WNDENUMPROC lpEnumFunc, LPARAM lParam)
  EnumWindows: { parameters: ["function", "isize"], result: "i32" },
  // DWORD GetWindowThreadProcessId(HWND hWnd, LPDWORD lpdwProcessId)
  GetWindowThreadProcessId: { parameters: ["pointer", "buffer"], result: "u32" },
  IsWindowVisible: { parameters: ["pointer"], result: "i32" },
  // BOOL PostMessageW(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam)
  PostMessageW: { parameters: ["pointer", "u32", "usize", "isize"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The user32.dll symbols, opened on first call. */
export const user32 = openOnFirstUse("user32.dll", SYMBOLS);

/** `BOOL CALLBACK EnumWindowsProc(HWND hwnd, LPARAM lParam)`. */
export const ENUM_WINDOWS_PROC = { parameters: ["pointer", "isize"], result: "i32" } as const;

export const WM_CLOSE = 0x0010;
