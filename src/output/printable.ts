/**
 * Text from other processes (names, command lines) made safe to print: any local user can name a
 * process `\x1b[2J` or put a newline in it, and portctl's output is read by root on a terminal.
 *
 * @module
 */

/**
 * Replaces each run of control characters (C0, DEL, C1, and the bidirectional overrides and
 * marks that reorder what follows) with one space.
 *
 * @example
 * ```ts
 * printable("ev\x1b[7mil\nFAKE"); // "ev [7mil FAKE"
 * ```
 */
export function printable(text: string): string {
  // Bidi controls too: `e\u202eexe.ts` would show as `ests.exe` in a listing read before trusting.
  // deno-lint-ignore no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, " ");
}
