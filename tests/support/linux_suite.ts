/**
 * Registering Linux integration tests: on other OSes they are ignored (the suite says why, once),
 * and those that switch users (`runuser`) run only as root, as `requirements.ts` decides.
 *
 * @module
 */

import { suiteNeeds } from "./requirements.ts";

/** Registers a Linux test; `{ root: true }` for one that needs root. */
export type LinuxTest = (
  name: string,
  fn: () => Promise<void>,
  options?: { readonly root?: boolean },
) => void;

/**
 * The `linuxTest` of a suite named `suite` ("the Linux folder tests"), after asking
 * `requirements.ts` whether its root tests run here.
 *
 * @example
 * ```ts
 * const linuxTest = await linuxSuite("the Linux folder tests");
 * linuxTest("who shows the folder", async () => {...});
 * ```
 */
export async function linuxSuite(suite: string): Promise<LinuxTest> {
  const onLinux = Deno.build.os === "linux";
  if (!onLinux) console.log(`${suite} skipped: they read /proc (this is ${Deno.build.os})`);
  const asRoot = onLinux && await suiteNeeds(`${suite} that switch users (runuser)`, ["root"]);
  return (name, fn, options = {}) => {
    const ignore = !onLinux || (options.root === true && !asRoot);
    Deno.test({ name, ignore, sanitizeResources: false, sanitizeOps: false, fn });
  };
}
