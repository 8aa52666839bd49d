/**
 * `deno task compile`: builds the release binaries, archives and `SHA256SUMS` into `dist/`.
 *
 * ```
 * deno task compile                                   # all five targets
 * deno task compile --target x86_64-unknown-linux-gnu # a subset (repeatable)
 * ```
 *
 * Output (`dist/`): `<triple>/portctl[.exe]` (read by `scripts/npm.ts`),
 * `portctl-<triple>.tar.gz` (Linux, macOS) or `portctl-<triple>.zip` (Windows), and `SHA256SUMS`
 * over the archives of this run.
 *
 * `deno compile` needs Deno's `denort` runtime for each target and downloads it from dl.deno.land.
 * Without that network: `DENORT_BIN=/path/to/denort` (Deno's own variable; one runtime, so one OS
 * format at a time) or `PORTCTL_DENORT_DIR=/folder` holding `denort-<triple>` (`.exe` for Windows)
 * per target. When the runtime cannot be had the build stops with one line.
 *
 * Exit codes: 0 built; 1 build failed (runtime unavailable, compile error, version mismatch);
 * 2 bad usage.
 *
 * @module
 */

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Hex, tarGz, zip } from "./archive.ts";
import {
  archiveName,
  binaryPath,
  CHECKSUM_FILE,
  checksumFile,
  COMPILE_DENO_VERSION,
  compileArgs,
  detectFormat,
  MIN_COMPILE_DENO_VERSION,
  runtimeFetchFailure,
  runtimeFor,
  type RuntimeFormat,
  selectTargets,
  type Target,
  TARGETS,
  tidyCompileError,
} from "./build_plan.ts";
import { VERSION } from "../src/version.ts";
import { scriptArgs } from "./args.ts";

const USAGE = `usage: deno task compile [--target TRIPLE]... [--out-dir DIR] [--entry FILE]

Compiles portctl with deno compile and writes archives and SHA256SUMS to DIR (default dist).
Targets (default all): ${TARGETS.map((t) => t.triple).join(", ")}

Environment:
  DENORT_BIN          a local denort runtime used for every target (one OS format)
  PORTCTL_DENORT_DIR  a folder with denort-<triple> (denort-<triple>.exe for Windows) per target
  SOURCE_DATE_EPOCH   timestamp stored in the archives (default 0)

Exit codes: 0 built, 1 build failed, 2 bad usage`;

/** A failure that ends the build with one line and an exit code. */
class BuildError extends Error {
  constructor(message: string, readonly code: 1 | 2) {
    super(message);
  }
}

interface Options {
  readonly targets: string[];
  readonly outDir: string;
  /** Default: the repo's `src/main.ts`. */
  readonly entry: string | undefined;
  readonly help: boolean;
}

function parseArgs(args: readonly string[]): Options {
  const targets: string[] = [];
  let outDir = "dist";
  let entry: string | undefined;
  let help = false;
  for (const { arg, flag, value } of scriptArgs(args, (m) => new BuildError(m, 2))) {
    switch (flag) {
      case "--target":
        targets.push(value());
        break;
      case "--out-dir":
        outDir = value();
        break;
      case "--entry":
        entry = value();
        break;
      case "-h":
      case "--help":
        help = true;
        break;
      default:
        throw new BuildError(
          `unknown argument "${arg}": use --target, --out-dir, --entry or --help`,
          2,
        );
    }
  }
  return { targets, outDir, entry, help };
}

const FORMAT_NAMES: Record<RuntimeFormat, string> = {
  elf: "an ELF (Linux)",
  macho: "a Mach-O (macOS)",
  pe: "a PE (Windows)",
};

async function checkRuntime(target: Target, env: { denortBin?: string; denortDir?: string }) {
  const source = runtimeFor(target, env);
  if (source.kind === "download") return source;
  let head: Uint8Array;
  try {
    const file = await Deno.open(source.path, { read: true });
    try {
      head = new Uint8Array(8);
      const n = await file.read(head);
      head = head.subarray(0, n ?? 0);
    } finally {
      file.close();
    }
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "does not exist" : "cannot be read";
    throw new BuildError(
      `${source.from} runtime for ${target.triple} ${why}: ${source.path}`,
      1,
    );
  }
  const format = detectFormat(head);
  if (format !== target.format) {
    const what = format === undefined ? "not an executable" : `${FORMAT_NAMES[format]} file`;
    const hint = source.from === "DENORT_BIN"
      ? "; DENORT_BIN serves one OS: pass --target for that OS only, or set PORTCTL_DENORT_DIR"
      : "";
    throw new BuildError(
      `${source.from} runtime ${source.path} is ${what}, but ${target.triple} needs ` +
        `${FORMAT_NAMES[target.format]} runtime${hint}`,
      1,
    );
  }
  return source;
}

