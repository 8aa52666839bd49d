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
 * Reads `docker ps --no-trunc --format "{{json .}}"` (one JSON object a line, ports as
 * `0.0.0.0:8080->80/tcp, :::8080->80/tcp`): how containers are listed where the Engine API's
 * socket cannot be reached with `fetch` (Docker Desktop's named pipe on Windows).
 *
 * @example
 * ```ts
 * parseDockerPs('{"ID":"ab12","Names":"web","Image":"nginx","Ports":"0.0.0.0:8080->80/tcp"}')[0]
 *   .ports; // [{ protocol: "tcp", hostIp: "0.0.0.0", hostPort: 8080, containerPort: 80 }]
 * ```
 */
export function parseDockerPs(
  text: string,
  endpoint: EngineEndpoint = CLI_ENDPOINT,
): ContainerInfo[] {
  const containers: ContainerInfo[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const row = JSON.parse(line) as { ID?: string; Names?: string; Image?: string; Ports?: string };
    const ports: PublishedPort[] = [];
    for (const part of (row.Ports ?? "").split(",")) {
      const m = /^\s*(.*):(\d+)->(\d+)\/(tcp|udp)\s*$/.exec(part);
      if (!m) continue;
      ports.push({
        protocol: m[4] as "tcp" | "udp",
        hostIp: m[1] || null,
        hostPort: Number(m[2]),
        containerPort: Number(m[3]),
      });
    }
    containers.push({
      engine: endpoint.engine,
      endpoint,
      id: row.ID ?? "",
      name: (row.Names ?? "").split(",")[0],
      image: row.Image ?? "",
      ports,
    });
  }
  return containers;
}

/** The endpoint of containers listed through the `docker` CLI (no socket portctl reaches). */
export const CLI_ENDPOINT: EngineEndpoint = { engine: "docker", socket: "" };

/** The running containers as the `docker` CLI lists them; none when it is missing or fails. */
export async function listContainersWithCli(): Promise<ContainerInfo[]> {
  try {
    const output = await new Deno.Command("docker", {
      args: ["ps", "--no-trunc", "--format", "{{json .}}"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    }).output();
    return output.success ? parseDockerPs(new TextDecoder().decode(output.stdout)) : [];
  } catch {
    return [];
  }
}

/** What a Docker port forwarder (`docker-proxy`) says on its command line about its container. */
export interface ProxiedPort {
  readonly protocol: "tcp" | "udp";
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerIp: string;
  readonly containerPort: number;
}

/**
 * Reads a `docker-proxy` command line (`-proto tcp -host-ip 0.0.0.0 -host-port 8080
 * -container-ip 172.17.0.2 -container-port 80`), or null when it is not one.
 *
 * @example
 * ```ts
 * parseDockerProxy("/usr/bin/docker-proxy -proto tcp -host-ip 127.0.0.1 -host-port 32771 " +
 *   "-container-ip 172.17.0.2 -container-port 8080")?.hostPort; // 32771
 * ```
 */
export function parseDockerProxy(command: string): ProxiedPort | null {
  const args = command.trim().split(/\s+/);
  const value = (flag: string) => {
    const at = args.indexOf(flag);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const protocol = value("-proto");
  const hostPort = Number(value("-host-port"));
  const containerPort = Number(value("-container-port"));
  const containerIp = value("-container-ip");
  if ((protocol !== "tcp" && protocol !== "udp") || !hostPort || !containerPort || !containerIp) {
    return null;
  }
  return { protocol, hostIp: value("-host-ip") ?? "", hostPort, containerIp, containerPort };
}

/** The container `proxied` forwards to, among `containers` (by host port and protocol). */
export function containerOfProxy(
  containers: readonly ContainerInfo[],
  proxied: ProxiedPort,
): ContainerInfo | null {
  return containers.find((c) =>
    c.ports.some((p) =>
      p.protocol === proxied.protocol && p.hostPort === proxied.hostPort &&
      p.containerPort === proxied.containerPort
    )
  ) ?? null;
}

/** The container whose id is `id` (full, or a prefix of at least 12 digits). */
export function containerById(
  containers: readonly ContainerInfo[],
  id: string,
): ContainerInfo | null {
  return containers.find((c) => c.id.startsWith(id) || id.startsWith(c.id)) ?? null;
}

/**
 * Stops a container the way `docker stop --time <seconds>` does: its stop signal, then SIGKILL
 * after `seconds`. A container stopped this way stays stopped, whatever its restart policy.
 */
export async function stopContainer(
  endpoint: EngineEndpoint,
  options: { readonly id: string; readonly name: string; readonly seconds: number },
): Promise<void> {
  const t = Math.max(0, Math.ceil(options.seconds));
  const { status, body } = await request(
    endpoint,
    "POST",
    `/containers/${options.id}/stop?t=${t}`,
    t * 1000 + REQUEST_TIMEOUT_MS * 2,
  );
  // 204: stopped; 304: it was not running any more.
  if (status !== 204 && status !== 304) {
    const message = body.trim() ? `: ${body.trim()}` : "";
    throw new EngineError(
      `${endpoint.engine} could not stop ${options.name} (${status}${message})`,
    );
  }
}
