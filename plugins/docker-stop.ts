/**
 * portctl plugin: when the port is held by `docker-proxy` (Docker publishing a container port on
 * Linux), stops the container instead of killing the proxy (killing it breaks Docker's port
 * forwarding and leaves the container running).
 *
 * It finds the container with `docker ps --filter publish=<port> --format {{.ID}}` and runs
 * `docker stop --time <--timeout> <id>` from its `stop` hook (so only once no plugin refused),
 * then replies `{ handled: true }`: portctl waits for the proxy to exit (Docker removes it with the
 * container) and escalates only if it does not. When
 * the docker CLI is missing, the daemon does not answer, or no container publishes the port, it
 * logs why and portctl goes on as usual. If `docker stop` fails, the plugin fails, and the proxy
 * is left alone. With `--dry-run` it only says what it would do.
 *
 * `PORTCTL_DOCKER` names another CLI with the same commands (e.g. `podman`, or a full path).
 * Keep `--plugin-timeout` (default 10 s) above `--timeout` (default 5 s), since `docker stop`
 * waits that long for the container.
 *
 * Install: copy this file into `~/.config/portctl/plugins/`.
 *
 * @module
 */

import type { PortctlPlugin, StopContext } from "./portctl.d.ts";

async function docker(ctx: StopContext, args: string[]) {
  const program = ctx.env.PORTCTL_DOCKER || "docker";
  const child = new Deno.Command(program, {
    args,
    env: { ...ctx.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const kill = () => child.kill("SIGKILL");
  ctx.abortSignal.addEventListener("abort", kill, { once: true });
  try {
    const output = await child.output();
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes).trim();
    return { ok: output.success, stdout: text(output.stdout), stderr: text(output.stderr) };
  } finally {
    ctx.abortSignal.removeEventListener("abort", kill);
  }
}

const plugin: PortctlPlugin = {
  name: "docker-stop",
  async stop(ctx) {
    if (ctx.process.name !== "docker-proxy") return;
    const port = ctx.sockets[0]?.port;
    if (port === undefined) return;
    const cli = ctx.env.PORTCTL_DOCKER || "docker";
    let found;
    try {
      found = await docker(ctx, ["ps", "--filter", `publish=${port}`, "--format", "{{.ID}}"]);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        ctx.log(`${cli} CLI not found; going on with ${ctx.signal}`);
        return;
      }
      throw error;
    }
    if (!found.ok) {
      ctx.log(`${cli} ps failed (${found.stderr.split("\n")[0]}); going on with ${ctx.signal}`);
      return;
    }
    const ids = found.stdout.split(/\s+/).filter((id) => id !== "");
    if (ids.length === 0) {
      ctx.log(`no container publishes port ${port}; going on with ${ctx.signal}`);
      return;
    }
    const time = String(Math.max(0, Math.floor(ctx.timeout)));
    if (ctx.dryRun) {
      ctx.log(`would run: ${cli} stop --time ${time} ${ids.join(" ")}`);
      return { handled: true };
    }
    ctx.log(`${cli} stop ${ids.join(" ")} (port ${port})`);
    const stopped = await docker(ctx, ["stop", "--time", time, ...ids]);
    if (!stopped.ok) throw new Error(`${cli} stop ${ids.join(" ")} failed: ${stopped.stderr}`);
    return { handled: true };
  },
};

export default plugin;
