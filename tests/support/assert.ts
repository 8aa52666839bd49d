/**
 * The few assertions the tests need (`@std/assert` lives on JSR, which is unreachable here).
 *
 * @module
 */

/** Thrown when an assertion fails. */
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

/** Fails unless `condition` is truthy. */
export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  if (!condition) throw new AssertionError(message);
}

function stable(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      v instanceof Map
        ? { map: [...v.entries()] }
        : v instanceof Set
        ? { set: [...v] }
        : v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
        : v,
  );
}

/** Fails unless `actual` and `expected` are deeply equal (JSON-comparable values). */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  const a = stable(actual);
  const e = stable(expected);
  if (a !== e) {
    throw new AssertionError(`${message ? message + ": " : ""}expected ${e}\n   actual ${a}`);
  }
}

/** Fails unless `text` matches `pattern`. */
export function assertMatch(text: string, pattern: RegExp, message?: string): void {
  if (!pattern.test(text)) {
    throw new AssertionError(
      `${message ? message + ": " : ""}${JSON.stringify(text)} !~ ${pattern}`,
    );
  }
}

/** Fails unless `text` contains `part`. */
export function assertIncludes(text: string, part: string): void {
  if (!text.includes(part)) {
    throw new AssertionError(`expected ${JSON.stringify(text)} to include ${JSON.stringify(part)}`);
  }
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
    if (expected && !expected.test(e.message)) {
      throw new AssertionError(`error ${JSON.stringify(e.message)} !~ ${expected}`);
    }
    return e as E;
  }
  if (!(error instanceof expected)) {
    throw new AssertionError(`expected ${expected.name}, got ${Deno.inspect(error)}`);
  }
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
  throw new AssertionError("expected an error, none was thrown");
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
  throw new AssertionError("expected a rejection, none came");
}