const ROOT = fileURLToPath(new URL("..", import.meta.url));

async function readDenoJsonVersion(): Promise<string> {
  const config = JSON.parse(await Deno.readTextFile(resolve(ROOT, "deno.json"))) as {
    version?: unknown;
  };
  if (typeof config.version !== "string") throw new BuildError("deno.json has no version", 1);
  return config.version;
}

function versionAtLeast(have: string, want: string): boolean {
  const a = have.split(/[.-]/).map(Number);
  const b = want.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

async function build(options: Options): Promise<void> {
  // Paths given on the command line are relative to where the build was started; deno compile
  // itself runs in the repo root so it finds deno.json (import map, compiler options).
  const outDir = resolve(options.outDir);
  const entry = options.entry === undefined ? resolve(ROOT, "src/main.ts") : resolve(options.entry);
  const targets = (() => {
    try {
      return selectTargets(options.targets);
    } catch (e) {
      throw new BuildError((e as Error).message, 2);
    }
  })();

  const version = await readDenoJsonVersion();
  if (version !== VERSION) {
    throw new BuildError(
      `deno.json says version ${version} but src/version.ts says ${VERSION}: make them equal`,
      1,
    );
  }
  if (!versionAtLeast(Deno.version.deno, MIN_COMPILE_DENO_VERSION)) {
    throw new BuildError(
      `deno ${Deno.version.deno} is too old to compile portctl: its binaries cannot import ` +
        `plugins from disk; use deno >= ${MIN_COMPILE_DENO_VERSION} (releases use ` +
        `${COMPILE_DENO_VERSION})`,
      1,
    );
  }

  const runtimeEnv = {
    denortBin: Deno.env.get("DENORT_BIN"),
    denortDir: Deno.env.get("PORTCTL_DENORT_DIR"),
  };
  const sources = [];
  for (const target of targets) sources.push(await checkRuntime(target, runtimeEnv));

  const mtime = Number(Deno.env.get("SOURCE_DATE_EPOCH") ?? "0") || 0;
  const sums: { name: string; sha256: string }[] = [];
  await Deno.mkdir(outDir, { recursive: true });

  for (const [i, target] of targets.entries()) {
    const source = sources[i];
    await Deno.mkdir(`${outDir}/${target.triple}`, { recursive: true });
    const env = Deno.env.toObject();
    delete env.DENORT_BIN;
    if (source.kind === "file") env.DENORT_BIN = source.path;
    const started = performance.now();
    const result = await new Deno.Command(Deno.execPath(), {
      args: compileArgs(target, { outDir, entry }),
      cwd: ROOT,
      env,
      clearEnv: true,
      stdout: "inherit",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(result.stderr);
    if (!result.success) {
      const fetchLine = runtimeFetchFailure(target, stderr);
      if (fetchLine !== undefined) throw new BuildError(fetchLine, 1);
      const details = tidyCompileError(stderr);
      if (details !== "") console.error(details);
      throw new BuildError(`deno compile failed for ${target.triple}`, 1);
    }

    const binary = await Deno.readFile(`${outDir}/${binaryPath(target)}`);
    const entries = [{ name: target.exe, data: binary, mode: 0o755 }];
    const archive = target.archiveExt === ".zip"
      ? await zip(entries, { mtime })
      : await tarGz(entries, { mtime });
    const name = archiveName(target);
    await Deno.writeFile(`${outDir}/${name}`, archive);
    sums.push({ name, sha256: await sha256Hex(archive) });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const mb = (archive.length / 1e6).toFixed(1);
    const via = source.kind === "file" ? ` (runtime from ${source.from})` : "";
    console.log(`built ${options.outDir}/${name} (${mb} MB, ${seconds} s)${via}`);
  }

  await Deno.writeTextFile(`${outDir}/${CHECKSUM_FILE}`, checksumFile(sums));
  console.log(
    `wrote ${options.outDir}/${CHECKSUM_FILE} (${sums.length} archives, portctl ${version})`,
  );
}

if (import.meta.main) {
  try {
    const options = parseArgs(Deno.args);
    if (options.help) {
      console.log(USAGE);
    } else {
      await build(options);
    }
  } catch (e) {
    if (e instanceof BuildError) {
      console.error(`error: ${e.message}`);
      Deno.exit(e.code);
    }
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}
