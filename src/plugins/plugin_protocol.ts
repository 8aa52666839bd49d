/**
 * What crosses between portctl and a running plugin: the context a hook is given (as data: the
 * plugin host adds `log` and `abortSignal`, an executable reads it as JSON), and the messages
 * between portctl and a JS plugin's host process (`plugin_host.ts`), JSON lines both ways.
 *
 * @module
 */

import type { AfterKillContext, BeforeKillContext } from "./api.ts";
import type { HookName } from "./plugin_shape.ts";

/** A hook's context as plain data: what a plugin is told, less what the host adds. */
export type HookInput =
  & Omit<BeforeKillContext, "log" | "abortSignal">
  /** `afterKill` only. */
  & Partial<Pick<AfterKillContext, "outcome" | "elapsedMs">>;

/**
 * Opens every message line the host writes on its stdout; a line without it is something the
 * plugin printed (the ASCII record separator, which `printable` would never let through anyway).
 */
export const FRAME = "\x1e";

/** portctl → host (stdin). */
export type ToHost =
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

/** host → portctl (stdout, after {@linkcode FRAME}). */
export type FromHost =
  | { readonly type: "loaded"; readonly name: string; readonly hooks: readonly HookName[] }
  | { readonly type: "load-failed"; readonly message: string }
  /** `ctx.log` or the console. */
  | { readonly type: "log"; readonly message: string }
  | { readonly type: "result"; readonly id: number; readonly value: unknown }
  | { readonly type: "error"; readonly id: number; readonly message: string }
  | { readonly type: "pong"; readonly id: number }
  /** The plugin broke its process: an uncaught error, an unhandled rejection. */
  | { readonly type: "died"; readonly message: string };
