/**
 * A project plugin folder read into memory once, hashed, and never read from disk again: what
 * portctl verifies is byte for byte what it runs (see `snapshot.ts`).
 *
 * Reading is bounded: symlinks are followed only to files and folders inside the folder, and a
 * folder with more than {@linkcode FOLDER_LIMITS} files, bytes or levels is refused with a line
 * saying so, rather than hashing `/usr/lib` through a symlink. Every file and sub-folder must be
 * safe (see `file_safety.ts`): a file another user could change is refused, not trusted.
 *
 * @module
 */

import { concatBytes } from "../core/bytes.ts";
import type { PlatformName } from "../platform/types.ts";
import { type Identity, unsafeReason } from "./file_safety.ts";
import { join, separator } from "./paths.ts";

/** One file of a plugin folder, as read. */
export interface PluginFile {
  /** Path below the folder, `/`-separated on every OS (`lib/helper.ts`). */
  readonly relative: string;
  readonly executable: boolean;
  readonly bytes: Uint8Array;
}

/** A plugin folder's content, read once. */
export interface FolderContent {
  /** Real path of the folder. */
  readonly folder: string;
  /** Every file, in path order. */
  readonly files: readonly PluginFile[];
  /** `sha256:<hex>` over every file: see {@linkcode hashFolderFiles}. */
  readonly hash: string;
}

/** How much a plugin folder may hold; past these it is refused. */
export const FOLDER_LIMITS = { files: 500, bytes: 16 * 1024 * 1024, depth: 8 } as const;

/** A folder that cannot be read, is unsafe, or is too big; the message names the path. */
export class FolderContentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FolderContentError";
  }
}

interface Walk {
  readonly root: string;
  readonly os: PlatformName;
  readonly who: Identity;
  readonly files: PluginFile[];
  bytes: number;
  readonly visited: Set<string>;
}

function inside(root: string, real: string, os: PlatformName): boolean {
  return real === root ||
    real.startsWith(root.endsWith(separator(os)) ? root : root + separator(os));
}

function walk(state: Walk, dir: string, prefix: string, depth: number): void {
  if (depth > FOLDER_LIMITS.depth) {
    throw new FolderContentError(`${dir} is nested more than ${FOLDER_LIMITS.depth} levels deep`);
  }
  let names: string[];
  try {
    names = [...Deno.readDirSync(dir)].map((entry) => entry.name);
  } catch (error) {
    throw new FolderContentError(`cannot read ${dir}: ${firstLine(error)}`);
  }
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const path = join(state.os, dir, name);
    const relative = prefix ? `${prefix}/${name}` : name;
    let info: Deno.FileInfo;
    try {
      info = Deno.lstatSync(path);
      if (info.isSymlink) {
        const real = Deno.realPathSync(path);
        if (!inside(state.root, real, state.os)) {
          throw new FolderContentError(
            `${path} is a link to ${real}, outside the folder: trust covers only what is inside`,
          );
        }
        info = Deno.statSync(real);
      }
    } catch (error) {
      if (error instanceof FolderContentError) throw error;
      if (error instanceof Deno.errors.NotFound) continue; // a dangling link: nothing that can run
      throw new FolderContentError(`cannot read ${path}: ${firstLine(error)}`);
    }
    const unsafe = unsafeReason(path, info, state.who, { above: false });
    if (unsafe) throw new FolderContentError(unsafe);
    if (info.isDirectory) {
      const real = Deno.realPathSync(path);
      if (state.visited.has(real)) continue; // a link back up: already read
      state.visited.add(real);
      walk(state, path, relative, depth + 1);
    } else if (info.isFile) {
      addFile(state, path, relative, info);
    }
  }
}

function addFile(state: Walk, path: string, relative: string, info: Deno.FileInfo): void {
  if (state.files.length >= FOLDER_LIMITS.files) {
    throw new FolderContentError(
      `${state.root} holds more than ${FOLDER_LIMITS.files} files: a plugin folder should hold ` +
        "plugins and their helpers only",
    );
  }
  state.bytes += info.size;
  if (state.bytes > FOLDER_LIMITS.bytes) {
    throw new FolderContentError(
      `${state.root} holds more than ${FOLDER_LIMITS.bytes / 1024 / 1024} MiB: a plugin folder ` +
        "should hold plugins and their helpers only",
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch (error) {
    throw new FolderContentError(`cannot read ${path}: ${firstLine(error)}`);
  }
  const executable = info.mode !== null && (info.mode & 0o111) !== 0;
  state.files.push({ relative, executable, bytes });
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

/**
 * Reads every file under `folder` (sub-folders included) into memory, checking that nobody but
 * `who` or root can change any of it, and hashes it. Throws {@linkcode FolderContentError}.
 *
 * @example
 * ```ts
 * const content = await readPluginFolder("/work/app/.portctl/plugins", "linux", currentIdentity());
 * content.hash; // "sha256:3f1c…"
 * ```
 */
export async function readPluginFolder(
  folder: string,
  os: PlatformName,
  who: Identity,
): Promise<FolderContent> {
  let root: string;
  try {
    root = Deno.realPathSync(folder);
  } catch (error) {
    throw new FolderContentError(`cannot read ${folder}: ${firstLine(error)}`);
  }
  const state: Walk = { root, os, who, files: [], bytes: 0, visited: new Set([root]) };
  walk(state, root, "", 0);
  return { folder: root, files: state.files, hash: await hashFolderFiles(state.files) };
}

/**
 * SHA-256 over `files`: for each, in path order, its relative path, its exec bit, its length and
 * its bytes. Same content, same hash, on any machine.
 */
export async function hashFolderFiles(files: readonly PluginFile[]): Promise<string> {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [encoder.encode("portctl-plugins-v1\0")];
  for (const file of files) {
    parts.push(
      encoder.encode(`${file.relative}\0${file.executable ? "x" : "-"}\0${file.bytes.length}\0`),
      file.bytes,
    );
  }
  return `sha256:${await sha256Hex(concatBytes(parts))}`;
}

/** Lower-case hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
