/**
 * The JS plugin host: a child process of portctl that runs one JS/TS plugin. portctl starts one
 * per plugin (`deno run .../plugin_host.ts`, or the compiled binary with the hidden first argument
 * `__plugin-host`), so nothing a plugin does can end, hang or crash portctl: `Deno.exit`,
 * `process.exit`, an uncaught error, an unhandled rejection, a busy loop or running out of memory
 * end only this process, and the hooks it was running fail.
 *
 * It imports the plugin by its absolute `file:` URL, checks its shape, then runs hook calls as they
 * come (concurrent ones too): the context arrives as data and gets `log` and `abortSignal` here.
 * Messages from portctl are JSON lines on stdin; messages to portctl are JSON lines on stdout, each
 * opened by {@linkcode FRAME} so that what the plugin itself prints (the console, `Deno.stdout`,
 * `process.stdout`) can be told apart and shown as its log, through portctl's sanitiser.
 *
 * @module
 */

import { errorText } from "./error_text.ts";
import type { FromHost, HookInput, ToHost } from "./plugin_protocol.ts";
import { FRAME } from "./plugin_protocol.ts";
import { checkPluginShape, type HookName, type PluginShape } from "./plugin_shape.ts";

let plugin: PluginShape | null = null;
const aborts = new Map<number, AbortController>();
const encoder = new TextEncoder();
const stdout = Deno.stdout;

function post(message: FromHost): void {
  const bytes = encoder.encode(`${FRAME}${JSON.stringify(message)}\n`);
  let written = 0;
  while (written < bytes.length) written += stdout.writeSync(bytes.subarray(written));
}

function describe(value: unknown): string {
  return value instanceof Error ? errorText(value) : Deno.inspect(value, { depth: 2 });
}

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

/** The reply as JSON text, or why it cannot be passed on (a BigInt, a cycle). */
function replyJson(value: unknown): { value: unknown } | { error: string } {
  try {
    const text = JSON.stringify(value);
    return { value: text === undefined ? undefined : JSON.parse(text) };
  } catch (error) {
    return { error: `its reply cannot be passed on (${errorText(error)})` };
  }
}

async function call(id: number, hook: HookName, input: HookInput): Promise<void> {
  const controller = new AbortController();
  aborts.set(id, controller);
  const context = Object.freeze({
    ...deepFreeze(input),
    log: (message: unknown) => post({ type: "log", message: String(message) }),
    abortSignal: controller.signal,
  });
  try {
    const fn = plugin!.object[hook] as (ctx: unknown) => unknown;
    const value = await fn.call(plugin!.object, context);
    // A rejection the hook left un-awaited, or a throw in a timer it set for now, is reported
    // ("died") only after the current task: give it that task, so it fails this hook.
    await new Promise((settled) => setTimeout(settled, 0));
    const reply = replyJson(value);
    post(
      "error" in reply ? { type: "error", id, message: reply.error } : {
        type: "result",
        id,
        value: reply.value,
      },
    );
  } catch (error) {
    post({ type: "error", id, message: errorText(error) });
  } finally {
    aborts.delete(id);
  }
}

function receive(message: ToHost): void {
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
}

/** Runs the host: reads messages from stdin until portctl closes it, then exits. */
export async function runPluginHost(): Promise<void> {
  addEventListener("error", (event) => {
    event.preventDefault();
    post({ type: "died", message: `an uncaught error: ${event.message}` });
    Deno.exit(70);
  });
  addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    post({ type: "died", message: `an unhandled rejection: ${describe(event.reason)}` });
    Deno.exit(70);
  });
  let pending = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) if (line.trim() !== "") receive(JSON.parse(line) as ToHost);
  }
  Deno.exit(0); // portctl is done with this plugin
}

if (import.meta.main) await runPluginHost();
