/**
 * portctl plugin: appends one JSON line per kill to a log file, so you can see later what was
 * ended, when, by which signal, and how it went.
 *
 * The file is `$XDG_STATE_HOME/portctl/kills.log` (default `~/.local/state/portctl/kills.log`;
 * on Windows `%LOCALAPPDATA%\portctl\kills.log`), or `PORTCTL_KILL_LOG` if set. Dry runs are not
 * logged: nothing was killed. Read it with e.g. `tail ~/.local/state/portctl/kills.log | jq`.
 *
 * A line looks like:
 * `{"time":"2025-01-31T09:12:03.120Z","pid":4242,"name":"node","user":"ada","command":"node server.js",`
 * `"ports":["tcp:127.0.0.1:3000"],"signal":"SIGTERM","outcome":"ended","elapsedMs":120,"platform":"linux"}`
 *
 * Install: copy this file into `~/.config/portctl/plugins/`.
 *
 * @module
 */

import type { AfterKillContext, PortctlPlugin } from "./portctl.d.ts";

/** Where the log goes, from the plugin's environment; null when no home folder is known. */
export function killLogPath(env: Readonly<Record<string, string>>): string | null {
  if (env.PORTCTL_KILL_LOG) return env.PORTCTL_KILL_LOG;
  const isAbsolute = (p: string | undefined): p is string =>
    !!p && (p.startsWith("/") || /^[A-Za-z]:[\\/]/.test(p));
  if (isAbsolute(env.XDG_STATE_HOME)) return `${env.XDG_STATE_HOME}/portctl/kills.log`;
  if (isAbsolute(env.LOCALAPPDATA)) return `${env.LOCALAPPDATA}\\portctl\\kills.log`;
  if (isAbsolute(env.HOME)) return `${env.HOME}/.local/state/portctl/kills.log`;
  return null;
}

/** The JSON line written for one kill. */
export function killRecord(ctx: AfterKillContext, now = new Date()): Record<string, unknown> {
  return {
    time: now.toISOString(),
    pid: ctx.process.pid,
    name: ctx.process.name,
    user: ctx.process.user,
    command: ctx.process.command,
    ports: ctx.sockets.map((s) =>
      `${s.protocol}${s.family === 6 ? "6" : ""}:${s.address}:${s.port}`
    ),
    signal: ctx.signal,
    outcome: ctx.outcome,
    elapsedMs: Math.round(ctx.elapsedMs),
    platform: ctx.platform,
  };
}

const plugin: PortctlPlugin = {
  name: "log-kills",
  async afterKill(ctx) {
    if (ctx.dryRun) return;
    const file = killLogPath(ctx.env);
    if (!file) {
      ctx.log("no HOME, XDG_STATE_HOME or PORTCTL_KILL_LOG: not logging");
      return;
    }
    const folder = file.replace(/[\\/][^\\/]*$/, "");
    if (folder && folder !== file) await Deno.mkdir(folder, { recursive: true });
    await Deno.writeTextFile(file, JSON.stringify(killRecord(ctx)) + "\n", { append: true });
  },
};

export default plugin;
