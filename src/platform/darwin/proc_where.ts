/**
 * Where and since when a macOS process runs, as bytes and tokens: the layout of
 * `struct proc_vnodepathinfo` (its working folder, from `proc_pidinfo(PROC_PIDVNODEPATHINFO)`) and
 * the start time as a wall-clock time. Pure decoders, tested on bytes a C compiler laid out from
 * XNU's headers (`tests/fixtures/darwin/`), like those of `proc_info.ts`; `libsystem.ts` makes the
 * call.
 *
 * @module
 */

import { cString } from "./proc_info.ts";

/**
 * `proc_pidinfo` flavor: `struct proc_vnodepathinfo`, the working and root folders (XNU
 * `bsd/sys/proc_info.h`). Same user or root only: another user's process gives EPERM.
 */
export const PROC_PIDVNODEPATHINFO = 9;

/**
 * `struct proc_vnodepathinfo { struct vnode_info_path pvi_cdir, pvi_rdir; }`: 2352 bytes. A
 * `vnode_info_path` is a `struct vnode_info` (`vinfo_stat vi_stat`, 136 bytes; `int vi_type`,
 * `int vi_pad`, `fsid_t vi_fsid`: 152 bytes) then `char vip_path[MAXPATHLEN]` (1024), so the
 * working folder's path is at 152.
 */
export const PROC_VNODEPATHINFO = {
  size: 2352,
  workingFolderPath: 152,
  pathLength: 1024,
} as const;

/**
 * The working folder in a `struct proc_vnodepathinfo`, or null when the kernel left it empty (a
 * process with no working folder, such as one exiting).
 *
 * @example
 * ```ts
 * decodeWorkingFolder(bytes); // "/Users/dev/shop/api"
 * ```
 */
export function decodeWorkingFolder(bytes: Uint8Array): string | null {
  if (bytes.byteLength < PROC_VNODEPATHINFO.size) {
    throw new RangeError(
      `proc_vnodepathinfo needs ${PROC_VNODEPATHINFO.size} bytes, got ${bytes.byteLength}`,
    );
  }
  const path = cString(bytes, PROC_VNODEPATHINFO.workingFolderPath, PROC_VNODEPATHINFO.pathLength);
  return path === "" ? null : path;
}

/**
 * Milliseconds since the epoch from a start-time token (`seconds.microseconds` of `p_start`, see
 * `startTimeToken` in `proc_info.ts`), or null for anything else.
 *
 * @example
 * ```ts
 * startTimeTokenToMs("1716220000.000042"); // 1716220000000
 * startTimeTokenToMs("1716220000.500000"); // 1716220000500
 * ```
 */
export function startTimeTokenToMs(token: string): number | null {
  const match = /^(\d+)\.(\d{6})$/.exec(token);
  if (!match) return null;
  return Number(match[1]) * 1000 + Math.floor(Number(match[2]) / 1000);
}
