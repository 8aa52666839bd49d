/**
 * Loading plugins: JavaScript/TypeScript files are imported by their absolute `file:` URL (the
 * only kind of specifier a `deno compile`d binary can import at run time when the module was not
 * embedded, Deno >= 2.8.2; Deno transpiles TypeScript itself, and relative imports inside the
 * plugin resolve against that URL). Executable files are wrapped in a function that runs
 * `<file> before-kill|after-kill` with the context as JSON on stdin. This is the same code under
 * `deno run` and in the compiled binary.
 *
 * @module
 */

import type {
  AfterKillContext as PluginAfterKillContext,
  BeforeKillContext as PluginBeforeKillContext,
  ExecHookInput,
} from "../../plugins/portctl.d.ts";
import type { PlatformName } from "../platform/types.ts";
import type { PluginCandidate, PluginKind, PluginSource } from "./discovery.ts";
import { basename, pathToFileUrl } from "./paths.ts";

/** One hook of a loaded plugin; it resolves to the raw reply (checked by the runner). */
export type HookFunction<C> = (context: C) => Promise<unknown>;

/** A plugin ready to run. */
export interface LoadedPlugin {
  readonly name: string;
  readonly path: string;
  readonly kind: PluginKind;
  readonly source: PluginSource;
  readonly beforeKill?: HookFunction<PluginBeforeKillContext>;
  readonly afterKill?: HookFunction<PluginAfterKillContext>;
}

/** A plugin file that could not be loaded; the message names the file. */
export class PluginLoadError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`cannot load plugin ${path}: ${reason}`);
    this.name = "PluginLoadError";
  }
}

const SHAPE = "expected `export default { name?, beforeKill?, afterKill? }`";

/**
 * Checks a JS plugin module's default export and returns the hooks it has; throws
 * {@linkcode PluginLoadError} naming the file and what is wrong.
 */
export function validatePluginModule(
  module: Record<string, unknown>,
  candidate: PluginCandidate,
): LoadedPlugin {
  const { path } = candidate;
  if (!("default" in module) || module.default === undefined) {
    throw new PluginLoadError(path, `no default export; ${SHAPE}`);
  }
  const exported = module.default;
  if (typeof exported !== "object" || exported === null || Array.isArray(exported)) {
    throw new PluginLoadError(path, `the default export is not an object; ${SHAPE}`);
  }
  const plugin = exported as Record<string, unknown>;
  const { name, beforeKill, afterKill } = plugin;
  if (name !== undefined && (typeof name !== "string" || name.trim() === "")) {
    throw new PluginLoadError(path, "`name` must be a non-empty string");
  }
  for (const [key, value] of [["beforeKill", beforeKill], ["afterKill", afterKill]] as const) {
    if (value !== undefined && typeof value !== "function") {
      throw new PluginLoadError(path, `\`${key}\` must be a function, not ${typeof value}`);
    }
  }
  if (beforeKill === undefined && afterKill === undefined) {
    throw new PluginLoadError(path, `it exports neither beforeKill nor afterKill; ${SHAPE}`);
  }
  // Called as methods, so `this` is the plugin object, as a plugin author expects.
  const call = (hook: unknown) => (context: unknown): Promise<unknown> =>
    Promise.resolve((hook as (c: unknown) => unknown).call(plugin, context));
  return {
    name: typeof name === "string" ? name.trim() : candidate.name,
    path,
    kind: "js",
    source: candidate.source,
    beforeKill: beforeKill === undefined ? undefined : call(beforeKill),
    afterKill: afterKill === undefined ? undefined : call(afterKill),
  };
}

/**
 * Imports a JS/TS plugin by its absolute `file:` URL and validates its default export.
 *
 * @example
 * ```ts
 * const plugin = await loadJsPlugin(
 *   { path: "/home/ada/.config/portctl/plugins/drain.ts", source: "user", kind: "js", name: "drain" },
 *   "linux",
 * );
 * ```
 */
export async function loadJsPlugin(
  candidate: PluginCandidate,
  os: PlatformName,
): Promise<LoadedPlugin> {
  const url = pathToFileUrl(candidate.path, os);
  let module: Record<string, unknown>;
  try {
    // A computed specifier on purpose: always an absolute file: URL, which both `deno run` and a
    // compiled binary (Deno >= 2.8.2) can import from disk at run time.
    module = await import(url);
  } catch (error) {
    throw new PluginLoadError(candidate.path, errorText(error));
  }
  return validatePluginModule(module, candidate);
}

/** An executable plugin failed; the message is complete (`before-kill exited with status 3`). */
export class ExecHookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExecHookError";
  }
}

/** Options for running executable plugins. */
export interface ExecOptions {
  readonly os: PlatformName;
  /** Working folder of the plugin process (portctl's). */
  readonly cwd: string;
  /** How long to wait for the plugin's output pipes after it exited (a background child of the
   * plugin may hold them open). */
  readonly pipeGraceMs?: number;
}

