/**
 * direnv's trust model for project plugins: a `.portctl/plugins` folder from a project you cloned
 * runs only after `portctl plugins trust`, which records the folder's real path and a SHA-256 hash
 * of its content in the user config (`trust.json` beside the user plugin folder). Any change to the
 * folder (a file added, removed, renamed, edited or made executable; helpers in sub-folders
 * included) makes it untrusted again until trusted anew.
 *
 * @module
 */

import type { PlatformName } from "../platform/types.ts";
import { userConfigDir } from "./discovery.ts";
import { PluginUsageError } from "./errors.ts";
import { join } from "./paths.ts";

/** What the trust file remembers about one folder. */
export interface TrustRecord {
  /** `sha256:<hex>` of the folder content, see {@linkcode hashPluginFolder}. */
  readonly hash: string;
  /** When it was trusted (ISO 8601). */
  readonly trustedAt: string;
}

/** The trust file: folder real path → record. */
export interface TrustStore {
  readonly version: 1;
  readonly folders: Readonly<Record<string, TrustRecord>>;
}

/** Whether a project folder may run: never trusted, trusted as it is, or changed since trusted. */
export type TrustState = "trusted" | "untrusted" | "changed";

/** The hash of a folder and how many files went into it. */
export interface FolderHash {
  readonly hash: string;
  readonly files: number;
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

interface HashedFile {
  readonly relative: string;
  readonly executable: boolean;
  readonly bytes: Uint8Array;
}

function collectFiles(
  dir: string,
  prefix: string,
  os: PlatformName,
  visited: Set<string>,
  out: HashedFile[],
): void {
  const real = Deno.realPathSync(dir);
  if (visited.has(real)) return; // a symlink loop
  visited.add(real);
  const names = [...Deno.readDirSync(dir)].map((entry) => entry.name);
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const path = join(os, dir, name);
    const relative = prefix ? `${prefix}/${name}` : name;
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(path);
    } catch {
      continue; // a dangling symlink: nothing that could run
    }
    if (info.isDirectory) collectFiles(path, relative, os, visited, out);
    else if (info.isFile) {
      const executable = info.mode !== null && (info.mode & 0o111) !== 0;
      out.push({ relative, executable, bytes: Deno.readFileSync(path) });
    }
  }
}

/**
 * SHA-256 over every file under `folder` (sub-folders included, symlinks followed): for each, in
 * path order, its relative path, its exec bit, its length and its bytes. Same content, same hash,
 * on any machine.
 *
 * @example
 * ```ts
 * const { hash } = await hashPluginFolder("/work/app/.portctl/plugins", "linux");
 * // "sha256:3f1c…"
 * ```
 */
export async function hashPluginFolder(folder: string, os: PlatformName): Promise<FolderHash> {
  const files: HashedFile[] = [];
  collectFiles(folder, "", os, new Set(), files);
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [encoder.encode("portctl-plugins-v1\0")];
  for (const file of files) {
    parts.push(
      encoder.encode(`${file.relative}\0${file.executable ? "x" : "-"}\0${file.bytes.length}\0`),
      file.bytes,
    );
  }
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const buffer = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    buffer.set(part, offset);
    offset += part.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
  const hex = Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return { hash: `sha256:${hex}`, files: files.length };
}

function isTrustRecord(value: unknown): value is TrustRecord {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.hash === "string" && typeof record.trustedAt === "string";
}

/**
 * Reads the trust file; a missing file is an empty store. Throws when the file is not valid.
 */
export function readTrustStore(path: string): TrustStore {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { version: 1, folders: {} };
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `trust file ${path} is not valid JSON (${(error as Error).message}): fix or delete it`,
    );
  }
  const folders = (parsed as { folders?: unknown } | null)?.folders;
  if (typeof folders !== "object" || folders === null) {
    throw new Error(`trust file ${path} has no "folders" object: fix or delete it`);
  }
  const out: Record<string, TrustRecord> = {};
  for (const [folder, record] of Object.entries(folders)) {
    if (isTrustRecord(record)) out[folder] = { hash: record.hash, trustedAt: record.trustedAt };
  }
  return { version: 1, folders: out };
}

/**
 * Whether the project plugin folder `folder` may run as it is now.
 *
 * @example
 * ```ts
 * await projectTrustState("/work/app/.portctl/plugins", Deno.env.toObject(), "linux"); // "untrusted"
 * ```
 */
export async function projectTrustState(
  folder: string,
  env: Readonly<Record<string, string>>,
  os: PlatformName,
): Promise<TrustState> {
  const file = trustFilePath(env, os);
  if (!file) return "untrusted";
  let record: TrustRecord | undefined;
  try {
    record = readTrustStore(file).folders[Deno.realPathSync(folder)];
  } catch {
    return "untrusted";
  }
  if (!record) return "untrusted";
  let hash: string;
  try {
    ({ hash } = await hashPluginFolder(folder, os));
  } catch {
    return "changed"; // a file that cannot be read now cannot be the content that was trusted
  }
  return hash === record.hash ? "trusted" : "changed";
}

/**
 * Records `folder` as trusted with its current content hash, creating the trust file if needed
 * (written to a temporary file and renamed, so a crash never leaves half a file).
 *
 * @example
 * ```ts
 * await trustFolder("/work/app/.portctl/plugins", Deno.env.toObject(), "linux");
 * // { folder: "/work/app/.portctl/plugins", files: 3 }
 * ```
 */
export async function trustFolder(
  folder: string,
  env: Readonly<Record<string, string>>,
  os: PlatformName,
): Promise<{ folder: string; files: number }> {
  const file = trustFilePath(env, os);
  const config = userConfigDir(env, os);
  if (!file || !config) {
    throw new PluginUsageError(
      os === "windows"
        ? "cannot find the user config folder: set APPDATA or USERPROFILE"
        : "cannot find the user config folder: set HOME or XDG_CONFIG_HOME",
    );
  }
  const real = Deno.realPathSync(folder);
  const { hash, files } = await hashPluginFolder(real, os);
  const store = readTrustStore(file);
  const next: TrustStore = {
    version: 1,
    folders: { ...store.folders, [real]: { hash, trustedAt: new Date().toISOString() } },
  };
  Deno.mkdirSync(config, { recursive: true });
  const temp = `${file}.${Deno.pid}.tmp`;
  Deno.writeTextFileSync(temp, JSON.stringify(next, null, 2) + "\n", { mode: 0o600 });
  Deno.renameSync(temp, file);
  return { folder: real, files };
}
