/**
 * `portctl plugins list` and `portctl plugins trust`: every plugin folder and plugin with whether it
 * runs and why not, and trusting a project's folder. Rendering is `src/output/plugins.ts`'s.
 *
 * @module
 */

import type { PlatformName } from "../platform/types.ts";
import { discoverPlugins, type PluginKind, type PluginSource } from "./discovery.ts";
import { PluginUsageError } from "./errors.ts";
import { currentOs, findProjectPluginFolder } from "./locations.ts";
import { currentIdentity } from "./file_safety.ts";
import { FolderContentError, sha256Hex } from "./folder_content.ts";
import { loadPlugin } from "./loader.ts";
import { DEFAULT_PLUGIN_TIMEOUT_MS, type PluginSearchOptions } from "./mod.ts";
import { HOOK_NAMES } from "./plugin_shape.ts";
import { checkProject, ownerOf, readTrustableFolder, unsafeProjectReason } from "./project.ts";
import { join, resolve } from "./paths.ts";
import { recordTrust } from "./trust.ts";

/**
 * What a plugin folder (or a single plugin file of yours) is: `own` (yours: runs), `trusted`,
 * `changed` or `untrusted` (a project's), or `unsafe` (cannot run: unreadable, another user could
 * change it, too big, or importing from outside; `reason` says which).
 */
export type FolderState = "own" | "trusted" | "changed" | "untrusted" | "unsafe";

/** One plugin folder as `portctl plugins list` shows it. */
export interface FolderListing {
  readonly path: string;
  readonly source: PluginSource;
  readonly state: FolderState;
  /** Why it is `changed` or `unsafe`; null otherwise. */
  readonly reason: string | null;
}

/** One plugin as `portctl plugins list` shows it. */
export interface PluginListing {
  /** The plugin's name (its exported `name`, else the file name without extension). */
  readonly name: string;
  /** Absolute path of the file. */
  readonly path: string;
  /** Where it was found: `--plugin`, `PORTCTL_PLUGIN_PATH`, the user folder, the project. */
  readonly source: PluginSource;
  readonly kind: PluginKind;
  /** The state of its folder: only `own` and `trusted` plugins run. */
  readonly state: FolderState;
  /**
   * Hooks it has: those a JS plugin exports (empty when not loaded: not trusted, or broken), and
   * for executables always `before-kill`, `stop` and `after-kill`.
   */
  readonly hooks: readonly string[];
  /** Why it cannot be loaded, if so. */
  readonly error: string | null;
}

/** What `portctl plugins list` shows. */
export interface PluginsReport {
  readonly folders: readonly FolderListing[];
  readonly plugins: readonly PluginListing[];
}

/**
 * Every plugin folder and plugin found, in run order, with its state, kind and hooks. Plugins
 * that would run are loaded (each in its process, then ended) to show their hooks and load errors;
 * untrusted or unsafe ones are never loaded.
 */
export async function listPlugins(
  options: PluginSearchOptions & { readonly pluginTimeoutMs?: number },
): Promise<PluginsReport> {
  if (options.noPlugins) return { folders: [], plugins: [] };
  const os = options.os ?? currentOs();
  const cwd = resolve(options.cwd, ".", os);
  const who = currentIdentity();
  const discovery = discoverPlugins({ ...options, cwd, os, who });
  const folders: FolderListing[] = [
    ...discovery.folders.map((f) => ({ ...f, state: "own" as const, reason: null })),
    ...discovery.problems.map((p) => ({
      path: p.path,
      source: p.source,
      state: "unsafe" as const,
      reason: p.message,
    })),
  ];
  const entries = discovery.plugins.map((candidate) => ({
    candidate,
    state: "own" as FolderState,
  }));
  const project = discovery.project;
  if (project) {
    const check = await checkProject(project.folder, { env: options.env, os, who });
    const untrustedReason = check.state === "untrusted"
      ? unsafeProjectReason(project.folder, { env: options.env, os, who })
      : null;
    const state: FolderState = untrustedReason ? "unsafe" : check.state;
    const reason = "reason" in check ? check.reason : untrustedReason;
    folders.push({ path: project.folder, source: "project", state, reason });
    const plugins = check.state === "trusted" ? check.plugins : project.plugins;
    for (const candidate of plugins) entries.push({ candidate, state });
  }
  const plugins: PluginListing[] = [];
  for (const { candidate, state } of entries) {
    const base = {
      name: candidate.name,
      path: candidate.path,
      source: candidate.source,
      kind: candidate.kind,
      state,
      error: null,
    };
    if (state !== "own" && state !== "trusted") {
      plugins.push({ ...base, hooks: candidate.kind === "exec" ? EXEC_HOOKS : [] });
      continue;
    }
    const result = await loadPlugin(candidate, {
      os,
      cwd,
      timeoutMs: options.pluginTimeoutMs ?? DEFAULT_PLUGIN_TIMEOUT_MS,
      warn: () => {},
      log: () => {},
    });
    if (result.ok) {
      const hooks = candidate.kind === "exec"
        ? EXEC_HOOKS
        : HOOK_NAMES.filter((hook) => result.plugin.hooks.has(hook));
      plugins.push({ ...base, name: result.plugin.name, hooks });
      result.plugin.close();
    } else {
      plugins.push({ ...base, hooks: [], error: result.message });
    }
  }
  return { folders, plugins };
}

const EXEC_HOOKS = ["before-kill", "stop", "after-kill"];

/** What `portctl plugins trust` trusted. */
export interface TrustReport {
  /** Real path of the `.portctl/plugins` folder. */
  readonly folder: string;
  /** Who owns it (`root`, `ada (uid 1000)`), where the OS says. */
  readonly owner: string | null;
  /** The trust file the record went to. */
  readonly trustFile: string;
  readonly files: readonly {
    readonly path: string;
    readonly size: number;
    /** The first 12 hex digits of the file's SHA-256. */
    readonly hash: string;
    readonly executable: boolean;
  }[];
}

/**
 * `portctl plugins trust`: checks the nearest `.portctl/plugins` folder (in `cwd` or a parent)
 * and records the hash of its content as trusted. Throws {@linkcode PluginUsageError} when there is
 * none, or when it cannot be trusted (another user could change it, a link leads out of it, it is
 * too big, or a plugin imports from outside it).
 *
 * @example
 * ```ts
 * const report = await trustProjectPlugins(Deno.cwd(), Deno.env.toObject());
 * console.log(`trusted ${report.folder} (${report.files.length} files)`);
 * ```
 */
export async function trustProjectPlugins(
  cwd: string,
  env: Readonly<Record<string, string>>,
  os: PlatformName = currentOs(),
): Promise<TrustReport> {
  const start = resolve(cwd, ".", os);
  const folder = findProjectPluginFolder(start, os);
  if (!folder) {
    throw new PluginUsageError(
      `no .portctl/plugins folder in ${start} or a parent: nothing to trust`,
    );
  }
  const who = currentIdentity();
  let content;
  try {
    content = await readTrustableFolder(folder, { env, os, who });
  } catch (error) {
    if (!(error instanceof FolderContentError)) throw error;
    throw new PluginUsageError(`cannot trust ${folder}: ${error.message}`);
  }
  const trustFile = recordTrust(content.folder, content.hash, { env, os, who });
  const files = [];
  for (const file of content.files) {
    files.push({
      path: join(os, content.folder, ...file.relative.split("/")),
      size: file.bytes.length,
      hash: (await sha256Hex(file.bytes)).slice(0, 12),
      executable: file.executable,
    });
  }
  return { folder: content.folder, owner: ownerOf(content.folder), trustFile, files };
}
