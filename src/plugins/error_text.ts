/**
 * Errors from plugin code, on one line: used where plugins are loaded and where they run (the
 * plugin host), so a failure reads the same wherever it happened.
 *
 * @module
 */

/**
 * The message of anything thrown, on one line; a source location Deno puts on a later line (for a
 * syntax error in a plugin) is kept.
 *
 * @example
 * ```ts
 * errorText(new Error("boom\n    at file:///p.ts:3:9")); // "boom (at file:///p.ts:3:9)"
 * ```
 */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const [first, ...rest] = error.message.split("\n");
  const where = rest.map((line) => /^\s*at (file:\S+:\d+:\d+)$/.exec(line)?.[1]).find(Boolean);
  const text = first.trim() || error.name;
  return where && !text.includes(where) ? `${text} (at ${where})` : text;
}
