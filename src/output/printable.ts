/**
 * Text from other processes (names, command lines) made safe to print: any local user can name a
 * process `\x1b[2J` or put a newline in it, and portctl's output is read by root on a terminal.
 *
 * @module
 */

/**
 * Replaces each run of control characters (C0, DEL, C1) with one space.
 *
 * @example
 * ```ts
 * printable("ev\x1b[7mil\nFAKE"); // "ev [7mil FAKE"
 * ```
 */
export function printable(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f]+/g, " ");
}
