/**
 * Who manages a holder on Windows: Docker Desktop (or WSL) for its port forwarders, with the
 * container the `docker` CLI names (Docker's named pipe is out of `fetch`'s reach), and the
 * Service Control Manager for a service's process.
 *
 * @module
 */

import { listContainersWithCli } from "../container_engine.ts";
import { forwarderEngine, forwarderManagers } from "../engine_forwarders.ts";
import type { ManagedHolder, ProcessManager } from "../types.ts";
import { servicesByPid } from "./services.ts";

/**
 * Who manages each holder: Docker Desktop (or WSL) for its port forwarders, with the container
 * the `docker` CLI names (Docker's named pipe is out of `fetch`'s reach), and the Service Control
 * Manager for a service's process.
 */
export async function describeManagers(
  holders: readonly ManagedHolder[],
): Promise<Map<number, ProcessManager>> {
  const forwarding = holders.some(({ process }) => forwarderEngine(process.name));
  const managers = forwarderManagers(holders, {
    containers: forwarding ? await listContainersWithCli() : [],
    stopVia: (c) => ({ kind: "command", argv: ["docker", "stop", c.id], env: {} }),
  });
  const services = servicesByPid();
  for (const { process } of holders) {
    const service = services.get(process.pid)?.[0];
    if (!service || managers.has(process.pid)) continue;
    const shared = (services.get(process.pid)?.length ?? 0) > 1;
    managers.set(process.pid, {
      kind: "windows-service",
      name: service.name,
      id: null,
      stopCommand: `net stop ${service.name.includes(" ") ? `"${service.name}"` : service.name}`,
      forwarder: false,
      // The Service Control Manager restarts a service only when its recovery options say so.
      restart: { kind: "within", ms: 2000 },
      stop: shared
        ? {
          kind: "none",
          why: `its process runs several services (${
            services.get(process.pid)!.map((s) => s.name).join(", ")
          }): stop the one you mean with net stop`,
        }
        : { kind: "command", argv: ["net", "stop", service.name], env: {} },
    });
  }
  return managers;
}
