/**
 * Finding plugin files, in the documented order:
 *
 * 1. `--plugin FILE` (repeatable; a folder is read like the folders below), in the order given;
 * 2. `PORTCTL_PLUGIN_PATH`, a path list (`:`-separated, `;` on Windows) of files and folders;
 * 3. the user folder: `$XDG_CONFIG_HOME/portctl/plugins` (default `~/.config/portctl/plugins`);
 *    on Windows `%APPDATA%\portctl\plugins`; on macOS also
 *    `~/Library/Application Support/portctl/plugins`;
 * 4. the project folder: the nearest `.portctl/plugins/` in the current folder or a parent (it runs
 *    only once trusted, see `trust.ts`).
 *
 * Inside a folder, plugins run in file-name order (plain code-unit order, the same on every
 * machine: `10-b.ts` sorts before `2-a.ts`, so use two-digit prefixes). Only files directly in a
 * folder are plugins: `.js .ts .mjs .mts` files (not `.d.ts`), and executable files (the exec bit on
 * Linux and macOS; `.exe .cmd .bat .ps1` on Windows). Hidden files, sub-folders (room for helper
 * modules) and other files are ignored. A file found twice runs once, at its first place.
 *
 * Your own plugins (1-3) must be safe files (`file_safety.ts`): owned by you or root, and not
 * writable by anyone else. A configured source that exists but cannot be read or is not safe is a
 * {@linkcode SourceProblem}: then nothing is signalled (a plugin that protects a process might be
 * the one that could not run). A relative `PORTCTL_PLUGIN_PATH` entry is ignored with a warning: it
 * would name a different folder in every project you `cd` into.
 *
 * With nothing configured this costs a few `stat` calls and imports nothing.
 *
 * @module
 */

import type { PlatformName } from "../platform/types.ts";
import { PluginUsageError } from "./errors.ts";
import { currentIdentity, type Identity, unsafePathReason } from "./file_safety.ts";
import {
  currentOs,
  envValue,
  findProjectPluginFolder,
  statOrNull,
  userPluginFolders,
} from "./locations.ts";
import { basename, isAbsolute, join, resolve } from "./paths.ts";

/** Where a plugin was found. */
export type PluginSource = "flag" | "env" | "user" | "project";

/** How a plugin runs: imported JavaScript/TypeScript, or an executable file run per hook. */
export type PluginKind = "js" | "exec";

/** A plugin file found on disk, not yet loaded. */
export interface PluginCandidate {
  /** Absolute path of the file. */
  readonly path: string;
  readonly source: PluginSource;
  readonly kind: PluginKind;
  /** Default name: the file name without its extension (a JS plugin may export another). */
  readonly name: string;
  /** The file that runs: `path` itself, or for a trusted project plugin its snapshot. */
  readonly runPath: string;
}

/** A configured plugin source that exists but cannot be used: nothing may be signalled. */
export interface SourceProblem {
  /** The file or folder. */
  readonly path: string;
  readonly source: PluginSource;
  /** The whole reason, naming the path (`cannot read …`, `… is owned by …`). */
  readonly message: string;
}

/** The project folder (`.portctl/plugins`) and the plugins in it. */
export interface ProjectPlugins {
  /** Absolute path of the `.portctl/plugins` folder. */
  readonly folder: string;
  readonly plugins: readonly PluginCandidate[];
}

/** Everything discovery found. */
export interface Discovery {
  /** Plugins from `--plugin`, `PORTCTL_PLUGIN_PATH` and the user folder, in run order. */
  readonly plugins: readonly PluginCandidate[];
  /** Configured sources that exist but cannot be used (unreadable, or not safe). */
  readonly problems: readonly SourceProblem[];
  /** The plugin folders of your own that were read, in order (for `plugins list`). */
  readonly folders: readonly { readonly path: string; readonly source: PluginSource }[];
  /** The project folder, whose plugins run after {@linkcode Discovery.plugins} once trusted. */
  readonly project: ProjectPlugins | null;
}

/** Inputs of {@linkcode discoverPlugins}. */
export interface DiscoverOptions {
  /** `--plugin` values, as typed (relative to `cwd`). */
  readonly pluginFiles?: readonly string[];
  /** `--no-plugins`: find nothing. */
  readonly noPlugins?: boolean;
  readonly cwd: string;
  /** The environment (`Deno.env.toObject()`). */
  readonly env: Readonly<Record<string, string>>;
  /** Defaults to `Deno.build.os`. */
  readonly os?: PlatformName;
  /** Told about path-list entries that are not plugins, or relative. */
  readonly warn?: (line: string) => void;
  /** Whose files are safe; defaults to the user running portctl. */
  readonly who?: Identity;
}

