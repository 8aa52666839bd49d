/**
 * advapi32.dll: the user who owns a process (`OpenProcessToken`, `GetTokenInformation`,
 * `LookupAccountSidW`), and the services the Service Control Manager runs (`OpenSCManagerW`,
 * `EnumServicesStatusExW`). The library is opened on first use.
 *
 * @module
 */

import { openOnFirstUse } from "./dll.ts";

const SYMBOLS = {
  // BOOL OpenProcessToken(HANDLE ProcessHandle, DWORD DesiredAccess, PHANDLE TokenHandle)
  OpenProcessToken: { parameters: ["pointer", "u32", "buffer"], result: "i32" },
  // BOOL GetTokenInformation(HANDLE TokenHandle, TOKEN_INFORMATION_CLASS Class,
  //   LPVOID TokenInformation, DWORD TokenInformationLength, PDWORD ReturnLength)
  GetTokenInformation: {
    parameters: ["pointer", "u32", "buffer", "u32", "buffer"],
    result: "i32",
  },
  // BOOL LookupAccountSidW(LPCWSTR lpSystemName, PSID Sid, LPWSTR Name, LPDWORD cchName,
  //   LPWSTR ReferencedDomainName, LPDWORD cchReferencedDomainName, PSID_NAME_USE peUse)
  LookupAccountSidW: {
    parameters: ["pointer", "pointer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  // SC_HANDLE OpenSCManagerW(LPCWSTR lpMachineName, LPCWSTR lpDatabaseName, DWORD dwDesiredAccess)
  OpenSCManagerW: { parameters: ["pointer", "pointer", "u32"], result: "pointer" },
  // BOOL EnumServicesStatusExW(SC_HANDLE hSCManager, SC_ENUM_TYPE InfoLevel, DWORD dwServiceType,
  //   DWORD dwServiceState, LPBYTE lpServices, DWORD cbBufSize, LPDWORD pcbBytesNeeded,
  //   LPDWORD lpServicesReturned, LPDWORD lpResumeHandle, LPCWSTR pszGroupName)
  EnumServicesStatusExW: {
    parameters: [
      "pointer",
      "u32",
      "u32",
      "u32",
      "buffer",
      "u32",
      "buffer",
      "buffer",
      "buffer",
      "pointer",
    ],
    result: "i32",
  },
  // BOOL CloseServiceHandle(SC_HANDLE hSCObject)
  CloseServiceHandle: { parameters: ["pointer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The advapi32.dll symbols, opened on first call. */
export const advapi32 = openOnFirstUse("advapi32.dll", SYMBOLS);

export const TOKEN_QUERY = 0x0008;
/** `TOKEN_INFORMATION_CLASS.TokenUser`: a `TOKEN_USER { SID_AND_ATTRIBUTES User; }`. */
export const TOKEN_USER_CLASS = 1;

/** `OpenSCManagerW` access: list services. */
export const SC_MANAGER_ENUMERATE_SERVICE = 0x0004;
/** `SC_ENUM_TYPE.SC_ENUM_PROCESS_INFO`: `ENUM_SERVICE_STATUS_PROCESSW` records. */
export const SC_ENUM_PROCESS_INFO = 0;
/** `SERVICE_WIN32`: services that run in a process of their own or shared. */
export const SERVICE_WIN32 = 0x30;
/** `SERVICE_ACTIVE`: running (and starting, stopping, paused). */
export const SERVICE_ACTIVE = 0x1;
