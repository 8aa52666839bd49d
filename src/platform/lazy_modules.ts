/**
 * The platform modules portctl imports only when a run needs them: each OS's backend, and who
 * manages a holder (read only once a port is held). Apart from `src/lazy_modules.ts` so that the
 * backends' module graph, and its types, hold no CLI code: the Windows backend is type-checked
 * and tested on its own under Wine. Why the specifier is built at run time, and how `deno compile`
 * still embeds these, is said in `src/lazy_modules.ts`, which lists them too.
 *
 * @module
 */

import type { PlatformBackend } from "./types.ts";

/** Each lazily imported platform module's path, relative to `src/platform/`. */
export const PLATFORM_LAZY_MODULES = {
  linuxBackend: "linux/backend.ts",
  windowsBackend: "windows/backend.ts",
  darwinBackend: "darwin/backend.ts",
  linuxManagers: "linux/managers.ts",
  darwinManagers: "darwin/managers.ts",
  windowsManagers: "windows/managers.ts",
  managerStop: "manager_stop.ts",
} as const;

/** What each lazily imported platform module exports (type-only: Deno reads no module for these). */
interface PlatformLazyModuleTypes {
  linuxBackend: typeof import("./linux/backend.ts");
  windowsBackend: typeof import("./windows/backend.ts");
  darwinBackend: typeof import("./darwin/backend.ts");
  linuxManagers: typeof import("./linux/managers.ts");
  darwinManagers: typeof import("./darwin/managers.ts");
  windowsManagers: typeof import("./windows/managers.ts");
  managerStop: typeof import("./manager_stop.ts");
}

/** The name of a lazily imported platform module. */
export type PlatformLazyModule = keyof typeof PLATFORM_LAZY_MODULES;

/**
 * Imports the platform module `name` stands for.
 *
 * @example
 * ```ts
 * const { backend } = await importPlatformLazy("linuxBackend");
 * ```
 */
export function importPlatformLazy<K extends PlatformLazyModule>(
  name: K,
): Promise<PlatformLazyModuleTypes[K]> {
  const specifier = new URL(PLATFORM_LAZY_MODULES[name], import.meta.url).href;
  return import(specifier);
}

/**
 * A backend's manager methods: who manages a holder (`managers`, this OS's module) and stopping
 * through it, both loaded only when a port is held. `parts` is the backend the stop signals with
 * when the manager is a process to end (a shell loop, nodemon).
 */
export function lazyManagerMethods(
  managers: "linuxManagers" | "darwinManagers" | "windowsManagers",
  parts: Pick<PlatformBackend, "describeProcesses" | "openProcess" | "signals">,
): Pick<PlatformBackend, "describeManagers" | "stopThroughManager"> {
  return {
    describeManagers: async (holders) =>
      (await importPlatformLazy(managers)).describeManagers(holders),
    stopThroughManager: async (manager, options) =>
      (await importPlatformLazy("managerStop")).stopThroughManager(manager, {
        ...options,
        backend: parts,
      }),
  };
}
