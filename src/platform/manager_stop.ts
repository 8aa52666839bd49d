/**
 * Stopping what a manager manages, through the manager (`--mode manager`, and containers by
 * default): the container engine's API, the manager's own tool (`supervisorctl stop web`,
 * `pm2 stop web`, `sv stop ...`, `systemctl stop web.service`), or ending the manager process
 * itself (nodemon, a shell loop). Shared by the backends of the OSes these run on.
 *
 * @module
 */

import { EngineError, stopContainer } from "./container_engine.ts";
import type { ManagerStopResult, PlatformBackend, ProcessManager, SignalName } from "./types.ts";

/** How long a manager's tool may take beyond the graceful stop it was asked for. */
const TOOL_SLACK_MS = 10_000;

async function runTool(
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<ManagerStopResult> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(argv[0], {
      args: argv.slice(1),
      env: { ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutMs + TOOL_SLACK_MS),
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return { kind: "failed", message: `${argv[0]} is not installed here` };
    }
    return { kind: "failed", message: `${argv.join(" ")}: ${(error as Error).message}` };
  }
  if (output.success) return { kind: "stopped" };
  const said = new TextDecoder().decode(output.stderr).trim() ||
    new TextDecoder().decode(output.stdout).trim();
  const line = said.split("\n").find((l) => l.trim() !== "") ?? `exit status ${output.code}`;
  return { kind: "failed", message: `${argv.join(" ")} failed: ${line}` };
}

/** Ends a manager process (graceful, then forced after `timeoutMs`), by PID and identity. */
async function endManager(
  pid: number,
  options: { readonly timeoutMs: number; readonly backend: BackendParts },
): Promise<ManagerStopResult> {
  const info = options.backend.describeProcesses([pid]).get(pid);
  if (!info) return { kind: "stopped" }; // already gone
  const handle = options.backend.openProcess(info);
  try {
    for (const signal of [options.backend.signals.graceful, "SIGKILL"] as SignalName[]) {
      const result = handle.signal(signal);
      if (result.kind === "gone") return { kind: "stopped" };
      if (result.kind !== "sent") return { kind: "failed", message: result.message };
      if (await handle.waitForExit(options.timeoutMs)) return { kind: "stopped" };
    }
    return { kind: "failed", message: `${info.name} (${pid}) is still running after SIGKILL` };
  } finally {
    handle.close();
  }
}

/** What of a backend stopping through a manager needs. */
export type BackendParts = Pick<PlatformBackend, "describeProcesses" | "openProcess" | "signals">;

/**
 * Stops what `manager` manages through it; never throws.
 *
 * @example
 * ```ts
 * await stopThroughManager(manager, { timeoutMs: 5000, backend });
 * // { kind: "stopped" }, or { kind: "failed", message: "supervisorctl is not installed here" }
 * ```
 */
export async function stopThroughManager(
  manager: ProcessManager,
  options: { readonly timeoutMs: number; readonly backend: BackendParts },
): Promise<ManagerStopResult> {
  const stop = manager.stop;
  switch (stop.kind) {
    case "engine":
      try {
        await stopContainer(
          { engine: manager.kind === "podman" ? "podman" : "docker", socket: stop.socket },
          { id: stop.id, name: manager.name, seconds: options.timeoutMs / 1000 },
        );
        return { kind: "stopped" };
      } catch (error) {
        if (!(error instanceof EngineError)) throw error;
        return { kind: "failed", message: error.message };
      }
    case "command":
      return await runTool(stop.argv, stop.env, options.timeoutMs);
    case "end-manager":
      return await endManager(stop.pid, options);
    case "none":
      return { kind: "failed", message: stop.why };
  }
}
