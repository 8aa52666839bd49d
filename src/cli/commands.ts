/**
 * The commands portctl's own code defines (`kill`, `who`, `list`, `pick`, `wait`, `completions`),
 * as plain data in stricli's own shape: flags, positionals, help. This is the one definition: `app.ts` builds the
 * stricli application from it (with `plugins.ts`), `fast_path.ts` reads a plain command line with
 * it, and the completion scripts are generated from the application built from it.
 *
 * Nothing here imports stricli at run time, and each command's code is a separate module loaded
 * only when that command runs (stricli's `loader`).
 *
 * @module
 */

import type { CommandBuilderArguments } from "@stricli/core";
import type { StopLevel } from "../core/kill.ts";
import type { PortTarget } from "../core/target.ts";
import type { WaitCondition } from "../core/wait.ts";
import { importLazy } from "../lazy_modules.ts";
import type { CliContext } from "./context.ts";
import {
  EXIT_CODES_HELP,
  PICK_EXIT_CODES_HELP,
  SIMPLE_EXIT_CODES_HELP,
  WAIT_EXIT_CODES_HELP,
} from "./exit_codes.ts";
import {
  ALL_STATES_FLAG,
  JSON_FLAG,
  KILL_FLAG,
  MODE_FLAG,
  NO_PLUGINS_FLAG,
  PLUGIN_FLAG,
  PLUGIN_TIMEOUT_FLAG,
  TCP_FLAG,
  TERM_FLAG,
  TIMEOUT_FLAG,
  UDP_FLAG,
  WAIT_FOR_FLAG,
  WAIT_TIMEOUT_FLAG,
  WIDE_FLAG,
} from "./flags.ts";
import { signalsHelp, TARGETS_HELP } from "./help_text.ts";
import {
  type CompletionsArgument,
  IN_FOLDER_FLAG,
  parseCompletionsArgument,
  proposeSignals,
  SHELLS,
  switchFlag,
  TARGETS_POSITIONAL,
} from "./parsers.ts";

/** Parsed `kill` flags. */
export type KillFlags = {
  readonly mode?: StopLevel;
  readonly term?: boolean;
  readonly kill?: boolean;
  readonly signal?: string;
  readonly timeout?: number;
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly allStates?: boolean;
  readonly noFail?: boolean;
  readonly plugin?: readonly string[];
  readonly noPlugins?: boolean;
  readonly pluginTimeout?: number;
  /** `--in DIR`, resolved: only processes working in it or below. */
  readonly in?: string;
};

/** Parsed `who` flags. */
export type WhoFlags = {
  readonly json?: boolean;
  readonly allStates?: boolean;
  readonly wide?: boolean;
  readonly in?: string;
};

/** Parsed `list` flags. */
export type ListFlags = {
  readonly json?: boolean;
  readonly tcp?: boolean;
  readonly udp?: boolean;
  readonly allStates?: boolean;
  readonly wide?: boolean;
  readonly in?: string;
};

/** Parsed `pick` flags. */
export type PickFlags = {
  readonly tcp?: boolean;
  readonly udp?: boolean;
  readonly allStates?: boolean;
  readonly term?: boolean;
  readonly kill?: boolean;
  readonly timeout?: number;
  readonly mode?: StopLevel;
  readonly in?: string;
  readonly plugin?: readonly string[];
  readonly noPlugins?: boolean;
  readonly pluginTimeout?: number;
};

/** Parsed `wait` flags. */
export type WaitFlags = {
  readonly for?: WaitCondition;
  readonly timeout?: number;
  readonly json?: boolean;
  readonly in?: string;
};

/** A command as stricli builds it, with its code loaded on first use. */
export type CommandSpec<FLAGS extends Readonly<Record<string, unknown>>, ARGS extends unknown[]> =
  & CommandBuilderArguments<FLAGS, ARGS, CliContext>
  & { readonly loader: unknown };

/** `--timeout`'s default, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 5000;
/** `wait --timeout`'s default, in milliseconds. */
export const DEFAULT_WAIT_TIMEOUT_MS = 30_000;
/** `--plugin-timeout`'s default, in milliseconds. */
export const DEFAULT_PLUGIN_TIMEOUT_MS = 10_000;

