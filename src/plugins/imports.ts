/**
 * What a project plugin imports. Trust covers the bytes of the `.portctl/plugins` folder, so a
 * trusted plugin may import only files inside it (and Deno's `node:` built-ins, which are part of
 * portctl itself): `../../lib/helper.ts`, `npm:`, `https:` or an absolute path would run code the
 * hash does not cover. This module finds every import specifier in a module's source without
 * running it: static imports and re-exports, and `import()` calls, whose argument must be a plain
 * string (a computed one cannot be checked, so it is refused). Type-only imports are erased before
 * the code runs and are left alone.
 *
 * It is a tokenizer, not a parser: it skips comments, strings, template literals and regular
 * expression literals, then reads `import` and `export ... from` at the token level.
 *
 * @module
 */

/** One import found in a module. */
export interface FoundImport {
  /** The specifier as written, or null for `import(expression)`. */
  readonly specifier: string | null;
  /** 1-based line of the `import`/`export` keyword. */
  readonly line: number;
  /** Set when the source cannot be checked at this line (the whole reason). */
  readonly problem?: string;
}

type Token =
  | { readonly kind: "word"; readonly text: string; readonly line: number }
  | { readonly kind: "punct"; readonly text: string; readonly line: number }
  | { readonly kind: "string"; readonly text: string; readonly line: number }
  /** A template literal with `${...}` in it: not a plain string. */
  | { readonly kind: "template"; readonly line: number };

