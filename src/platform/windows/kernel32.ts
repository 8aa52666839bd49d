/**
 * kernel32.dll: processes (open, times, image path, terminate, wait), the Toolhelp snapshot, and
 * the console calls behind a Windows Ctrl-C. The library is opened on first use, so importing this
 * file on another OS costs nothing.
 *
 * @module
 */

import { openOnFirstUse } from "./dll.ts";

const SYMBOLS = {
  // HANDLE OpenProcess(DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwProcessId)
  OpenProcess: { parameters: ["u32", "i32", "u32"], result: "pointer" },
  CloseHandle: { parameters: ["pointer"], result: "i32" },
  GetLastError: { parameters: [], result: "u32" },
  // BOOL TerminateProcess(HANDLE hProcess, UINT uExitCode)
  TerminateProcess: { parameters: ["pointer", "u32"], result: "i32" },
  // DWORD WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds)
  WaitForSingleObject: { parameters: ["pointer", "u32"], result: "u32" },
  // BOOL GetExitCodeProcess(HANDLE hProcess, LPDWORD lpExitCode)
  GetExitCodeProcess: { parameters: ["pointer", "buffer"], result: "i32" },
  // BOOL QueryFullProcessImageNameW(HANDLE hProcess, DWORD dwFlags, LPWSTR lpExeName,
  //   PDWORD lpdwSize)
  QueryFullProcessImageNameW: { parameters: ["pointer", "u32", "buffer", "buffer"], result: "i32" },
  // BOOL GetProcessTimes(HANDLE, LPFILETIME creation, exit, kernel, user)
  GetProcessTimes: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  // BOOL ReadProcessMemory(HANDLE, LPCVOID lpBaseAddress, LPVOID lpBuffer, SIZE_T nSize,
  //   SIZE_T *lpNumberOfBytesRead)
  ReadProcessMemory: { parameters: ["pointer", "u64", "buffer", "usize", "buffer"], result: "i32" },
  // HANDLE CreateToolhelp32Snapshot(DWORD dwFlags, DWORD th32ProcessID)
  CreateToolhelp32Snapshot: { parameters: ["u32", "u32"], result: "pointer" },
  Process32FirstW: { parameters: ["pointer", "buffer"], result: "i32" },
  Process32NextW: { parameters: ["pointer", "buffer"], result: "i32" },
  AttachConsole: { parameters: ["u32"], result: "i32" },
  FreeConsole: { parameters: [], result: "i32" },
  // BOOL SetConsoleCtrlHandler(PHANDLER_ROUTINE HandlerRoutine, BOOL Add): NULL = ignore Ctrl-C
  SetConsoleCtrlHandler: { parameters: ["pointer", "i32"], result: "i32" },
  // BOOL GenerateConsoleCtrlEvent(DWORD dwCtrlEvent, DWORD dwProcessGroupId)
  GenerateConsoleCtrlEvent: { parameters: ["u32", "u32"], result: "i32" },
  GetStdHandle: { parameters: ["u32"], result: "pointer" },
  SetStdHandle: { parameters: ["u32", "pointer"], result: "i32" },
  // DWORD GetConsoleProcessList(LPDWORD lpdwProcessList, DWORD dwProcessCount)
  GetConsoleProcessList: { parameters: ["buffer", "u32"], result: "u32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The kernel32.dll symbols, opened on first call. */
export const kernel32 = openOnFirstUse("kernel32.dll", SYMBOLS);

/** `GetLastError()` of the call just made (measured reliable through Deno FFI, Wine included). */
export function lastError(): number {
  return kernel32().GetLastError();
}

/** Process access rights (winnt.h). */
export const PROCESS_TERMINATE = 0x0001;
export const PROCESS_VM_READ = 0x0010;
export const PROCESS_QUERY_INFORMATION = 0x0400;
export const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
export const SYNCHRONIZE = 0x0010_0000;

/** `WaitForSingleObject` answers. */
export const WAIT_OBJECT_0 = 0;
export const WAIT_TIMEOUT = 258;
/** `GetExitCodeProcess` while the process runs. */
export const STILL_ACTIVE = 259;

export const TH32CS_SNAPPROCESS = 0x0000_0002;
export const CTRL_C_EVENT = 0;
export const STD_INPUT_HANDLE = 0xffff_fff6; // (DWORD)-10
export const STD_OUTPUT_HANDLE = 0xffff_fff5; // (DWORD)-11
export const STD_ERROR_HANDLE = 0xffff_fff4; // (DWORD)-12

/** `INVALID_HANDLE_VALUE`, `(HANDLE)-1`, as the 64-bit pointer value FFI sees. */
const INVALID_HANDLE_VALUE = 0xffff_ffff_ffff_ffffn;

/** True for the two "no handle" answers: NULL (OpenProcess) and INVALID_HANDLE_VALUE (Toolhelp). */
export function isInvalidHandle(handle: Deno.PointerValue): handle is null {
  return handle === null || Deno.UnsafePointer.value(handle) === INVALID_HANDLE_VALUE;
}

/** `CloseHandle`, ignoring NULL. */
export function closeHandle(handle: Deno.PointerValue): void {
  if (handle !== null) kernel32().CloseHandle(handle);
}
