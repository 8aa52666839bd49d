/**
 * The hook runner: turns loaded plugins into the engine's {@linkcode KillHooks}.
 *
 * `beforeKill` asks the plugins in order. The first `{ skip }`, `{ handled }` or failure ends the
 * chain and is the decision; a `{ signal }` is remembered (the first one wins) and the chain goes
 * on, so a later plugin can still skip or handle the process. A hook that throws, rejects, times
 * out, exits non-zero or replies something invalid is a failure: the process is not touched. A
 * plugin that cannot be loaded counts as a failing `beforeKill` (it might have been the one that
 * protects this process).
 *
 * `afterKill` runs every plugin's hook in order; failures become warnings, never errors.
 *
 * Plugins are loaded on the first hook call, so a `portctl kill` that matches nothing imports no
 * plugin at all.
 *
 * @module
 */

import type {
  AfterKillContext as PluginAfterKillContext,
  BeforeKillContext as PluginBeforeKillContext,
} from "../../plugins/portctl.d.ts";
import type {
  AfterKillContext,
  BeforeKillContext,
  BeforeKillDecision,
  KillHooks,
} from "../core/hooks.ts";
import type { PlatformName, SignalName } from "../platform/types.ts";
import type { PluginCandidate } from "./discovery.ts";
import { errorText, ExecHookError, execPlugin, type LoadedPlugin, loadJsPlugin } from "./loader.ts";
import { defaultPluginSignals, parseBeforeKillReply } from "./reply.ts";

/** How hooks run. */
export interface RunnerOptions {
  /** Per-hook time limit (`--plugin-timeout`), also applied to importing a plugin. */
  readonly timeoutMs: number;
  readonly cwd: string;
  /** Given to plugins as `ctx.env` and to executable plugins as their environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly os: PlatformName;
  /** Signals a `{ signal }` reply may name (the backend's list); defaults per OS. */
  readonly signals?: readonly SignalName[];
  /** One warning line for stderr (afterKill failures). */
  warn(line: string): void;
  /** `ctx.log(message)` of plugin `plugin`. */
  log(plugin: string, message: string): void;
}

