/**
 * The one place that decides whether a suite needing something from the machine runs: root, the
 * Docker daemon with the test image, tmux, supervisord, runit, pm2, nodemon, the Wine harness.
 * `scripts/test-env.sh` installs and starts all of it (Wine sets itself up on its first run).
 *
 * When something is missing the suite is skipped, with the reason and the command that would
 * enable it printed. Where the services are required it fails instead: with `CI=true` (the CI
 * machine, `.ci/run`) or `PORTCTL_REQUIRE_SERVICES=1`; `PORTCTL_REQUIRE_SERVICES=0` allows skips
 * under `CI=true` (GitHub's runners: not root, no test image). Only Linux has this set-up, so
 * elsewhere a missing piece is always a skip.
 *
 * Shell-run suites ask the same question from the command line (`tests/windows/run.sh`):
 *
 * ```sh
 * deno run -A tests/support/requirements.ts "the Windows suite under Wine" wine
 * # prints why it cannot run, if so; exit 0: run it, 1: fail (required here), 3: skip it
 * ```
 *
 * @module
 */

/** Something a suite needs from the machine. */
export type Requirement =
  | "root"
  | "docker"
  | "tmux"
  | "supervisord"
  | "runit"
  | "pm2"
  | "nodemon"
  | "wine";

const REQUIREMENTS: readonly Requirement[] = [
  "root",
  "docker",
  "tmux",
  "supervisord",
  "runit",
  "pm2",
  "nodemon",
  "wine",
];

/** The image `scripts/test-env.sh` imports: static busybox (sh, httpd, nc, sleep, ...). */
export const TEST_IMAGE = "portctl-test-busybox";

/** The command that installs and starts the test environment. */
export const SETUP_COMMAND = "sudo scripts/test-env.sh";

/** Why a requirement is not met here, and what would meet it. */
export interface Shortfall {
  readonly need: Requirement;
  readonly reason: string;
  readonly enable: string;
}

/** What a suite does here. */
export type Verdict =
  | { readonly kind: "run" }
  | { readonly kind: "skip"; readonly shortfalls: readonly Shortfall[] }
  | { readonly kind: "fail"; readonly shortfalls: readonly Shortfall[] };

/**
 * Whether missing services fail suites here instead of skipping them.
 *
 * @example
 * ```ts
 * servicesRequired({ CI: "true" }, "linux"); // true
 * servicesRequired({ CI: "true", PORTCTL_REQUIRE_SERVICES: "0" }, "linux"); // false
 * ```
 */
export function servicesRequired(
  env: Readonly<Record<string, string | undefined>>,
  os: typeof Deno.build.os,
): boolean {
  if (os !== "linux") return false;
  const explicit = env.PORTCTL_REQUIRE_SERVICES;
  if (explicit === "1" || explicit === "0") return explicit === "1";
  return env.CI === "true" || env.CI === "1";
}

/** Run when nothing is short; otherwise skip, or fail where the services are required. */
export function decide(shortfalls: readonly Shortfall[], required: boolean): Verdict {
  if (shortfalls.length === 0) return { kind: "run" };
  return { kind: required ? "fail" : "skip", shortfalls };
}

/** The one line a skipped or failed suite prints. */
export function explain(suite: string, verdict: Verdict): string {
  if (verdict.kind === "run") return `${suite}: everything it needs is here`;
  const reasons = verdict.shortfalls.map((s) => s.reason).join("; ");
  const enable = [...new Set(verdict.shortfalls.map((s) => s.enable))].join("; then ");
  return verdict.kind === "skip"
    ? `SKIP ${suite}: ${reasons}. To run it: ${enable}`
    : `FAIL ${suite}: ${reasons}. Required here (CI=true or PORTCTL_REQUIRE_SERVICES=1; ` +
      `PORTCTL_REQUIRE_SERVICES=0 allows skipping). To fix: ${enable}`;
}

function onPath(command: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (!dir) continue;
    try {
      const info = Deno.statSync(`${dir}/${command}`);
      if (info.isFile && ((info.mode ?? 0) & 0o111) !== 0) return true;
    } catch {
      // Not in this folder.
    }
  }
  return false;
}

async function run(command: string, args: string[]): Promise<{ ok: boolean; text: string }> {
  try {
    const out = await new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(15_000),
    }).output();
    const d = new TextDecoder();
    return { ok: out.success, text: (d.decode(out.stdout) + d.decode(out.stderr)).trim() };
  } catch (error) {
    return { ok: false, text: error instanceof Error ? error.message : String(error) };
  }
}

const isRoot = () => Deno.uid() === 0;

