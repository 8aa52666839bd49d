/**
 * Docker's and Podman's Engine API (the same HTTP API on both), spoken over their unix sockets with
 * Deno's own `fetch`, so portctl needs no `docker` CLI to name a container or to stop it. Used by
 * the Linux and macOS backends; loaded only when a holder turned out to belong to a container.
 *
 * Where the engines listen: `DOCKER_HOST` (`unix://...`), then `/var/run/docker.sock`,
 * `~/.docker/run/docker.sock` (Docker Desktop), `~/.orbstack/run/docker.sock` (OrbStack),
 * `/run/podman/podman.sock` and `$XDG_RUNTIME_DIR/podman/podman.sock` (Podman's service).
 *
 * @module
 */

/** Which engine an endpoint belongs to, as far as portctl tells them apart. */
export type EngineName = "docker" | "podman";

/** A socket an engine may answer on. */
export interface EngineEndpoint {
  readonly engine: EngineName;
  readonly socket: string;
}

/** One port a container publishes on the host. */
export interface PublishedPort {
  readonly protocol: "tcp" | "udp";
  /** Host address (`0.0.0.0`, `::`, `127.0.0.1`), or null when the engine does not say. */
  readonly hostIp: string | null;
  readonly hostPort: number;
  readonly containerPort: number;
}

/** A running container, as portctl needs it. */
export interface ContainerInfo {
  readonly engine: EngineName;
  readonly endpoint: EngineEndpoint;
  /** The full id (64 hex digits). */
  readonly id: string;
  /** Its name without Docker's leading `/`. */
  readonly name: string;
  readonly image: string;
  readonly ports: readonly PublishedPort[];
}

/** The endpoints to try, in order, for this environment. */
export function engineEndpoints(
  env: Readonly<Record<string, string | undefined>>,
): EngineEndpoint[] {
  const endpoints: EngineEndpoint[] = [];
  const add = (engine: EngineName, socket: string | undefined) => {
    if (socket && !endpoints.some((e) => e.socket === socket)) endpoints.push({ engine, socket });
  };
  const host = env.DOCKER_HOST;
  if (host?.startsWith("unix://")) {
    add(host.includes("podman") ? "podman" : "docker", host.slice(7));
  }
  add("docker", "/var/run/docker.sock");
  if (env.HOME) {
    add("docker", `${env.HOME}/.docker/run/docker.sock`);
    add("docker", `${env.HOME}/.orbstack/run/docker.sock`);
  }
  add("podman", "/run/podman/podman.sock");
  if (env.XDG_RUNTIME_DIR) add("podman", `${env.XDG_RUNTIME_DIR}/podman/podman.sock`);
  return endpoints;
}

/** An engine that did not answer as expected; the message says which socket and why. */
export class EngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EngineError";
  }
}

/** How long one API request may take (a stop waits longer: its own timeout plus this). */
const REQUEST_TIMEOUT_MS = 3000;

async function request(
  endpoint: EngineEndpoint,
  method: string,
  path: string,
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<{ status: number; body: string }> {
  const client = Deno.createHttpClient({ proxy: { transport: "unix", path: endpoint.socket } });
  try {
    const response = await fetch(`http://${endpoint.engine}${path}`, {
      method,
      client,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    const why = (error as Error).message.split("\n")[0];
    throw new EngineError(`${endpoint.engine} on ${endpoint.socket} did not answer (${why})`);
  } finally {
    client.close();
  }
}

interface ListedContainer {
  Id: string;
  Names?: string[];
  Image?: string;
  Ports?: { IP?: string; PrivatePort?: number; PublicPort?: number; Type?: string }[];
}

/** Turns the Engine API's `GET /containers/json` answer into {@linkcode ContainerInfo}s. */
export function parseContainerList(endpoint: EngineEndpoint, body: string): ContainerInfo[] {
  const listed = JSON.parse(body) as ListedContainer[];
  return listed.map((c) => ({
    engine: endpoint.engine,
    endpoint,
    id: c.Id,
    name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ""),
    image: c.Image ?? "",
    ports: (c.Ports ?? []).flatMap((p) =>
      p.PublicPort && p.PrivatePort && (p.Type === "tcp" || p.Type === "udp")
        ? [{
          protocol: p.Type,
          hostIp: p.IP ?? null,
          hostPort: p.PublicPort,
          containerPort: p.PrivatePort,
        }]
        : []
    ),
  }));
}

/**
 * The running containers of every engine that answers (an engine that is not there is skipped;
 * one that answers badly is an {@linkcode EngineError}).
 */
export async function listContainers(
  endpoints: readonly EngineEndpoint[],
): Promise<ContainerInfo[]> {
  const found: ContainerInfo[] = [];
  for (const endpoint of endpoints) {
    try {
      Deno.statSync(endpoint.socket);
    } catch {
      continue; // no engine here
    }
    const { status, body } = await request(endpoint, "GET", "/containers/json");
    if (status !== 200) {
      throw new EngineError(
        `${endpoint.engine} on ${endpoint.socket} answered ${status}: ${body.trim()}`,
      );
    }
    found.push(...parseContainerList(endpoint, body));
  }
  return found;
}

/**
 * Stops a container the way `docker stop --time <seconds>` does: its stop signal, then SIGKILL
 * after `seconds`. A container stopped this way stays stopped, whatever its restart policy.
 */
export async function stopContainer(container: ContainerInfo, seconds: number): Promise<void> {
  const t = Math.max(0, Math.ceil(seconds));
  const { status, body } = await request(
    container.endpoint,
    "POST",
    `/containers/${container.id}/stop?t=${t}`,
    t * 1000 + REQUEST_TIMEOUT_MS * 2,
  );
  // 204: stopped; 304: it was not running any more.
  if (status !== 204 && status !== 304) {
    const message = body.trim() ? `: ${body.trim()}` : "";
    throw new EngineError(
      `${container.engine} could not stop ${container.name} (${status}${message})`,
    );
  }
}
