/**
 * portctl plugin: keeps portctl's hands off servers a service manager runs, and says how to stop
 * them the right way instead.
 *
 * portctl tells who manages each process it is about to end (`ctx.manager`: a container, a
 * systemd unit, supervisord, pm2, runit, a Windows service...). Ending such a process by a signal
 * only makes most managers start it again; `portctl kill --mode manager` stops it through the
 * manager. This plugin refuses the signal for the kinds listed in `PORTCTL_KEEP_MANAGED` (a comma
 * list; default `systemd,windows-service`: a machine's own services), and its reason names the
 * command that stops the service for good, e.g.
 * `skipped 812 nginx (tcp :80): keep-services: nginx.service is run by systemd; stop it with:
 * systemctl stop nginx.service`. Set `PORTCTL_KEEP_MANAGED=none` to turn it off for one run.
 *
 * Install: copy this file into `~/.config/portctl/plugins/`.
 *
 * @module
 */

import type { PortctlPlugin } from "./portctl.d.ts";

/** The manager kinds to keep, from `PORTCTL_KEEP_MANAGED`. */
export function keptKinds(setting: string | undefined): ReadonlySet<string> {
  const value = setting?.trim() || "systemd,windows-service";
  if (value === "none") return new Set();
  return new Set(value.split(",").map((kind) => kind.trim().toLowerCase()).filter(Boolean));
}

const plugin: PortctlPlugin = {
  name: "keep-services",
  beforeKill(ctx) {
    const manager = ctx.manager;
    if (!manager || !keptKinds(ctx.env.PORTCTL_KEEP_MANAGED).has(manager.kind)) return;
    return { skip: `${manager.name} is run by ${manager.kind}; stop it with: ${manager.stop}` };
  },
};

export default plugin;
