/**
 * What a JS/TS plugin module must export, checked where the module runs (its host process): a default
 * export `{ name?, beforeKill?, stop?, afterKill? }` with at least one hook.
 *
 * @module
 */

/** The hooks a plugin may have, in the order they run for a process. */
export const HOOK_NAMES = ["beforeKill", "stop", "afterKill"] as const;

/** One of {@linkcode HOOK_NAMES}. */
export type HookName = typeof HOOK_NAMES[number];

/** A plugin module that passed the check: its name and the hooks it has. */
export interface PluginShape {
  readonly name: string;
  readonly hooks: readonly HookName[];
  /** The default export, whose methods are the hooks. */
  readonly object: Record<string, unknown>;
}

const SHAPE = "expected `export default { name?, beforeKill?, stop?, afterKill? }`";

/**
 * Checks a plugin module's default export; throws an `Error` saying what is wrong.
 *
 * @example
 * ```ts
 * checkPluginShape({ default: { beforeKill() {} } }, "guard").hooks; // ["beforeKill"]
 * ```
 */
export function checkPluginShape(
  module: Record<string, unknown>,
  fallbackName: string,
): PluginShape {
  if (!("default" in module) || module.default === undefined) {
    throw new Error(`no default export; ${SHAPE}`);
  }
  const exported = module.default;
  if (typeof exported !== "object" || exported === null || Array.isArray(exported)) {
    throw new Error(`the default export is not an object; ${SHAPE}`);
  }
  const object = exported as Record<string, unknown>;
  const name = object.name;
  if (name !== undefined && (typeof name !== "string" || name.trim() === "")) {
    throw new Error("`name` must be a non-empty string");
  }
  const hooks: HookName[] = [];
  for (const hook of HOOK_NAMES) {
    const value = object[hook];
    if (value === undefined) continue;
    if (typeof value !== "function") {
      throw new Error(`\`${hook}\` must be a function, not ${typeof value}`);
    }
    hooks.push(hook);
  }
  if (hooks.length === 0) throw new Error(`it exports no hook; ${SHAPE}`);
  return { name: typeof name === "string" ? name.trim() : fallbackName, hooks, object };
}