/** Raised when a hook runs out of time. */
export class HookTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${formatSeconds(ms)}`);
    this.name = "HookTimeoutError";
  }
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/**
 * Runs `work` with an abort signal that fires after `ms`; rejects with
 * {@linkcode HookTimeoutError} then, without waiting for `work` (JS code cannot be stopped; it is
 * told through the signal).
 */
export function withTimeout<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new HookTimeoutError(ms);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  const running = (async () => await work(controller.signal))();
  return Promise.race([running, expired]).finally(() => clearTimeout(timer));
}

type LoadResult =
  | { readonly ok: true; readonly plugin: LoadedPlugin }
  | { readonly ok: false; readonly name: string; readonly message: string };

/** Loads one candidate within `timeoutMs`; never throws. */
export async function loadCandidate(
  candidate: PluginCandidate,
  options: Pick<RunnerOptions, "timeoutMs" | "cwd" | "os">,
): Promise<LoadResult> {
  if (candidate.kind === "exec") {
    return { ok: true, plugin: execPlugin(candidate, { os: options.os, cwd: options.cwd }) };
  }
  try {
    const plugin = await withTimeout(options.timeoutMs, () => loadJsPlugin(candidate, options.os));
    return { ok: true, plugin };
  } catch (error) {
    const message = error instanceof HookTimeoutError
      ? `cannot load plugin ${candidate.path}: importing it ${error.message}`
      : errorText(error);
    return { ok: false, name: candidate.name, message };
  }
}

/** One line saying how a hook failed: `beforeKill failed: boom`, `after-kill exited with status 3`. */
function hookFailure(what: string, error: unknown): string {
  if (error instanceof HookTimeoutError) return `${what} ${error.message}`;
  if (error instanceof ExecHookError) return error.message;
  return `${what} failed: ${errorText(error)}`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/**
 * Builds the {@linkcode KillHooks} for `candidates` (already discovered and trusted), in order.
 *
 * @example
 * ```ts
 * const hooks = createKillHooks(discovery.plugins, {
 *   timeoutMs: 10_000, cwd: Deno.cwd(), env: Deno.env.toObject(), os: "linux",
 *   warn: (line) => console.error(line), log: (p, m) => console.error(`[${p}] ${m}`),
 * });
 * ```
 */
export function createKillHooks(
  candidates: readonly PluginCandidate[],
  options: RunnerOptions,
): KillHooks {
  const signals = options.signals ?? defaultPluginSignals(options.os);
  const env = Object.freeze({ ...options.env });
  let loaded: Promise<LoadResult[]> | undefined;
  const load = () => loaded ??= Promise.all(candidates.map((c) => loadCandidate(c, options)));

  // A fresh, frozen copy per hook: a plugin cannot change what the engine or the next plugin sees.
  const baseContext = (context: BeforeKillContext, name: string, abortSignal: AbortSignal) => ({
    process: deepFreeze({ ...context.process }),
    sockets: deepFreeze(context.sockets.map((socket) => ({ ...socket }))),
    signal: context.signal,
    dryRun: context.dryRun,
    platform: context.platform,
    timeout: context.timeout,
    env,
    log: (message: string) => options.log(name, String(message)),
    abortSignal,
  });

  return {
    async beforeKill(context: BeforeKillContext): Promise<BeforeKillDecision> {
      let override: { plugin: string; signal: SignalName } | undefined;
      for (const result of await load()) {
        if (!result.ok) return { kind: "failed", plugin: result.name, message: result.message };
        const { plugin } = result;
        if (!plugin.beforeKill) continue;
        const hook = plugin.beforeKill;
        const what = plugin.kind === "exec" ? "before-kill" : "beforeKill";
        let reply: unknown;
        try {
          reply = await withTimeout(options.timeoutMs, (abortSignal) => {
            const ctx: PluginBeforeKillContext = Object.freeze(
              baseContext(context, plugin.name, abortSignal),
            );
            return hook(ctx);
          });
        } catch (error) {
          return { kind: "failed", plugin: plugin.name, message: hookFailure(what, error) };
        }
        let parsed;
        try {
          parsed = parseBeforeKillReply(reply, signals);
        } catch (error) {
          return {
            kind: "failed",
            plugin: plugin.name,
            message: `${what} gave an ${errorText(error)}`,
          };
        }
        switch (parsed.kind) {
          case "proceed":
            break;
          case "skip":
            return { kind: "skip", plugin: plugin.name, reason: parsed.reason };
          case "handled":
            return { kind: "handled", plugin: plugin.name };
          case "signal":
            override ??= { plugin: plugin.name, signal: parsed.signal };
            break;
        }
      }
      return override ? { kind: "signal", ...override } : { kind: "proceed" };
    },

    async afterKill(context: AfterKillContext): Promise<void> {
      let results: LoadResult[];
      try {
        results = await load();
      } catch (error) {
        options.warn(`plugins: ${errorText(error)}`);
        return;
      }
      for (const result of results) {
        // A plugin that failed to load was already reported by beforeKill (plugin-failed).
        if (!result.ok) continue;
        const { plugin } = result;
        const hook = plugin.afterKill;
        if (!hook) continue;
        const what = plugin.kind === "exec" ? "after-kill" : "afterKill";
        try {
          await withTimeout(options.timeoutMs, (abortSignal) => {
            const ctx: PluginAfterKillContext = Object.freeze({
              ...baseContext(context, plugin.name, abortSignal),
              outcome: context.outcome,
              elapsedMs: context.elapsedMs,
            });
            return hook(ctx);
          });
        } catch (error) {
          options.warn(`plugin ${plugin.name}: ${hookFailure(what, error)}`);
        }
      }
    },
  };
}
