/**
 * Who could change a plugin file before portctl runs it: OpenSSH's StrictModes and git's
 * `safe.directory`, for plugins that often run as root.
 *
 * A file or folder is safe when it is owned by the user running portctl or by root, and nobody
 * else can write it: not writable by others, and not by its group unless that group is the user's
 * private group (Debian's umask 002 makes files group-writable for a group of one) and the user is
 * not root. Folders above
 * a plugin folder may also be sticky and writable by all (`/tmp`), since there only an entry's
 * owner may rename it; inside the plugin folder even a sticky folder is unsafe, as anyone could add
 * a file to it. On Windows, files have no POSIX owner or mode, and no check is made.
 *
 * @module
 */

import { groupName, isPrivateGroupOf, userName } from "../platform/accounts.ts";
import type { PlatformName } from "../platform/types.ts";
import { dirname } from "./paths.ts";

/** The user portctl runs as; null ids where the OS has none (Windows). */
export interface Identity {
  readonly uid: number | null;
}

/** The identity of this process. */
export function currentIdentity(): Identity {
  return { uid: Deno.uid() };
}

/** `uid 1001 (alice)`, or `root`. */
export function describeOwner(uid: number): string {
  if (uid === 0) return "root";
  const name = userName(uid);
  return name === String(uid) ? `uid ${uid}` : `${name} (uid ${uid})`;
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, "0");
}

/**
 * Why someone other than `who` (or root) could change `path`, or null when nobody can.
 * `above` marks a folder above the plugin folder, which may be sticky and writable by all.
 *
 * @example
 * ```ts
 * unsafeReason("/tmp/x", Deno.lstatSync("/tmp/x"), { uid: 0 }, { above: false });
 * // "/tmp/x is owned by alice (uid 1001), not by you or root"
 * ```
 */
export function unsafeReason(
  path: string,
  info: Deno.FileInfo,
  who: Identity,
  options: { readonly above: boolean },
): string | null {
  if (who.uid === null || info.uid === null || info.mode === null) return null;
  if (info.isSymlink) return null; // the folder holding it decides who may replace it
  if (info.uid !== who.uid && info.uid !== 0) {
    return `${path} is owned by ${describeOwner(info.uid)}, not by you or root`;
  }
  const stickyFolder = options.above && info.isDirectory && (info.mode & 0o1000) !== 0;
  if (stickyFolder) return null;
  if ((info.mode & 0o002) !== 0) {
    return `${path} is writable by every user (mode ${octal(info.mode)})`;
  }
  // A private group lets nobody else write, unless an ACL names someone: root, the one who has
  // most to lose, takes no such exemption (ACLs cannot be read without a libc call).
  const privateGroup = who.uid !== 0 && info.gid !== null && isPrivateGroupOf(info.gid, who.uid);
  if ((info.mode & 0o020) !== 0 && !privateGroup) {
    const group = info.gid === null ? "its group" : `group ${groupName(info.gid)}`;
    return `${path} is writable by ${group} (mode ${octal(info.mode)})`;
  }
  return null;
}

/**
 * Checks the folders above `path` (from `/` down) and `path` itself: the first reason anyone else
 * could change it, or null. Folders above `strictFrom` (default: `path`) may be sticky; from
 * `strictFrom` down they may not (a project's root: anyone could add a `.portctl` to a sticky
 * one). `path` must be a real path (no symlinks), so the folders checked are the ones the file
 * really sits in.
 */
export function unsafePathReason(
  path: string,
  who: Identity,
  os: PlatformName,
  strictFrom: string = path,
): string | null {
  if (who.uid === null || os === "windows") return null;
  const chain: string[] = [];
  for (let dir = path;; dir = dirname(dir, os)) {
    chain.unshift(dir);
    if (dirname(dir, os) === dir) break;
  }
  let above = true;
  for (const entry of chain) {
    if (entry === strictFrom) above = false;
    let info: Deno.FileInfo;
    try {
      info = Deno.lstatSync(entry);
    } catch (error) {
      return `${entry} cannot be read (${(error as Error).message.split("\n")[0]})`;
    }
    const reason = unsafeReason(entry, info, who, { above });
    if (reason) return reason;
  }
  return null;
}
