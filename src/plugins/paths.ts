/**
 * The little path arithmetic plugins need, for POSIX and Windows paths alike, without `@std/path`
 * (JSR is unreachable) and without `node:path` (it wakes Deno's Node layer).
 *
 * @module
 */

import type { PlatformName } from "../platform/types.ts";

/** Path separator of `os`. */
export function separator(os: PlatformName): "/" | "\\" {
  return os === "windows" ? "\\" : "/";
}

/**
 * Whether `path` is absolute on `os` (`/x`; on Windows `C:\x`, `C:/x` or `\\server\share`).
 *
 * @example
 * ```ts
 * isAbsolute("C:\\tools", "windows"); // true
 * ```
 */
export function isAbsolute(path: string, os: PlatformName): boolean {
  if (os !== "windows") return path.startsWith("/");
  return /^[A-Za-z]:[\\/]/.test(path) || /^[\\/]{2}[^\\/]/.test(path);
}

/**
 * Joins path parts with the separator of `os`, without doubling separators.
 *
 * @example
 * ```ts
 * join("linux", "/home/ada/", "portctl", "plugins"); // "/home/ada/portctl/plugins"
 * ```
 */
export function join(os: PlatformName, ...parts: string[]): string {
  const sep = separator(os);
  const trailing = os === "windows" ? /[\\/]+$/ : /\/+$/;
  const leading = os === "windows" ? /^[\\/]+/ : /^\/+/;
  let out = "";
  for (const part of parts) {
    if (part === "") continue;
    if (out === "") out = part;
    else out = `${out.replace(trailing, "")}${sep}${part.replace(leading, "")}`;
  }
  return out;
}

/**
 * Makes `path` absolute against `cwd` (when it is not already) and removes `.` and `..` segments.
 *
 * @example
 * ```ts
 * resolve("/work/app", "../x.ts", "linux"); // "/work/x.ts"
 * ```
 */
export function resolve(cwd: string, path: string, os: PlatformName): string {
  const full = isAbsolute(path, os) ? path : join(os, cwd, path);
  return normalize(full, os);
}

/** Removes `.` and `..` segments and repeated separators from an absolute path. */
export function normalize(path: string, os: PlatformName): string {
  const sep = separator(os);
  let root: string;
  let rest: string;
  if (os === "windows") {
    const unc = /^[\\/]{2}([^\\/]+)[\\/]+([^\\/]+)/.exec(path);
    const drive = /^([A-Za-z]:)[\\/]*/.exec(path);
    if (unc) {
      root = `\\\\${unc[1]}\\${unc[2]}\\`;
      rest = path.slice(unc[0].length);
    } else if (drive) {
      root = `${drive[1].toUpperCase()}\\`;
      rest = path.slice(drive[0].length);
    } else {
      root = "";
      rest = path;
    }
  } else {
    root = path.startsWith("/") ? "/" : "";
    rest = path;
  }
  const out: string[] = [];
  for (const segment of rest.split(os === "windows" ? /[\\/]+/ : /\/+/)) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (root === "") out.push("..");
      continue;
    }
    out.push(segment);
  }
  return root + out.join(sep) || (root === "" ? "." : root);
}

/**
 * The folder that holds `path`; the root's parent is the root itself.
 *
 * @example
 * ```ts
 * dirname("/work/app/.portctl", "linux"); // "/work/app"
 * ```
 */
export function dirname(path: string, os: PlatformName): string {
  const normal = normalize(path, os);
  const sep = separator(os);
  const index = normal.lastIndexOf(sep);
  if (index < 0) return normal;
  const parent = normal.slice(0, index);
  // Keep the root's separator: "/" and "C:\" (and "\\server\share\").
  if (os !== "windows") return parent === "" ? "/" : parent;
  return normalize(parent.length <= 2 || parent.endsWith(sep) ? parent + sep : parent, os);
}

/**
 * The last segment of `path`.
 *
 * @example
 * ```ts
 * basename("C:\\x\\drain.ts", "windows"); // "drain.ts"
 * ```
 */
export function basename(path: string, os: PlatformName): string {
  const parts = path.split(os === "windows" ? /[\\/]+/ : /\/+/).filter((p) => p !== "");
  return parts[parts.length - 1] ?? "";
}

// Characters encodeURIComponent escapes that are fine, and easier to read, in a URL path.
const KEEP = /%(3A|40|24|26|2B|2C|3B|3D)/g;

/**
 * Turns an absolute file path into a `file:` URL: `/a b/x.ts` → `file:///a%20b/x.ts`,
 * `C:\a\x.ts` → `file:///C:/a/x.ts`, `\\host\share\x.ts` → `file://host/share/x.ts`. Every byte
 * that is not safe in a URL path (space, `#`, `?`, `%`, non-ASCII) is percent-encoded, so
 * `new URL(...)` and `import()` read back exactly this file.
 *
 * @example
 * ```ts
 * pathToFileUrl("/home/ada/.config/portctl/plugins/drain.ts", "linux");
 * // "file:///home/ada/.config/portctl/plugins/drain.ts"
 * ```
 */
export function pathToFileUrl(path: string, os: PlatformName): string {
  if (!isAbsolute(path, os)) throw new TypeError(`not an absolute path: ${path}`);
  const encode = (segment: string) =>
    encodeURIComponent(segment).replace(KEEP, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  const normal = normalize(path, os);
  if (os !== "windows") return "file://" + normal.split("/").map(encode).join("/");
  const unc = /^\\\\([^\\]+)\\(.*)$/.exec(normal);
  if (unc) {
    return `file://${unc[1]}/` + unc[2].split("\\").map(encode).join("/");
  }
  const [drive, ...rest] = normal.split("\\");
  return `file:///${drive}/` + rest.filter((s) => s !== "").map(encode).join("/");
}
