/**
 * A JS/TS plugin as portctl holds it: a child process running `plugin_host.ts`, which imports the
 * plugin once and runs its hook calls (concurrent ones too, as promises). What the plugin does to
 * its process cannot reach portctl:
 *
 * - it exits (`Deno.exit`, `process.exit`), crashes (out of memory: its heap is capped at
 *   {@linkcode PLUGIN_HEAP_MB} MiB), or an error or rejection nobody catches breaks it: every call
 *   in flight fails with the reason;
 * - a call runs out of time: it fails at once and is told through its abort signal; if the process
 *   then does not answer a ping within {@linkcode ABORT_GRACE_MS} (a busy loop), it is killed and
 *   every call still in it fails;
 * - it prints: each line becomes its log line (sanitised by the CLI), never portctl's output, and
 *   more than {@linkcode LOG_LIMIT_BYTES} kills it.
 *
 * A later call starts a fresh process. The cost, paid only when a JS plugin exists, is one process
 * start per plugin (measured in the README's design section).
 *
 * @module
 */

import type { PlatformName } from "../platform/types.ts";
import type { PluginCandidate } from "./discovery.ts";
import { FRAME, type FromHost, type HookInput, type ToHost } from "./plugin_protocol.ts";
import type { HookName } from "./plugin_shape.ts";
import { pathToFileUrl } from "./paths.ts";

/** Why a plugin call failed; the message is complete (`it exited (status 0)`). */
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

/** After a timeout, how long the plugin's process has to answer a ping before it is killed. */
export const ABORT_GRACE_MS = 200;
/** The heap a plugin may use: a memory bomb ends its process, not portctl. */
export const PLUGIN_HEAP_MB = 512;
/** The most a plugin process may print (logs included) before it is killed. */
export const LOG_LIMIT_BYTES = 1024 * 1024;

const HOST = new URL("./plugin_host.ts", import.meta.url);
/** How long to wait for a plugin process's last messages once it has exited. */
const LAST_WORDS_MS = 100;

/**
 * How to start a plugin host: under `deno run`, Deno runs `plugin_host.ts`; a compiled portctl
 * runs itself with the hidden first argument `__plugin-host` (see `src/main.ts`), and takes V8's
 * flags from `DENO_V8_FLAGS`.
 */