/**
 * Wraps an executable plugin: each hook runs `<file> before-kill|after-kill` with the context as
 * JSON on stdin (an {@linkcode ExecHookInput}), the context's `env` as its whole environment (plus
 * `PORTCTL_HOOK`), and every stderr line passed to `ctx.log`. Exit 0 = go on (for `before-kill`
 * stdout, if not empty, is the JSON reply); another status is a failure. When `ctx.abortSignal`
 * fires (timeout) the process is killed.
 */
export function execPlugin(candidate: PluginCandidate, options: ExecOptions): LoadedPlugin {
  const run =
    (hook: "before-kill" | "after-kill") =>
    (context: PluginAfterKillContext | PluginBeforeKillContext) =>
      runExecutable(candidate.path, hook, context, options);
  return {
    name: candidate.name,
    path: candidate.path,
    kind: "exec",
    source: candidate.source,
    beforeKill: run("before-kill"),
    afterKill: run("after-kill"),
  };
}

/** The JSON an executable plugin reads on stdin: the context without `env`, `log`, `abortSignal`. */
export function execInput(
  hook: "before-kill" | "after-kill",
  context: PluginBeforeKillContext | PluginAfterKillContext,
): ExecHookInput {
  const input: ExecHookInput = {
    hook,
    process: context.process,
    sockets: context.sockets,
    signal: context.signal,
    dryRun: context.dryRun,
    platform: context.platform,
    timeout: context.timeout,
  };
  if ("outcome" in context) {
    return { ...input, outcome: context.outcome, elapsedMs: context.elapsedMs };
  }
  return input;
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

async function runExecutable(
  path: string,
  hook: "before-kill" | "after-kill",
  context: PluginBeforeKillContext | PluginAfterKillContext,
  options: ExecOptions,
): Promise<unknown> {
  const { program, args } = execCommand(path, hook, options.os, context.env);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      cwd: options.cwd,
      env: { ...context.env, PORTCTL_HOOK: hook },
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    throw new ExecHookError(`${hook}: cannot run ${path}: ${errorText(error)}`);
  }
  const kill = () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already exited
    }
  };
  context.abortSignal.addEventListener("abort", kill, { once: true });

  const writing = (async () => {
    const writer = child.stdin.getWriter();
    try {
      await writer.write(new TextEncoder().encode(JSON.stringify(execInput(hook, context)) + "\n"));
      await writer.close();
    } catch {
      // The plugin exited or closed stdin without reading it: its business.
    }
  })();
  const stdoutReader = child.stdout.getReader();
  const stderrReader = child.stderr.getReader();
  const stdoutChunks: Uint8Array[] = [];
  const reading = (async () => {
    for (;;) {
      const { done, value } = await stdoutReader.read();
      if (done) return;
      stdoutChunks.push(value);
    }
  })().catch(() => {});
  const logging = forwardLines(stderrReader, (line) => context.log(line)).catch(() => {});

  let status: Deno.CommandStatus;
  try {
    status = await child.status;
  } finally {
    context.abortSignal.removeEventListener("abort", kill);
  }
  // A background child of the plugin may keep the pipes open: wait a moment, then stop reading.
  const grace = new Promise<void>((done) => {
    const timer = setTimeout(done, options.pipeGraceMs ?? 300);
    Promise.all([reading, logging, writing]).then(() => {
      clearTimeout(timer);
      done();
    });
  });
  await grace;
  await Promise.all([stdoutReader.cancel().catch(() => {}), stderrReader.cancel().catch(() => {})]);

  if (!status.success) {
    throw new ExecHookError(
      status.signal
        ? `${hook} was killed by ${status.signal}`
        : `${hook} exited with status ${status.code}`,
    );
  }
  const stdout = new TextDecoder().decode(concat(stdoutChunks)).trim();
  if (hook === "after-kill") {
    for (const line of stdout.split(/\r?\n/)) if (line.trim() !== "") context.log(line);
    return undefined;
  }
  if (stdout === "") return undefined;
  try {
    return JSON.parse(stdout);
  } catch {
    const shown = stdout.length > 80 ? `${stdout.slice(0, 77)}...` : stdout;
    throw new ExecHookError(
      `${hook} printed something that is not JSON on stdout: ${JSON.stringify(shown)}`,
    );
  }
}

async function forwardLines(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  line: (text: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  for (;;) {
    const { done, value } = await reader.read();
    pending += done ? decoder.decode() : decoder.decode(value, { stream: true });
    const lines = pending.split(/\r?\n/);
    pending = done ? "" : lines.pop() ?? "";
    for (const text of lines) if (text.trim() !== "") line(text);
    if (done) return;
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * The message of anything thrown, on one line; a source location Deno puts on a later line (for a
 * syntax error in a plugin) is kept.
 */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const [first, ...rest] = error.message.split("\n");
  const where = rest.map((line) => /^\s*at (file:\S+:\d+:\d+)$/.exec(line)?.[1]).find(Boolean);
  const text = first.trim() || error.name;
  return where && !text.includes(where) ? `${text} (at ${where})` : text;
}
