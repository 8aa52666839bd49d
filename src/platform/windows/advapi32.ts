/**
 * advapi32.dll: the user who owns a process (`OpenProcessToken`, `GetTokenInformation`,
 * `LookupAccountSidW`). The library is opened on first use.
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
} as const satisfies Deno.ForeignLibraryInterface;

/** The advapi32.dll symbols, opened on first call. */
export const advapi32 = openOnFirstUse("advapi32.dll", SYMBOLS);

export const TOKEN_QUERY = 0x0008;
/** `TOKEN_INFORMATION_CLASS.TokenUser`: a `TOKEN_USER { SID_AND_ATTRIBUTES User; }`. */
export const TOKEN_USER_CLASS = 1;
