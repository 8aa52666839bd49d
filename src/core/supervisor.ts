/**
 * Whether the parent of an ended process may restart it. An interactive shell (a terminal where
 * someone typed the command) will not; anything else that is still running might: systemd, pm2,
 * nodemon, docker, and also a shell running a script such as `while true; do server; done`.
 *
 * @module
 */

import type { ProcessInfo } from "../platform/types.ts";

/** Shells, by process name (Windows names without `.exe`). */
const SHELLS = new Set([
  "bash",
  "sh",
  "dash",
  "zsh",
  "fish",
  "ksh",
  "mksh",
  "tcsh",
  "csh",
  "nu",
  "xonsh",
  "elvish",
  "pwsh",
  "powershell",
  "cmd",
]);

/** Run-as wrappers: they exit with their child and never restart it. */
const WRAPPERS = new Set(["sudo", "doas", "su", "runuser", "setpriv"]);

/** Options by which a shell runs a command or script instead of reading a terminal. */
const SCRIPT_OPTIONS = new Set(["-c", "/c", "-command", "-file", "-encodedcommand"]);

/**
 * True for a shell a person is typing into: a known shell whose command line names no script
 * and no `-c` command (`bash`, `-zsh`, `fish --login`, `bash -i`). `bash -c '...'` and
 * `sh ./run.sh` are scripts, which may loop and restart what they started.
 *
 * @example
 * ```ts
 * isInteractiveShell({ name: "bash", command: "-bash" } as ProcessInfo); // true
 * isInteractiveShell({ name: "bash", command: "bash -c while true; do node s.js; done" } as ProcessInfo); // false
 * ```
 */
export function isInteractiveShell(process: Pick<ProcessInfo, "name" | "command">): boolean {
  const name = process.name.toLowerCase().replace(/\.exe$/, "");
  if (!SHELLS.has(name)) return false;
  const args = process.command.trim().split(/\s+/).slice(1);
  // cmd.exe spells its options /k, /q; on Unix a leading "/" is a script path.
  const isOption = (arg: string) => arg.startsWith("-") || (name === "cmd" && /^\/\w$/.test(arg));
  return args.every((arg) => isOption(arg) && !SCRIPT_OPTIONS.has(arg.toLowerCase()));
}

/** True for a parent that never restarts its child: an interactive shell or a run-as wrapper. */
export function cannotRestart(parent: Pick<ProcessInfo, "name" | "command">): boolean {
  return isInteractiveShell(parent) ||
    WRAPPERS.has(parent.name.toLowerCase().replace(/\.exe$/, ""));
}
