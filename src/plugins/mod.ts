/**
 * The plugin subsystem as `portctl kill` sees it: the kill hooks for a run (`listing.ts` lists and
 * trusts plugins for `portctl plugins`).
 *
 * Only discovery (a few `stat` calls) is loaded up front; project checks, loading and running are
 * imported when there is something to check, load or run.
 *
 * @example
 * ```ts
 * const hooks = await loadKillHooks({
 *   pluginFiles: [], noPlugins: false, pluginTimeoutMs: 10_000,
 *   cwd: Deno.cwd(), env: Deno.env.toObject(), signals: ["SIGTERM", "SIGKILL"],
 *   warn: (line) => console.error(`portctl: ${line}`),
 *   log: (plugin, message) => console.error(`[${plugin}] ${message}`),
 * });
 * ```
 *
 * @module
 */

import { type KillHooks, NO_HOOKS } from "../core/hooks.ts";
import { importLazy } from "../lazy_modules.ts";
import type { SignalName } from "../platform/types.ts";
import {
  type DiscoverOptions,
  discoverPlugins,
  type PluginCandidate,
  type PluginKind,
  type PluginSource,
} from "./discovery.ts";
import { PluginUsageError } from "./errors.ts";
import { currentOs } from "./locations.ts";
import { currentIdentity } from "./file_safety.ts";
import { resolve } from "./paths.ts";

export { PluginUsageError };
export type { PluginKind, PluginSource };

/** `--plugin-timeout` when not given: 10 seconds. */
export const DEFAULT_PLUGIN_TIMEOUT_MS = 10_000;

/** Where to look for plugins: what discovery is told, less its warnings and whose files count. */
export type PluginSearchOptions = Omit<DiscoverOptions, "warn" | "who">;

/** Inputs of {@linkcode loadKillHooks}. */
export interface LoadKillHooksOptions extends PluginSearchOptions {
  readonly pluginFiles: readonly string[];
  readonly noPlugins: boolean;
  /** `--plugin-timeout` in milliseconds: the limit for each hook call (and each import). */
  readonly pluginTimeoutMs: number;
  /** Signals a plugin's `{ signal }` reply may name: the backend's table. */
  readonly signals: readonly SignalName[];
  /** Prints one warning line on stderr (an untrusted folder, afterKill failures). */
  warn(line: string): void;
  /** Prints a plugin's `ctx.log(message)` on stderr, e.g. as `[plugin] message`. */
  log(plugin: string, message: string): void;
}

/** Hooks that let nothing be signalled: every process fails with `message`. */
function refusingHooks(message: string): KillHooks {
  return {
    ...NO_HOOKS,
    beforeKill: () => Promise.resolve({ kind: "failed", message }),
  };
}

/**
 * The hooks for one run: every plugin found, in order, with project plugins only when trusted.
 * Returns {@linkcode NO_HOOKS} at once when nothing is found or with `noPlugins`. Fails closed:
 * when a configured source cannot be used (unreadable, not safe) or a trusted project folder
 * changed, the hooks refuse every process, with the reason. Throws
 * {@linkcode PluginUsageError} for a `--plugin` file that does not exist or is not a plugin, and
 * for a trust file that cannot be read or trusted.
 */
export async function loadKillHooks(options: LoadKillHooksOptions): Promise<KillHooks> {
  if (options.noPlugins) return NO_HOOKS;
  const os = options.os ?? currentOs();
  const cwd = resolve(options.cwd, ".", os);
  const who = currentIdentity();
  const discovery = discoverPlugins({ ...options, cwd, os, who, warn: options.warn });
  const problem = discovery.problems[0];
  if (problem) {
    return refusingHooks(`${problem.message}, so nothing was signalled (or run with --no-plugins)`);
  }
  const candidates: PluginCandidate[] = [...discovery.plugins];
  const project = discovery.project;
  if (project) {
    const { checkProject, projectRootOf, refusalLine } = await importLazy("pluginProject");
    const check = await checkProject(project.folder, { env: options.env, os, who });
    if (check.state === "trusted") candidates.push(...check.plugins);
    else if (check.state === "untrusted") {
      if (project.plugins.length > 0) {
        options.warn(
          `project plugins in ${project.folder} are not trusted and did not run; review them, ` +
            `then run "portctl plugins trust" in ${projectRootOf(project.folder, os)}`,
        );
      }
    } else return refusingHooks(refusalLine(project.folder, check, os));
  }
  if (candidates.length === 0) return NO_HOOKS;
  const { createKillHooks } = await importLazy("pluginRunner");
  return createKillHooks(candidates, {
    timeoutMs: options.pluginTimeoutMs,
    cwd,
    env: options.env,
    os,
    signals: options.signals,
    warn: options.warn,
    log: options.log,
  });
}
