/**
 * The hook runner: turns loaded plugins into the engine's {@linkcode KillHooks}, in three phases
 * per process, so that no plugin acts before every plugin has had the chance to refuse:
 *
 * 1. `beforeKill`, the decision, asks the plugins in order. A `{ skip }` or a failure ends the
 *    chain and decides; a `{ signal }` is remembered (the first one wins) and the chain goes on,
 *    so a later plugin can still skip. A plugin that cannot be loaded counts as a failing
 *    `beforeKill` (it might have been the one that protects this process).
 * 2. `stop`, the action, runs only when nobody refused: the first plugin whose `stop` replies
 *    `{ handled: true }` has stopped the process; a failure leaves the process alone.
 * 3. `afterKill` runs every plugin's hook in order; failures become warnings.
 *
 * A hook that throws, rejects, times out, ends its thread, exits non-zero or replies something
 * invalid is a failure. Plugins are loaded on the first hook call, so a `portctl kill` that matches
 * nothing starts no plugin at all.
 *
 * @module
 */

import type {
  AfterKillContext,
  BeforeKillContext,
  BeforeKillDecision,
  KillHooks,
  StopResult,
} from "../core/hooks.ts";
import type { PlatformName, SignalName } from "../platform/types.ts";
import type { PluginCandidate } from "./discovery.ts";
import { errorText } from "./error_text.ts";
import { EXEC_HOOK_NAMES } from "./exec_plugin.ts";
import { loadPlugin, type LoadResult, type PluginInstance } from "./loader.ts";
import type { HookInput } from "./plugin_protocol.ts";
import type { HookName } from "./plugin_shape.ts";
import { InvalidReplyError, parseBeforeKillReply, parseStopReply } from "./reply.ts";

/** How hooks run. */
export interface RunnerOptions {
  /** Per-hook time limit (`--plugin-timeout`), also applied to importing a plugin. */
  readonly timeoutMs: number;
  readonly cwd: string;
  /** Given to plugins as `ctx.env` and to executable plugins as their environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly os: PlatformName;
  /** Signals a `{ signal }` reply may name: the backend's table. */
  readonly signals: readonly SignalName[];
  /** One warning line for stderr (afterKill failures). */
  warn(line: string): void;
  /** `ctx.log(message)` of plugin `plugin`. */
  log(plugin: string, message: string): void;
}

