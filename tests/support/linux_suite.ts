/**
 * What a Linux suite of the CLI shares: a clean environment, who it runs as, and its test
 * function, which runs a test on Linux only and a test that switches users (`runuser`) only where
 * `requirements.ts` says root is there (skipped with the reason otherwise, or failed where services
 * are required).
 *
 * @module
 */

import { userName } from "../../src/platform/accounts.ts";
import { isolatedEnv } from "./portctl.ts";
import { suiteNeeds } from "./requirements.ts";

/** A Linux CLI suite, as {@linkcode linuxSuite} sets it up. */
export interface LinuxSuite {
  /** True on Linux, where the suite runs. */
  readonly onLinux: boolean;
  /** A clean portctl environment (no plugins from the developer's own config). */
  readonly env: Record<string, string>;
  /** Who the suite runs as: listeners it starts belong to this user. */
  readonly me: string;
  /** Defines a test; `root` marks one that switches users and so needs root. */
  test(name: string, fn: () => Promise<void>, options?: { readonly root?: boolean }): void;
}

/**
 * Sets up a Linux suite; `rootSuite` names its tests that switch users, for the skip message.
 *
 * @example
 * ```ts
 * const { env, test } = await linuxSuite("the Linux wait tests that switch users (runuser)");
 * test("a process of user nobody is found", async () => {}, { root: true });
 * ```
 */
export async function linuxSuite(rootSuite: string): Promise<LinuxSuite> {
  const onLinux = Deno.build.os === "linux";
  // GitHub's runner is not root: requirements.ts skips those tests there, saying why, and fails
  // them where services are required (.ci/run, as root).
  const asRoot = onLinux && await suiteNeeds(rootSuite, ["root"]);
  return {
    onLinux,
    env: isolatedEnv(),
    me: onLinux ? userName(Deno.uid()!) : "",
    test(name, fn, options = {}) {
      const ignore = !onLinux || (options.root === true && !asRoot);
      Deno.test({ name, ignore, sanitizeResources: false, sanitizeOps: false, fn });
    },
  };
}
