/**
 * The plugin subsystem as the CLI sees it: build the kill hooks for a run, list the plugins
 * found, trust a project's plugins, print the list.
 *
 * Only discovery (a few `stat` calls) is loaded up front; trust checking, loading and running are
 * imported when there is something to check, load or run.
 *
 * @example
 * ```ts
 * const hooks = await loadKillHooks({
 *   pluginFiles: [], noPlugins: false, pluginTimeoutMs: 10_000,
 *   cwd: Deno.cwd(), env: Deno.env.toObject(),
 *   warn: (line) => console.error(`portctl: ${line}`),
 *   log: (plugin, message) => console.error(`[${plugin}] ${message}`),
 * });
 * ```
 *
 * @module
 */

import { type KillHooks, NO_HOOKS } from "../core/hooks.ts";
import type { PlatformName, SignalName } from "../platform/types.ts";
import {
  currentOs,
  discoverPlugins,
  findProjectPluginFolder,
  type PluginCandidate,
  type PluginKind,
  type PluginSource,
} from "./discovery.ts";
import { PluginUsageError } from "./errors.ts";
import { dirname, resolve } from "./paths.ts";

export { PluginUsageError };
export type { PluginKind, PluginSource };

/** `--plugin-timeout` when not given: 10 seconds. */
export const DEFAULT_PLUGIN_TIMEOUT_MS = 10_000;

/** Where to look for plugins. */
export interface PluginSearchOptions {
  /** `--plugin` values as typed (files or folders, relative to `cwd`), in order. */
  readonly pluginFiles?: readonly string[];
  /** `--no-plugins`: no plugin is looked for or run. */
  readonly noPlugins?: boolean;
  readonly cwd: string;
  /** The environment, e.g. `Deno.env.toObject()`. */
  readonly env: Readonly<Record<string, string>>;
  /** Defaults to `Deno.build.os`. */
  readonly os?: PlatformName;
}

/** Inputs of {@linkcode loadKillHooks}. */
export interface LoadKillHooksOptions extends PluginSearchOptions {
  readonly pluginFiles: readonly string[];
  readonly noPlugins: boolean;
  /** `--plugin-timeout` in milliseconds: the limit for each hook call (and each import). */
  readonly pluginTimeoutMs: number;
  /** Signals a plugin's `{ signal }` reply may name; pass the backend's `signals`. */
  readonly signals?: readonly SignalName[];
  /** Prints one warning line on stderr (untrusted folder, afterKill failures). */
  warn(line: string): void;
  /** Prints a plugin's `ctx.log(message)` on stderr, e.g. as `[plugin] message`. */
  log(plugin: string, message: string): void;
}

/**
 * The hooks for one run: every plugin found, in order, with project plugins only when trusted (an
 * untrusted or changed project folder is reported once through `warn` and not run). Returns
 * {@linkcode NO_HOOKS} at once when nothing is found or with `noPlugins`. Throws
 * {@linkcode PluginUsageError} for a `--plugin` file that does not exist or is not a plugin.
 */
