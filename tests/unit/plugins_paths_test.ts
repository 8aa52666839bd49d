import { assertEquals, assertThrows } from "../support/assert.ts";
import {
  basename,
  dirname,
  isAbsolute,
  join,
  pathToFileUrl,
  resolve,
} from "../../src/plugins/paths.ts";
import { tempFolder, writeFile } from "./plugins_support.ts";

// The import() test turns a real temp path into a URL with the POSIX rules; Windows temp paths
// are `C:\...` (the Windows conversion is checked on literal paths below).
const onWindows = Deno.build.os === "windows";
if (onWindows) {
  console.log(
    "skipping the import() round trip: it converts a real temp path with the POSIX rules, and " +
      "Windows temp paths have drive letters",
  );
}

Deno.test("pathToFileUrl: POSIX paths", () => {
  assertEquals(pathToFileUrl("/home/ada/x.ts", "linux"), "file:///home/ada/x.ts");
  assertEquals(pathToFileUrl("/a b/c#d?e%f.ts", "linux"), "file:///a%20b/c%23d%3Fe%25f.ts");
  assertEquals(pathToFileUrl("/tmp/ä ö/x.ts", "darwin"), "file:///tmp/%C3%A4%20%C3%B6/x.ts");
  assertEquals(pathToFileUrl("/a/./b/../c.ts", "linux"), "file:///a/c.ts");
  assertEquals(pathToFileUrl("/a/b:c@d.ts", "linux"), "file:///a/b:c@d.ts");
  // A backslash is an ordinary file-name character on POSIX.
  assertEquals(pathToFileUrl("/a/b\\c.ts", "linux"), "file:///a/b%5Cc.ts");
});

Deno.test("pathToFileUrl: Windows drive and UNC paths", () => {
  assertEquals(pathToFileUrl("C:\\Users\\Ada\\x.ts", "windows"), "file:///C:/Users/Ada/x.ts");
  assertEquals(pathToFileUrl("c:/Users/Ada/x.ts", "windows"), "file:///C:/Users/Ada/x.ts");
  assertEquals(
    pathToFileUrl("C:\\Program Files\\portctl\\p#1.ts", "windows"),
    "file:///C:/Program%20Files/portctl/p%231.ts",
  );
  assertEquals(pathToFileUrl("\\\\server\\share\\x.ts", "windows"), "file://server/share/x.ts");
  assertEquals(pathToFileUrl("C:\\", "windows"), "file:///C:/");
});

Deno.test("pathToFileUrl: URL parsing reads back the same path", () => {
  const path = "/tmp/we ird/#1 %20 ?x/ü.ts";
  const url = new URL(pathToFileUrl(path, "linux"));
  assertEquals(url.protocol, "file:");
  assertEquals(decodeURIComponent(url.pathname), path);
  assertEquals(url.hash, "");
  assertEquals(url.search, "");
  const win = new URL(pathToFileUrl("C:\\a b\\#c.ts", "windows"));
  assertEquals(decodeURIComponent(win.pathname), "/C:/a b/#c.ts");
});

Deno.test("pathToFileUrl: relative paths are refused", () => {
  assertThrows(() => pathToFileUrl("x.ts", "linux"), TypeError);
  assertThrows(() => pathToFileUrl("C:x.ts", "windows"), TypeError);
});

Deno.test({
  name: "pathToFileUrl: import() of the URL loads a file whose path needs escaping",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const path = await writeFile(
        dir.path,
        "a b#c%d/plug in.ts",
        "export const x: number = 42;\n",
      );
      const module = await import(pathToFileUrl(path, "linux"));
      assertEquals(module.x, 42);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test("path helpers: isAbsolute, join, resolve, dirname, basename", () => {
  assertEquals(isAbsolute("/x", "linux"), true);
  assertEquals(isAbsolute("x/y", "linux"), false);
  assertEquals(isAbsolute("C:\\x", "windows"), true);
  assertEquals(isAbsolute("\\\\h\\s", "windows"), true);
  assertEquals(isAbsolute("\\x", "windows"), false);
  assertEquals(join("linux", "/a/", "/b", "c"), "/a/b/c");
  assertEquals(join("windows", "C:\\a\\", "b"), "C:\\a\\b");
  assertEquals(resolve("/work/app", "../x.ts", "linux"), "/work/x.ts");
  assertEquals(resolve("/work/app", "/etc/x", "linux"), "/etc/x");
  assertEquals(resolve("C:\\work\\app", "..\\x.ts", "windows"), "C:\\work\\x.ts");
  assertEquals(resolve("/", "../..", "linux"), "/");
  assertEquals(dirname("/a/b", "linux"), "/a");
  assertEquals(dirname("/a", "linux"), "/");
  assertEquals(dirname("/", "linux"), "/");
  assertEquals(dirname("C:\\a\\b", "windows"), "C:\\a");
  assertEquals(dirname("C:\\a", "windows"), "C:\\");
  assertEquals(dirname("C:\\", "windows"), "C:\\");
  assertEquals(dirname("\\\\h\\s\\x", "windows"), "\\\\h\\s\\");
  assertEquals(basename("/a/b.ts", "linux"), "b.ts");
  assertEquals(basename("C:\\a\\b.ts", "windows"), "b.ts");
});