/** Raised when a hook runs out of time. */
export class HookTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${Number((ms / 1000).toFixed(3))} s`);
    this.name = "HookTimeoutError";
  }
}

/**
 * Runs `work` with an abort signal that fires after `ms`; rejects with
 * {@linkcode HookTimeoutError} then, without waiting for `work` (which is told through the
 * signal: a JS plugin's call fails at once, an executable's process group is killed).
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
  running.catch(() => {}); // settled after the timeout: nobody is waiting any more
  return Promise.race([running, expired]).finally(() => clearTimeout(timer));
}

function hookLabel(plugin: PluginInstance, hook: HookName): string {
  return plugin.kind === "exec" ? EXEC_HOOK_NAMES[hook] : hook;
}

/** How a hook failed: `beforeKill timed out after 10 s`, `after-kill exited with status 3`. */
function hookFailure(plugin: PluginInstance, hook: HookName, error: unknown): string {
  const label = hookLabel(plugin, hook);
  const why = error instanceof HookTimeoutError
    ? `${label} ${error.message}`
    : error instanceof InvalidReplyError
    ? `${label} gave an ${error.message}`
    : errorText(error);
  return why.startsWith(label) ? why : `${label} failed: ${why}`;
}

/** `plugin drain failed: beforeKill timed out after 10 s`. */
function failure(plugin: PluginInstance, hook: HookName, error: unknown): string {
  return `plugin ${plugin.name} failed: ${hookFailure(plugin, hook, error)}`;
}

/**
 * Builds the {@linkcode KillHooks} for `candidates` (already discovered, checked and trusted), in
 * order.
 *
 * @example
 * ```ts
 * const hooks = createKillHooks(candidates, {
 *   timeoutMs: 10_000, cwd: Deno.cwd(), env: Deno.env.toObject(), os: "linux",
 *   signals: backend.signals.names, warn: console.error, log: (p, m) => console.error(`[${p}] ${m}`),
 * });
 * ```
 */
export function createKillHooks(
  candidates: readonly PluginCandidate[],
  options: RunnerOptions,
): KillHooks {
  const env = Object.freeze({ ...options.env });
  let loaded: Promise<LoadResult[]> | undefined;
  const load = () =>
    loaded ??= Promise.all(candidates.map((candidate) =>
      loadPlugin(candidate, {
        os: options.os,
        cwd: options.cwd,
        timeoutMs: options.timeoutMs,
        warn: options.warn,
        log: options.log,
      })
    ));

  const input = (context: BeforeKillContext | AfterKillContext): HookInput => ({
    process: context.process,
    manager: context.manager,
    sockets: context.sockets,
    signal: context.signal,
    dryRun: context.dryRun,
    platform: context.platform,
    timeout: context.timeout,
    env,
    ...("outcome" in context ? { outcome: context.outcome, elapsedMs: context.elapsedMs } : {}),
  });

  // A plugin that ran out of time is not asked again in this run: its next hooks fail at once, so
  // a looping plugin costs one --plugin-timeout, not one per hook and process.
  const timedOut = new Set<PluginInstance>();
  const call = async (plugin: PluginInstance, hook: HookName, data: HookInput) => {
    if (timedOut.has(plugin)) {
      throw new Error("it ran out of time earlier in this run and is not asked again");
    }
    try {
      return await withTimeout(options.timeoutMs, (signal) =>
        plugin.call(hook, data, {
          signal,
          log: (message) => options.log(plugin.name, message),
        }));
    } catch (error) {
      if (error instanceof HookTimeoutError) timedOut.add(plugin);
      throw error;
    }
  };

  /** The loaded plugins that have `hook`, or the reason none may run. */
  const plugins = async (hook: HookName) => {
    const results = await load();
    const failed = results.find((result) => !result.ok);
    if (failed && !failed.ok) return { failed: failed.message };
    return {
      plugins: results.flatMap((r) => r.ok && r.plugin.hooks.has(hook) ? [r.plugin] : []),
    };
  };

  return {
    async beforeKill(context: BeforeKillContext): Promise<BeforeKillDecision> {
      const found = await plugins("beforeKill");
      if ("failed" in found) return { kind: "failed", message: found.failed! };
      let override: { plugin: string; signal: SignalName } | undefined;
      for (const plugin of found.plugins) {
        let reply;
        try {
          reply = parseBeforeKillReply(
            await call(plugin, "beforeKill", input(context)),
            options.signals,
          );
        } catch (error) {
          return { kind: "failed", message: failure(plugin, "beforeKill", error) };
        }
        if (reply.kind === "skip") {
          return { kind: "skip", plugin: plugin.name, reason: reply.reason };
        }
        if (reply.kind === "signal") override ??= { plugin: plugin.name, signal: reply.signal };
      }
      return override ? { kind: "signal", ...override } : { kind: "proceed" };
    },

    async stop(context: BeforeKillContext): Promise<StopResult> {
      const found = await plugins("stop");
      if ("failed" in found) return { kind: "failed", message: found.failed! };
      for (const plugin of found.plugins) {
        try {
          const reply = parseStopReply(await call(plugin, "stop", input(context)));
          if (reply.handled) return { kind: "stopped", plugin: plugin.name };
        } catch (error) {
          return { kind: "failed", message: failure(plugin, "stop", error) };
        }
      }
      return { kind: "not-stopped" };
    },

    async afterKill(context: AfterKillContext): Promise<void> {
      // A plugin that failed to load was already reported by beforeKill (plugin-failed).
      for (const result of await load()) {
        // Failed to load, or timed out: already reported by beforeKill or stop (plugin-failed).
        if (!result.ok || !result.plugin.hooks.has("afterKill")) continue;
        if (timedOut.has(result.plugin)) continue;
        const plugin = result.plugin;
        try {
          await call(plugin, "afterKill", input(context));
        } catch (error) {
          options.warn(`plugin ${plugin.name}: ${hookFailure(plugin, "afterKill", error)}`);
        }
      }
    },

    close() {
      void loaded?.then((results) => {
        for (const result of results) if (result.ok) result.plugin.close();
      });
    },
  };
}
