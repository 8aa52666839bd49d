/**
 * Terminal styling: colour only when the stream is a terminal and `NO_COLOR` is not set
 * (https://no-color.org), so piped output is always plain.
 *
 * @module
 */

/** Applies ANSI styles, or nothing when colour is off. */
export interface Styler {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  /** Reverse video: the picker's highlighted row. */
  readonly inverse: (text: string) => string;
}

const wrap = (open: number, close: number) => (text: string) =>
  `\x1b[${open}m${text}\x1b[${close}m`;

/** A styler that colours. */
export const COLOR: Styler = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  inverse: wrap(7, 27),
};

const same = (text: string) => text;

/** A styler that leaves text as it is. */
export const PLAIN: Styler = {
  bold: same,
  dim: same,
  red: same,
  green: same,
  yellow: same,
  inverse: same,
};

/** Colour for a stream: on for a terminal unless `NO_COLOR` is set to anything non-empty. */
export function stylerFor(isTerminal: boolean, noColor: string | undefined): Styler {
  return isTerminal && !noColor ? COLOR : PLAIN;
}
