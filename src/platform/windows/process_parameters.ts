/**
 * A process's parameters block, read from its memory: the working folder (`CurrentDirectory`),
 * which no other Win32 call gives for another process, and the command line for systems without
 * `ProcessCommandLineInformation` (Windows before 8.1, Wine). Path: `NtQueryInformationProcess(
 * ProcessBasicInformation)` gives the PEB's address, the PEB points at the
 * `RTL_USER_PROCESS_PARAMETERS`, and `ReadProcessMemory` copies them. Needs
 * `PROCESS_QUERY_INFORMATION | PROCESS_VM_READ`, which Windows refuses for other users' processes
 * without elevation and for protected ones: then there is nothing, never an error.
 *
 * @module
 */

import { closeHandle, kernel32, PROCESS_QUERY_INFORMATION, PROCESS_VM_READ } from "./kernel32.ts";
import { ntdll, PROCESS_BASIC_INFORMATION, STATUS_SUCCESS } from "./ntdll.ts";
import {
  decodeRemoteString,
  folderPath,
  PEB_X64,
  PROCESS_BASIC_INFORMATION_X64,
  type RemoteString,
  remoteStringIn,
  RTL_USER_PROCESS_PARAMETERS_X64,
} from "./tables.ts";

/** What the parameters block says; each part null when it could not be read. */
export interface ProcessParameters {
  /** The working folder, without `CurrentDirectory`'s trailing backslash. */
  readonly currentDirectory: string | null;
  readonly commandLine: string | null;
}

/** The block is a few KiB (strings included); more than this is not a parameters block. */
const MAX_BLOCK_BYTES = 256 * 1024;

/** `NtQueryInformationProcess(handle, infoClass)` into `buffer`; `needed` gets the size it wanted. */
export function queryProcess(
  handle: Deno.PointerObject,
  infoClass: number,
  buffer: Uint8Array,
  needed: Uint32Array,
): number {
  return ntdll().NtQueryInformationProcess(handle, infoClass, buffer, buffer.length, needed);
}

/** `size` bytes of the process's memory at `address`, or null when Windows refuses. */
function readMemory(
  handle: Deno.PointerObject,
  { address, size }: { readonly address: bigint; readonly size: number },
): Uint8Array | null {
  const bytes = new Uint8Array(size);
  const ok = kernel32().ReadProcessMemory(
    handle,
    address,
    bytes,
    BigInt(size),
    new BigUint64Array(1),
  );
  return ok ? bytes : null;
}

/** The parameters block of an open process and its address there, or null. */
function readBlock(handle: Deno.PointerObject): ParametersBlock | null {
  const basic = new Uint8Array(PROCESS_BASIC_INFORMATION_X64.size);
  const status = queryProcess(handle, PROCESS_BASIC_INFORMATION, basic, new Uint32Array(1));
  if (status !== STATUS_SUCCESS) return null;
  const peb = new DataView(basic.buffer).getBigUint64(
    PROCESS_BASIC_INFORMATION_X64.pebBaseAddress,
    true,
  );
  const pointer = readMemory(handle, { address: peb + BigInt(PEB_X64.processParameters), size: 8 });
  const address = pointer ? new DataView(pointer.buffer).getBigUint64(0, true) : 0n;
  if (address === 0n) return null;
  const head = readMemory(handle, { address, size: RTL_USER_PROCESS_PARAMETERS_X64.headerSize });
  if (!head) return null;
  const length = new DataView(head.buffer).getUint32(RTL_USER_PROCESS_PARAMETERS_X64.length, true);
  if (length <= head.byteLength || length > MAX_BLOCK_BYTES) return { block: head, address };
  return { block: readMemory(handle, { address, size: length }) ?? head, address };
}

/** The text of `string`: from the block when it lies there, else read on its own. */
function textOf(
  handle: Deno.PointerObject,
  { block, address, string }: ParametersBlock & { readonly string: RemoteString },
): string | null {
  if (string.byteLength === 0 || string.address === 0n) return null;
  const inBlock = remoteStringIn(block, { blockAddress: address, string });
  if (inBlock !== null) return inBlock;
  const bytes = readMemory(handle, { address: string.address, size: string.byteLength });
  return bytes ? remoteStringIn(bytes, { blockAddress: string.address, string }) : null;
}

/** An open process's parameters block and its address there (what the fixture captures). */
export interface ParametersBlock {
  readonly block: Uint8Array;
  readonly address: bigint;
}

/** Opens `pid` for reading its memory and calls `read` with the handle; null when refused. */
function withReadableProcess<T>(pid: number, read: (handle: Deno.PointerObject) => T | null) {
  const handle = kernel32().OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, 0, pid);
  if (handle === null) return null;
  try {
    return read(handle);
  } finally {
    closeHandle(handle);
  }
}

/** The parameters block of `pid` as bytes, or null (for `tests/fixtures/windows/`). */
export function readParametersBlock(pid: number): ParametersBlock | null {
  return withReadableProcess(pid, readBlock);
}

/**
 * The working folder and command line of `pid` from its parameters block, or null when the
 * process cannot be opened or read. (A 32-bit process on 64-bit Windows also keeps a 32-bit block,
 * which this does not read: its folder may be the one it started in.)
 */
export function readProcessParameters(pid: number): ProcessParameters | null {
  return withReadableProcess(pid, (handle) => {
    const found = readBlock(handle);
    if (!found) return null;
    const at = (offset: number) =>
      textOf(handle, { ...found, string: decodeRemoteString(found.block, offset) });
    const folder = at(RTL_USER_PROCESS_PARAMETERS_X64.currentDirectory);
    return {
      currentDirectory: folder === null ? null : folderPath(folder),
      commandLine: at(RTL_USER_PROCESS_PARAMETERS_X64.commandLine),
    };
  });
}
