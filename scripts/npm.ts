/**
 * `deno task npm`: writes the npm packages from the binaries `deno task compile` left in `dist/`.
 *
 * ```
 * deno task compile && deno task npm
 * for d in dist/npm/*; do npm publish --access public "$d"; done   # what release.yml does
 * ```
 *
 * Output: `dist/npm/portctl/` (launcher) and `dist/npm/<os>-<cpu>/` (one per target, the binary
 * in `bin/`). Options: `--dist DIR` (where the binaries are, default `dist`), `--out DIR`
 * (default `<dist>/npm`), `--target TRIPLE` (repeatable; default all five, each must be built).
 *
 * Exit codes: 0 written; 1 a binary is missing or deno.json has no version; 2 bad usage.
 *
 * @module
 */

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { binaryPath, selectTargets, type Target } from "./build_plan.ts";
import {
  DEFAULT_REPOSITORY,
  launcherScript,
  mainPackageJson,
  mainReadme,
  platformKey,
  platformPackageJson,
  platformReadme,
} from "./npm_plan.ts";
import { scriptArgs } from "./args.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

class NpmError extends Error {
  constructor(message: string, readonly code: 1 | 2) {
    super(message);
  }
}

interface Options {
  readonly dist: string;
  readonly out: string | undefined;
  readonly targets: string[];
}

function parseArgs(args: readonly string[]): Options {
  let dist = "dist";
  let out: string | undefined;
  const targets: string[] = [];
  for (const { arg, flag, value } of scriptArgs(args, (m) => new NpmError(m, 2))) {
    if (flag === "--dist") dist = value();
    else if (flag === "--out") out = value();
    else if (flag === "--target") targets.push(value());
    else throw new NpmError(`unknown argument "${arg}": use --dist, --out or --target`, 2);
  }
  return { dist, out, targets };
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify(value, null, 2) + "\n");
}

async function main(options: Options): Promise<void> {
  let targets: Target[];
  try {
    targets = selectTargets(options.targets);
  } catch (e) {
    throw new NpmError((e as Error).message, 2);
  }
  const config = JSON.parse(await Deno.readTextFile(resolve(ROOT, "deno.json"))) as {
    version?: unknown;
  };
  if (typeof config.version !== "string") throw new NpmError("deno.json has no version", 1);
  const version = config.version;
  // npm publish --provenance refuses a package whose repository is not the one that built it.
  const repository = Deno.env.get("GITHUB_REPOSITORY") || DEFAULT_REPOSITORY;
  const dist = resolve(options.dist);
  const out = resolve(options.out ?? `${dist}/npm`);

  const binaries = new Map<Target, Uint8Array>();
  for (const target of targets) {
    const path = `${dist}/${binaryPath(target)}`;
    try {
      binaries.set(target, await Deno.readFile(path));
    } catch {
      throw new NpmError(
        `no ${target.triple} binary at ${path}: run deno task compile first ` +
          `(or pass --target for the ones you built)`,
        1,
      );
    }
  }

  await Deno.remove(out, { recursive: true }).catch(() => {});
  for (const target of targets) {
    const dir = `${out}/${platformKey(target)}`;
    await Deno.mkdir(`${dir}/bin`, { recursive: true });
    await Deno.writeFile(`${dir}/bin/${target.exe}`, binaries.get(target)!, { mode: 0o755 });
    await Deno.chmod(`${dir}/bin/${target.exe}`, 0o755).catch(() => {}); // umask-proof; not on Windows
    await writeJson(`${dir}/package.json`, platformPackageJson(target, version, repository));
    await Deno.writeTextFile(`${dir}/README.md`, platformReadme(target));
    console.log(`wrote ${dir}`);
  }
  const main = `${out}/portctl`;
  await Deno.mkdir(`${main}/bin`, { recursive: true });
  await Deno.writeTextFile(`${main}/bin/portctl.js`, launcherScript(targets), { mode: 0o755 });
  await Deno.chmod(`${main}/bin/portctl.js`, 0o755).catch(() => {});
  await writeJson(`${main}/package.json`, mainPackageJson(version, targets, repository));
  await Deno.writeTextFile(`${main}/README.md`, mainReadme(version));
  console.log(`wrote ${main} (portctl ${version}, ${targets.length} platform packages)`);
}

if (import.meta.main) {
  try {
    await main(parseArgs(Deno.args));
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(e instanceof NpmError ? e.code : 1);
  }
}
