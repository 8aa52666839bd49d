/**
 * The seam between the kill engine and plugins: what the engine tells a hook and what a hook may
 * answer. The engine depends only on {@linkcode KillHooks}; `src/plugins/` implements it.
 *
 * @module
 */

import type {
  IpFamily,
  PlatformName,
  Protocol,
  SignalName,
  SocketState,
} from "../platform/types.ts";

/** How a kill of one process ended. */
export type KillOutcome =
  | "ended"
  | "still-running"
  | "denied"
  | "not-visible"
  | "dry-run"
  | "skipped"
  | "plugin-failed";

/** A matched socket as hooks and JSON output see it. */
export interface SocketSummary {
  readonly protocol: Protocol;
  readonly family: IpFamily;
  readonly address: string;
  readonly port: number;
  readonly state: SocketState;
}

/** The process a hook is about. */
export interface HookProcess {
  readonly pid: number;
  readonly name: string;
  readonly user: string | null;
  readonly command: string;
}

/** What `beforeKill` hooks are told. */
export interface BeforeKillContext {
  readonly process: HookProcess;
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

/** The combined answer of every `beforeKill` hook for one process. */
export type BeforeKillDecision =
  | { readonly kind: "proceed" }
  | { readonly kind: "skip"; readonly plugin: string; readonly reason: string }
  | { readonly kind: "signal"; readonly plugin: string; readonly signal: SignalName }
  | { readonly kind: "handled"; readonly plugin: string }
  | { readonly kind: "failed"; readonly plugin: string; readonly message: string };

/** Hooks around each kill. */
export interface KillHooks {
  beforeKill(context: BeforeKillContext): Promise<BeforeKillDecision>;
  /** Runs every `afterKill` hook; failures are returned as warnings, never thrown. */
  afterKill(context: AfterKillContext): Promise<void>;
}

/** Hooks that do nothing: what runs with `--no-plugins` or when no plugin is found. */
export const NO_HOOKS: KillHooks = {
  beforeKill: () => Promise.resolve({ kind: "proceed" }),
  afterKill: () => Promise.resolve(),
};
