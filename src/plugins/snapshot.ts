/**
 * Trusted project plugins run from a snapshot, never from the project folder: the bytes portctl
 * read and hashed are written to a folder of the user's cache that only the user can enter
 * (mode 0700), named by the hash, and JS plugins are imported and executables run from there. A
 * file swapped in the project folder after the check, even during a kill, changes nothing that
 * runs; and a relative import that climbs out of the folder resolves inside the cache, where
 * nothing answers it.
 *
 * Where: `$XDG_CACHE_HOME/portctl/trusted-plugins/<hash>` (default `~/.cache/...`); macOS
 * `~/Library/Caches/portctl/...`; Windows `%LOCALAPPDATA%\portctl\cache\...`.
 *
 * @module
 */

import type { PlatformName } from "../platform/types.ts";
import { envValue } from "./locations.ts";
import { type Identity, unsafePathReason } from "./file_safety.ts";
import type { FolderContent } from "./folder_content.ts";
import { isAbsolute, join } from "./paths.ts";

/** The folder holding snapshots, or null without a home folder. */
export function snapshotRoot(
  env: Readonly<Record<string, string>>,
  os: PlatformName,
): string | null {
  const absolute = (name: string) => {
    const value = envValue(env, name, os);
    return value && isAbsolute(value, os) ? value : undefined;
  };
  if (os === "windows") {
    const local = absolute("LOCALAPPDATA");
    return local ? join(os, local, "portctl", "cache", "trusted-plugins") : null;
  }
  const home = absolute("HOME");
  if (os === "darwin") {
    return home ? join(os, home, "Library", "Caches", "portctl", "trusted-plugins") : null;
  }
  const cache = absolute("XDG_CACHE_HOME") ?? (home ? join(os, home, ".cache") : undefined);
  return cache ? join(os, cache, "portctl", "trusted-plugins") : null;
}

/** The snapshot cannot be made or is not safe; the message says where and why. */
export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SnapshotError";
  }
}

function holds(folder: string, content: FolderContent, os: PlatformName): boolean {
  try {
    const names = new Set<string>();
    const list = (dir: string, prefix: string) => {
      for (const entry of Deno.readDirSync(dir)) {
        const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
        if (entry.isDirectory) list(join(os, dir, entry.name), relative);
        else names.add(relative);
      }
    };
    list(folder, "");
    if (names.size !== content.files.length) return false;
    for (const file of content.files) {
      const path = join(os, folder, ...file.relative.split("/"));
      const bytes = Deno.readFileSync(path);
      if (bytes.length !== file.bytes.length || !bytes.every((b, i) => b === file.bytes[i])) {
        return false;
      }
    }
    return true;
  } catch {
    return false;
  }
}

function write(folder: string, content: FolderContent, os: PlatformName): void {
  Deno.mkdirSync(folder, { mode: 0o700 });
  for (const file of content.files) {
    const parts = file.relative.split("/");
    if (parts.length > 1) {
      Deno.mkdirSync(join(os, folder, ...parts.slice(0, -1)), { recursive: true, mode: 0o700 });
    }
    Deno.writeFileSync(join(os, folder, ...parts), file.bytes, {
      mode: file.executable ? 0o700 : 0o600,
    });
  }
}

/**
 * The snapshot folder of `content` (written now, or an existing one holding exactly these
 * bytes). Throws {@linkcode SnapshotError} when the cache cannot be used safely.
 *
 * @example
 * ```ts
 * const folder = materializeSnapshot(content, { env: Deno.env.toObject(), os: "linux", who });
 * // "/home/ada/.cache/portctl/trusted-plugins/3f1c…"
 * ```
 */
export function materializeSnapshot(
  content: FolderContent,
  options: { readonly env: Readonly<Record<string, string>>; os: PlatformName; who: Identity },
): string {
  const { env, os, who } = options;
  const root = snapshotRoot(env, os);
  if (!root) {
    throw new SnapshotError(
      "cannot find a cache folder for trusted plugins: set HOME (Windows: LOCALAPPDATA)",
    );
  }
  try {
    Deno.mkdirSync(root, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new SnapshotError(`cannot make ${root}: ${(error as Error).message.split("\n")[0]}`);
  }
  // Checked before anything is changed, and never through a link: chmod follows links, and a
  // link planted here by someone else would make portctl chmod whatever it points to.
  const unsafe = Deno.lstatSync(root).isSymlink
    ? `${root} is a link (to ${Deno.realPathSync(root)})`
    : unsafePathReason(Deno.realPathSync(root), who, os);
  if (unsafe) throw new SnapshotError(`cannot keep trusted plugins in ${root}: ${unsafe}`);
  if (os !== "windows") Deno.chmodSync(root, 0o700);
  const folder = join(os, root, content.hash.replace(/^sha256:/, ""));
  if (holds(folder, content, os)) return folder;
  const temp = join(os, root, `.tmp-${Deno.pid}-${crypto.randomUUID()}`);
  try {
    write(temp, content, os);
    Deno.removeSync(folder, { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      Deno.removeSync(temp, { recursive: true });
      throw new SnapshotError(
        `cannot write a snapshot in ${root}: ${(error as Error).message.split("\n")[0]}`,
      );
    }
  }
  try {
    Deno.renameSync(temp, folder);
  } catch {
    // Another portctl wrote the same snapshot meanwhile: used below if it holds these bytes.
    Deno.removeSync(temp, { recursive: true });
  }
  // Read back: on a file system that folds case (`A.ts` and `a.ts` are one file there) the
  // snapshot would not hold what was trusted.
  if (!holds(folder, content, os)) {
    throw new SnapshotError(`the snapshot in ${folder} does not hold the trusted files as read`);
  }
  return folder;
}
