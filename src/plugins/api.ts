/**
 * The portctl plugin API: the types of the hooks a plugin exports, the context each hook is given
 * and the replies it may give. Copy this file next to your plugins (or reference it from a
 * checkout) to get editor help and type checks; it is types only, nothing to run.
 *
 * A plugin is one file. A JavaScript/TypeScript plugin (`.js .ts .mjs .mts`) default-exports a
 * {@linkcode PortctlPlugin}; any other executable file is run once per hook as
 * `<file> before-kill` / `<file> stop` / `<file> after-kill` with an {@linkcode ExecHookInput} as
 * JSON on stdin and may print a reply as JSON on stdout (exit 0 = go on; any other exit status is
 * a failure).
 *
 * For each matched process, portctl runs three phases, so that no plugin acts before every plugin
 * has had the chance to refuse:
 *
 * 1. `beforeKill` of every plugin, in order: the decision. A `{ skip }` from any plugin wins.
 * 2. `stop` of every plugin, in order, only when nobody refused: a plugin that stops the process
 *    its own way (an HTTP shutdown, `docker stop`) does it here and replies `{ handled: true }`.
 * 3. portctl's own signals (unless a plugin stopped it), then `afterKill` of every plugin.
 *
 * @example A plugin that drains a web server before it is ended
 * ```ts
 * import type { PortctlPlugin } from "./portctl.d.ts";
 *
 * const plugin: PortctlPlugin = {
 *   name: "drain",
 *   async stop(ctx) {
 *     if (ctx.process.name !== "node" || ctx.dryRun) return;
 *     const port = ctx.sockets[0]?.port;
 *     await fetch(`http://127.0.0.1:${port}/drain`, { method: "POST", signal: ctx.abortSignal });
 *     ctx.log(`drained ${port}`);
 *     return { handled: true };
 *   },
 * };
 * export default plugin;
 * ```
 *
 * @module
 */

/** A signal name as Deno spells it: `SIGTERM`, `SIGINT`, `SIGKILL`, ... */
export type SignalName = string;

/** The operating system portctl runs on (`Deno.build.os`). */
export type Platform = "linux" | "windows" | "darwin";

/** Socket state, as Linux names TCP states; UDP sockets are `UNCONN` or `ESTABLISHED`. */
export type SocketState =
  | "ESTABLISHED"
  | "SYN_SENT"
  | "SYN_RECV"
  | "FIN_WAIT1"
  | "FIN_WAIT2"
  | "TIME_WAIT"
  | "CLOSE"
  | "CLOSE_WAIT"
  | "LAST_ACK"
  | "LISTEN"
  | "CLOSING"
  | "NEW_SYN_RECV"
  | "DELETE_TCB"
  | "UNCONN"
  | "UNKNOWN";

/** How the kill of one process ended, as `afterKill` is told (and `portctl kill --json` prints). */
export type KillOutcome =
  /** The process is gone. */
  | "ended"
  /** Still running when the timeout ran out (`--term`, `--signal`, or SIGKILL did not take). */
  | "still-running"
  /** The OS refused to signal it (another user's process; use sudo). */
  | "denied"
  /** The socket's owner could not be seen. */
  | "not-visible"
  /** `--dry-run`: nothing was signalled. */
  | "dry-run"
  /** A `beforeKill` hook replied `{ skip }`. */
  | "skipped"
  /** A hook failed (threw, timed out, exited, replied nonsense), or plugins could not be loaded. */
  | "plugin-failed";

/** The process a hook is about. */
export interface PluginProcess {
  /** Process id. */
  readonly pid: number;
  /** Short name: `comm` on Linux (`node`, `postgres`), the image name on Windows. */
  readonly name: string;
  /** User name of the owner, or null when it cannot be read. */
  readonly user: string | null;
  /** Full command line (or the executable path where the command line is not readable). */
  readonly command: string;
  /**
   * Working folder (`/home/dev/shop/api`): which project the process runs in. Ends in
   * ` (deleted)` when the folder was removed after the process entered it (Linux); null when it
   * cannot be read (another user's process without root).
   */
  readonly cwd: string | null;
  /** When the process started, ISO 8601 in UTC (`2026-05-20T16:00:00.123Z`), or null. */
  readonly startedAt: string | null;
  /** The executable's path (the real program behind `node` or `MainThread`), or null. */
  readonly exe: string | null;
}

/** One socket of the process that matched the target. */
export interface PluginSocket {
  /** `tcp` or `udp`. */
  readonly protocol: "tcp" | "udp";
  /** IP version: 4 or 6. */
  readonly family: 4 | 6;
  /** Local address: `127.0.0.1`, `0.0.0.0`, `::`, `::1`, ... */
  readonly address: string;
  /** Local port. */
  readonly port: number;
  /** Socket state (`LISTEN` for a TCP server). */
  readonly state: SocketState;
}

/** What manages the process: a container engine, a service manager or supervisor, a loop. */
export interface PluginManager {
  /**
   * `docker`, `podman`, `containerd`, `systemd`, `supervisord`, `pm2`, `runit`, `s6`, `nodemon`,
   * `shell` (a script that loops), `windows-service` or `wsl`.
   */
  readonly kind: string;
  /** The container's name, the unit, the program, the app, the service. */
  readonly name: string;
  /** The manager's own id for it (a container id, a pm2 id), or null. */
  readonly id: string | null;
  /** The command a person would run to stop it for good: `docker stop web`. */
  readonly stop: string;
}

