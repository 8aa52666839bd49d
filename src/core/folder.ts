/**
 * Narrowing holders to a folder (`--in DIR`): `portctl kill 3000-3010 --in .` ends this checkout's
 * servers, not the other checkout's. A process is in DIR when its working folder is DIR or below
 * it. One place for `who`, `list`, `kill` and `wait`: each narrows the rows `lookupHolders` gives.
 *
 * @module
 */

import type { WorkingFolder } from "../platform/types.ts";
import type { SocketHolder } from "./lookup.ts";

/** A Windows path (`C:\...`, `\\server\share`): separators either way, letters in any case. */
function isWindowsPath(path: string): boolean {
  return /^[A-Za-z]:[\\/]|^\\\\/.test(path);
}

/** `path` in one spelling for comparing: Windows paths lower-cased with `\`, `\\?\` dropped. */
function comparable(path: string): string {
  if (!isWindowsPath(path)) return path;
  return path.replace(/^\\\\\?\\/, "").replaceAll("/", "\\").toLowerCase();
}

/**
 * True when `cwd` is `folder` (an absolute path, resolved) or below it. An unknown working folder
 * is in no folder. A folder removed since the process entered it counts by the path it had, as
 * FOLDER shows it.
 *
 * @example
 * ```ts
 * isInFolder({ path: "/home/dev/shop/api", deleted: false }, "/home/dev/shop"); // true
 * isInFolder({ path: "/home/dev/shop-old", deleted: false }, "/home/dev/shop"); // false
 * isInFolder(null, "/"); // false
 * ```
 */
export function isInFolder(cwd: WorkingFolder | null, folder: string): boolean {
  if (cwd === null) return false;
  const path = comparable(cwd.path);
  const base = comparable(folder);
  if (path === base) return true;
  const separator = isWindowsPath(folder) ? "\\" : "/";
  return path.startsWith(base.endsWith(separator) ? base : base + separator);
}

/** Rows split by folder: those whose process is in it, and the rest. */
export interface FolderSplit {
  /** Rows of processes in the folder. */
  readonly inside: SocketHolder[];
  /**
   * The other rows: processes elsewhere or with an unknown folder, holders portctl cannot see,
   * sockets no process holds. Left alone, but they still hold the port.
   */
  readonly outside: SocketHolder[];
}

/**
 * Splits `rows` into those whose process works in `folder` (or below) and the rest; with no
 * folder, every row is inside.
 *
 * @example
 * ```ts
 * const { inside } = splitByFolder(lookupHolders(backend, match, query), "/home/dev/shop");
 * ```
 */
export function splitByFolder(
  rows: readonly SocketHolder[],
  folder: string | null,
): FolderSplit {
  if (folder === null) return { inside: [...rows], outside: [] };
  const inside: SocketHolder[] = [];
  const outside: SocketHolder[] = [];
  for (const row of rows) {
    const within = row.holder.kind === "visible" && isInFolder(row.holder.process.cwd, folder);
    (within ? inside : outside).push(row);
  }
  return { inside, outside };
}
