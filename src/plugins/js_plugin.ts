/**
 * A JS/TS plugin as portctl holds it: a worker thread running `worker_entry.ts`, which imports the
 * plugin once and runs its hook calls (concurrent ones too, as promises, like code on one thread).
 * What the plugin does to its thread cannot reach portctl:
 *
 * - it ends the thread (`Deno.exit`, `process.exit`), or an error or rejection nobody catches
 *   breaks it: every call in flight fails with the reason, and the worker is ended;
 * - a call runs out of time: it fails at once and is told through its abort signal; if the thread
 *   then does not answer a ping within {@linkcode ABORT_GRACE_MS} (a busy loop), the worker is
 *   ended and every call still in it fails.
 *
 * A later call starts a fresh worker. The cost, paid only when a JS plugin exists: about 20 ms to
 * start a worker, on another thread.
 *
 * @module
 */

import type { PlatformName } from "../platform/types.ts";
import type { PluginCandidate } from "./discovery.ts";
import type { FromWorker, HookInput, ToWorker } from "./plugin_protocol.ts";
import type { HookName } from "./plugin_shape.ts";
import { pathToFileUrl } from "./paths.ts";

/** Why a plugin call failed; the message is complete (`it ended its thread (Deno.exit …)`). */
export class PluginCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PluginCallError";
  }
}

/** How a call is bounded and what it logs. */
export interface CallIo {
  /** Aborted when the hook runs out of time: the call rejects at once. */
  readonly signal: AbortSignal;
  log(message: string): void;
}

/** After a timeout, how long the plugin's thread has to answer a ping before it is ended. */
export const ABORT_GRACE_MS = 200;

const WORKER_URL = new URL("./worker_entry.ts", import.meta.url);

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** The shape the worker reported. */
interface Loaded {
  readonly name: string;
  readonly hooks: readonly HookName[];
}

/** One worker thread running the plugin. */
class PluginWorker {
  private readonly worker: Worker;
  private readonly calls = new Map<number, Pending>();
  private loading: Pending | null = null;
  private pings = new Map<number, () => void>();
  /** Set after a call timed out: settles once the thread answered a ping, or was ended. */
  private health: Promise<void> | null = null;
  private nextId = 1;
  dead = false;

  constructor(
    private readonly log: (message: string) => void,
    private readonly onStray: (message: string) => void,
  ) {
    this.worker = new Worker(WORKER_URL, { type: "module" });
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.receive(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.die(`its worker failed: ${event.message}`);
    };
    this.worker.onmessageerror = () => this.die("it sent something that cannot be read");
  }

  private send(message: ToWorker): void {
    if (!this.dead) this.worker.postMessage(message);
  }

  load(url: string, fallbackName: string, signal: AbortSignal): Promise<Loaded> {
    return new Promise((resolve, reject) => {
      const onAbort = () => this.die("importing it timed out");
      signal.addEventListener("abort", onAbort, { once: true });
      this.loading = {
        resolve: (
          value,
        ) => (signal.removeEventListener("abort", onAbort), resolve(value as Loaded)),
        reject: (error) => (signal.removeEventListener("abort", onAbort), reject(error)),
      };
      this.send({ type: "load", url, fallbackName });
    });
  }

