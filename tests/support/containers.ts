/**
 * Helpers for tests that run real containers and daemons: waiting for a port to be held, running a tool, and a container of the test image (`scripts/test-env.sh` builds it from
 * busybox, no registry) that publishes a free port through docker-proxy. Tests remove what they
 * started by its id.
 */

import { assert } from "./assert.ts";
import { freePort, tcpPortIsFree } from "./portctl.ts";
import { TEST_IMAGE } from "./requirements.ts";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (generously) until `port` is held; returns whether it was. */
export async function untilHeld(port: number, ms = 15_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
    if (!tcpPortIsFree(port)) return true;
  }
  return false;
}

/** Runs `command` with no stdin; its output, trimmed. */
export async function run(command: string, args: string[], extra: Record<string, string> = {}) {
  const out = await new Deno.Command(command, {
    args,
    env: extra,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { ok: out.success, stdout: d.decode(out.stdout).trim(), stderr: d.decode(out.stderr) };
}

/** Runs `docker`; throws with its error when it fails. */
export async function docker(args: string[]): Promise<string> {
  const result = await run("docker", args);
  if (!result.ok) throw new Error(`docker ${args.join(" ")}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** A container of the test image publishing a free host port, v4 and v6 (two docker-proxies). */
export async function startContainer(
  restart = "no",
): Promise<{ id: string; name: string; port: number }> {
  const port = freePort();
  const name = `portctl-test-${crypto.randomUUID().slice(0, 8)}`;
  const id = await docker([
    "run",
    "-d",
    "--name",
    name,
    "--restart",
    restart,
    "-p",
    `127.0.0.1:${port}:8080`,
    "-p",
    `[::1]:${port}:8080`,
    TEST_IMAGE,
    "sh",
    "-c",
    // The TERM trap makes a graceful stop visible: exit 0, not SIGKILL's 137.
    'trap "exit 0" TERM; httpd -f -p 8080 & wait',
  ]);
  assert(await untilHeld(port), `the container did not publish port ${port}`);
  return { id, name, port };
}

export async function inspect(id: string): Promise<{ running: boolean; exitCode: number }> {
  const [running, exitCode] = (await docker([
    "inspect",
    "--format",
    "{{.State.Running}} {{.State.ExitCode}}",
    id,
  ])).split(" ");
  return { running: running === "true", exitCode: Number(exitCode) };
}
