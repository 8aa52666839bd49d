/**
 * The import check of trusted project plugins (src/plugins/imports.ts), on sources written the way
 * an attacker would to slip an import past it: every one of these must be refused, and ordinary
 * plugins must pass. A refusal here means `plugins trust` refuses the folder, and a folder trusted
 * before is not run.
 */

import { assertEquals, assertIncludes } from "../support/assert.ts";
import { findImports } from "../../src/plugins/imports.ts";
import { outsideImport } from "../../src/plugins/project.ts";

const encoder = new TextEncoder();

/** The verdict on a folder holding `files` (relative path → source). */
function verdict(files: Record<string, string | Uint8Array>): string | null {
  return outsideImport(
    Object.entries(files).map(([relative, text]) => ({
      relative,
      executable: false,
      bytes: typeof text === "string" ? encoder.encode(text) : text,
    })),
  );
}

const EVIL = "../../../../../../../../tmp/evil.js";

Deno.test("imports: ordinary plugins pass", () => {
  const ok: Record<string, string>[] = [
    { "guard.ts": `import { rule } from "./lib/rule.ts";\nexport default { beforeKill() {} };` },
    { "guard.ts": `import type { PortctlPlugin } from "../../../somewhere/portctl.d.ts";\n` },
    {
      "lib/deep/x.ts":
        `export * from "../../y.ts";\nimport data from "./d.json" with { type: "json" };`,
    },
    { "guard.ts": `import fs from "node:fs"; const re = /import("x")/g; const s = "import('y')";` },
    { "guard.ts": `// import "../../evil.js"\n/* import("../evil.js") */ export default {};` },
    { "guard.ts": `const a = b / c / d; if (x) { } const t = \`import("no")\`; import.meta.url;` },
    { "guard.ts": `const { h } = await import("./lib/h.ts"); x.import("not the keyword");` },
    { "guard.ts": `#!/usr/bin/env -S deno run /*\nimport "./ok.ts";` },
  ];
  for (const files of ok) assertEquals(verdict(files), null, JSON.stringify(files));
});

Deno.test("imports: what leaves the folder, or cannot be checked, is refused", () => {
  const refused: [string, string][] = [
    [`import "${EVIL}";`, "it leaves the folder"],
    [`import x from "/tmp/evil.js";`, "only relative imports"],
    [`import x from "file:///tmp/evil.js";`, "only relative imports"],
    [`import x from "npm:left-pad";`, "only relative imports"],
    [`import x from "https://example.com/x.ts";`, "only relative imports"],
    [`export { a } from "${EVIL}";`, "it leaves the folder"],
    [`export * from "${EVIL}";`, "it leaves the folder"],
    [`const m = await import(name);`, "a computed import() cannot be checked"],
    ["const m = await import(`./${name}.ts`);", "a computed import() cannot be checked"],
    [`const o = {...import("/tmp/evil.js")};`, "only relative imports"],
    // The tokenizer must not lose its place: divisions, regexes, line terminators.
    [`const y = {}/1;import("/tmp/evil.js");//`, "cannot be checked"],
    [`if (1) /"/; import("/tmp/evil.js"); //"`, "only relative imports"],
    ['if (1) /`/.test("");\nimport "' + EVIL + '";\n// `', "it leaves the folder"],
    [`// hi\rimport("/tmp/evil.js");`, "only relative imports"],
    [`// hi\u2028import("/tmp/evil.js");`, "only relative imports"],
    [`const s = "a\\\r\n"; import("/tmp/evil.js");`, "only relative imports"],
    // Specifiers the URL parser reads differently than they look.
    [`import "./%2e%2e/%2e%2e/%2e%2e/tmp/evil.js";`, "a percent sign"],
    [`import "./..\\\\..\\\\..\\\\tmp\\\\evil.js";`, "a backslash"],
    [`import "./\\x2e\\x2e/\\x2e\\x2e/tmp/evil.js";`, "an escape"],
    [`import "./.\t./.\t./tmp/evil.js";`, "white space"],
    // Modules whose own imports cannot be checked, and loaders of code by path.
    [`import "./lib/h.cjs";`, "only .ts .js .mjs .mts .json files may be imported"],
    [`import "./lib/helper";`, "only .ts .js .mjs .mts .json files may be imported"],
    [`import "./h.wasm";`, "only .ts .js .mjs .mts .json files may be imported"],
    [`import { createRequire } from "node:module";`, "it loads code by path at run time"],
    [`import vm from "node:vm";`, "it loads code by path at run time"],
    [`new Worker("file:///tmp/evil.js", { type: "module" });`, "a Worker loads code by URL"],
  ];
  for (const [source, why] of refused) {
    const result = verdict({ "guard.ts": source + "\nexport default { beforeKill() {} };\n" });
    assertIncludes(result ?? "(accepted)", why);
    assertIncludes(result ?? "", "guard.ts line");
  }
});

Deno.test("imports: helpers in sub-folders are checked too", () => {
  const result = verdict({
    "guard.ts": `import "./lib/h.ts";\nexport default {};`,
    "lib/h.ts": `\n\nimport "../../../x.js";`,
  });
  assertEquals(
    result,
    'lib/h.ts line 3 imports "../../../x.js", which trust cannot cover: it leaves the folder',
  );
});

Deno.test("imports: findImports reports each specifier with its line", () => {
  assertEquals(
    findImports(`import a from "./a.ts";\nconst m = await import(name);\nexport * from "./b.ts";`)
      .map((f) => [f.specifier, f.line]),
    [["./a.ts", 1], [null, 2], ["./b.ts", 3]],
  );
});