  call(hook: HookName, input: HookInput, signal: AbortSignal): Promise<unknown> {
    if (this.dead) return Promise.reject(new PluginCallError("its worker was ended"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.calls.delete(id);
        reject(new PluginCallError("timed out"));
        this.send({ type: "abort", id });
        this.checkAlive();
      };
      signal.addEventListener("abort", onAbort, { once: true });
      const done = () => {
        signal.removeEventListener("abort", onAbort);
        this.calls.delete(id);
      };
      this.calls.set(id, {
        resolve: (value) => (done(), resolve(value)),
        reject: (error) => (done(), reject(error)),
      });
      this.send({ type: "call", id, hook, input });
    });
  }

  /** A thread that does not answer a ping in time is stuck (a busy loop): end it. */
  private checkAlive(): void {
    const id = this.nextId++;
    this.health = new Promise((settled) => {
      const timer = setTimeout(() => {
        this.pings.delete(id);
        this.die("it stopped answering after a hook ran out of time (a busy loop?)");
        settled();
      }, ABORT_GRACE_MS);
      this.pings.set(id, () => (clearTimeout(timer), settled()));
    });
    this.send({ type: "ping", id });
  }

  /** True when the thread can take a call: alive, and answering after any timeout. */
  async usable(): Promise<boolean> {
    if (this.health) await this.health;
    return !this.dead;
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case "loaded":
        this.loading?.resolve({ name: message.name, hooks: message.hooks });
        this.loading = null;
        break;
      case "load-failed":
        this.loading?.reject(new PluginCallError(message.message));
        this.loading = null;
        break;
      case "log":
        this.log(message.message);
        break;
      case "result":
        this.calls.get(message.id)?.resolve(message.value);
        break;
      case "error":
        this.calls.get(message.id)?.reject(new PluginCallError(message.message));
        break;
      case "pong":
        this.pings.get(message.id)?.();
        this.pings.delete(message.id);
        break;
      case "died":
        this.die(message.message);
        break;
    }
  }

  /** Ends the worker; the import and the calls it was running fail with `reason`. */
  die(reason: string): void {
    if (this.dead) return;
    const busy = [...this.calls.values(), ...(this.loading ? [this.loading] : [])];
    if (busy.length === 0) this.onStray(reason);
    for (const pending of busy) pending.reject(new PluginCallError(reason));
    this.calls.clear();
    this.loading = null;
    for (const settle of this.pings.values()) settle();
    this.pings.clear();
    this.terminate();
  }

  terminate(): void {
    this.dead = true;
    this.worker.terminate();
  }
}

/** Options for {@linkcode loadJsPlugin}. */
export interface JsPluginOptions {
  readonly os: PlatformName;
  /** The file to import: the plugin itself, or its trusted snapshot. */
  readonly runPath: string;
  /** Told when a plugin breaks its worker between hook calls (a stray timer that throws). */
  warn(message: string): void;
  /** What the plugin logs (`ctx.log`, the console). */
  log(message: string): void;
}

/** A loaded JS/TS plugin. */
export interface JsPlugin {
  readonly name: string;
  readonly hooks: ReadonlySet<HookName>;
  call(hook: HookName, input: HookInput, io: CallIo): Promise<unknown>;
  /** Ends its worker. */
  close(): void;
}

/**
 * Starts a worker, imports the plugin in it by absolute `file:` URL and checks its shape.
 * Rejects with {@linkcode PluginCallError} when it cannot be loaded or `signal` aborts first.
 */
export async function loadJsPlugin(
  candidate: PluginCandidate,
  options: JsPluginOptions,
  signal: AbortSignal,
): Promise<JsPlugin> {
  const url = pathToFileUrl(options.runPath, options.os);
  let worker: PluginWorker;
  let starting: Promise<Loaded> | null = null;
  const start = (signal: AbortSignal) => {
    worker = new PluginWorker(
      options.log,
      (reason) => options.warn(`${reason}, after its hooks had returned`),
    );
    const loading = worker.load(url, candidate.name, signal);
    starting = loading;
    loading.catch(() => {}).finally(() => {
      if (starting === loading) starting = null;
    });
    return loading;
  };
  const shape = await start(signal);
  return {
    name: shape.name,
    hooks: new Set(shape.hooks),
    async call(hook, input, io) {
      // A worker the plugin broke is replaced by a fresh one, which imports the plugin again.
      if (!(await worker.usable())) await (starting ?? start(io.signal));
      return await worker.call(hook, input, io.signal);
    },
    close() {
      worker.terminate();
    },
  };
}