/** `portctl kill`. */
export const killSpec = {
  loader: async () => (await importLazy("kill")).runKill,
  parameters: {
    flags: {
      term: TERM_FLAG,
      kill: KILL_FLAG,
      signal: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "NAME|NUM",
        brief: "Send this signal only, e.g. INT, HUP, 9",
        proposeCompletions: proposeSignals,
      },
      timeout: TIMEOUT_FLAG,
      mode: MODE_FLAG,
      dryRun: switchFlag("Show what would be signalled; signal nothing"),
      json: JSON_FLAG,
      allStates: ALL_STATES_FLAG,
      noFail: switchFlag("Exit 0 when nothing holds the ports"),
      in: IN_FOLDER_FLAG,
      plugin: PLUGIN_FLAG,
      noPlugins: NO_PLUGINS_FLAG,
      pluginTimeout: PLUGIN_TIMEOUT_FLAG,
    },
    positional: TARGETS_POSITIONAL,
  },
  docs: {
    brief: "End every process holding the ports, then confirm they are free",
    get fullDescription() {
      return `End every process that holds a target port, all at once: SIGTERM, wait up to
--timeout, then SIGKILL what is still alive. Afterwards portctl re-reads the socket table, and
keeps watching while a restart is plausible: if a manager (supervisord, pm2, runit, systemd, a
shell loop) started the server again, it says so, names the command that stops it, and exits 3.

MANAGERS
  portctl knows who manages each holder: a Docker/Podman container (also behind docker-proxy),
  a systemd unit, supervisord, pm2, runit, s6, nodemon, or a shell loop. --mode says where to
  stop it:
    auto     (default) a container is stopped through its engine, like docker stop; its
             forwarder (docker-proxy) is never signalled; everything else is signalled
    process  signal the holding processes only, whatever manages them
    manager  ask each holder's manager to stop it (docker stop, supervisorctl stop, pm2 stop,
             sv stop, systemctl stop); holders nobody manages are signalled

Plugins (see "portctl plugins --help") are asked first: every plugin may refuse before any
plugin acts or portctl signals. A plugin that fails, a plugin source of yours that cannot be read
or is not safe, or a trusted project folder that changed means that process is not signalled
(exit 3); --no-plugins runs none.

--in DIR ends only processes whose working folder is DIR or below it (a process whose folder
cannot be read is in none); the others are left running. --timeout takes 500ms, 5s, 2m or plain
seconds.

${TARGETS_HELP}${signalsHelp()}

EXAMPLES
  portctl kill 3000                  graceful, then forced after 5 s
  portctl kill 5432 --term           SIGTERM only; exit 3 if it is still alive
  portctl kill 8080 8443 --kill      SIGKILL at once
  portctl kill tcp:3000-3010 --dry-run --json
  portctl kill 3000 --no-fail        for scripts: a free port is fine too
  portctl kill 8080 --mode manager   stop it through supervisord, pm2, systemd...
  portctl kill 3000-3010 --in .      this checkout's servers, not another checkout's
  portctl kill 8080 --timeout 500ms

${EXIT_CODES_HELP}`;
    },
  },
} satisfies CommandSpec<KillFlags, PortTarget[]>;

/** `portctl who` (alias `find`). */
export const whoSpec = {
  loader: async () => (await importLazy("who")).runWho,
  parameters: {
    flags: { json: JSON_FLAG, allStates: ALL_STATES_FLAG, wide: WIDE_FLAG, in: IN_FOLDER_FLAG },
    positional: TARGETS_POSITIONAL,
  },
  docs: {
    brief: "Show which processes hold the ports",
    fullDescription: `Show every process holding a target port: protocol, address, state, PID,
user, name, age, working folder (~ for your home) and command. A socket whose owner portctl
cannot see (another user's process; run with sudo) is shown with a note, never left out. --in DIR
shows only processes working in DIR or below it; --wide cuts nothing and adds each program's path.

${TARGETS_HELP}

EXAMPLES
  portctl who 5432
  portctl who tcp:3000-3010 --json
  portctl who 3000-3010 --in ~/shop
  portctl find udp6:53

${EXIT_CODES_HELP}`,
  },
} satisfies CommandSpec<WhoFlags, PortTarget[]>;

/** `portctl list` (alias `ls`). */
export const listSpec = {
  loader: async () => (await importLazy("list")).runList,
  parameters: {
    flags: {
      json: JSON_FLAG,
      tcp: TCP_FLAG,
      udp: UDP_FLAG,
      allStates: switchFlag("Also show TCP sockets that are not listening"),
      wide: WIDE_FLAG,
      in: IN_FOLDER_FLAG,
    },
    positional: { kind: "tuple", parameters: [] },
  },
  docs: {
    brief: "List every listening port and its processes",
    fullDescription:
      `List every listening TCP socket and bound UDP socket with the processes holding
it, their age and working folder. "list" exits 0 even when nothing listens (exit code 1 is for
who and kill).

EXAMPLES
  portctl list
  portctl ls --tcp
  portctl list --in . --wide
  portctl list --json

${EXIT_CODES_HELP}`,
  },
} satisfies CommandSpec<ListFlags, []>;

