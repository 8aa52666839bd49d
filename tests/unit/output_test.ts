import { assert, assertEquals } from "../support/assert.ts";
import { renderTable } from "../../src/output/table.ts";
import { printable } from "../../src/output/printable.ts";
import { PLAIN } from "../../src/output/style.ts";
import { ageLabel, folderLabel, programNote } from "../../src/output/process_labels.ts";

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

Deno.test("a path column is cut from its start, keeping its last parts, and shares the room", () => {
  const headers = ["PID", "FOLDER", "COMMAND"];
  const rows = [["1", "/home/dev/projects/shop/api", "node server.js --port 3000"]];
  const fits = renderTable(headers, rows, { width: 80, style: PLAIN, cutStart: 1 });
  assert(fits.includes("/home/dev/projects/shop/api  node server.js --port 3000"), fits);
  const [, row] = renderTable(headers, rows, { width: 30, style: PLAIN, cutStart: 1 })
    .trimEnd().split("\n");
  // 30 - "1    " - the two spaces between = 23 for both: 11 and 12, and the folder keeps whole
  // trailing parts.
  assertEquals(row, "1    …/shop/api   node server…");
  assertEquals(row.length, 30);
  // A folder that needs little keeps it all; the command takes the rest.
  const short = renderTable(headers, [["1", "~/api", "node server.js --port 3000"]], {
    width: 30,
    style: PLAIN,
    cutStart: 1,
  }).trimEnd().split("\n")[1];
  assertEquals(short, "1    ~/api   node server.js -…");
  const piped = renderTable(headers, rows, { width: null, style: PLAIN, cutStart: 1 });
  assert(piped.includes("/home/dev/projects/shop/api  node server.js --port 3000"));
});

Deno.test("labels: home as ~, ages in their largest unit, the program where the name hides it", () => {
  const folders: [folder: string | null, home: string | null, label: string][] = [
    ["/home/dev/shop/api", "/home/dev", "~/shop/api"],
    ["/home/dev", "/home/dev/", "~"],
    ["/home/devops/x", "/home/dev", "/home/devops/x"],
    ["/home/dev (deleted)", "/home/dev", "~ (deleted)"],
    ["/home/dev/x (deleted)", "/home/dev", "~/x (deleted)"],
    ["/home/dev something", "/home/dev", "/home/dev something"],
    ["C:\\Users\\Dev\\shop", "C:\\Users\\dev", "~\\shop"],
    ["/srv", "/", "/srv"],
    ["/srv", null, "/srv"],
    [null, "/home/dev", "-"],
  ];
  for (const [folder, home, label] of folders) assertEquals(folderLabel(folder, home), label);

  const now = Date.UTC(2026, 4, 20, 12);
  const ago = (ms: number) => ageLabel(now - ms, now);
  assertEquals(
    [ago(0), ago(59_999), ago(60_000), ago(3_599_999), ago(3_600_000), ago(86_399_999)],
    ["0s", "59s", "1m", "59m", "1h", "23h"],
  );
  assertEquals([ago(86_400_000), ago(40 * 86_400_000), ago(-5000)], ["1d", "40d", "0s"]);
  assertEquals(ageLabel(null, now), "-");

  const programs: [name: string, exe: string | null, note: string | null][] = [
    ["MainThread", "/usr/bin/python3.11", "python3.11"],
    ["python3", "/usr/bin/python3.11", null],
    ["node", "/home/dev/.nvm/versions/node/v20.11.0/bin/node", null],
    ["node.exe", "C:\\Program Files\\nodejs\\node.exe", null],
    ["my-long-server-", "/opt/bin/my-long-server-name", null], // Linux cuts names to 15
    ["sleep", "/usr/bin/coreutils (deleted)", "coreutils"],
    ["kworker/0:1", null, null],
  ];
  for (const [name, exe, note] of programs) assertEquals(programNote(name, exe), note, name);
});
