/**
 * The flags several commands share, defined once: `kill`, `pick` and `wait` take the same
 * `--timeout` spelling, `kill` and `pick` the same `--term`, `--kill`, `--mode` and plugin flags,
 * `list` and `pick` the same `--tcp`/`--udp`. Plain data in stricli's shape (see `commands.ts`).
 *
 * @module
 */

import {
  durationParser,
  parseWaitCondition,
  STOP_LEVELS,
  stopLevelParser,
  switchFlag,
  WAIT_CONDITIONS,
} from "./parsers.ts";

export const JSON_FLAG = switchFlag("Print JSON");

/** `--plugin FILE`, repeatable: `kill` runs it, `plugins list` lists it. */
export function pluginFlag(brief: string) {
  return {
    kind: "parsed",
    parse: String,
    optional: true,
    variadic: true,
    placeholder: "FILE",
    brief,
  } as const;
}
export const ALL_STATES_FLAG = switchFlag("Also match TCP sockets that are not listening");
export const WIDE_FLAG = switchFlag(
  "Cut nothing to the terminal's width; add each program's full path",
);
export const TERM_FLAG = switchFlag(
  "Send SIGTERM only (Windows: Ctrl-C / WM_CLOSE); report what is still alive",
);
export const KILL_FLAG = switchFlag("Send SIGKILL at once (Windows: TerminateProcess)");
export const TIMEOUT_FLAG = {
  kind: "parsed",
  parse: durationParser("--timeout"),
  optional: true,
  placeholder: "DURATION",
  brief: "How long to wait for each process to exit: 500ms, 5s, 2m (default 5s)",
} as const;
export const MODE_FLAG = {
  kind: "parsed",
  parse: stopLevelParser,
  optional: true,
  placeholder: "auto|process|manager",
  brief: "Where to stop it: auto (containers through their engine), process, manager",
  proposeCompletions: () => STOP_LEVELS,
} as const;
export const PLUGIN_FLAG = pluginFlag("Run this plugin file too (repeatable)");
export const NO_PLUGINS_FLAG = switchFlag("Run no plugins at all");
export const PLUGIN_TIMEOUT_FLAG = {
  kind: "parsed",
  parse: durationParser("--plugin-timeout", { minimumMs: 100 }),
  optional: true,
  placeholder: "DURATION",
  brief: "How long one plugin hook may take: 500ms, 5s, 2m (default 10s)",
} as const;
export const TCP_FLAG = switchFlag("TCP only");
export const UDP_FLAG = switchFlag("UDP only");

/** `wait --for`: what to wait for. */
export const WAIT_FOR_FLAG = {
  kind: "parsed",
  parse: parseWaitCondition,
  optional: true,
  placeholder: "listening|free",
  brief: "Wait until every target port listens (default), or until none is held",
  proposeCompletions: () => WAIT_CONDITIONS,
} as const;
/** `wait --timeout`: a longer default than kill's. */
export const WAIT_TIMEOUT_FLAG = {
  kind: "parsed",
  parse: durationParser("--timeout"),
  optional: true,
  placeholder: "DURATION",
  brief: "How long to wait before giving up with exit 1: 500ms, 30s, 2m (default 30s)",
} as const;
