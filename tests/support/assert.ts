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

/** Fails unless `fn` throws an error whose message matches `pattern`; returns the error. */
export function assertThrows(fn: () => unknown, pattern?: RegExp): Error {
  try {
    fn();
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    if (pattern && !pattern.test(e.message)) {
      throw new AssertionError(`error ${JSON.stringify(e.message)} !~ ${pattern}`);
    }
    return e;
  }
  throw new AssertionError("expected an error, none was thrown");
}

/** Fails unless the promise rejects with a message matching `pattern`; returns the error. */
export async function assertRejects(fn: () => Promise<unknown>, pattern?: RegExp): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    if (pattern && !pattern.test(e.message)) {
      throw new AssertionError(`error ${JSON.stringify(e.message)} !~ ${pattern}`);
    }
    return e;
  }
  throw new AssertionError("expected a rejection, none came");
}
