/**
 * Who manages a holder on macOS: Docker Desktop and OrbStack publish a container's port through a
 * process of their own (`com.docker.backend`, `vpnkit`, `OrbStack Helper`); their Engine API, on
 * the unix socket they keep in the home folder, names the container behind the port, which is then
 * stopped through that API. launchd jobs are not told apart here (launchd says which job a PID
 * belongs to only to root, through `launchctl`).
 *
 * @module
 */

import { engineEndpoints, listContainers } from "../container_engine.ts";
import { forwarderEngine, forwarderManagers } from "../engine_forwarders.ts";
import type { ManagedHolder, ProcessManager } from "../types.ts";

/** Who manages each of `holders`: the forwarders' containers. */
export async function describeManagers(
  holders: readonly ManagedHolder[],
): Promise<Map<number, ProcessManager>> {
  if (!holders.some(({ process }) => forwarderEngine(process.name))) return new Map();
  const containers = await listContainers(engineEndpoints(Deno.env.toObject())).catch(() => []);
  return forwarderManagers(holders, {
    containers,
    stopVia: (c) => ({ kind: "engine", socket: c.endpoint.socket, id: c.id }),
  });
}
