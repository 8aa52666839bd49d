/**
 * The portctl version and the `--version` line.
 *
 * `VERSION` is a plain constant, not a JSON import of `deno.json`, so printing it costs nothing at
 * start-up and the compiled binary embeds no config file. It is kept equal to `deno.json`'s
 * `version` by `tests/unit/version_test.ts`, and `scripts/build.ts` refuses to build when the two
 * differ, so a release can never print a stale version.
 *
 * @module
 */

/**
 * The portctl version (same as `version` in `deno.json`).
 *
 * @example
 * ```ts
 * import { VERSION } from "./version.ts";
 * console.log(VERSION); // "0.1.0"
 * ```
 */
export const VERSION = "0.1.0";

/**
 * The line `portctl --version` prints: name, version and the target triple this Deno (or this
 * compiled binary) was built for.
 *
 * @example
 * ```ts
 * import { versionLine } from "./version.ts";
 * versionLine(); // "portctl 0.1.0 (x86_64-unknown-linux-gnu)"
 * ```
 */
export function versionLine(): string {
  return `portctl ${VERSION} (${Deno.build.target})`;
}
