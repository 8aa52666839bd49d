/**
 * Keys from a terminal in raw mode: bytes to key presses. Arrow and paging keys arrive as VT
 * sequences on every terminal portctl supports (Deno's raw mode turns on VT input on Windows too),
 * control keys as single bytes (Ctrl-C is 0x03 in raw mode, not a signal), text as UTF-8.
 *
 * @module
 */

/** One key press. */
export type Key =
  | {
    readonly kind:
      | "up"
      | "down"
      | "page-up"
      | "page-down"
      | "home"
      | "end"
      | "enter"
      | "escape"
      | "tab"
      | "backspace"
      | "space";
  }
  /** Ctrl and a letter, lower-case: `{ kind: "ctrl", letter: "c" }`. */
  | { readonly kind: "ctrl"; readonly letter: string }
  /** Printable text (one character or a paste). */
  | { readonly kind: "text"; readonly text: string };

/** The final part of CSI (`ESC [`) and SS3 (`ESC O`) sequences portctl acts on. */
const SEQUENCES: Readonly<Record<string, Key["kind"]>> = {
  "A": "up",
  "B": "down",
  "H": "home",
  "F": "end",
  "1~": "home",
  "7~": "home",
  "4~": "end",
  "8~": "end",
  "5~": "page-up",
  "6~": "page-down",
};

const decoder = new TextDecoder();

/**
 * The keys in one read from the terminal. A lone ESC is the Escape key; sequences portctl does
 * not use (function keys, mouse reports) are dropped whole.
 *
 * @example
 * ```ts
 * readKeys(new Uint8Array([0x1b, 0x5b, 0x41, 0x61])); // [{ kind: "up" }, { kind: "text", text: "a" }]
 * ```
 */
export function readKeys(bytes: Uint8Array): Key[] {
  const text = decoder.decode(bytes);
  const keys: Key[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    const code = char.charCodeAt(0);
    if (char === "\x1b") {
      // deno-lint-ignore no-control-regex
      const sequence = /^\x1b(?:\[([\d;]*[~A-Za-z])|O([A-Za-z]))/.exec(text.slice(i));
      if (!sequence) {
        keys.push({ kind: "escape" });
        continue;
      }
      i += sequence[0].length - 1;
      // A modifier (`ESC [1;5A`, Ctrl-Up) does not change what the key does here.
      const final = (sequence[1] ?? sequence[2]).replace(/^1;\d+|;\d+(?=~)/, "");
      const kind = SEQUENCES[final];
      if (kind) keys.push({ kind } as Key);
      continue;
    }
    if (char === "\r" || char === "\n") keys.push({ kind: "enter" });
    else if (char === "\t") keys.push({ kind: "tab" });
    else if (code === 0x7f || code === 0x08) keys.push({ kind: "backspace" });
    else if (char === " ") keys.push({ kind: "space" });
    else if (code < 0x20) keys.push({ kind: "ctrl", letter: String.fromCharCode(code + 0x60) });
    else if (code >= 0x80 && code < 0xa0) continue;
    else {
      const last = keys[keys.length - 1];
      if (last?.kind === "text") keys[keys.length - 1] = { kind: "text", text: last.text + char };
      else keys.push({ kind: "text", text: char });
    }
  }
  return keys;
}