const TOOLS: Partial<Record<Requirement, { commands: string[]; what: string }>> = {
  tmux: { commands: ["tmux"], what: "tmux (Debian package tmux)" },
  supervisord: {
    commands: ["supervisord", "supervisorctl"],
    what: "supervisord (Debian package supervisor)",
  },
  runit: { commands: ["runsv", "runsvdir", "sv"], what: "runit (Debian package runit)" },
  pm2: { commands: ["pm2"], what: "pm2 (npm install -g pm2)" },
  nodemon: { commands: ["nodemon"], what: "nodemon (npm install -g nodemon)" },
};

async function dockerShortfall(): Promise<Shortfall | null> {
  const need = "docker";
  if (!onPath("docker")) {
    return { need, reason: "docker is not installed", enable: SETUP_COMMAND };
  }
  const server = await run("docker", ["version", "--format", "{{.Server.Version}}"]);
  if (!server.ok) {
    const why = /permission denied/i.test(server.text)
      ? "permission denied on its socket"
      : /cannot connect|daemon running/i.test(server.text)
      ? "no daemon on its socket"
      : server.text.split("\n")[0].slice(0, 160);
    return {
      need,
      reason: `the Docker daemon does not answer (${why})`,
      enable: isRoot()
        ? `${SETUP_COMMAND} (starts a dockerd)`
        : `${SETUP_COMMAND}, then run the tests as root or as a member of the docker group`,
    };
  }
  const image = await run("docker", ["image", "inspect", "--format", "{{.Id}}", TEST_IMAGE]);
  if (!image.ok) {
    return { need, reason: `the test image ${TEST_IMAGE} is missing`, enable: SETUP_COMMAND };
  }
  return null;
}

/** Why `need` is not met on this machine, or null when it is. */
export async function shortfallOf(need: Requirement): Promise<Shortfall | null> {
  if (Deno.build.os !== "linux") {
    return {
      need,
      reason: `${need} is set up for tests on Linux only (this is ${Deno.build.os})`,
      enable: "run the tests on Linux",
    };
  }
  if (need === "root") {
    return isRoot() ? null : {
      need,
      reason: `it needs root (this runs as uid ${Deno.uid()})`,
      enable: "run the tests as root (sudo)",
    };
  }
  if (need === "wine") {
    return isRoot() ? null : {
      need,
      reason: `the Wine harness needs root for its chroot and bind mounts (uid ${Deno.uid()})`,
      enable: "sudo deno task test:windows (sets Wine up on its first run, ~1 min)",
    };
  }
  if (need === "docker") return await dockerShortfall();
  const tool = TOOLS[need]!;
  const absent = tool.commands.filter((command) => !onPath(command));
  return absent.length === 0 ? null : {
    need,
    reason: `${tool.what} is not installed (${absent.join(", ")} not on PATH)`,
    enable: SETUP_COMMAND,
  };
}

const probes = new Map<Requirement, Promise<Shortfall | null>>();

/** The verdict for a suite needing `needs`, here and now (each need is probed once a process). */
export async function verdictFor(needs: readonly Requirement[]): Promise<Verdict> {
  for (const need of needs) if (!probes.has(need)) probes.set(need, shortfallOf(need));
  const shortfalls = (await Promise.all(needs.map((need) => probes.get(need)!)))
    .filter((s): s is Shortfall => s !== null);
  return decide(shortfalls, servicesRequired(Deno.env.toObject(), Deno.build.os));
}

/**
 * Whether the suite runs here: true when everything it needs is present. Otherwise prints why
 * and returns false; where the services are required it also registers a failing test that says
 * what is missing. Tests of the suite pass `ignore: !runs`.
 *
 * @example
 * ```ts
 * const runs = await suiteNeeds("Docker containers", ["root", "docker"]);
 * Deno.test({ name: "a container's published port", ignore: !runs, fn: async () => {} });
 * ```
 */
export async function suiteNeeds(suite: string, needs: readonly Requirement[]): Promise<boolean> {
  const verdict = await verdictFor(needs);
  if (verdict.kind === "run") return true;
  const line = explain(suite, verdict);
  console.log(line);
  if (verdict.kind === "fail") {
    Deno.test(`${suite}: what it needs is here (${needs.join(", ")})`, () => {
      throw new Error(line);
    });
  }
  return false;
}

if (import.meta.main) {
  const [suite, ...needs] = Deno.args;
  const unknown = needs.filter((n) => !REQUIREMENTS.includes(n as Requirement));
  if (!suite || needs.length === 0 || unknown.length > 0) {
    console.error(
      `usage: requirements.ts SUITE NEED... (NEED: ${REQUIREMENTS.join(" | ")})` +
        (unknown.length > 0 ? `; unknown: ${unknown.join(", ")}` : ""),
    );
    Deno.exit(2);
  }
  const verdict = await verdictFor(needs as Requirement[]);
  if (verdict.kind !== "run") console.log(explain(suite, verdict));
  Deno.exit(verdict.kind === "run" ? 0 : verdict.kind === "fail" ? 1 : 3);
}
