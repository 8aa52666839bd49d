/**
 * Container engines that run their containers in a VM (Docker Desktop, OrbStack, Podman machine)
 * publish a container's port through a process of their own on the host: `com.docker.backend`,
 * `vpnkit`, `OrbStack Helper`, `gvproxy`; and WSL 2 forwards its `localhost` ports through
 * `wslrelay`. Ending that process is the wrong act (Docker's port mapping breaks, the container
 * keeps running), so such a holder is shown as the engine's forwarder, with the container behind
 * the port when the engine names it, and is never ended by default. Used by the macOS and Windows
 * backends.
 *
 * @module
 */

import type { ContainerInfo } from "./container_engine.ts";
import type { ManagedHolder, ManagerStop, ProcessManager } from "./types.ts";

/** Forwarding processes by name (without `.exe`), and the engine each belongs to. */
const FORWARDERS: ReadonlyMap<string, string> = new Map([
  ["com.docker.backend", "Docker Desktop"],
  ["com.docker.vpnkit", "Docker Desktop"],
  ["com.docker.proxy", "Docker Desktop"],
  ["vpnkit", "Docker Desktop"],
  ["vpnkit-bridge", "Docker Desktop"],
  ["orbstack helper", "OrbStack"],
  ["gvproxy", "Podman machine"],
  ["wslrelay", "WSL"],
]);

/** The engine a process forwards ports for, by its name, or null. */
export function forwarderEngine(name: string): string | null {
  return FORWARDERS.get(name.toLowerCase().replace(/\.exe$/, "")) ?? null;
}

/**
 * The managers of the forwarders among `holders`: the container publishing the holder's port
 * (from `containers`, when the engine answered), else the engine itself, which only the user can
 * stop. `stopVia` says how portctl stops a named container on this OS.
 */
export function forwarderManagers(
  holders: readonly ManagedHolder[],
  options: {
    readonly containers: readonly ContainerInfo[];
    readonly stopVia: (container: ContainerInfo) => ManagerStop;
  },
): Map<number, ProcessManager> {
  const managers = new Map<number, ProcessManager>();
  for (const { process, ports } of holders) {
    const engine = forwarderEngine(process.name);
    if (!engine) continue;
    if (engine === "WSL") {
      const port = ports[0]?.port;
      managers.set(process.pid, {
        kind: "wsl",
        name: "WSL",
        id: null,
        stopCommand: `wsl -e portctl kill ${port}`,
        forwarder: true,
        restart: { kind: "never" },
        stop: {
          kind: "none",
          why:
            `a Linux process in WSL holds port ${port}: end it there (wsl -e portctl kill ${port})`,
        },
      });
      continue;
    }
    const container = options.containers.find((c) =>
      c.ports.some((p) => ports.some((q) => q.protocol === p.protocol && q.port === p.hostPort))
    );
    const port = ports[0]?.port;
    managers.set(process.pid, {
      kind: container?.engine ?? "docker",
      name: container?.name ?? `${engine} (port ${port})`,
      id: container?.id.slice(0, 12) ?? null,
      stopCommand: container
        ? `${container.engine} stop ${container.name}`
        : `docker stop $(docker ps -q --filter publish=${port})`,
      forwarder: true,
      restart: { kind: "within", ms: 2000 },
      stop: container ? options.stopVia(container) : {
        kind: "none",
        why: `${engine} did not name the container on port ${port}; find it with ` +
          `"docker ps --filter publish=${port}" and stop it`,
      },
    });
  }
  return managers;
}
