/**
 * direnv's trust model for project plugins: a `.portctl/plugins` folder from a project you cloned
 * runs only after `portctl plugins trust`, which records the folder's real path and a SHA-256 hash
 * of its content in the user config (`trust.json` beside the user plugin folder). Any change to the
 * folder (a file added, removed, renamed, edited or made executable; helpers in sub-folders
 * included) makes it "changed" until trusted anew.
 *
 * The trust file itself is refused when it is unreadable, not valid, or could be changed by
 * someone else: a trust entry another user could add would run their code as you.
 *
 * @module
 */

import type { PlatformName } from "../platform/types.ts";
import { userConfigDir } from "./locations.ts";
import { PluginUsageError } from "./errors.ts";
import { type Identity, unsafePathReason } from "./file_safety.ts";
import { join } from "./paths.ts";

/** What the trust file remembers about one folder. */
export interface TrustRecord {
  /** `sha256:<hex>` of the folder content, see `hashFolderFiles`. */
  readonly hash: string;
  /** When it was trusted (ISO 8601). */
  readonly trustedAt: string;
}

/** The trust file: folder real path → record. */
export interface TrustStore {
  readonly version: 1;
  readonly folders: Readonly<Record<string, TrustRecord>>;
}

/**
 * Path of the trust file: `$XDG_CONFIG_HOME/portctl/trust.json` (default
 * `~/.config/portctl/trust.json`; `%APPDATA%\portctl\trust.json` on Windows), or null without a
 * home folder.
 */
export function trustFilePath(
  env: Readonly<Record<string, string>>,
  os: PlatformName,
): string | null {
  const config = userConfigDir(env, os);
  return config ? join(os, config, "trust.json") : null;
}

function isTrustRecord(value: unknown): value is TrustRecord {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.hash === "string" && typeof record.trustedAt === "string";
}

const FIX = "fix it, or delete it and trust your project folders again";

/**
 * Reads the trust file; a missing file is an empty store. Throws {@linkcode PluginUsageError}
 * (exit 2) when it cannot be read, is not valid, or someone other than `who` or root could change
 * it (the file or a folder above it).
 */
export function readTrustStore(path: string, who: Identity, os: PlatformName): TrustStore {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { version: 1, folders: {} };
    throw new PluginUsageError(
      `cannot read the trust file ${path} (${(error as Error).message.split("\n")[0]}): ${FIX}`,
    );
  }
  const unsafe = unsafePathReason(Deno.realPathSync(path), who, os);
  if (unsafe) {
    throw new PluginUsageError(
      `the trust file ${path} is not safe: ${unsafe}; make it and its folders yours alone ` +
        "(chmod go-w), or delete it",
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PluginUsageError(
      `the trust file ${path} is not valid JSON (${(error as Error).message}): ${FIX}`,
    );
  }
  const folders = (parsed as { folders?: unknown } | null)?.folders;
  if (typeof folders !== "object" || folders === null || Array.isArray(folders)) {
    throw new PluginUsageError(`the trust file ${path} has no "folders" object: ${FIX}`);
  }
  const out: Record<string, TrustRecord> = {};
  for (const [folder, record] of Object.entries(folders)) {
    if (!isTrustRecord(record)) {
      throw new PluginUsageError(`the trust file ${path} has a bad entry for ${folder}: ${FIX}`);
    }
    out[folder] = { hash: record.hash, trustedAt: record.trustedAt };
  }
  return { version: 1, folders: out };
}

/**
 * Records `folder` (a real path) as trusted with `hash`, creating the trust file (mode 0600, in a
 * 0700 folder) if needed; written to a temporary file and renamed, so a crash never leaves half a
 * file. Throws {@linkcode PluginUsageError} without a home folder or for an unsafe trust file.
 */
export function recordTrust(
  folder: string,
  hash: string,
  options: { readonly env: Readonly<Record<string, string>>; os: PlatformName; who: Identity },
): string {
  const { env, os, who } = options;
  const file = trustFilePath(env, os);
  const config = userConfigDir(env, os);
  if (!file || !config) {
    throw new PluginUsageError(
      os === "windows"
        ? "cannot find the user config folder: set APPDATA or USERPROFILE"
        : "cannot find the user config folder: set HOME or XDG_CONFIG_HOME",
    );
  }
  Deno.mkdirSync(config, { recursive: true, mode: 0o700 });
  const unsafe = unsafePathReason(Deno.realPathSync(config), who, os);
  if (unsafe) {
    throw new PluginUsageError(
      `cannot keep trust records in ${config}: ${unsafe}; make it yours alone (chmod go-w)`,
    );
  }
  const store = readTrustStore(file, who, os);
  const next: TrustStore = {
    version: 1,
    folders: { ...store.folders, [folder]: { hash, trustedAt: new Date().toISOString() } },
  };
  const temp = `${file}.${Deno.pid}.tmp`;
  Deno.writeTextFileSync(temp, JSON.stringify(next, null, 2) + "\n", { mode: 0o600 });
  Deno.renameSync(temp, file);
  return file;
}
