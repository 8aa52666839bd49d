/**
 * Facts about Windows processes: one Toolhelp snapshot for names and parents, then per process
 * its image path, creation time, owner, command line and working folder. Access denied on system
 * processes is normal: whatever can be read is reported, the rest is null.
 *
 * @module
 */

import type { ProcessInfo } from "../types.ts";
import { advapi32, TOKEN_QUERY, TOKEN_USER_CLASS } from "./advapi32.ts";
import { ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER, Win32Error } from "./errors.ts";
import {
  closeHandle,
  isInvalidHandle,
  kernel32,
  lastError,
  PROCESS_QUERY_LIMITED_INFORMATION,
  TH32CS_SNAPPROCESS,
} from "./kernel32.ts";
import { PROCESS_COMMAND_LINE_INFORMATION, STATUS_SUCCESS } from "./ntdll.ts";
import { queryProcess, readProcessParameters } from "./process_parameters.ts";
import {
  decodeProcessEntry,
  decodeRemoteString,
  decodeUtf16z,
  fileTimeToken,
  fileTimeTokenToMs,
  type ProcessEntry,
  PROCESSENTRY32W,
  remoteStringIn,
} from "./tables.ts";

/**
 * Every process Toolhelp lists right now, by PID.
 *
 * @throws {Win32Error} when no snapshot can be taken.
 */
export function takeProcessSnapshot(): Map<number, ProcessEntry> {
  const k32 = kernel32();
  const snapshot = k32.CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  if (isInvalidHandle(snapshot)) throw new Win32Error("CreateToolhelp32Snapshot", lastError());
  const entries = new Map<number, ProcessEntry>();
  try {
    const entry = new Uint8Array(PROCESSENTRY32W.size);
    new DataView(entry.buffer).setUint32(PROCESSENTRY32W.dwSize, PROCESSENTRY32W.size, true);
    for (
      let ok = k32.Process32FirstW(snapshot, entry);
      ok;
      ok = k32.Process32NextW(snapshot, entry)
    ) {
      const decoded = decodeProcessEntry(entry);
      entries.set(decoded.pid, decoded);
    }
  } finally {
    closeHandle(snapshot);
  }
  return entries;
}

/**
 * `GetProcessTimes` creation time of an open process as the `startTime` token, or null when
 * Windows will not say.
 */
export function creationTime(handle: Deno.PointerObject): string | null {
  // Four separate FILETIMEs (creation, exit, kernel, user): only the first is read.
  const creation = new Uint8Array(8);
  const ok = kernel32().GetProcessTimes(
    handle,
    creation,
    new Uint8Array(8),
    new Uint8Array(8),
    new Uint8Array(8),
  );
  return ok ? fileTimeToken(creation, 0) : null;
}

/** `QueryFullProcessImageNameW`: the Win32 path of the executable, or null. */
function imagePath(handle: Deno.PointerObject): string | null {
  const chars = new Uint8Array(2 * 32_768); // the longest path Windows allows, in WCHARs
  const length = new Uint32Array([32_768]);
  if (!kernel32().QueryFullProcessImageNameW(handle, 0, chars, length)) return null;
  return decodeUtf16z(chars, 0, length[0]);
}

/** User names by SID bytes: `LookupAccountSidW` can be slow (domain controllers). */
const userNames = new Map<string, string | null>();

/** `DOMAIN\user` that owns the process (its token's `TokenUser`), or null when unreadable. */
function processUser(handle: Deno.PointerObject): string | null {
  const tokenOut = new BigUint64Array(1);
  if (!advapi32().OpenProcessToken(handle, TOKEN_QUERY, tokenOut)) return null;
  const token = Deno.UnsafePointer.create(tokenOut[0]);
  try {
    let info = new Uint8Array(256);
    const length = new Uint32Array(1);
    let ok = advapi32().GetTokenInformation(token, TOKEN_USER_CLASS, info, info.length, length);
    if (!ok && lastError() === ERROR_INSUFFICIENT_BUFFER) {
      info = new Uint8Array(length[0]);
      ok = advapi32().GetTokenInformation(token, TOKEN_USER_CLASS, info, info.length, length);
    }
    if (!ok) return null;
    // TOKEN_USER { SID_AND_ATTRIBUTES User { PSID Sid; DWORD Attributes; } }: 16 bytes on x64,
    // then the SID itself, which Sid points at.
    const sidAddress = new DataView(info.buffer).getBigUint64(0, true);
    const sid = Deno.UnsafePointer.create(sidAddress);
    const key = Array.from(info.subarray(16, length[0])).join(",");
    if (userNames.has(key)) return userNames.get(key) ?? null;
    const name = lookupAccount(sid);
    userNames.set(key, name);
    return name;
  } finally {
    closeHandle(token);
  }
}

