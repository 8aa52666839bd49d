/**
 * Executable plugins: each hook runs `<file> before-kill|stop|after-kill` with the hook's context as
 * JSON on stdin (an `ExecHookInput`), the context's `env` as its whole environment (plus
 * `PORTCTL_HOOK`), and every stderr line passed to `log`. Exit 0 = go on (stdout, if not empty, is
 * the JSON reply of `before-kill` and `stop`); another status is a failure.
 *
 * Bounded: the plugin runs in a process group of its own (Linux, macOS), which is ended with
 * everything in it when the hook returns or runs out of time, so a `sleep 1000 &` it left behind
 * does not outlive the hook; and a hook that prints more than {@linkcode OUTPUT_LIMIT_BYTES} is
 * ended and fails, so a flood cannot take portctl's memory.
 *
 * @module
 */

import type { PlatformName } from "../platform/types.ts";
import { errorText } from "./error_text.ts";
import type { CallIo } from "./js_plugin.ts";
import { PluginCallError } from "./js_plugin.ts";
import type { ExecHookInput } from "./api.ts";
import type { HookInput } from "./plugin_protocol.ts";
import type { HookName } from "./plugin_shape.ts";
import { concatBytes } from "../core/bytes.ts";
import { basename } from "./paths.ts";

/** How long to keep reading a plugin's pipes after its group was ended. */
const PIPE_GRACE_MS = 300;

/** The most a hook may print, stdout and stderr together. */
export const OUTPUT_LIMIT_BYTES = 1024 * 1024;

/** The name an executable plugin is called with for each hook. */
export const EXEC_HOOK_NAMES: Readonly<Record<HookName, "before-kill" | "stop" | "after-kill">> = {
  beforeKill: "before-kill",
  stop: "stop",
  afterKill: "after-kill",
};

/**
 * The JSON an executable plugin reads on stdin: the context without `env`, plus `hook`.
 *
 * @example
 * ```ts
 * execInput("afterKill", input).hook; // "after-kill"
 * ```
 */
export function execInput(hook: HookName, input: HookInput): ExecHookInput {
  const base = {
    hook: EXEC_HOOK_NAMES[hook],
    process: input.process,
    sockets: input.sockets,
    signal: input.signal,
    dryRun: input.dryRun,
    platform: input.platform,
    timeout: input.timeout,
    manager: input.manager,
  };
  return hook === "afterKill"
    ? { ...base, outcome: input.outcome, elapsedMs: input.elapsedMs }
    : base;
}

/** Program and arguments that run `path` for `hook` on `os`. */
export function execCommand(
  path: string,
  hook: string,
  os: PlatformName,
  env: Readonly<Record<string, string>>,
): { program: string; args: string[] } {
  if (os === "windows") {
    const lower = basename(path, os).toLowerCase();
    if (lower.endsWith(".cmd") || lower.endsWith(".bat")) {
      const comspec = Object.entries(env).find(([k]) => k.toUpperCase() === "COMSPEC")?.[1];
      return { program: comspec || "cmd.exe", args: ["/d", "/c", path, hook] };
    }
    if (lower.endsWith(".ps1")) {
      return {
        program: "powershell.exe",
        args: [
          "-NoLogo",
          "-NoProfile",
          "-NonInteractive",
          "-ExecutionPolicy",
          "Bypass",
          "-File",
          path,
          hook,
        ],
      };
    }
  }
  return { program: path, args: [hook] };
}

/** Options for running an executable plugin. */
export interface ExecOptions {
  readonly os: PlatformName;
  /** Working folder of the plugin process (portctl's). */
  readonly cwd: string;
  /** The file to run: the plugin itself, or its trusted snapshot. */
  readonly runPath: string;
}

