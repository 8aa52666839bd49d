/**
 * Loading plugins into something the runner can call: a JS/TS plugin is imported in a process of
 * its own (`js_plugin.ts`), by its absolute `file:` URL (the only kind of specifier a
 * `deno compile`d binary can import at run time when the module was not embedded, Deno >= 2.8.2);
 * an executable is run once per hook (`exec_plugin.ts`). The same code runs under `deno run` and
 * in the compiled binary.
 *
 * @module
 */

import type { PlatformName } from "../platform/types.ts";
import type { PluginCandidate, PluginKind, PluginSource } from "./discovery.ts";
import { errorText } from "./error_text.ts";
import { runExecHook } from "./exec_plugin.ts";
import { type CallIo, loadJsPlugin } from "./js_plugin.ts";
import type { HookInput } from "./plugin_protocol.ts";
import { HOOK_NAMES, type HookName } from "./plugin_shape.ts";

/** A plugin ready to run. */
export interface PluginInstance {
  readonly name: string;
  /** Where it was found (for messages); it may run from a trusted snapshot instead. */
  readonly path: string;
  readonly kind: PluginKind;
  readonly source: PluginSource;
  readonly hooks: ReadonlySet<HookName>;
  /** Runs one hook; rejects with a complete one-line reason when it fails. */
  call(hook: HookName, input: HookInput, io: CallIo): Promise<unknown>;
  /** Ends whatever the plugin keeps running (its process). */
  close(): void;
}

/** A loaded plugin, or why it could not be loaded. */
export type LoadResult =
  | { readonly ok: true; readonly plugin: PluginInstance }
  | { readonly ok: false; readonly name: string; readonly message: string };

/** How plugins are loaded. */
export interface LoadOptions {
  readonly os: PlatformName;
  /** Working folder of executable plugins (portctl's). */
  readonly cwd: string;
  /** How long importing a JS plugin may take (`--plugin-timeout`). */
  readonly timeoutMs: number;
  /** One warning line (a plugin that broke its process between hooks). */
  warn(line: string): void;
  /** What a plugin logs. */
  log(plugin: string, message: string): void;
}

/** Loads `candidate` within `options.timeoutMs`; never throws. */
export async function loadPlugin(
  candidate: PluginCandidate,
  options: LoadOptions,
): Promise<LoadResult> {
  const base = { path: candidate.path, kind: candidate.kind, source: candidate.source };
  if (candidate.kind === "exec") {
    const exec = { os: options.os, cwd: options.cwd, runPath: candidate.runPath };
    return {
      ok: true,
      plugin: {
        ...base,
        name: candidate.name,
        hooks: new Set(HOOK_NAMES),
        call: (hook, input, io) => runExecHook(hook, input, io, exec),
        close: () => {},
      },
    };
  }
  const timeout = AbortSignal.timeout(options.timeoutMs);
  let name = candidate.name;
  try {
    const js = await loadJsPlugin(candidate, {
      os: options.os,
      runPath: candidate.runPath,
      warn: (message) => options.warn(`plugin ${name}: ${message}`),
      log: (message) => options.log(name, message),
    }, timeout);
    name = js.name;
    return { ok: true, plugin: { ...base, ...js, name: js.name } };
  } catch (error) {
    const why = timeout.aborted ? "importing it timed out" : errorText(error);
    return { ok: false, name, message: `cannot load plugin ${candidate.path}: ${why}` };
  }
}