const JS_EXTENSIONS = [".js", ".ts", ".mjs", ".mts"];
const WINDOWS_EXEC_EXTENSIONS = [".exe", ".cmd", ".bat", ".ps1"];

function isLink(path: string): boolean {
  try {
    return Deno.lstatSync(path).isSymlink;
  } catch {
    return false;
  }
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot).toLowerCase() : "";
}

/**
 * What kind of plugin a file is, from its name and `stat` info: `js` for `.js .ts .mjs .mts` (not
 * `.d.ts`), `exec` for an executable file, else null (ignored).
 *
 * @example
 * ```ts
 * classifyPlugin("drain.ts", Deno.statSync("drain.ts"), "linux"); // "js"
 * ```
 */
export function classifyPlugin(
  fileName: string,
  info: Deno.FileInfo,
  os: PlatformName,
): PluginKind | null {
  if (!info.isFile) return null;
  const lower = fileName.toLowerCase();
  const ext = extensionOf(lower);
  if (JS_EXTENSIONS.includes(ext)) {
    return lower.endsWith(".d.ts") || lower.endsWith(".d.mts") ? null : "js";
  }
  if (os === "windows") return WINDOWS_EXEC_EXTENSIONS.includes(ext) ? "exec" : null;
  return info.mode !== null && (info.mode & 0o111) !== 0 ? "exec" : null;
}

/** A plugin's default name: its file name without the extension (`10-drain.ts` → `10-drain`). */
export function defaultPluginName(path: string, os: PlatformName): string {
  const name = basename(path, os);
  const ext = extensionOf(name);
  return ext ? name.slice(0, -ext.length) : name;
}

/** What reading one folder gave: its plugins, or why it cannot be used. */
type FolderRead =
  | { readonly ok: true; readonly exists: boolean; readonly plugins: PluginCandidate[] }
  | { readonly ok: false; readonly message: string };

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

/**
 * The plugins directly in `folder`, in file-name order. A missing folder has none; a folder that
 * cannot be read, or a plugin file in it that is not safe, makes the folder unusable.
 */
export function pluginsInFolder(
  folder: string,
  source: PluginSource,
  os: PlatformName,
  who: Identity = currentIdentity(),
): FolderRead {
  let names: string[];
  try {
    names = [];
    for (const entry of Deno.readDirSync(folder)) {
      if (!entry.name.startsWith(".") && !entry.isDirectory) names.push(entry.name);
    }
  } catch (error) {
    // A link whose target is gone (dotfiles moved, a share not mounted) is configured: not "none".
    if (error instanceof Deno.errors.NotFound && !isLink(folder)) {
      return { ok: true, exists: false, plugins: [] };
    }
    return { ok: false, message: `cannot read plugin folder ${folder}: ${firstLine(error)}` };
  }
  if (source !== "project") {
    const unsafe = unsafeFileReason(folder, who, os);
    if (unsafe) {
      return { ok: false, message: `plugin folder ${folder} is not safe to run: ${unsafe}` };
    }
  }
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const found: PluginCandidate[] = [];
  for (const name of names) {
    const path = join(os, folder, name);
    const info = statOrNull(path); // follows symlinks
    if (!info && JS_EXTENSIONS.includes(extensionOf(name.toLowerCase())) && isLink(path)) {
      // `protect.ts -> ~/dotfiles/...` whose target moved: the protection would silently go.
      return { ok: false, message: `plugin ${path} is a link to a file that does not exist` };
    }
    const kind = info && classifyPlugin(name, info, os);
    if (!kind) continue;
    let runPath = path;
    if (source !== "project") {
      const checked = checkedRealPath(path, who, os);
      if ("unsafe" in checked) {
        return { ok: false, message: `plugin ${path} is not safe to run: ${checked.unsafe}` };
      }
      runPath = checked.real;
    }
    found.push({ path, source, kind, name: defaultPluginName(path, os), runPath });
  }
  return { ok: true, exists: true, plugins: found };
}

/** Why another user could change the file at `path` (or a folder it really sits in), or null. */
function unsafeFileReason(path: string, who: Identity, os: PlatformName): string | null {
  try {
    return unsafePathReason(Deno.realPathSync(path), who, os);
  } catch (error) {
    return `cannot read it: ${firstLine(error)}`;
  }
}

/**
 * The real path of `path` once checked safe: what runs is that path, not `path`, so a link on the
 * way that someone else owns cannot be pointed elsewhere between the check and the run.
 */
