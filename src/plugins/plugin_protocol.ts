/**
 * What crosses between portctl and a running plugin: the context a hook is given (as data: the
 * worker adds `log` and `abortSignal`, an executable reads it as JSON), and the messages between
 * portctl and a JS plugin's worker. Types only.
 *
 * @module
 */

import type { AfterKillContext, BeforeKillContext } from "./api.ts";
import type { HookName } from "./plugin_shape.ts";

/** A hook's context as plain data: what a plugin is told, less what the worker adds. */
export type HookInput =
  & Omit<BeforeKillContext, "log" | "abortSignal">
  /** `afterKill` only. */
  & Partial<Pick<AfterKillContext, "outcome" | "elapsedMs">>;

/** portctl → worker. */
export type ToWorker =
  | { readonly type: "load"; readonly url: string; readonly fallbackName: string }
  | {
    readonly type: "call";
    readonly id: number;
    readonly hook: HookName;
    readonly input: HookInput;
  }
  | { readonly type: "abort"; readonly id: number }
  /** Are you still there? (after a timeout: a busy loop never answers) */
  | { readonly type: "ping"; readonly id: number };

/** worker → portctl. */
export type FromWorker =
  | { readonly type: "loaded"; readonly name: string; readonly hooks: readonly HookName[] }
  | { readonly type: "load-failed"; readonly message: string }
  /** `ctx.log` or the console. */
  | { readonly type: "log"; readonly message: string }
  | { readonly type: "result"; readonly id: number; readonly value: unknown }
  | { readonly type: "error"; readonly id: number; readonly message: string }
  | { readonly type: "pong"; readonly id: number }
  /** The plugin ended or broke its thread: an exit, an uncaught error, an unhandled rejection. */
  | { readonly type: "died"; readonly message: string };
