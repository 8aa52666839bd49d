/**
 * Decoding the records `EnumServicesStatusExW` writes: which running service lives in which
 * process. Pure functions on bytes, so they are tested without Windows.
 *
 * @module
 */

import { decodeUtf16z } from "./tables.ts";

/**
 * `ENUM_SERVICE_STATUS_PROCESSW` on x64 (winsvc.h): `LPWSTR lpServiceName` at 0,
 * `LPWSTR lpDisplayName` at 8, then `SERVICE_STATUS_PROCESS` (nine DWORDs: dwServiceType,
 * dwCurrentState, ..., dwProcessId at its 8th, dwServiceFlags) at 16; 56 bytes with padding.
 */
export const ENUM_SERVICE_STATUS_PROCESSW = {
  size: 56,
  lpServiceName: 0,
  lpDisplayName: 8,
  dwCurrentState: 16 + 4,
  dwProcessId: 16 + 28,
} as const;

/** One running service and the process it runs in. */
export interface ServiceEntry {
  readonly name: string;
  readonly displayName: string;
  readonly pid: number;
}

/**
 * Decodes the `count` records `EnumServicesStatusExW` wrote into `bytes`, whose strings it put in
 * the same buffer: each name pointer is read as an offset from `base`, the buffer's address.
 * Services with no process (stopped, or a driver) are left out.
 */
export function decodeServiceRecords(
  bytes: Uint8Array,
  { count, base }: { readonly count: number; readonly base: bigint },
): ServiceEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const L = ENUM_SERVICE_STATUS_PROCESSW;
  const text = (at: number) => {
    const offset = Number(view.getBigUint64(at, true) - base);
    return offset >= 0 && offset < bytes.length ? decodeUtf16z(bytes, offset, 512) : "";
  };
  const services: ServiceEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * L.size;
    if (at + L.size > bytes.length) break;
    const pid = view.getUint32(at + L.dwProcessId, true);
    if (pid === 0) continue;
    services.push({
      name: text(at + L.lpServiceName),
      displayName: text(at + L.lpDisplayName),
      pid,
    });
  }
  return services;
}
