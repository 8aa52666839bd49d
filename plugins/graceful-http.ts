/**
 * portctl plugin: asks a server to shut itself down over HTTP before portctl signals it.
 *
 * For each TCP port the process holds, the shutdown URL is `PORTCTL_SHUTDOWN_URL_<port>` (e.g.
 * `PORTCTL_SHUTDOWN_URL_8080=http://127.0.0.1:8080/admin/shutdown`), else the template
 * `PORTCTL_SHUTDOWN_URL` with `{port}` replaced (e.g.
 * `PORTCTL_SHUTDOWN_URL=http://127.0.0.1:{port}/shutdown`). The plugin POSTs
 * `{"pid":…,"port":…}` there, from its `stop` hook: only once every plugin's `beforeKill` agreed
 * to end the process, so a protected server never receives the request. On a 2xx answer it replies
 * `{ handled: true }`: portctl then waits up to `--timeout` for the process to exit and escalates
 * (SIGKILL) only if it does not. On any other answer, or when the request fails, it logs why and
 * portctl goes on with its signal. Without a URL for the port it does nothing. With `--dry-run` it
 * only says what it would do.
 *
 * Note: a template URL is tried for every port portctl kills; prefer per-port variables when
 * other servers could misread a POST to that path. Requests are cut off at `--plugin-timeout`.
 * portctl needs network permission for this plugin (the release binary has it).
 *
 * Install: copy this file into `~/.config/portctl/plugins/`.
 *
 * @module
 */

import type { PortctlPlugin, StopContext } from "./portctl.d.ts";

/** The configured shutdown URL for `port`, if any. */
export function shutdownUrl(env: Readonly<Record<string, string>>, port: number): string | null {
  const exact = env[`PORTCTL_SHUTDOWN_URL_${port}`];
  if (exact) return exact;
  const template = env.PORTCTL_SHUTDOWN_URL;
  return template ? template.replaceAll("{port}", String(port)) : null;
}

async function requestShutdown(ctx: StopContext, url: string, port: number) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ pid: ctx.process.pid, port }),
    signal: ctx.abortSignal,
  });
  await response.body?.cancel();
  return response.status;
}

const plugin: PortctlPlugin = {
  name: "graceful-http",
  async stop(ctx) {
    const ports = [...new Set(ctx.sockets.filter((s) => s.protocol === "tcp").map((s) => s.port))];
    for (const port of ports) {
      const url = shutdownUrl(ctx.env, port);
      if (!url) continue;
      if (ctx.dryRun) {
        ctx.log(`would POST ${url} and wait for ${ctx.process.name} (${ctx.process.pid}) to exit`);
        return { handled: true };
      }
      let status: number;
      try {
        status = await requestShutdown(ctx, url, port);
      } catch (error) {
        if (ctx.abortSignal.aborted) throw error;
        ctx.log(`POST ${url} failed (${(error as Error).message}); going on with ${ctx.signal}`);
        return;
      }
      if (status >= 200 && status < 300) {
        ctx.log(`POST ${url}: ${status}; waiting for ${ctx.process.name} to exit`);
        return { handled: true };
      }
      ctx.log(`POST ${url}: ${status}; going on with ${ctx.signal}`);
      return;
    }
    return undefined;
  },
};

export default plugin;
