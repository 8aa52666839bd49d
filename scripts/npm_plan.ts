/**
 * The npm packages, as data: a `portctl` package holding only a small launcher, and one package
 * per platform holding the compiled binary (`@portctl/linux-x64`, ...), listed as
 * `optionalDependencies` with `os`/`cpu` fields so npm installs just the one that fits: the
 * pattern esbuild and biome use. `scripts/npm.ts` writes these to disk.
 *
 * @module
 */

import { type Target, TARGETS } from "./build_plan.ts";

/** The scope of the per-platform packages. */
export const NPM_SCOPE = "@portctl";

/** `linux-x64`, `darwin-arm64`, `win32-x64`: `process.platform`-`process.arch`. */
export function platformKey(target: Target): string {
  return `${target.npmOs}-${target.npmCpu}`;
}

/** `@portctl/linux-x64`. */
export function platformPackageName(target: Target): string {
  return `${NPM_SCOPE}/${platformKey(target)}`;
}

/** A package.json, as much of it as portctl writes. */
export interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** Required by `npm publish --provenance`, which checks it against the building repository. */
  readonly repository: { readonly type: "git"; readonly url: string };
  readonly keywords?: readonly string[];
  readonly bin?: Readonly<Record<string, string>>;
  readonly os?: readonly string[];
  readonly cpu?: readonly string[];
  readonly files: readonly string[];
  readonly engines?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly preferUnplugged?: boolean;
}

/**
 * The `repository` field for GitHub repository `slug` (`owner/name`; the release workflow's
 * `GITHUB_REPOSITORY`).
 */
export function repositoryField(slug: string): PackageJson["repository"] {
  return { type: "git", url: `git+https://github.com/${slug}.git` };
}

/** The repository the packages come from: `GITHUB_REPOSITORY` in CI, else the project's own. */
export const DEFAULT_REPOSITORY = "portctl/portctl";

/** The package.json of one platform package. */
export function platformPackageJson(
  target: Target,
  version: string,
  repository = DEFAULT_REPOSITORY,
): PackageJson {
  return {
    name: platformPackageName(target),
    version,
    repository: repositoryField(repository),
    description: `The ${platformKey(target)} binary of portctl (${target.triple}); ` +
      "install portctl instead",
    os: [target.npmOs],
    cpu: [target.npmCpu],
    files: [`bin/${target.exe}`],
    preferUnplugged: true,
  };
}

/** The package.json of `portctl`: the launcher plus every platform package as optional. */
export function mainPackageJson(
  version: string,
  targets: readonly Target[] = TARGETS,
  repository = DEFAULT_REPOSITORY,
): PackageJson {
  return {
    name: "portctl",
    version,
    repository: repositoryField(repository),
    description: "Find and end what holds a port, on Linux, Windows and macOS",
    keywords: ["port", "kill", "kill-port", "lsof", "fuser", "process", "cli"],
    bin: { portctl: "bin/portctl.js" },
    files: ["bin/portctl.js"],
    engines: { node: ">=14" },
    optionalDependencies: Object.fromEntries(
      targets.map((t) => [platformPackageName(t), version]),
    ),
  };
}

/**
 * The launcher `npx portctl` runs: finds the platform package for this machine, runs its binary
 * with the same arguments and stdio, and exits with its exit code (or re-raises its signal).
 * Plain CommonJS with no dependencies, so it runs on any Node that npm ships with.
 * `PORTCTL_BINARY` overrides the binary (for testing, or a binary installed some other way).
 */
export function launcherScript(targets: readonly Target[] = TARGETS): string {
  const table = targets.map((t) => `  "${platformKey(t)}": "${platformPackageName(t)}",`).join(
    "\n",
  );
  return `#!/usr/bin/env node
// portctl launcher: runs the prebuilt binary from the @portctl/<os>-<cpu> package for this machine.
"use strict";

const { spawnSync } = require("child_process");

const PACKAGES = {
${table}
};

function fail(message) {
  process.stderr.write("portctl: " + message + "\\n");
  process.exit(1);
}

function binaryPath() {
  if (process.env.PORTCTL_BINARY) return process.env.PORTCTL_BINARY;
  const key = process.platform + "-" + process.arch;
  const pkg = PACKAGES[key];
  if (!pkg) {
    fail("no prebuilt binary for " + key + "; supported: " + Object.keys(PACKAGES).join(", ") +
      "; see the README for other ways to install");
  }
  const exe = process.platform === "win32" ? "portctl.exe" : "portctl";
  try {
    return require.resolve(pkg + "/bin/" + exe);
  } catch (_) {
    fail("the package " + pkg + " is not installed; it is an optional dependency of portctl: " +
      "reinstall without --no-optional / --omit=optional");
  }
}

const binary = binaryPath();
const result = spawnSync(binary, process.argv.slice(2), { stdio: "inherit" });
if (result.error) fail("cannot run " + binary + ": " + result.error.message);
if (result.signal) {
  process.kill(process.pid, result.signal);
  process.exit(1);
}
process.exit(result.status === null ? 1 : result.status);
`;
}

/** The README of the `portctl` package. */
export function mainReadme(version: string): string {
  return `# portctl

Find and end what holds a port, the same way on Linux, Windows and macOS.

\`\`\`sh
npx portctl who 5432        # who holds port 5432
npx portctl kill 3000       # end it and confirm the port is free
npm install -g portctl      # or install it
\`\`\`

This package is a small launcher; npm installs the prebuilt binary for your machine from one of
its optional dependencies (${TARGETS.map(platformPackageName).join(", ")}). Version ${version}.
`;
}

/** The README of a platform package. */
export function platformReadme(target: Target): string {
  return `# ${platformPackageName(target)}

The ${target.triple} binary of [portctl](https://www.npmjs.com/package/portctl). Install
\`portctl\`, not this package: npm picks the right platform package for you.
`;
}
