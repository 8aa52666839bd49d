/**
 * The few assertions the plugin tests need (JSR, and so `@std/assert`, is unreachable here).
 *
 * @module
 */

function show(value: unknown): string {
  return Deno.inspect(value, { depth: 8, colors: false });
}

function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) =>
    equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
  );
}

/** Deep equality of plain data. */
export function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  if (!equal(actual, expected)) {
    throw new Error(
      `${message ? message + ": " : ""}values differ\n  actual:   ${show(actual)}\n  expected: ${
        show(expected)
      }`,
    );
  }
}

/** `value` is truthy. */
export function assert(value: unknown, message = "assertion failed"): asserts value {
  if (!value) throw new Error(message);
}

/** `text` contains `part`. */
export function assertIncludes(text: string, part: string): void {
  if (!text.includes(part)) throw new Error(`expected ${show(text)} to include ${show(part)}`);
}

/** `fn` throws an instance of `type` (whose message includes `includes`, if given). */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  type: new (...args: any[]) => E,
  includes?: string,
): E {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof type)) throw new Error(`expected ${type.name}, got ${show(error)}`);
    if (includes !== undefined) assertIncludes(error.message, includes);
    return error;
  }
  throw new Error(`expected ${type.name} to be thrown`);
}

/** The promise rejects with an instance of `type` (message including `includes`, if given). */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any
  type: new (...args: any[]) => E,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof type)) throw new Error(`expected ${type.name}, got ${show(error)}`);
    if (includes !== undefined) assertIncludes(error.message, includes);
    return error;
  }
  throw new Error(`expected ${type.name} to be thrown`);
}
