/**
 * portctl plugin: refuses to kill protected processes, whatever port they hold.
 *
 * Set `PORTCTL_PROTECT` to either
 * - a comma-separated list of process names, matched exactly but case-insensitively against the
 *   short name portctl shows in NAME (`comm` on Linux, the image name on Windows; a trailing
 *   `.exe` is ignored on both sides): `PORTCTL_PROTECT=postgres,redis-server,sshd`, or
 * - a regular expression between slashes, with optional flags, matched against the same name:
 *   `PORTCTL_PROTECT='/^(postgres|mysqld)$/i'`.
 *
 * A protected process is skipped with a reason (`portctl kill` then exits 3, so scripts notice);
 * `--no-plugins` overrides. Unset or empty: nothing is protected. A regular expression that does
 * not compile makes the plugin fail, which also leaves the process alone.
 *
 * Install: copy this file into `~/.config/portctl/plugins/` and export `PORTCTL_PROTECT` in your
 * shell profile.
 *
 * @module
 */

import type { PortctlPlugin } from "./portctl.d.ts";

/** A test for process names built from a `PORTCTL_PROTECT` value, or null when it is empty. */
export function protectMatcher(setting: string | undefined): ((name: string) => boolean) | null {
  const value = setting?.trim() ?? "";
  if (value === "") return null;
  const regex = /^\/(.+)\/([a-z]*)$/.exec(value);
  if (regex) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(regex[1], regex[2]);
    } catch (error) {
      throw new Error(
        `PORTCTL_PROTECT is not a valid regular expression: ${(error as Error).message}`,
      );
    }
    return (name) => {
      pattern.lastIndex = 0; // the g and y flags make test() stateful
      return pattern.test(name);
    };
  }
  const bare = (name: string) => name.trim().toLowerCase().replace(/\.exe$/, "");
  const names = new Set(value.split(",").map(bare).filter((name) => name !== ""));
  return (name) => names.has(bare(name));
}

const plugin: PortctlPlugin = {
  name: "protect",
  beforeKill(ctx) {
    const isProtected = protectMatcher(ctx.env.PORTCTL_PROTECT);
    if (isProtected?.(ctx.process.name)) {
      return { skip: `${ctx.process.name} is protected by PORTCTL_PROTECT` };
    }
    return undefined;
  },
};

export default plugin;
