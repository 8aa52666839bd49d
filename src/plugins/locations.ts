/**
 * Where plugins and portctl's settings live on each OS: the user folders, the project folder, and
 * the environment variables that move them. Paths only; reading the folders is `discovery.ts`.
 *
 * @module
 */

import type { PlatformName } from "../platform/types.ts";
import { dirname, isAbsolute, join, resolve } from "./paths.ts";

/** The OS portctl runs on, as a {@linkcode PlatformName}. */
export function currentOs(): PlatformName {
  const os = Deno.build.os;
  return os === "windows" || os === "darwin" ? os : "linux";
}

/**
 * Reads an environment variable; on Windows names are case-insensitive, as there.
 *
 * @example
 * ```ts
 * envValue({ Path: "C:\\bin" }, "PATH", "windows"); // "C:\\bin"
 * ```
 */
export function envValue(
  env: Readonly<Record<string, string>>,
  name: string,
  os: PlatformName,
): string | undefined {
  const value = env[name];
  if (value !== undefined || os !== "windows") return value === "" ? undefined : value;
  const upper = name.toUpperCase();
  for (const [key, v] of Object.entries(env)) {
    if (key.toUpperCase() === upper) return v === "" ? undefined : v;
  }
  return undefined;
}

function homeDir(env: Readonly<Record<string, string>>, os: PlatformName): string | undefined {
  const home = os === "windows"
    ? envValue(env, "USERPROFILE", os) ?? envValue(env, "HOME", os)
    : envValue(env, "HOME", os);
  return home && isAbsolute(home, os) ? home : undefined;
}

/**
 * portctl's user configuration folder (where `trust.json` lives): `%APPDATA%\portctl` on Windows,
 * else `$XDG_CONFIG_HOME/portctl` (default `~/.config/portctl`); null without a home folder.
 *
 * @example
 * ```ts
 * userConfigDir({ HOME: "/home/ada" }, "linux"); // "/home/ada/.config/portctl"
 * ```
 */
export function userConfigDir(
  env: Readonly<Record<string, string>>,
  os: PlatformName,
): string | null {
  if (os === "windows") {
    const appData = envValue(env, "APPDATA", os);
    if (appData && isAbsolute(appData, os)) return join(os, appData, "portctl");
  }
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = envValue(env, "XDG_CONFIG_HOME", os);
  if (xdg && isAbsolute(xdg, os)) return join(os, xdg, "portctl");
  const home = homeDir(env, os);
  if (os === "windows") return home ? join(os, home, "AppData", "Roaming", "portctl") : null;
  return home ? join(os, home, ".config", "portctl") : null;
}

/**
 * The user plugin folders for `os`, in discovery order (they need not exist).
 *
 * @example
 * ```ts
 * userPluginFolders({ HOME: "/Users/ada" }, "darwin");
 * // ["/Users/ada/.config/portctl/plugins", "/Users/ada/Library/Application Support/portctl/plugins"]
 * ```
 */
export function userPluginFolders(
  env: Readonly<Record<string, string>>,
  os: PlatformName,
): string[] {
  const folders: string[] = [];
  const config = userConfigDir(env, os);
  if (config) folders.push(join(os, config, "plugins"));
  const home = homeDir(env, os);
  if (os === "darwin" && home) {
    folders.push(join(os, home, "Library", "Application Support", "portctl", "plugins"));
  }
  return folders;
}

/** `stat` (following links), or null when there is nothing there. */
export function statOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.statSync(path);
  } catch {
    return null;
  }
}

/**
 * The nearest `.portctl/plugins` folder in `cwd` or a parent, or null. One `stat` per level.
 *
 * @example
 * ```ts
 * findProjectPluginFolder("/work/app/src", "linux"); // "/work/app/.portctl/plugins" if it exists
 * ```
 */
export function findProjectPluginFolder(cwd: string, os: PlatformName): string | null {
  let dir = resolve(cwd, ".", os);
  for (;;) {
    const folder = join(os, dir, ".portctl", "plugins");
    if (statOrNull(folder)?.isDirectory) return folder;
    const parent = dirname(dir, os);
    if (parent === dir) return null;
    dir = parent;
  }
}