export async function loadKillHooks(options: LoadKillHooksOptions): Promise<KillHooks> {
  if (options.noPlugins) return NO_HOOKS;
  const os = options.os ?? currentOs();
  const cwd = resolve(options.cwd, ".", os);
  const discovery = discoverPlugins({ ...options, cwd, os, warn: options.warn });
  const candidates: PluginCandidate[] = [...discovery.plugins];
  const project = discovery.project;
  if (project && project.plugins.length > 0) {
    const { projectTrustState } = await import("./trust.ts");
    const state = await projectTrustState(project.folder, options.env, os);
    if (state === "trusted") candidates.push(...project.plugins);
    else options.warn(untrustedMessage(project.folder, state, os));
  }
  if (candidates.length === 0) return NO_HOOKS;
  const { createKillHooks } = await import("./runner.ts");
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

function untrustedMessage(folder: string, state: string, os: PlatformName): string {
  const projectDir = dirname(dirname(folder, os), os);
  return state === "changed"
    ? `project plugins in ${folder} changed since they were trusted and did not run; ` +
      `review them, then run "portctl plugins trust" in ${projectDir}`
    : `project plugins in ${folder} are not trusted and did not run; ` +
      `review them, then run "portctl plugins trust" in ${projectDir}`;
}

/** Trust of a listed plugin: `implicit` for your own (flag, env, user folder) plugins. */
export type PluginTrust = "implicit" | "trusted" | "untrusted" | "changed";

/** One plugin as `portctl plugins list` shows it. */
export interface PluginListing {
  /** The plugin's name (its exported `name`, else the file name without extension). */
  readonly name: string;
  /** Absolute path of the file. */
  readonly path: string;
  /** Where it was found: `--plugin`, `PORTCTL_PLUGIN_PATH`, the user folder, the project. */
  readonly source: PluginSource;
  readonly kind: PluginKind;
  /** Whether it runs: own plugins always, project plugins once trusted and unchanged. */
  readonly trusted: boolean;
  readonly trust: PluginTrust;
  /**
   * Hooks it has: `beforeKill`/`afterKill` for JS plugins (empty when not loaded: untrusted or
   * broken), `before-kill`/`after-kill` for executables (always both).
   */
  readonly hooks: readonly string[];
  /** Why it cannot be loaded, if so. */
  readonly error?: string;
}

/**
 * Every plugin found, in run order, with trust, kind and hooks. Trusted JS plugins are imported to
 * see their hooks (so load errors show up here); untrusted ones are never imported.
 */
export async function listPlugins(
  options: PluginSearchOptions & { readonly pluginTimeoutMs?: number },
): Promise<PluginListing[]> {
  if (options.noPlugins) return [];
  const os = options.os ?? currentOs();
  const cwd = resolve(options.cwd, ".", os);
  const discovery = discoverPlugins({ ...options, cwd, os });
  const entries: { candidate: PluginCandidate; trust: PluginTrust }[] = discovery.plugins.map((
    candidate,
  ) => ({ candidate, trust: "implicit" }));
  const project = discovery.project;
  if (project && project.plugins.length > 0) {
    const { projectTrustState } = await import("./trust.ts");
    const trust = await projectTrustState(project.folder, options.env, os);
    for (const candidate of project.plugins) entries.push({ candidate, trust });
  }
  if (entries.length === 0) return [];
  const { loadCandidate } = await import("./runner.ts");
  const listings: PluginListing[] = [];
  for (const { candidate, trust } of entries) {
    const trusted = trust === "implicit" || trust === "trusted";
    const base = {
      name: candidate.name,
      path: candidate.path,
      source: candidate.source,
      kind: candidate.kind,
      trusted,
      trust,
    };
    if (candidate.kind === "exec") {
      listings.push({ ...base, hooks: ["before-kill", "after-kill"] });
    } else if (!trusted) {
      listings.push({ ...base, hooks: [] });
    } else {
      const result = await loadCandidate(candidate, {
        timeoutMs: options.pluginTimeoutMs ?? DEFAULT_PLUGIN_TIMEOUT_MS,
        cwd,
        os,
      });
      if (result.ok) {
        const hooks = [];
        if (result.plugin.beforeKill) hooks.push("beforeKill");
        if (result.plugin.afterKill) hooks.push("afterKill");
        listings.push({ ...base, name: result.plugin.name, hooks });
      } else {
        listings.push({ ...base, hooks: [], error: result.message });
      }
    }
  }
  return listings;
}

/**
 * `portctl plugins trust`: records the nearest `.portctl/plugins` folder (in `cwd` or a parent)
 * and the hash of its content as trusted. Throws {@linkcode PluginUsageError} when there is none.
 *
 * @example
 * ```ts
 * const { folder, files } = await trustProjectPlugins(Deno.cwd(), Deno.env.toObject());
 * console.log(`trusted ${folder} (${files} files)`);
 * ```
 */
export async function trustProjectPlugins(
  cwd: string,
  env: Readonly<Record<string, string>>,
  os: PlatformName = currentOs(),
): Promise<{ folder: string; files: number }> {
  const start = resolve(cwd, ".", os);
  const folder = findProjectPluginFolder(start, os);
  if (!folder) {
    throw new PluginUsageError(
      `no .portctl/plugins folder in ${start} or a parent: nothing to trust`,
    );
  }
  const { trustFolder } = await import("./trust.ts");
  return await trustFolder(folder, env, os);
}

const SOURCE_LABEL: Readonly<Record<PluginSource, string>> = {
  flag: "--plugin",
  env: "PORTCTL_PLUGIN_PATH",
  user: "user",
  project: "project",
};

const TRUST_LABEL: Readonly<Record<PluginTrust, string>> = {
  implicit: "yes",
  trusted: "yes",
  untrusted: "NO",
  changed: "CHANGED",
};

/**
 * Human output of `portctl plugins list`: an aligned table in run order, a load error under its
 * plugin, and a hint when project plugins are not trusted.
 *
 * @example
 * ```ts
 * console.log(formatPluginList(await listPlugins({ cwd: Deno.cwd(), env: Deno.env.toObject() })));
 * ```
 */
export function formatPluginList(listings: readonly PluginListing[]): string {
  if (listings.length === 0) {
    return "no plugins found (see `portctl plugins --help` for where portctl looks)";
  }
  const header = ["NAME", "KIND", "FROM", "TRUSTED", "HOOKS", "PATH"];
  const rows = listings.map((listing) => [
    listing.name,
    listing.kind,
    SOURCE_LABEL[listing.source],
    TRUST_LABEL[listing.trust],
    listing.error ? "-" : listing.hooks.length > 0 ? listing.hooks.join(",") : "?",
    listing.path,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length))
  );
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ");
  const lines = [line(header)];
  listings.forEach((listing, i) => {
    lines.push(line(rows[i]));
    if (listing.error) lines.push(`  error: ${listing.error}`);
  });
  const untrusted = listings.find((listing) => !listing.trusted);
  if (untrusted) {
    lines.push(
      "",
      "Project plugins marked NO or CHANGED do not run. Review them, then run " +
        '"portctl plugins trust" in the project.',
    );
  }
  return lines.join("\n");
}

/**
 * Parses `--plugin-timeout SECONDS` (a number > 0, fractions allowed) to milliseconds.
 *
 * @example
 * ```ts
 * parsePluginTimeout("2.5"); // 2500
 * ```
 */
export function parsePluginTimeout(text: string): number {
  const trimmed = text.trim();
  const seconds = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new PluginUsageError(
      `invalid --plugin-timeout "${text}": expected a number of seconds greater than 0, e.g. 10 or 2.5`,
    );
  }
  return Math.round(seconds * 1000);
}
