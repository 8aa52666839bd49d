/**
 * `--in DIR` in core: which working folders are in DIR, on POSIX and Windows paths, and how rows
 * split. The CLI runs of it, on real processes in real folders, are in
 * tests/integration/linux_folders_test.ts and tests/windows/cli_test.ts.
 */

import { assertEquals } from "../support/assert.ts";
import { isInFolder, splitByFolder } from "../../src/core/folder.ts";
import type { SocketHolder } from "../../src/core/lookup.ts";
import type { ProcessInfo, SocketEntry } from "../../src/platform/types.ts";

const at = (path: string, deleted = false) => ({ path, deleted });

Deno.test("isInFolder: the folder and below it, never a sibling; Windows paths in any case", () => {
  const cases: [cwd: string | null, folder: string, inside: boolean][] = [
    ["/home/dev/shop", "/home/dev/shop", true],
    ["/home/dev/shop/api/src", "/home/dev/shop", true],
    ["/home/dev/shop-old/api", "/home/dev/shop", false],
    ["/home/dev", "/home/dev/shop", false],
    ["/srv/app", "/", true],
    [null, "/", false], // an unreadable folder is in no folder
    ["/home/Dev/shop", "/home/dev", false], // POSIX paths keep their case
    ["C:\\Users\\Dev\\shop\\api", "c:\\users\\dev\\shop", true],
    ["C:\\Users\\dev\\shop", "\\\\?\\C:\\Users\\dev\\shop", true],
    ["C:\\Users\\dev\\shop\\api", "C:/Users/dev/shop", true],
    ["C:\\Users\\dev\\shopping", "C:\\Users\\dev\\shop", false],
    ["D:\\shop", "C:\\", false],
    ["C:\\shop", "C:\\", true],
  ];
  for (const [cwd, folder, inside] of cases) {
    assertEquals(isInFolder(cwd === null ? null : at(cwd), folder), inside, `${cwd} in ${folder}`);
  }
  // Removed since the process entered it: it counts by the path it had.
  assertEquals(isInFolder(at("/home/dev/shop/api", true), "/home/dev/shop"), true);
});

const socket: SocketEntry = {
  protocol: "tcp",
  family: 4,
  address: "127.0.0.1",
  port: 3000,
  state: "LISTEN",
  uid: 1000,
  user: "dev",
};

function processIn(pid: number, cwd: ProcessInfo["cwd"]): ProcessInfo {
  const name = "node";
  return {
    pid,
    ppid: 1,
    name,
    user: "dev",
    command: name,
    startTime: "1",
    cwd,
    startedAtMs: null,
    exe: null,
  };
}

Deno.test("splitByFolder: visible processes in the folder inside; the rest, hidden ones too, outside", () => {
  const rows: SocketHolder[] = [
    {
      socket,
      holder: { kind: "visible", process: processIn(1, at("/work/a")), note: null, manager: null },
    },
    {
      socket,
      holder: { kind: "visible", process: processIn(2, at("/work/b")), note: null, manager: null },
    },
    { socket, holder: { kind: "visible", process: processIn(3, null), note: null, manager: null } },
    { socket, holder: { kind: "hidden", note: "owner not visible" } },
    { socket, holder: { kind: "none", note: "held by the kernel" } },
  ];
  const { inside, outside } = splitByFolder(rows, "/work/a");
  assertEquals(inside, [rows[0]]);
  assertEquals(outside, rows.slice(1));
  assertEquals(splitByFolder(rows, null), { inside: rows, outside: [] });
});