/** `portctl pick`, and `portctl` alone on a terminal. */
export const pickSpec = {
  loader: async () => (await importLazy("pick")).runPick,
  parameters: {
    flags: {
      tcp: TCP_FLAG,
      udp: UDP_FLAG,
      allStates: switchFlag("Also show TCP sockets that are not listening"),
      term: TERM_FLAG,
      kill: KILL_FLAG,
      timeout: TIMEOUT_FLAG,
      mode: MODE_FLAG,
      in: IN_FOLDER_FLAG,
      plugin: PLUGIN_FLAG,
      noPlugins: NO_PLUGINS_FLAG,
      pluginTimeout: PLUGIN_TIMEOUT_FLAG,
    },
    positional: { kind: "tuple", parameters: [] },
  },
  docs: {
    brief: "Pick what to end from a live list (also: portctl alone, on a terminal)",
    fullDescription:
      `A full-screen list of every listening port and its process, read again about once a second.
Type to filter (port as 3000 or :3000, name, command, user); Up/Down or Ctrl-P/Ctrl-N move; Space
marks several; Enter asks to confirm, naming every PID, name and port and how they will be ended;
y ends them exactly as "portctl kill" does (plugins, SIGTERM then SIGKILL after --timeout, the
check that the ports are free) and prints the same lines. n or Esc goes back; Esc or Ctrl-C in the
list quits. Tab shows TCP, UDP or both; Ctrl-T changes how processes are ended.

What you confirmed is what gets signalled: a process that exited, restarted or was replaced on its
port after you pressed Enter is never signalled without a new confirmation that names the new one.
MANAGER and FOLDER columns show who runs each server and where. --in DIR offers only processes
working in DIR; --mode works as for kill: by default a container is stopped through its engine,
and the confirmation says so before you press y.

"portctl" with no arguments opens the picker when stdin and stdout are terminals (help otherwise);
"portctl pick" without a terminal exits 2.

EXAMPLES
  portctl                        the picker (on a terminal)
  portctl pick --tcp --kill      TCP only; end with SIGKILL at once

${PICK_EXIT_CODES_HELP}`,
  },
} satisfies CommandSpec<PickFlags, []>;

/** `portctl wait`. */
export const waitSpec = {
  loader: async () => (await importLazy("wait")).runWait,
  parameters: {
    flags: {
      for: WAIT_FOR_FLAG,
      timeout: WAIT_TIMEOUT_FLAG,
      json: switchFlag("Print the final state as JSON"),
      in: IN_FOLDER_FLAG,
    },
    positional: TARGETS_POSITIONAL,
  },
  docs: {
    brief: "Wait until the ports are listening, or free",
    fullDescription: `Wait until every target port is listening (--for listening, the default)
or free (--for free), reading the kernel's socket tables every few milliseconds. portctl never
connects to the port and never signals anything: it works for UDP too, waits for a draining
server to let go, and leaves nothing in the server's logs.

listening  every port of every target (each port of a range) has a TCP listener or a bound UDP
           socket of the target's protocol and IP version
free       no target port is held by a TCP listener or a bound UDP socket

At the timeout it prints one line per target still missing or still held, naming the holder
(PID, name, user, or "owner not visible" for another user's process), and exits 1. On a
terminal a progress line is shown on stderr while waiting; nothing when piped.

${TARGETS_HELP}

EXAMPLES
  portctl wait 3000 && npm test          start the tests once the server listens
  portctl wait 5432 --timeout 1m         give a database a minute
  portctl wait 3000 --for free --in .    until this checkout's server let go
  portctl wait 3000 --for free           after stopping a server, before starting the next
  portctl wait udp:53 tcp:8080-8081 --json

${WAIT_EXIT_CODES_HELP}`,
  },
} satisfies CommandSpec<WaitFlags, PortTarget[]>;

/**
 * `portctl completions <shell>`. `portctl completions ports` (what the scripts run, not shown in
 * help) prints the ports listening right now, one per line.
 */
export const completionsSpec = {
  loader: async () => (await importLazy("completions")).runCompletions,
  parameters: {
    flags: {},
    positional: {
      kind: "tuple",
      parameters: [{
        brief: "bash, zsh, fish or powershell",
        parse: parseCompletionsArgument,
        placeholder: "shell",
        proposeCompletions: () => SHELLS,
      }],
    },
  },
  docs: {
    brief: "Print a shell completion script",
    fullDescription: `Print a completion script for bash, zsh, fish or PowerShell. Targets complete
to the ports that are listening right now.

EXAMPLES
  eval "$(portctl completions bash)"
  portctl completions zsh > "\${fpath[1]}/_portctl"
  portctl completions fish > ~/.config/fish/completions/portctl.fish
  portctl completions powershell | Out-String | Invoke-Expression

${SIMPLE_EXIT_CODES_HELP}`,
  },
} satisfies CommandSpec<Record<never, never>, [CompletionsArgument]>;

/** portctl's own commands, by name; `app.ts` adds `plugins` (built in `plugins.ts`). */
export const COMMANDS = {
  kill: killSpec,
  who: whoSpec,
  list: listSpec,
  pick: pickSpec,
  wait: waitSpec,
  completions: completionsSpec,
} as const;

/** Other names the commands answer to. */
export const ALIASES = { find: "who", ls: "list" } as const;
