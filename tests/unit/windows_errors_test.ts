// Win32 error codes become names and messages (pure; runs on every OS).

import { assertEquals, assertMatch } from "../support/assert.ts";
import {
  describeWin32Error,
  Win32Error,
  win32ErrorName,
} from "../../src/platform/windows/errors.ts";

Deno.test("known codes are named as winerror.h names them", () => {
  assertEquals(win32ErrorName(5), "ERROR_ACCESS_DENIED");
  assertEquals(win32ErrorName(87), "ERROR_INVALID_PARAMETER");
  assertEquals(win32ErrorName(122), "ERROR_INSUFFICIENT_BUFFER");
  assertEquals(win32ErrorName(6), "ERROR_INVALID_HANDLE");
});

Deno.test("an unknown code still gets its number in the name", () => {
  assertEquals(win32ErrorName(31337), "ERROR_31337");
  assertEquals(
    describeWin32Error("GetExtendedTcpTable(tcp4)", 31337),
    "GetExtendedTcpTable(tcp4) failed: error 31337 (ERROR_31337): unknown Win32 error",
  );
});

Deno.test("a message names the call, the code, its name and its meaning", () => {
  assertEquals(
    describeWin32Error("OpenProcess(4242)", 5),
    "OpenProcess(4242) failed: error 5 (ERROR_ACCESS_DENIED): access is denied",
  );
  const error = new Win32Error("CreateToolhelp32Snapshot", 8);
  assertEquals(error.code, 8);
  assertEquals(error.api, "CreateToolhelp32Snapshot");
  assertEquals(error.name, "Win32Error");
  assertMatch(
    error.message,
    /^CreateToolhelp32Snapshot failed: error 8 \(ERROR_NOT_ENOUGH_MEMORY\): /,
  );
});
