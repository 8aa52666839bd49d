/**
 * The assertions every test uses, named as Deno's `@std/assert` names them (it lives on JSR, which
 * is unreachable here, so a test moves to it by changing one import). Each is Node's
 * `node:assert/strict` underneath: deep equality, matching and error checks are Node's, not
 * re-implemented here.
 *
 * @module
 */

import * as node from "node:assert/strict";

/** Fails unless `condition` is truthy. */
export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  node.ok(condition, message);
}

/** Fails unless `actual` and `expected` are deeply and strictly equal (`node:assert`'s rules). */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  node.deepStrictEqual(actual, expected, message);
}

/** Fails unless `text` matches `pattern`. */
export function assertMatch(text: string, pattern: RegExp, message?: string): void {
  node.match(text, pattern, message);
}

/** Fails unless `text` contains `part`. */
export function assertIncludes(text: string, part: string, message?: string): void {
  node.ok(
    text.includes(part),
    message ?? `expected ${JSON.stringify(text)} to include ${JSON.stringify(part)}`,
  );
}

// deno-lint-ignore no-explicit-any
type ErrorClass<E extends Error> = new (...args: any[]) => E;

/** Checks a caught error against a message pattern, or an error class and a message part. */
function checkError<E extends Error>(
  error: unknown,
  expected?: RegExp | ErrorClass<E>,
  includes?: string,
): E {
  if (expected === undefined || expected instanceof RegExp) {
    const e = error instanceof Error ? error : new Error(String(error));
    if (expected) node.match(e.message, expected);
    return e as E;
  }
  node.ok(error instanceof expected, `expected ${expected.name}, got ${Deno.inspect(error)}`);
  if (includes !== undefined) assertIncludes(error.message, includes);
  return error;
}

/**
 * Fails unless `fn` throws: an error whose message matches `pattern`, or an instance of an error
 * class whose message includes `includes`. Returns the error.
 */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  expected?: RegExp | ErrorClass<E>,
  includes?: string,
): E {
  try {
    fn();
  } catch (error) {
    return checkError(error, expected, includes);
  }
  node.fail("expected an error, none was thrown");
}

/** Like {@linkcode assertThrows}, for a promise that must reject. */
export async function assertRejects<E extends Error = Error>(
  fn: () => Promise<unknown>,
  expected?: RegExp | ErrorClass<E>,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    return checkError(error, expected, includes);
  }
  node.fail("expected a rejection, none came");
}