const WORD_START = /[A-Za-z_$\u0080-\uffff]/;
/** JavaScript's line terminators: a `//` comment, a string or a regex ends at any of them. */
const isLineEnd = (c: string | undefined) =>
  c === "\n" || c === "\r" || c === "\u2028" || c === "\u2029";
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
/** Words whose `( … )` is a condition: a `/` after the `)` starts a regular expression. */
const CONDITION_WORDS = new Set(["if", "while", "for", "with"]);
/** Words after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER_WORD = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
  "default",
  "extends",
]);

class Lexer {
  readonly tokens: Token[] = [];
  /** The first line where a `/` may be a division or a regular expression, if any. */
  ambiguity: number | null = null;
  /** For each open `(`: does it follow `if`, `while`, `for` or `with` (then `/` after it is a regex)? */
  private readonly parens: boolean[] = [];
  private lastParenWasCondition = false;
  private i = 0;
  private line = 1;

  constructor(private readonly src: string) {}

  run(): Token[] {
    // A `#!` first line is a comment to JavaScript, whatever it holds (`#!/usr/bin/env /*`).
    if (this.src.startsWith("#!")) {
      while (this.i < this.src.length && !isLineEnd(this.src[this.i])) {
        this.i++;
      }
    }
    this.scan(false);
    return this.tokens;
  }

  /** Tokenizes until the end, or (inside `${`) until the `}` that closes the substitution. */
  private scan(inTemplate: boolean): void {
    let depth = 0;
    const src = this.src;
    while (this.i < src.length) {
      const c = src[this.i];
      if (c === "\n") {
        this.line++;
        this.i++;
      } else if (isLineEnd(c)) {
        this.line += c === "\r" && src[this.i + 1] === "\n" ? 0 : 1;
        this.i++;
      } else if (/\s/.test(c)) {
        this.i++; // also U+00A0, U+FEFF and the other white space JavaScript skips
      } else if (c === "/" && src[this.i + 1] === "/") {
        while (this.i < src.length && !isLineEnd(src[this.i])) this.i++;
      } else if (c === "/" && src[this.i + 1] === "*") {
        const end = src.indexOf("*/", this.i + 2);
        const stop = end < 0 ? src.length : end + 2;
        this.countLines(this.i, stop);
        this.i = stop;
      } else if (c === "'" || c === '"') {
        this.quoted(c);
      } else if (c === "`") {
        this.template();
      } else if (c === "/" && this.slash()) {
        // a regular expression, consumed
      } else if (WORD_START.test(c)) {
        const start = this.i;
        while (this.i < src.length && WORD_PART.test(src[this.i])) this.i++;
        this.tokens.push({ kind: "word", text: src.slice(start, this.i), line: this.line });
      } else if (/[0-9]/.test(c)) {
        while (this.i < src.length && /[0-9A-Za-z_.]/.test(src[this.i])) this.i++;
        this.tokens.push({ kind: "word", text: "0", line: this.line });
      } else {
        if (inTemplate && c === "{") depth++;
        if (inTemplate && c === "}") {
          if (depth === 0) {
            this.i++;
            return;
          }
          depth--;
        }
        if (c === "(") this.parens.push(CONDITION_WORDS.has(this.wordBefore(0) ?? ""));
        if (c === ")") this.lastParenWasCondition = this.parens.pop() ?? false;
        this.tokens.push({ kind: "punct", text: c, line: this.line });
        this.i++;
      }
    }
  }

  private countLines(from: number, to: number): void {
    for (let k = from; k < to; k++) if (this.src[k] === "\n") this.line++;
  }

  /** A '…' or "…" string; a string never spans lines, which bounds a mistaken one. */
  private quoted(quote: string): void {
    const src = this.src;
    const line = this.line;
    let text = "";
    this.i++;
    while (this.i < src.length && src[this.i] !== quote && !isLineEnd(src[this.i])) {
      if (src[this.i] === "\\") {
        // Kept as written: an escape in a specifier (`"\x2e\x2e/x"`) is refused, not decoded.
        text += src[this.i] + (src[this.i + 1] ?? "");
        if (src[this.i + 1] === "\r" && src[this.i + 2] === "\n") this.i++;
        if (src[this.i + 1] === "\n") this.line++;
        this.i += 2;
      } else {
        text += src[this.i++];
      }
    }
    if (src[this.i] === quote) this.i++;
    this.tokens.push({ kind: "string", text, line });
  }

  private template(): void {
    const src = this.src;
    const line = this.line;
    let text = "";
    let plain = true;
    this.i++;
    while (this.i < src.length && src[this.i] !== "`") {
      const c = src[this.i];
      if (c === "\\") {
        text += c + (src[this.i + 1] ?? "");
        this.countLines(this.i, this.i + 2);
        this.i += 2;
      } else if (c === "$" && src[this.i + 1] === "{") {
        plain = false;
        this.i += 2;
        // The substitution's tokens stay in the stream: an import() in it is found like any
        // other, and `import(\`./${name}.ts\`)` reads as import( name …, a computed specifier.
        this.scan(true);
      } else {
        if (c === "\n") this.line++;
        text += c;
        this.i++;
      }
    }
    this.i++;
    this.tokens.push(plain ? { kind: "string", text, line } : { kind: "template", line });
  }

  /** The text of the word `back` tokens before the end, unless it is a property name (`x.if`). */
  private wordBefore(back: number): string | null {
    const t = this.tokens;
    const word = t[t.length - 1 - back];
    if (word?.kind !== "word") return null;
    const dot = t[t.length - 2 - back];
    const spread = dot?.kind === "punct" && t[t.length - 3 - back]?.kind === "punct" &&
      (t[t.length - 3 - back] as { text: string }).text === ".";
    return dot?.kind === "punct" && dot.text === "." && !spread ? null : word.text;
  }

  /**
   * A `/` that is not a comment: consumes a regular expression and returns true, or returns
   * false for a division. Where the tokens before cannot tell (after `}` a block or an object
   * ended, after `++` an operand or not), a `/` that could start a regular expression on this
   * line is an {@linkcode ambiguity}: the file is refused rather than guessed at.
   */
  private slash(): boolean {
    const t = this.tokens;
    const last = t[t.length - 1];
    let allowed: boolean | "ambiguous";
    if (!last) allowed = true;
    else if (last.kind === "word") {
      const word = this.wordBefore(0);
      allowed = word !== null && REGEX_AFTER_WORD.has(word);
    } else if (last.kind !== "punct") allowed = false;
    else if (last.text === "regex" || last.text === "]") allowed = false;
    else if (last.text === ")") allowed = this.lastParenWasCondition;
    else if (last.text === "}") allowed = "ambiguous";
    else if ((last.text === "+" || last.text === "-") && isPunct(t[t.length - 2], last.text)) {
      allowed = "ambiguous";
    } else allowed = true;
    if (allowed === "ambiguous") {
      const start = this.i;
      if (this.regex()) {
        this.ambiguity ??= this.line;
        this.i = start;
        this.tokens.pop();
      }
      return false;
    }
    return allowed && this.regex();
  }

  /** A regular expression literal up to its closing `/` on the same line; false if none. */
  private regex(): boolean {
    const src = this.src;
    let k = this.i + 1;
    let inClass = false;
    while (k < src.length && !isLineEnd(src[k])) {
      const c = src[k];
      if (c === "\\") k += 2;
      else if (c === "[") (inClass = true, k++);
      else if (c === "]") (inClass = false, k++);
      else if (c === "/" && !inClass) {
        k++;
        while (k < src.length && WORD_PART.test(src[k])) k++;
        this.i = k;
        this.tokens.push({ kind: "punct", text: "regex", line: this.line });
        return true;
      } else k++;
    }
    return false;
  }
}

const isPunct = (token: Token | undefined, text: string) =>
  token?.kind === "punct" && token.text === text;
const isWord = (token: Token | undefined, text: string) =>
  token?.kind === "word" && token.text === text;

/**
 * Every import in `source` (JavaScript or TypeScript), in order.
 *
 * @example
 * ```ts
 * findImports(`import x from "./a.ts"; const m = await import(name);`);
 * // [{ specifier: "./a.ts", line: 1 }, { specifier: null, line: 1 }]
 * ```
 */
