/**
 * The entry of a JS plugin's worker thread. portctl runs each JS/TS plugin in a worker of its own,
 * so that nothing a plugin does can end, hang or crash portctl: `Deno.exit`, `process.exit`, an
 * uncaught error or an unhandled rejection end only this thread (and the hook that was running
 * fails), and a busy loop is ended by terminating the worker.
 *
 * It imports the plugin by its absolute `file:` URL, checks its shape, then runs hook calls as they
 * come: the context arrives as data and gets `log` and `abortSignal` here. The console and
 * `Deno.stdout`/`Deno.stderr` are routed to `log`, so a plugin cannot write into portctl's output
 * (`kill --json`) or onto the terminal unfiltered.
 *
 * @module
 */

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import { errorText } from "./error_text.ts";
import type { FromWorker, HookInput, ToWorker } from "./plugin_protocol.ts";
import { checkPluginShape, type HookName, type PluginShape } from "./plugin_shape.ts";

let plugin: PluginShape | null = null;
const aborts = new Map<number, AbortController>();

function post(message: FromWorker): void {
  self.postMessage(message);
}

function log(message: string): void {
  post({ type: "log", message });
}

function describe(value: unknown): string {
  return value instanceof Error ? errorText(value) : Deno.inspect(value, { depth: 2 });
}

// The plugin's thread ends: Deno.exit() and process.exit() dispatch "unload" first.
addEventListener("unload", () => {
  post({ type: "died", message: "it ended its thread (Deno.exit or process.exit)" });
});
addEventListener("error", (event) => {
  event.preventDefault();
  post({ type: "died", message: `an uncaught error: ${event.message}` });
});
addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  post({ type: "died", message: `an unhandled rejection: ${describe(event.reason)}` });
});
const close = self.close.bind(self);
self.close = () => {
  post({ type: "died", message: "it closed its thread (self.close)" });
  close();
};

const toLog = (...args: unknown[]) =>
  log(args.map((a) => typeof a === "string" ? a : describe(a)).join(" "));
for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
  console[method] = toLog;
}
const textOf = (bytes: Uint8Array) => new TextDecoder().decode(bytes).replace(/\r?\n$/, "");
const logWriter = {
  write: (bytes: Uint8Array) => (toLog(textOf(bytes)), Promise.resolve(bytes.length)),
  writeSync: (bytes: Uint8Array) => (toLog(textOf(bytes)), bytes.length),
};
Object.defineProperty(Deno, "stdout", { value: logWriter, configurable: true });
Object.defineProperty(Deno, "stderr", { value: logWriter, configurable: true });

async function load(url: string, fallbackName: string): Promise<void> {
  try {
    plugin = checkPluginShape(await import(url), fallbackName);
    post({ type: "loaded", name: plugin.name, hooks: plugin.hooks });
  } catch (error) {
    post({ type: "load-failed", message: errorText(error) });
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

async function call(id: number, hook: HookName, input: HookInput): Promise<void> {
  const controller = new AbortController();
  aborts.set(id, controller);
  const context = Object.freeze({
    ...deepFreeze(input),
    log: (message: unknown) => log(String(message)),
    abortSignal: controller.signal,
  });
  try {
    const fn = plugin!.object[hook] as (ctx: unknown) => unknown;
    const value = await fn.call(plugin!.object, context);
    try {
      post({ type: "result", id, value });
    } catch (error) {
      post({ type: "error", id, message: `its reply cannot be passed on (${errorText(error)})` });
    }
  } catch (error) {
    post({ type: "error", id, message: errorText(error) });
  } finally {
    aborts.delete(id);
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case "load":
      void load(message.url, message.fallbackName);
      break;
    case "call":
      void call(message.id, message.hook, message.input);
      break;
    case "abort":
      aborts.get(message.id)?.abort(new DOMException("the hook timed out", "TimeoutError"));
      break;
    case "ping":
      post({ type: "pong", id: message.id });
      break;
  }
};
