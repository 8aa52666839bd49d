/**
 * The seam between the kill engine and plugins: what the engine tells a hook and what a hook may
 * answer. The engine depends only on {@linkcode KillHooks}; `src/plugins/` implements it.
 *
 * @module
 */

import type { PlatformName, SignalName } from "../platform/types.ts";
import type { KillOutcome, PluginManager, PluginProcess, PluginSocket } from "../plugins/api.ts";

// The shapes plugins see are defined once, in the plugin API; the engine uses the same ones.
export type { KillOutcome };

/** Who manages a process, as hooks and JSON output see it. */
export type ManagerSummary = PluginManager;

/** A matched socket as hooks and JSON output see it. */
export type SocketSummary = PluginSocket;

/** The process a hook is about. */
export type HookProcess = PluginProcess;

/** What `beforeKill` hooks are told. */
export interface BeforeKillContext {
  readonly process: HookProcess;
  /** Who manages it, or null. */
  readonly manager: ManagerSummary | null;
  readonly sockets: readonly SocketSummary[];
  /** The signal portctl plans to send first. */
  readonly signal: SignalName;
  readonly dryRun: boolean;
  readonly platform: PlatformName;
  /** `--timeout` in seconds. */
  readonly timeout: number;
}

/** What `afterKill` hooks are told: the same plus how it ended. */
export interface AfterKillContext extends BeforeKillContext {
  readonly outcome: KillOutcome;
  /** Milliseconds from the first signal (or hand-over to a plugin) to the outcome. */
  readonly elapsedMs: number;
}

/** The combined answer of every `beforeKill` hook for one process: the decision. */
export type BeforeKillDecision =
  | { readonly kind: "proceed" }
  | { readonly kind: "skip"; readonly plugin: string; readonly reason: string }
  | { readonly kind: "signal"; readonly plugin: string; readonly signal: SignalName }
  /** A hook failed or plugins could not be loaded; `message` says which and why, in full. */
  | { readonly kind: "failed"; readonly message: string };

/** What the `stop` phase did, asked only once every `beforeKill` agreed. */
export type StopResult =
  /** No plugin stopped the process: portctl signals it. */
  | { readonly kind: "not-stopped" }
  /** `plugin` stopped it its own way (or, in a dry run, would): portctl waits for the exit. */
  | { readonly kind: "stopped"; readonly plugin: string }
  | { readonly kind: "failed"; readonly message: string };

/**
 * Hooks around each kill, in three phases so that nothing acts before everyone could refuse:
 * {@linkcode KillHooks.beforeKill} decides, {@linkcode KillHooks.stop} acts, and
 * {@linkcode KillHooks.afterKill} is told the outcome.
 */
export interface KillHooks {
  beforeKill(context: BeforeKillContext): Promise<BeforeKillDecision>;
  /** Lets a plugin stop the process its own way; `context.signal` is the decided signal. */
  stop(context: BeforeKillContext): Promise<StopResult>;
  /** Runs every `afterKill` hook; failures are reported as warnings, never thrown. */
  afterKill(context: AfterKillContext): Promise<void>;
  /** Ends what the hooks keep running (plugin processes); called once, when the run is over. */
  close(): void;
}

/** Hooks that do nothing: what runs with `--no-plugins` or when no plugin is found. */
export const NO_HOOKS: KillHooks = {
  beforeKill: () => Promise.resolve({ kind: "proceed" }),
  stop: () => Promise.resolve({ kind: "not-stopped" }),
  afterKill: () => Promise.resolve(),
  close: () => {},
};
