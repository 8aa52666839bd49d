/**
 * The modules portctl imports only when a run needs them: the stricli application (help, errors,
 * anything but a plain command line), each command's implementation and the plugin system; with
 * `src/platform/lazy_modules.ts`'s, each OS's backend and its managers.
 *
 * They are imported by a specifier Deno cannot read ahead. Deno reads every literal `import("...")`
 * target, and its whole tree, before it runs a line, so literal imports would make every run of
 * `portctl who` read the other commands, the Windows and macOS backends and the plugin system
 * (measured: 1.8 ms of a 23 ms `--version`), and resolve the npm package of the stricli
 * application even when it is not used (another ~1 ms). `scripts/build.ts` passes each of these
 * paths to `deno compile --include`, so compiled binaries embed them all the same.
 *
 * @module
 */

import { PLATFORM_LAZY_MODULES } from "./platform/lazy_modules.ts";

/** Each lazily imported module's path, relative to `src/` (see {@linkcode LAZY_PATHS}). */
export const LAZY_MODULES = {
  app: "cli/app.ts",
  kill: "cli/kill.ts",
  who: "cli/who.ts",
  list: "cli/list.ts",
  wait: "cli/wait.ts",
  completions: "cli/completions.ts",
  pick: "cli/pick.ts",
  plugins: "plugins/mod.ts",
  pluginProject: "plugins/project.ts",
  pluginRunner: "plugins/runner.ts",
  pluginHost: "plugins/plugin_host.ts",
} as const;

/** Every module imported on demand, relative to `src/`: these and the platform's. */
export const LAZY_PATHS: readonly string[] = [
  ...Object.values(LAZY_MODULES),
  ...Object.values(PLATFORM_LAZY_MODULES).map((path) => `platform/${path}`),
];

/**
 * Modules that run as workers, relative to `src/`: started by URL, so `deno compile` needs them
 * named too.
 */
export const WORKER_MODULES = {
  fdScanWorker: "platform/linux/fd_scan_worker.ts",
} as const;

/** What each lazily imported module exports (type-only: Deno reads no module for these). */
interface LazyModuleTypes {
  app: typeof import("./cli/app.ts");
  kill: typeof import("./cli/kill.ts");
  who: typeof import("./cli/who.ts");
  list: typeof import("./cli/list.ts");
  wait: typeof import("./cli/wait.ts");
  completions: typeof import("./cli/completions.ts");
  pick: typeof import("./cli/pick.ts");
  plugins: typeof import("./plugins/mod.ts");
  pluginProject: typeof import("./plugins/project.ts");
  pluginRunner: typeof import("./plugins/runner.ts");
  pluginHost: typeof import("./plugins/plugin_host.ts");
}

/** The name of a lazily imported module. */
export type LazyModule = keyof typeof LAZY_MODULES;

/**
 * Imports the module `name` stands for.
 *
 * @example
 * ```ts
 * const { backend } = await importLazy("linuxBackend");
 * ```
 */
export function importLazy<K extends LazyModule>(name: K): Promise<LazyModuleTypes[K]> {
  const specifier = new URL(LAZY_MODULES[name], import.meta.url).href;
  return import(specifier);
}
