/**
 * Win32 error codes (`GetLastError`, and the codes iphlpapi returns directly) turned into names and
 * plain messages, so every failure says which call failed, with which code, and what it means.
 *
 * Pure: no FFI here, so it is unit-tested on every OS.
 *
 * @module
 */

/** Codes portctl's Win32 calls can plausibly return, from winerror.h. */
const WIN32_ERRORS: Readonly<Record<number, readonly [name: string, message: string]>> = {
  0: ["ERROR_SUCCESS", "no error"],
  1: ["ERROR_INVALID_FUNCTION", "incorrect function"],
  2: ["ERROR_FILE_NOT_FOUND", "the system cannot find the file specified"],
  5: ["ERROR_ACCESS_DENIED", "access is denied"],
  6: ["ERROR_INVALID_HANDLE", "the handle is invalid"],
  8: ["ERROR_NOT_ENOUGH_MEMORY", "not enough memory to process this command"],
  18: ["ERROR_NO_MORE_FILES", "there are no more files"],
  31: ["ERROR_GEN_FAILURE", "a device attached to the system is not functioning"],
  50: ["ERROR_NOT_SUPPORTED", "the request is not supported"],
  87: ["ERROR_INVALID_PARAMETER", "the parameter is incorrect"],
  122: ["ERROR_INSUFFICIENT_BUFFER", "the data area passed to a system call is too small"],
  126: ["ERROR_MOD_NOT_FOUND", "the specified module could not be found"],
  127: ["ERROR_PROC_NOT_FOUND", "the specified procedure could not be found"],
  232: ["ERROR_NO_DATA", "the pipe is being closed"],
  258: ["WAIT_TIMEOUT", "the wait operation timed out"],
  259: ["ERROR_NO_MORE_ITEMS", "no more data is available"],
  299: ["ERROR_PARTIAL_COPY", "only part of a memory read request was completed"],
  1008: ["ERROR_NO_TOKEN", "an attempt was made to reference a token that does not exist"],
  1168: ["ERROR_NOT_FOUND", "element not found"],
  1300: ["ERROR_NOT_ALL_ASSIGNED", "not all privileges or groups referenced are assigned"],
  1314: ["ERROR_PRIVILEGE_NOT_HELD", "a required privilege is not held by the client"],
  1332: ["ERROR_NONE_MAPPED", "no mapping between account names and security IDs was done"],
  1359: ["ERROR_INTERNAL_ERROR", "an internal error occurred"],
  1400: ["ERROR_INVALID_WINDOW_HANDLE", "invalid window handle"],
  1444: ["ERROR_INVALID_THREAD_ID", "the thread identifier is invalid"],
  1450: [
    "ERROR_NO_SYSTEM_RESOURCES",
    "insufficient system resources exist to complete the request",
  ],
  1816: ["ERROR_NOT_ENOUGH_QUOTA", "not enough quota is available to process this command"],
  10013: [
    "WSAEACCES",
    "an attempt was made to access a socket in a way forbidden by its permissions",
  ],
  10048: ["WSAEADDRINUSE", "only one usage of each socket address is normally permitted"],
};

/** `ERROR_ACCESS_DENIED`: the usual answer for system and other users' processes. */
export const ERROR_ACCESS_DENIED = 5;
/** `ERROR_INVALID_HANDLE`: `AttachConsole` says this when the target has no console. */
export const ERROR_INVALID_HANDLE = 6;
/** `ERROR_INVALID_PARAMETER`: `OpenProcess` says this when no process has the PID. */
export const ERROR_INVALID_PARAMETER = 87;
/** `ERROR_INSUFFICIENT_BUFFER`: a table grew between the size query and the read. */
export const ERROR_INSUFFICIENT_BUFFER = 122;

/**
 * The symbolic name of a Win32 error code, or `ERROR_<code>` when it is not in the table.
 *
 * @example
 * ```ts
 * win32ErrorName(5); // "ERROR_ACCESS_DENIED"
 * ```
 */
export function win32ErrorName(code: number): string {
  return WIN32_ERRORS[code]?.[0] ?? `ERROR_${code}`;
}

/**
 * `<api> failed: error <code> (<NAME>): <meaning>`, the one shape every Win32 failure is reported
 * in.
 *
 * @example
 * ```ts
 * describeWin32Error("OpenProcess(4242)", 5);
 * // "OpenProcess(4242) failed: error 5 (ERROR_ACCESS_DENIED): access is denied"
 * ```
 */
export function describeWin32Error(api: string, code: number): string {
  const meaning = WIN32_ERRORS[code]?.[1] ?? "unknown Win32 error";
  return `${api} failed: error ${code} (${win32ErrorName(code)}): ${meaning}`;
}

/** A failed Win32 call: which call, and the code `GetLastError` (or the call itself) returned. */
export class Win32Error extends Error {
  /** The Win32 error code. */
  readonly code: number;
  /** The call that failed, with its key argument, e.g. `OpenProcess(4242)`. */
  readonly api: string;

  constructor(api: string, code: number) {
    super(describeWin32Error(api, code));
    this.name = "Win32Error";
    this.code = code;
    this.api = api;
  }
}
