/**
 * What `/proc/<pid>/cgroup` says about who manages a process: the container it runs in (Docker,
 * Podman, containerd), or the systemd unit that started it. Pure parsing; cgroup v1 (one line per
 * hierarchy, `N:controllers:/path`) and v2 (`0::/path`) alike.
 *
 * Paths as the managers write them:
 * - Docker, cgroupfs driver: `/docker/<64 hex>`; systemd driver: `/system.slice/docker-<id>.scope`
 * - Podman: `/machine.slice/libpod-<id>.scope` (a user's: `.../user@1000.service/.../libpod-<id>.scope`);
 *   `libpod-conmon-<id>.scope` is Podman's monitor, not the container
 * - containerd (Kubernetes, nerdctl): `.../cri-containerd-<id>.scope`, `/kubepods/.../<id>`
 * - systemd: `/system.slice/nginx.service`; a user's unit:
 *   `/user.slice/user-1000.slice/user@1000.service/app.slice/web.service`. A `.scope` (a login
 *   session, `systemd-run --scope`) never restarts anything, so only `.service` units count.
 *
 * @module
 */

/** A container engine that can own a process. */
export type ContainerEngine = "docker" | "podman" | "containerd";

/** What the cgroup path says. */
export interface CgroupFacts {
  /** The container the process runs in, if any. */
  readonly container: { readonly engine: ContainerEngine; readonly id: string } | null;
  /**
   * The systemd service that started it, if any (never a scope); `uid` is the user whose own
   * systemd (`user@<uid>.service`) runs it, null for the system's.
   */
  readonly unit: { readonly name: string; readonly uid: number | null } | null;
}

const ID = "([0-9a-f]{64})";
const CONTAINER_PATTERNS: readonly [RegExp, ContainerEngine][] = [
  [new RegExp(`/docker-${ID}\\.scope(?:/|$)`, "m"), "docker"],
  [new RegExp(`/docker/${ID}(?:/|$)`, "m"), "docker"],
  [new RegExp(`/libpod-(?!conmon-)${ID}(?:\\.scope)?(?:/|$)`, "m"), "podman"],
  [new RegExp(`/cri-containerd-${ID}\\.scope(?:/|$)`, "m"), "containerd"],
  [new RegExp(`/kubepods[^:]*/${ID}(?:/|$)`, "m"), "containerd"],
];

/** The path of the unified (v2) or systemd-named (v1) hierarchy, else the first one. */
function mainPath(text: string): string | null {
  const paths = new Map<string, string>();
  for (const line of text.split("\n")) {
    const first = line.indexOf(":");
    const second = line.indexOf(":", first + 1);
    if (first < 0 || second < 0) continue;
    paths.set(line.slice(first + 1, second), line.slice(second + 1));
  }
  const unified = paths.get("");
  // On a v1 system the unified line is "/" while the systemd hierarchy holds the real path.
  if (unified && unified !== "/") return unified;
  return paths.get("name=systemd") ?? unified ?? [...paths.values()][0] ?? null;
}

/**
 * Reads the container and the systemd unit from the text of `/proc/<pid>/cgroup`.
 *
 * @example
 * ```ts
 * parseCgroup("0::/system.slice/nginx.service\n");
 * // { container: null, unit: { name: "nginx.service", uid: null } }
 * ```
 */
export function parseCgroup(text: string): CgroupFacts {
  let container: CgroupFacts["container"] = null;
  for (const [pattern, engine] of CONTAINER_PATTERNS) {
    const match = pattern.exec(text);
    if (match) {
      container = { engine, id: match[1] };
      break;
    }
  }
  const path = mainPath(text);
  let unit: CgroupFacts["unit"] = null;
  if (path && !container) {
    const parts = path.split("/").filter((part) => part !== "");
    const last = parts[parts.length - 1] ?? "";
    // user@1000.service is the user's own systemd, which manages the units below it.
    if (last.endsWith(".service") && !/^user@\d+\.service$/.test(last)) {
      const user = parts.map((part) => /^user@(\d+)\.service$/.exec(part)?.[1]).find(Boolean);
      unit = { name: last, uid: user === undefined ? null : Number(user) };
    }
  }
  return { container, unit };
}
