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
}

type Token =
  | { readonly kind: "word"; readonly text: string; readonly line: number }
  | { readonly kind: "punct"; readonly text: string; readonly line: number }
  | { readonly kind: "string"; readonly text: string; readonly line: number }
  /** A template literal with `${...}` in it: not a plain string. */
  | { readonly kind: "template"; readonly line: number };

const WORD_START = /[A-Za-z_$\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
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
]);

class Lexer {
  readonly tokens: Token[] = [];
  private i = 0;
  private line = 1;

  constructor(private readonly src: string) {}

  run(): Token[] {
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
      } else if (c === " " || c === "\t" || c === "\r") {
        this.i++;
      } else if (c === "/" && src[this.i + 1] === "/") {
        while (this.i < src.length && src[this.i] !== "\n") this.i++;
      } else if (c === "/" && src[this.i + 1] === "*") {
        const end = src.indexOf("*/", this.i + 2);
        const stop = end < 0 ? src.length : end + 2;
        this.countLines(this.i, stop);
        this.i = stop;
      } else if (c === "'" || c === '"') {
        this.quoted(c);
      } else if (c === "`") {
        this.template();
      } else if (c === "/" && this.regexAllowed() && this.regex()) {
        // consumed
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
    while (this.i < src.length && src[this.i] !== quote && src[this.i] !== "\n") {
      if (src[this.i] === "\\") {
        text += src[this.i + 1] ?? "";
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
        text += src[this.i + 1] ?? "";
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

  private regexAllowed(): boolean {
    const last = this.tokens[this.tokens.length - 1];
    if (!last) return true;
    if (last.kind === "word") return REGEX_AFTER_WORD.has(last.text);
    if (last.kind !== "punct") return false;
    return last.text !== ")" && last.text !== "]";
  }

  /** A regular expression literal up to its closing `/` on the same line; false if none. */
  private regex(): boolean {
    const src = this.src;
    let k = this.i + 1;
    let inClass = false;
    while (k < src.length && src[k] !== "\n") {
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
  const tokens = new Lexer(source).run();
  const found: FoundImport[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k];
    if (token.kind !== "word" || (token.text !== "import" && token.text !== "export")) continue;
    if (isPunct(tokens[k - 1], ".")) continue; // x.import, not the keyword
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
  if (specifier.startsWith("node:")) return null;
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) {
    return "only relative imports of files inside the folder are covered by trust";
  }
  const parts = from.split("/").slice(0, -1);
  for (const part of specifier.split(/[?#]/)[0].split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return "it leaves the folder";
      parts.pop();
    } else parts.push(part);
  }
  return null;
}
