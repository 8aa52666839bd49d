/**
 * ntdll.dll: `NtQueryInformationProcess`, the only way to a process's command line and to its
 * parameters block (where its working folder is). The library is opened on first use.
 *
 * @module
 */

import { openOnFirstUse } from "./dll.ts";

const SYMBOLS = {
  // NTSTATUS NtQueryInformationProcess(HANDLE ProcessHandle, PROCESSINFOCLASS Class,
  //   PVOID ProcessInformation, ULONG ProcessInformationLength, PULONG ReturnLength)
  NtQueryInformationProcess: {
    parameters: ["pointer", "u32", "buffer", "u32", "buffer"],
    result: "u32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The ntdll.dll symbols, opened on first call. */
export const ntdll = openOnFirstUse("ntdll.dll", SYMBOLS);

/** `PROCESSINFOCLASS.ProcessBasicInformation`: gives the PEB address (the way to the parameters). */
export const PROCESS_BASIC_INFORMATION = 0;
/** `PROCESSINFOCLASS.ProcessCommandLineInformation` (Windows 8.1+; Wine 10 lacks it). */
export const PROCESS_COMMAND_LINE_INFORMATION = 60;
export const STATUS_SUCCESS = 0;