function hostCommand(): { args: string[]; env: Record<string, string> } {
  const heap = `--max-old-space-size=${PLUGIN_HEAP_MB}`;
  if (Deno.build.standalone) return { args: ["__plugin-host"], env: { DENO_V8_FLAGS: heap } };
  return {
    args: ["run", "-A", "--quiet", "--no-config", `--v8-flags=${heap}`, HOST.href],
    env: {},
  };
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** The shape the host reported. */
interface Loaded {
  readonly name: string;
  readonly hooks: readonly HookName[];
}

/** One host process running the plugin. */
class PluginProcess {
  private readonly child: Deno.ChildProcess;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly calls = new Map<number, Pending>();
  private loading: Pending | null = null;
  private readonly pings = new Map<number, () => void>();
  /** Set after a call timed out: settles once the process answered a ping, or was killed. */
  private health: Promise<void> | null = null;
  private nextId = 1;
  private printed = 0;
  dead = false;

  constructor(
    private readonly log: (message: string) => void,
    private readonly onStray: (message: string) => void,
  ) {
    const { args, env } = hostCommand();
    this.child = new Deno.Command(Deno.execPath(), {
      args,
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.writer = this.child.stdin.getWriter();
    const messages = this.readLines(this.child.stdout, (line) => this.receiveLine(line));
    void this.readLines(this.child.stderr, (line) => this.print(line));
    void this.child.status.then(async (status) => {
      // Its last words ("died: an unhandled rejection ...") come before its exit status, unless
      // something it started keeps stdout open: then they get a moment.
      await Promise.race([messages, new Promise((done) => setTimeout(done, LAST_WORDS_MS))]);
      this.die(
        status.signal
          ? `it was killed by ${status.signal}${
            status.signal === "SIGKILL" ? "" : " (out of memory?)"
          }`
          : status.code === 0
          ? "it exited (Deno.exit or process.exit)"
          : `it exited with status ${status.code}`,
      );
    });
  }

  private send(message: ToHost): void {
    if (this.dead) return;
    this.writer.write(new TextEncoder().encode(JSON.stringify(message) + "\n")).catch(() => {});
  }

  private async readLines(
    stream: ReadableStream<Uint8Array>,
    line: (text: string) => void,
  ): Promise<void> {
    let pending = "";
    try {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        pending += chunk;
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const text of lines) line(text);
        // A flood without newlines must not grow one line without end.
        if (pending.length > 4096) (line(pending), pending = "");
      }
    } catch {
      // Killed.
    }
    if (pending !== "") line(pending);
  }

  private receiveLine(text: string): void {
    const at = text.indexOf(FRAME);
    if (at < 0) return this.print(text);
    if (at > 0) this.print(text.slice(0, at)); // the plugin printed without a newline
    let message: FromHost;
    try {
      message = JSON.parse(text.slice(at + FRAME.length));
    } catch {
      return this.print(text.slice(at + FRAME.length));
    }
    this.receive(message);
  }

  /** What the plugin printed: its log, within {@linkcode LOG_LIMIT_BYTES}. */
  private print(text: string): void {
    this.printed += text.length + 1;
    if (this.printed > LOG_LIMIT_BYTES) {
      return this.die(`it printed more than ${LOG_LIMIT_BYTES / 1024 / 1024} MiB`);
    }
    if (text.trim() !== "") this.log(text);
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
    if (this.dead) return Promise.reject(new PluginCallError("its process has ended"));
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

  /** A process that does not answer a ping in time is stuck (a busy loop): kill it. */
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

  /** True when the process can take a call: alive, and answering after any timeout. */
  async usable(): Promise<boolean> {
    if (this.health) await this.health;
    return !this.dead;
  }

  private receive(message: FromHost): void {
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
        this.print(message.message);
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

  /** Kills the process; the import and the calls it was running fail with `reason`. */
  die(reason: string): void {
    if (this.dead) return;
    const busy = [...this.calls.values(), ...(this.loading ? [this.loading] : [])];
    if (busy.length === 0) this.onStray(reason);
    this.dead = true;
    for (const pending of busy) pending.reject(new PluginCallError(reason));
    this.calls.clear();
    this.loading = null;
    for (const settle of this.pings.values()) settle();
    this.pings.clear();
    this.kill();
  }

  /** Ends the process (closing its stdin first lets it end by itself). */
  kill(): void {
    this.dead = true;
    this.writer.close().catch(() => {});
    try {
      this.child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** Options for {@linkcode loadJsPlugin}. */
export interface JsPluginOptions {
  readonly os: PlatformName;
  /** The file to import: the plugin itself, or its trusted snapshot. */
  readonly runPath: string;
  /** Told when a plugin breaks its process between hook calls (a stray timer that throws). */
  warn(message: string): void;
  /** What the plugin logs (`ctx.log`, the console, its stdout and stderr). */
  log(message: string): void;
}

/** A loaded JS/TS plugin. */
export interface JsPlugin {
  readonly name: string;
  readonly hooks: ReadonlySet<HookName>;
  call(hook: HookName, input: HookInput, io: CallIo): Promise<unknown>;
  /** Ends its process. */
  close(): void;
}

/**
 * Starts a host process, imports the plugin in it by absolute `file:` URL and checks its shape.
 * Rejects with {@linkcode PluginCallError} when it cannot be loaded or `signal` aborts first.
 */
export async function loadJsPlugin(
  candidate: PluginCandidate,
  options: JsPluginOptions,
  signal: AbortSignal,
): Promise<JsPlugin> {
  const url = pathToFileUrl(options.runPath, options.os);
  let host: PluginProcess;
  let starting: Promise<Loaded> | null = null;
  const start = (signal: AbortSignal) => {
    host = new PluginProcess(
      options.log,
      (reason) => options.warn(`${reason}, after its hooks had returned`),
    );
    const loading = host.load(url, candidate.name, signal);
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
      // A process the plugin broke is replaced by a fresh one, which imports the plugin again.
      if (!(await host.usable())) await (starting ?? start(io.signal));
      return await host.call(hook, input, io.signal);
    },
    close() {
      host.kill();
    },
  };
}
