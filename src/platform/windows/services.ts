/**
 * The Windows services running now, each with the process it runs in, from the Service Control
 * Manager (`EnumServicesStatusExW`, level `SC_ENUM_PROCESS_INFO`): a port held by a service's
 * process is the service's, and `net stop <name>` (not ending the process, which the service's
 * recovery settings may restart) is the way to stop it.
 *
 * @module
 */

import {
  advapi32,
  SC_ENUM_PROCESS_INFO,
  SC_MANAGER_ENUMERATE_SERVICE,
  SERVICE_ACTIVE,
  SERVICE_WIN32,
} from "./advapi32.ts";
import { decodeServiceRecords, type ServiceEntry } from "./service_records.ts";

/** The running services by the PID of their process (a shared svchost runs several). */
export function servicesByPid(): Map<number, ServiceEntry[]> {
  const byPid = new Map<number, ServiceEntry[]>();
  const api = advapi32();
  const manager = api.OpenSCManagerW(null, null, SC_MANAGER_ENUMERATE_SERVICE);
  if (manager === null) return byPid; // no access: no services named
  try {
    const needed = new Uint32Array(1);
    const returned = new Uint32Array(1);
    const resume = new Uint32Array(1);
    let buffer = new Uint8Array(64 * 1024);
    for (let attempt = 0; attempt < 4; attempt++) {
      const ok = api.EnumServicesStatusExW(
        manager,
        SC_ENUM_PROCESS_INFO,
        SERVICE_WIN32,
        SERVICE_ACTIVE,
        buffer,
        buffer.byteLength,
        needed,
        returned,
        resume,
        null,
      );
      const base = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer)));
      for (const service of decodeServiceRecords(buffer, { count: returned[0], base })) {
        byPid.set(service.pid, [...byPid.get(service.pid) ?? [], service]);
      }
      if (ok !== 0) break;
      // ERROR_MORE_DATA: the rest follows from `resume` into a buffer of the size asked for.
      buffer = new Uint8Array(Math.max(buffer.byteLength, needed[0]));
    }
  } finally {
    api.CloseServiceHandle(manager);
  }
  return byPid;
}
