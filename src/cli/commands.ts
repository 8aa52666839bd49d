/**
 * The commands portctl's own code defines (`kill`, `who`, `list`, `wait`, `completions`), as plain data in
 * stricli's own shape: flags, positionals, help. This is the one definition: `app.ts` builds the
 * stricli application from it (with `plugins.ts`), `fast_path.ts` reads a plain command line with
 * it, and the completion scripts are generated from the application built from it.
 *
 * Nothing here imports stricli at run time, and each command's code is a separate module loaded
 * only when that command runs (stricli's `loader`).
 *
 * @module
 */

import type { CommandBuilderArguments } from "@stricli/core";
import { describeSignals } from "../core/signals.ts";
import type { PortTarget } from "../core/target.ts";
import type { WaitCondition } from "../core/wait.ts";
import { importLazy } from "../lazy_modules.ts";
import { currentSignals } from "../platform/mod.ts";
import type { CliContext } from "./context.ts";
import { EXIT_CODES_HELP, SIMPLE_EXIT_CODES_HELP, WAIT_EXIT_CODES_HELP } from "./exit_codes.ts";
import { TARGETS_HELP } from "./help_text.ts";
import {
  type CompletionsArgument,
  parseCompletionsArgument,
  parseWaitCondition,
  proposeSignals,
  secondsParser,
  SHELLS,
  switchFlag,
  TARGETS_POSITIONAL,
  WAIT_CONDITIONS,
} from "./parsers.ts";

/** Parsed `kill` flags. */
export type KillFlags = {
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
};

/** Parsed `who` flags. */
export type WhoFlags = {
  readonly json?: boolean;
  readonly allStates?: boolean;
};

/** Parsed `list` flags. */
export type ListFlags = {
  readonly json?: boolean;
  readonly tcp?: boolean;
  readonly udp?: boolean;
  readonly allStates?: boolean;
};

/** Parsed `wait` flags. */
export type WaitFlags = {
  readonly for?: WaitCondition;
  readonly timeout?: number;
  readonly json?: boolean;
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

const JSON_FLAG = switchFlag("Print JSON");
const ALL_STATES_FLAG = switchFlag("Also match TCP sockets that are not listening");

/** The signals `--signal` takes here, for help; read from the backend's table. */
function signalsHelp(): string {
  const table = currentSignals();
  if (!table) return "";
  const words = `--signal takes ${describeSignals(table)}; --term sends ${table.graceful}`.split(
    " ",
  );
  const lines = [""];
  for (const word of words) {
    const last = lines.length - 1;
    if (lines[last] && lines[last].length + word.length > 96) lines.push(word);
    else lines[last] = lines[last] ? `${lines[last]} ${word}` : word;
  }
  return `\n\nSIGNALS\n${lines.map((line) => `  ${line}`).join("\n")}`;
}

/** `portctl kill`. */
export const killSpec = {
  loader: async () => (await importLazy("kill")).runKill,
  parameters: {
    flags: {
      term: switchFlag(
        "Send SIGTERM only (Windows: Ctrl-C / WM_CLOSE); report what is still alive",
      ),
      kill: switchFlag("Send SIGKILL at once (Windows: TerminateProcess)"),
      signal: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "NAME|NUM",
        brief: "Send this signal only, e.g. INT, HUP, 9",
        proposeCompletions: proposeSignals,
      },
      timeout: {
        kind: "parsed",
        parse: secondsParser("--timeout"),
        optional: true,
        placeholder: "SECONDS",
        brief: "How long to wait for each process to exit (default 5)",
      },
      dryRun: switchFlag("Show what would be signalled; signal nothing"),
      json: JSON_FLAG,
      allStates: ALL_STATES_FLAG,
      noFail: switchFlag("Exit 0 when nothing holds the ports"),
      plugin: {
        kind: "parsed",
        parse: String,
        optional: true,
        variadic: true,
        placeholder: "FILE",
        brief: "Run this plugin file too (repeatable)",
      },
      noPlugins: switchFlag("Run no plugins at all"),
      pluginTimeout: {
        kind: "parsed",
        parse: secondsParser("--plugin-timeout", 0.1),
        optional: true,
        placeholder: "SECONDS",
        brief: "How long one plugin hook may take (default 10)",
      },
    },
    positional: TARGETS_POSITIONAL,
  },
  docs: {
    brief: "End every process holding the ports, then confirm they are free",
    get fullDescription() {
      return `End every process that holds a target port, all at once: SIGTERM, wait up to
--timeout, then SIGKILL what is still alive. Afterwards portctl re-reads the socket table: if a
supervisor (systemd, pm2, nodemon, docker) restarted the server, it says so and exits 3.

Plugins (see "portctl plugins --help") are asked first: every plugin may refuse before any
plugin acts or portctl signals. A plugin that fails, a plugin source of yours that cannot be read
or is not safe, or a trusted project folder that changed means that process is not signalled
(exit 3); --no-plugins runs none.

${TARGETS_HELP}${signalsHelp()}

EXAMPLES
  portctl kill 3000                  graceful, then forced after 5 s
  portctl kill 5432 --term           SIGTERM only; exit 3 if it is still alive
  portctl kill 8080 8443 --kill      SIGKILL at once
  portctl kill tcp:3000-3010 --dry-run --json
  portctl kill 3000 --no-fail        for scripts: a free port is fine too

${EXIT_CODES_HELP}`;
    },
  },
} satisfies CommandSpec<KillFlags, PortTarget[]>;

/** `portctl who` (alias `find`). */
export const whoSpec = {
  loader: async () => (await importLazy("who")).runWho,
  parameters: {
    flags: { json: JSON_FLAG, allStates: ALL_STATES_FLAG },
    positional: TARGETS_POSITIONAL,
  },
  docs: {
    brief: "Show which processes hold the ports",
    fullDescription: `Show every process holding a target port: protocol, address, state, PID, user,
name and command. A socket whose owner portctl cannot see (another user's process; run with
sudo) is shown with a note, never left out.

${TARGETS_HELP}

EXAMPLES
  portctl who 5432
  portctl who tcp:3000-3010 --json
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
      tcp: switchFlag("TCP only"),
      udp: switchFlag("UDP only"),
      allStates: switchFlag("Also show TCP sockets that are not listening"),
    },
    positional: { kind: "tuple", parameters: [] },
  },
  docs: {
    brief: "List every listening port and its processes",
    fullDescription:
      `List every listening TCP socket and bound UDP socket with the processes holding
it. "list" exits 0 even when nothing listens (exit code 1 is for who and kill).

EXAMPLES
  portctl list
  portctl ls --tcp
  portctl list --json

${EXIT_CODES_HELP}`,
  },
} satisfies CommandSpec<ListFlags, []>;

/** `portctl wait`. */
export const waitSpec = {
  loader: async () => (await importLazy("wait")).runWait,
  parameters: {
    flags: {
      for: {
        kind: "parsed",
        parse: parseWaitCondition,
        optional: true,
        placeholder: "listening|free",
        brief: "Wait until every target port listens (default), or until none is held",
        proposeCompletions: () => WAIT_CONDITIONS,
      },
      timeout: {
        kind: "parsed",
        parse: secondsParser("--timeout"),
        optional: true,
        placeholder: "SECONDS",
        brief: "How long to wait before giving up with exit 1 (default 30)",
      },
      json: switchFlag("Print the final state as JSON"),
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
  portctl wait 5432 --timeout 60         give a database a minute
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
  wait: waitSpec,
  completions: completionsSpec,
} as const;

/** Other names the commands answer to. */
export const ALIASES = { find: "who", ls: "list" } as const;
