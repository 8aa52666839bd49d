import { assert, assertEquals } from "../support/assert.ts";
import { renderTable } from "../../src/output/table.ts";
import { printable } from "../../src/output/printable.ts";
import { PLAIN } from "../../src/output/style.ts";

Deno.test("tables cut only the last column to the width, never the others", () => {
  const rows = [["tcp", "127.0.0.1:3000", "python3", "/usr/bin/python3 -m http.server 3000"]];
  const text = renderTable(["PROTO", "ADDRESS:PORT", "NAME", "COMMAND"], rows, {
    width: 40,
    style: PLAIN,
  });
  const [header, row] = text.trimEnd().split("\n");
  assertEquals(row.length, 40);
  assert(row.startsWith("tcp    127.0.0.1:3000  python3  /usr/bi"), row);
  assert(row.endsWith("…"));
  assert(header.length <= 40);
  const piped = renderTable(["A", "B"], [["x", "a long command that stays whole"]], {
    width: null,
    style: PLAIN,
  });
  assert(piped.includes("a long command that stays whole"));
});

Deno.test("names and commands from other processes cannot inject escapes or lines", () => {
  assertEquals(printable("ev\x1b[7mil\nFAKE"), "ev [7mil FAKE");
  assertEquals(printable("python3 -c\n\nimport x\t1"), "python3 -c import x 1");
  assertEquals(printable("a\x9bb\x7f"), "a b ");
  // Bidi overrides would reorder what follows them: a file shown as `ests.exe` is `e\u202eexe.ts`.
  assertEquals(printable("e\u202eexe.ts and \u2066x\u2069"), "e exe.ts and  x ");
  const table = renderTable(["NAME"], [["bad\x1b[2Jname\nrow"]], { width: null, style: PLAIN });
  assertEquals(table, "NAME\nbad [2Jname row\n");
});