export function findImports(source: string): FoundImport[] {
  const lexer = new Lexer(source);
  const tokens = lexer.run();
  const found: FoundImport[] = [];
  if (lexer.ambiguity !== null) {
    found.push({
      specifier: null,
      line: lexer.ambiguity,
      problem: "a / there could be a division or a regular expression, so the imports after it " +
        "cannot be checked (put the expression in parentheses)",
    });
  }
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k];
    if (isWord(token, "Worker") && isPunct(tokens[k + 1], "(")) {
      found.push({
        specifier: null,
        line: token.line,
        problem: "a Worker loads code by URL at run time, which trust cannot check",
      });
      continue;
    }
    if (token.kind !== "word" || (token.text !== "import" && token.text !== "export")) continue;
    const spread = isPunct(tokens[k - 2], ".") && isPunct(tokens[k - 3], ".");
    if (isPunct(tokens[k - 1], ".") && !spread) continue; // x.import, not the keyword
    const next = tokens[k + 1];
    if (token.text === "import") {
      if (isPunct(next, ".")) continue; // import.meta
      if (isPunct(next, "(")) {
        const arg = tokens[k + 2];
        const after = tokens[k + 3];
        const plain = arg?.kind === "string" && (isPunct(after, ")") || isPunct(after, ","));
        found.push({ specifier: plain ? arg.text : null, line: token.line });
        continue;
      }
      if (next?.kind === "string") {
        found.push({ specifier: next.text, line: token.line });
        continue;
      }
      if (isWord(next, "type") && !isWord(tokens[k + 2], "from") && !isPunct(tokens[k + 2], ",")) {
        continue; // import type { X } from "…": erased
      }
    } else if (!(isPunct(next, "*") || isPunct(next, "{"))) {
      continue; // export const/function/default/type…: not a re-export
    }
    const specifier = fromClause(tokens, k + 1);
    if (specifier) found.push({ specifier: specifier.text, line: token.line });
  }
  return found;
}

/** The string after `from` that ends an import/export clause starting at `start`, if any. */
function fromClause(
  tokens: readonly Token[],
  start: number,
): Extract<Token, { kind: "string" }> | null {
  let depth = 0;
  for (let k = start; k < tokens.length; k++) {
    const token = tokens[k];
    if (isPunct(token, "{")) depth++;
    else if (isPunct(token, "}")) {
      if (--depth < 0) return null; // `{ import: 1 }`: the word ended an object, not a clause
    } else if (depth === 0 && (isPunct(token, ";") || isWord(token, "import"))) return null;
    else if (depth === 0 && isWord(token, "from")) {
      const next = tokens[k + 1];
      if (next?.kind === "string") return next;
    } else if (depth === 0 && isWord(token, "require") && isPunct(tokens[k + 1], "(")) {
      const arg = tokens[k + 2]; // import x = require("…")
      return arg?.kind === "string" ? arg : null;
    }
  }
  return null;
}

/** Built-ins whose purpose is to load or run code from elsewhere. */
const CODE_LOADERS = new Set(["node:module", "node:vm", "node:worker_threads"]);

/** File names whose imports are checked: what Deno runs as a module. */
export const MODULE_EXTENSIONS = [".js", ".ts", ".mjs", ".mts", ".jsx", ".tsx", ".cjs", ".cts"];

/**
 * Why `specifier`, imported by the file at `from` (relative to the plugin folder,
 * `/`-separated), would run code outside the folder, or null when it stays inside.
 *
 * @example
 * ```ts
 * importOutsideReason("../../lib/helper.ts", "guard.ts"); // "it leaves the folder"
 * importOutsideReason("./lib/helper.ts", "guard.ts"); // null
 * ```
 */
export function importOutsideReason(specifier: string | null, from: string): string | null {
  if (specifier === null) return "a computed import() cannot be checked";
  if (CODE_LOADERS.has(specifier)) {
    return "it loads code by path at run time (createRequire, vm, workers), which trust cannot check";
  }
  if (specifier.startsWith("node:")) return null;
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) {
    return "only relative imports of files inside the folder are covered by trust";
  }
  // The URL parser reads `%2e%2e` and `\` as `..` and `/`, and drops tabs and newlines: such a
  // specifier is refused rather than guessed at.
  // deno-lint-ignore no-control-regex
  if (/[\\%\x00-\x20\x7f]/.test(specifier)) {
    return "it has an escape, a percent sign, a backslash or white space in it";
  }
  const root = "file:///plugin-folder/";
  const url = new URL(specifier, root + from);
  if (!url.href.startsWith(root)) return "it leaves the folder";
  const path = url.pathname.toLowerCase();
  if (!IMPORTABLE_EXTENSIONS.some((ext) => path.endsWith(ext))) {
    return `only ${IMPORTABLE_EXTENSIONS.join(" ")} files may be imported (a .cjs, .wasm or ` +
      "extension-less module can load code from anywhere)";
  }
  return null;
}

/** What a trusted plugin may import: ES modules whose imports this module can check (not JSX), and JSON. */
const IMPORTABLE_EXTENSIONS = [".ts", ".js", ".mjs", ".mts", ".json"];