/** What every hook is told. */
export interface BeforeKillContext {
  /** The process portctl is about to end. */
  readonly process: PluginProcess;
  /** Who manages it, or null: ending it alone may not be the right act (see `stop`). */
  readonly manager: PluginManager | null;
  /** Its sockets that matched the target (at least one). */
  readonly sockets: readonly PluginSocket[];
  /**
   * The signal portctl plans to send first (`SIGTERM` by default, `SIGKILL` with `--kill`; in
   * `stop`, the one a `beforeKill` reply chose).
   */
  readonly signal: SignalName;
  /**
   * True with `--dry-run`: portctl will signal nothing, and the hook must not act either; it may
   * still reply what it would do (the reply is reported, not carried out).
   */
  readonly dryRun: boolean;
  /** The OS portctl runs on. */
  readonly platform: Platform;
  /** `--timeout` in seconds: how long portctl waits for the process to exit. */
  readonly timeout: number;
  /** portctl's environment as a plain object (read your settings here, not from `Deno.env`). */
  readonly env: Readonly<Record<string, string>>;
  /** Prints `message` on stderr attributed to this plugin: `[drain] message`. */
  log(message: string): void;
  /**
   * Aborted when the hook runs out of time (`--plugin-timeout`, default 10 s). Pass it to
   * `fetch` and friends so work stops when portctl stops waiting.
   */
  readonly abortSignal: AbortSignal;
}

/** What `stop` is told: the same as `beforeKill`; every plugin has agreed to end the process. */
export type StopContext = BeforeKillContext;

/** What `afterKill` is told: the same as `beforeKill`, plus how it ended. */
export interface AfterKillContext extends BeforeKillContext {
  /** How the kill ended. */
  readonly outcome: KillOutcome;
  /** Milliseconds from the first signal (or the hand-over to a plugin) to the outcome. */
  readonly elapsedMs: number;
}

/**
 * A `beforeKill` answer, the decision (a plugin must not act here; `stop` is for acting):
 * - nothing (`undefined`): go on as planned;
 * - `{ skip: "reason" }`: leave this process alone; it is reported as skipped with the reason and
 *   `portctl kill` exits 3. A skip from any plugin wins, whatever the order;
 * - `{ signal: "SIGINT" }`: send this signal first instead of the planned one (then the usual
 *   wait and escalation). A name portctl does not know on this OS is a failure. The first one wins.
 *
 * Anything else (another key, two keys, `{}`, `{ handled: true }`) counts as a failure of the
 * plugin, and the process is not touched.
 */
export type BeforeKillReply =
  | void
  | undefined
  | null
  | { readonly skip: string }
  | { readonly signal: SignalName };

/**
 * A `stop` answer:
 * - nothing: this plugin did not stop the process; the next plugin's `stop` is asked, then portctl
 *   signals it as planned;
 * - `{ handled: true }`: the plugin has stopped the process itself (or, with `dryRun`, would);
 *   portctl waits up to `--timeout` for it to exit and escalates as usual if it does not. Later
 *   plugins' `stop` hooks are not asked.
 */
export type StopReply = void | undefined | null | { readonly handled: true };

/**
 * A JavaScript/TypeScript plugin: the default export of the plugin file. Every hook is optional.
 * It runs in a process of its own: a hook that throws, rejects, times out, calls `Deno.exit`,
 * runs out of memory or never returns fails, and never stops portctl. A failing `beforeKill` or `stop`
 * means the process is NOT killed (outcome `plugin-failed`); in `afterKill` it is a warning.
 */
export interface PortctlPlugin {
  /** Name shown in logs and reports; defaults to the file name without its extension. */
  readonly name?: string;
  /** Decides, before each matched process is signalled (also with `--dry-run`). */
  beforeKill?(ctx: BeforeKillContext): BeforeKillReply | Promise<BeforeKillReply>;
  /** Stops the process its own way, once every plugin's `beforeKill` agreed. */
  stop?(ctx: StopContext): StopReply | Promise<StopReply>;
  /** Runs after each kill with its outcome (also after a skip, a failure and a dry run). */
  afterKill?(ctx: AfterKillContext): void | Promise<void>;
}

/**
 * What an executable plugin reads as JSON on stdin (one line): the hook's context without `env`
 * (its environment is its own, plus `PORTCTL_HOOK`, the hook name), `log` and `abortSignal`, and
 * with `hook`, also its first argument. It runs in portctl's working folder; lines it writes to
 * stderr are shown attributed to it; it is killed, with its process group, when it runs out
 * of time and when the hook returns.
 */
export type ExecHookInput =
  & { readonly hook: "before-kill" | "stop" | "after-kill" }
  & Omit<BeforeKillContext, "env" | "log" | "abortSignal">
  /** `after-kill` only: see {@linkcode AfterKillContext}. */
  & Partial<Pick<AfterKillContext, "outcome" | "elapsedMs">>;
