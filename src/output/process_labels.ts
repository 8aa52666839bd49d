/**
 * What tells identical processes apart, as a person reads it: the folder (`~/shop/api`), the age
 * (`3m`) and the real program behind a generic name. `who`, `list` and `kill` lines use these, so
 * every view of a process words them the same way.
 *
 * @module
 */

/** The home folder from the environment (`HOME`, or Windows' `USERPROFILE`), or null. */
export function homeFolder(): string | null {
  try {
    return Deno.env.get("HOME") || Deno.env.get("USERPROFILE") || null;
  } catch {
    return null; // no --allow-env: folders are shown in full
  }
}

/** True for a Windows path (`C:\...`, `\\server\share`), whose letters compare in any case. */
function isWindowsPath(path: string): boolean {
  return /^[A-Za-z]:\\|^\\\\/.test(path);
}

/**
 * A folder with the home folder written `~`, or `-` when it is unknown.
 *
 * @example
 * ```ts
 * folderLabel("/home/dev/shop/api", "/home/dev"); // "~/shop/api"
 * folderLabel("/home/devops", "/home/dev"); // "/home/devops"
 * folderLabel("C:\\Users\\Dev\\shop", "C:\\Users\\dev"); // "~\\shop"
 * folderLabel(null, "/home/dev"); // "-"
 * ```
 */
export function folderLabel(folder: string | null, home: string | null): string {
  if (folder === null) return "-";
  if (!home || home === "/" || home === "\\") return folder;
  const windows = isWindowsPath(home);
  const base = home.replace(/[\\/]+$/, "");
  const head = folder.slice(0, base.length);
  const same = windows ? head.toLowerCase() === base.toLowerCase() : head === base;
  const rest = folder.slice(base.length);
  // `<home> (deleted)` is the home folder itself, removed since.
  const under = rest === "" || rest.startsWith("/") || rest.startsWith("\\") ||
    rest === " (deleted)";
  return same && under ? `~${rest}` : folder;
}

/**
 * How long ago `startedAtMs` was, in its largest whole unit: `45s`, `3m`, `2h`, `4d`; `-` when
 * unknown.
 *
 * @example
 * ```ts
 * ageLabel(Date.now() - 3 * 60_000, Date.now()); // "3m"
 * ```
 */
export function ageLabel(startedAtMs: number | null, nowMs: number): string {
  if (startedAtMs === null) return "-";
  const seconds = Math.max(0, Math.floor((nowMs - startedAtMs) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/**
 * The program's file name when the process's name does not already say it (a thread named
 * `MainThread`, a process that renamed itself), else null. `python3` running `python3.11` says it,
 * and so does a Linux name cut to 15 characters.
 *
 * @example
 * ```ts
 * programNote("MainThread", "/usr/bin/python3.11"); // "python3.11"
 * programNote("node", "/home/dev/.nvm/versions/node/v20.11.0/bin/node"); // null
 * ```
 */
export function programNote(name: string, exe: string | null): string | null {
  if (exe === null) return null;
  const file = exe.replace(/ \(deleted\)$/, "").split(/[\\/]/).pop() ?? "";
  if (file === "" || file.toLowerCase().startsWith(name.toLowerCase())) return null;
  return file;
}