function checkedRealPath(
  path: string,
  who: Identity,
  os: PlatformName,
): { real: string } | { unsafe: string } {
  let real: string;
  try {
    real = Deno.realPathSync(path);
  } catch (error) {
    return { unsafe: `cannot read it: ${firstLine(error)}` };
  }
  const unsafe = unsafePathReason(real, who, os);
  return unsafe ? { unsafe } : { real };
}

function notAPlugin(os: PlatformName): string {
  return os === "windows"
    ? "expected a .js, .ts, .mjs or .mts file, an .exe, .cmd, .bat or .ps1 file, or a folder"
    : "expected a .js, .ts, .mjs or .mts file, an executable file, or a folder";
}

/**
 * Finds every plugin, in run order. `--plugin` files that do not exist or are not plugins throw
 * {@linkcode PluginUsageError}; missing `PORTCTL_PLUGIN_PATH` entries are skipped like `PATH`'s.
 *
 * @example
 * ```ts
 * const found = discoverPlugins({ cwd: Deno.cwd(), env: Deno.env.toObject() });
 * ```
 */
export function discoverPlugins(options: DiscoverOptions): Discovery {
  if (options.noPlugins) return { plugins: [], problems: [], folders: [], project: null };
  const os = options.os ?? currentOs();
  const who = options.who ?? currentIdentity();
  const { cwd, env, warn } = options;
  const plugins: PluginCandidate[] = [];
  const problems: SourceProblem[] = [];
  const folders: { path: string; source: PluginSource }[] = [];
  const seen = new Set<string>();
  const key = (path: string) => os === "windows" ? path.toLowerCase() : path;
  const add = (list: readonly PluginCandidate[]) => {
    for (const plugin of list) {
      if (seen.has(key(plugin.path))) continue;
      seen.add(key(plugin.path));
      plugins.push(plugin);
    }
  };
  const addFolder = (path: string, source: PluginSource) => {
    const read = pluginsInFolder(path, source, os, who);
    if (!read.ok) problems.push({ path, source, message: read.message });
    else if (read.exists) {
      folders.push({ path, source });
      add(read.plugins);
    }
  };
  const addFile = (path: string, source: PluginSource, kind: PluginKind) => {
    const checked = checkedRealPath(path, who, os);
    if ("unsafe" in checked) {
      problems.push({
        path,
        source,
        message: `plugin ${path} is not safe to run: ${checked.unsafe}`,
      });
    } else add([{ path, source, kind, name: defaultPluginName(path, os), runPath: checked.real }]);
  };

  for (const file of options.pluginFiles ?? []) {
    const path = resolve(cwd, file, os);
    const info = statOrNull(path);
    if (!info) throw new PluginUsageError(`--plugin ${file}: no such file`);
    if (info.isDirectory) {
      addFolder(path, "flag");
      continue;
    }
    const kind = classifyPlugin(basename(path, os), info, os);
    if (!kind) throw new PluginUsageError(`--plugin ${file}: not a plugin: ${notAPlugin(os)}`);
    addFile(path, "flag", kind);
  }

  const pathList = envValue(env, "PORTCTL_PLUGIN_PATH", os);
  if (pathList) {
    for (const entry of pathList.split(os === "windows" ? ";" : ":")) {
      if (entry.trim() === "") continue;
      if (!isAbsolute(entry, os)) {
        // It would name another folder in every project: a cloned repo's tools/ would run.
        warn?.(`PORTCTL_PLUGIN_PATH entry ${entry} is not an absolute path and was ignored`);
        continue;
      }
      const path = resolve(cwd, entry, os);
      const info = statOrNull(path);
      if (!info && isLink(path)) {
        // Configured, then moved away (dotfiles): not the same as an entry never made.
        problems.push({
          path,
          source: "env",
          message: `cannot read plugin folder ${path}: it is a link to nothing`,
        });
        continue;
      }
      if (!info) continue;
      if (info.isDirectory) {
        addFolder(path, "env");
        continue;
      }
      const kind = classifyPlugin(basename(path, os), info, os);
      if (kind) addFile(path, "env", kind);
      else warn?.(`PORTCTL_PLUGIN_PATH entry ${entry} is not a plugin (${notAPlugin(os)})`);
    }
  }

  for (const folder of userPluginFolders(env, os)) addFolder(folder, "user");

  const folder = findProjectPluginFolder(cwd, os);
  if (!folder) return { plugins, problems, folders, project: null };
  const read = pluginsInFolder(folder, "project", os, who);
  const projectPlugins = (read.ok ? read.plugins : []).filter((plugin) =>
    !seen.has(key(plugin.path))
  );
  return { plugins, problems, folders, project: { folder, plugins: projectPlugins } };
}