/** Runs one hook of an executable plugin; resolves to its parsed reply (or undefined). */
export async function runExecHook(
  hook: HookName,
  input: HookInput,
  io: CallIo,
  options: ExecOptions,
): Promise<unknown> {
  const name = EXEC_HOOK_NAMES[hook];
  const { program, args } = execCommand(options.runPath, name, options.os, input.env);
  // Its own process group (setsid), so the hook's leftovers can be ended with it; Windows has no
  // process groups to end this way, and there only the plugin process itself is ended.
  const group = options.os !== "windows";
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      cwd: options.cwd,
      env: { ...input.env, PORTCTL_HOOK: name },
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      detached: group,
    }).spawn();
  } catch (error) {
    throw new PluginCallError(`${name}: cannot run ${options.runPath}: ${errorText(error)}`);
  }
  const endAll = () => {
    try {
      if (group) Deno.kill(-child.pid, "SIGKILL");
      else child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  };
  let failure: string | null = null;
  const fail = (why: string) => {
    failure ??= why;
    endAll();
  };
  const onAbort = () => fail("timed out");
  io.signal.addEventListener("abort", onAbort, { once: true });

  const writing = writeInput(child, execInput(hook, input));
  let printed = 0;
  const count = (bytes: number) => {
    printed += bytes;
    if (printed > OUTPUT_LIMIT_BYTES) {
      fail(`printed more than ${OUTPUT_LIMIT_BYTES / 1024 / 1024} MiB`);
    }
  };
  const stdout: Uint8Array[] = [];
  const reading = readAll(child.stdout, (chunk) => {
    count(chunk.length);
    if (failure === null) stdout.push(chunk);
  });
  const logging = forwardLines(child.stderr, count, (line) => {
    if (failure === null) io.log(line);
  });

  let status: Deno.CommandStatus;
  try {
    status = await child.status;
  } finally {
    io.signal.removeEventListener("abort", onAbort);
    // The hook is over: whatever it left running in its group goes with it, and with it the
    // pipes a background child held open.
    endAll();
  }
  // A child that left the group (setsid, a daemon) or, on Windows, any background child may still
  // hold the pipes open: give them a moment, then stop reading.
  const drained = Promise.all([writing, reading.done, logging.done]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([drained, new Promise((done) => timer = setTimeout(done, PIPE_GRACE_MS))]);
  clearTimeout(timer);
  reading.cancel();
  logging.cancel();
  if (failure !== null) throw new PluginCallError(`${name} ${failure}`);
  if (!status.success) {
    throw new PluginCallError(
      status.signal
        ? `${name} was killed by ${status.signal}`
        : `${name} exited with status ${status.code}`,
    );
  }
  const text = new TextDecoder().decode(concatBytes(stdout)).trim();
  if (hook === "afterKill") {
    for (const line of text.split(/\r?\n/)) if (line.trim() !== "") io.log(line);
    return undefined;
  }
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
    throw new PluginCallError(
      `${name} printed something that is not JSON: ${JSON.stringify(shown)}`,
    );
  }
}

async function writeInput(child: Deno.ChildProcess, input: unknown): Promise<void> {
  const writer = child.stdin.getWriter();
  try {
    await writer.write(new TextEncoder().encode(JSON.stringify(input) + "\n"));
    await writer.close();
  } catch {
    // The plugin exited or closed stdin without reading it: its business.
  }
}

/** A stream being read to its end, which can be given up. */
interface Reading {
  readonly done: Promise<void>;
  cancel(): void;
}

function readAll(stream: ReadableStream<Uint8Array>, chunk: (bytes: Uint8Array) => void): Reading {
  const reader = stream.getReader();
  const done = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        chunk(value);
      }
    } catch {
      // Cancelled, or closed when the group was ended.
    }
  })();
  return { done, cancel: () => void reader.cancel().catch(() => {}) };
}

function forwardLines(
  stream: ReadableStream<Uint8Array>,
  count: (bytes: number) => void,
  line: (text: string) => void,
): Reading {
  const decoder = new TextDecoder();
  let pending = "";
  const reading = readAll(stream, (bytes) => {
    count(bytes.length);
    pending += decoder.decode(bytes, { stream: true });
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? "";
    for (const text of lines) if (text.trim() !== "") line(text);
    // A flood without newlines must not grow one line without end.
    if (pending.length > 4096) pending = pending.slice(-4096);
  });
  const done = reading.done.then(() => {
    pending += decoder.decode();
    if (pending.trim() !== "") line(pending);
  });
  return { done, cancel: reading.cancel };
}
