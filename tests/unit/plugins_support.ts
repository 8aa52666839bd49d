/**
 * Helpers for the plugin tests: temp folders with real plugin files, a core hook context, and
 * callbacks that record warnings and plugin log lines.
 *
 * @module
 */

import type { AfterKillContext, BeforeKillContext, KillOutcome } from "../../src/core/hooks.ts";

/** A fresh temp folder; removed by the returned `cleanup`. */
export async function tempFolder(): Promise<{ path: string; cleanup(): Promise<void> }> {
  const path = await Deno.realPath(await Deno.makeTempDir({ prefix: "portctl_plugins_" }));
  return { path, cleanup: () => Deno.remove(path, { recursive: true }) };
}

/** Writes `text` to `dir/name` (creating folders); `exec` sets mode 0755. Returns the path. */
export async function writeFile(
  dir: string,
  name: string,
  text: string,
  exec = false,
): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(path, text);
  await Deno.chmod(path, exec ? 0o755 : 0o644);
  return path;
}

/** A `beforeKill` context for a made-up process (hooks never signal anything). */
export function beforeContext(overrides: Partial<BeforeKillContext> = {}): BeforeKillContext {
  return {
    process: {
      pid: 4242,
      name: "node",
      user: "ada",
      command: "node server.js",
      cwd: "/home/ada/shop/api",
      startedAt: "2026-05-20T16:00:00.123Z",
      exe: "/usr/bin/node",
    },
    manager: null,
    sockets: [{ protocol: "tcp", family: 4, address: "127.0.0.1", port: 3000, state: "LISTEN" }],
    signal: "SIGTERM",
    dryRun: false,
    platform: "linux",
    timeout: 5,
    ...overrides,
  };
}

/** An `afterKill` context. */
export function afterContext(
  outcome: KillOutcome = "ended",
  overrides: Partial<BeforeKillContext> = {},
): AfterKillContext {
  return { ...beforeContext(overrides), outcome, elapsedMs: 120 };
}

/** Records `warn` lines and `log(plugin, message)` calls. */
export function recorder() {
  const warnings: string[] = [];
  const logs: string[] = [];
  return {
    warnings,
    logs,
    warn: (line: string) => void warnings.push(line),
    log: (plugin: string, message: string) => void logs.push(`[${plugin}] ${message}`),
  };
}

/** An environment with only what the tests set (HOME points into the temp folder). */
export function isolatedEnv(
  home: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: home, ...extra };
}