function lookupAccount(sid: Deno.PointerValue): string | null {
  const name = new Uint8Array(2 * 256);
  const domain = new Uint8Array(2 * 256);
  const nameLength = new Uint32Array([256]);
  const domainLength = new Uint32Array([256]);
  const use = new Uint32Array(1);
  const ok = advapi32().LookupAccountSidW(
    null,
    sid,
    name,
    nameLength,
    domain,
    domainLength,
    new Uint8Array(use.buffer),
  );
  if (!ok) return null;
  const user = decodeUtf16z(name, 0, nameLength[0]);
  const domainName = decodeUtf16z(domain, 0, domainLength[0]);
  return domainName ? `${domainName}\\${user}` : user;
}

const STATUS_INFO_LENGTH_MISMATCH = 0xc000_0004;
const STATUS_BUFFER_TOO_SMALL = 0xc000_0023;

/**
 * `ProcessCommandLineInformation` (Windows 8.1+, needs only limited query rights): a
 * `UNICODE_STRING { USHORT Length; USHORT MaximumLength; PWSTR Buffer; }` (Buffer at 8 on x64)
 * whose characters follow it in the same buffer.
 */
function commandLineFromKernel(handle: Deno.PointerObject): string | null {
  let buffer = new Uint8Array(2048);
  const needed = new Uint32Array(1);
  let status = queryProcess(handle, PROCESS_COMMAND_LINE_INFORMATION, buffer, needed);
  if (status === STATUS_INFO_LENGTH_MISMATCH || status === STATUS_BUFFER_TOO_SMALL) {
    buffer = new Uint8Array(needed[0]);
    status = queryProcess(handle, PROCESS_COMMAND_LINE_INFORMATION, buffer, needed);
  }
  if (status !== STATUS_SUCCESS) return null;
  const base = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer)));
  return remoteStringIn(buffer, { blockAddress: base, string: decodeRemoteString(buffer, 0) });
}

/** What can be read about one process. */
interface OpenedFacts {
  readonly path: string | null;
  readonly startTime: string | null;
  readonly user: string | null;
  readonly command: string | null;
  readonly cwd: string | null;
}

function readOpenedFacts(pid: number): OpenedFacts | "gone" | null {
  const handle = kernel32().OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
  if (handle === null) return lastError() === ERROR_INVALID_PARAMETER ? "gone" : null;
  try {
    // The working folder is only in the process's memory, which needs more rights than the rest.
    const parameters = readProcessParameters(pid);
    return {
      path: imagePath(handle),
      startTime: creationTime(handle),
      user: processUser(handle),
      command: commandLineFromKernel(handle) ?? parameters?.commandLine ?? null,
      cwd: parameters?.currentDirectory ?? null,
    };
  } finally {
    closeHandle(handle);
  }
}

/** Creation time of `pid`, or null when it cannot be read. */
function startTimeOf(pid: number): string | null {
  const handle = kernel32().OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
  if (handle === null) return null;
  try {
    return creationTime(handle);
  } finally {
    closeHandle(handle);
  }
}

/**
 * Facts about each PID in `snapshot` (PIDs not in it have exited and are left out). A process
 * Windows will not open (System, other users' services without elevation) still gets its name
 * and parent from the snapshot, with `user` null and `startTime` empty.
 */
export function describeFromSnapshot(
  pids: readonly number[],
  snapshot: ReadonlyMap<number, ProcessEntry>,
): Map<number, ProcessInfo> {
  const found = new Map<number, ProcessInfo>();
  for (const pid of pids) {
    const entry = snapshot.get(pid);
    if (!entry || found.has(pid)) continue;
    const facts = pid === 0 ? null : readOpenedFacts(pid); // PID 0 is not a process to open
    if (facts === "gone") continue;
    const startTime = facts?.startTime ?? "";
    found.set(pid, {
      pid,
      ppid: parentOf(entry, startTime, snapshot),
      name: entry.exeFile,
      user: facts?.user ?? null,
      command: facts?.command ?? facts?.path ?? entry.exeFile,
      startTime,
      cwd: facts?.cwd ? { path: facts.cwd, deleted: false } : null,
      startedAtMs: fileTimeTokenToMs(startTime),
      exe: facts?.path ?? null,
    });
  }
  return found;
}

/**
 * The parent PID, or null when the parent is gone: Windows keeps a child's parent PID after the
 * parent exits (no reparenting as on Linux), and the PID may since belong to a newer process,
 * which cannot be the parent.
 */
function parentOf(
  entry: ProcessEntry,
  startTime: string,
  snapshot: ReadonlyMap<number, ProcessEntry>,
): number | null {
  if (entry.pid === 0 || entry.pid === 4) return null;
  if (!snapshot.has(entry.ppid)) return null;
  if (startTime === "") return entry.ppid;
  const parentStart = startTimeOf(entry.ppid);
  if (parentStart !== null && BigInt(parentStart) > BigInt(startTime)) return null;
  return entry.ppid;
}
