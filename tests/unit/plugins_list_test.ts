import { assertEquals, assertIncludes, assertThrows } from "../support/assert.ts";
import {
  formatPluginList,
  listPlugins,
  parsePluginTimeout,
  PluginUsageError,
} from "../../src/plugins/mod.ts";
import { isolatedEnv, tempFolder, writeFile } from "./plugins_support.ts";

// These list real plugin folders under Linux's rules (`os: "linux"`: `/` paths, `:` path lists,
// exec bits); Windows temp folders have drive-letter paths.
const onWindows = Deno.build.os === "windows";
if (onWindows) {
  console.log(
    "skipping the plugin list tests on real folders: they apply Linux path rules, and Windows " +
      "temp folders have drive-letter paths",
  );
}

Deno.test({
  name: "list: every plugin with source, kind, trust, hooks and load errors",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const root = dir.path;
      const flag = await writeFile(
        root,
        "flag.ts",
        `export default { name: "drain", beforeKill() {} };\n`,
      );
      await writeFile(root, "env/broken.ts", "export default 3;\n");
      await writeFile(root, "home/.config/portctl/plugins/notify.sh", "#!/bin/sh\n", true);
      await writeFile(
        root,
        "home/.config/portctl/plugins/log.ts",
        "export default { afterKill() {} };\n",
      );
      const sideEffect = `${root}/imported`;
      await writeFile(
        root,
        "app/.portctl/plugins/local.ts",
        `Deno.writeTextFileSync(${
          JSON.stringify(sideEffect)
        }, "x");\nexport default { beforeKill() {} };\n`,
      );
      const listings = await listPlugins({
        pluginFiles: [flag],
        cwd: `${root}/app`,
        env: isolatedEnv(`${root}/home`, { PORTCTL_PLUGIN_PATH: `${root}/env` }),
        os: "linux",
      });
      assertEquals(
        listings.map((l) => [l.name, l.source, l.kind, l.trust, l.trusted, l.hooks.join(",")]),
        [
          ["drain", "flag", "js", "implicit", true, "beforeKill"],
          ["broken", "env", "js", "implicit", true, ""],
          ["log", "user", "js", "implicit", true, "afterKill"],
          ["notify", "user", "exec", "implicit", true, "before-kill,after-kill"],
          ["local", "project", "js", "untrusted", false, ""],
        ],
      );
      assertIncludes(listings[1].error ?? "", `cannot load plugin ${root}/env/broken.ts`);
      // An untrusted plugin is never imported, not even to list its hooks.
      let imported = true;
      await Deno.stat(sideEffect).catch(() => (imported = false));
      assertEquals(imported, false);

      const text = formatPluginList(listings);
      const lines = text.split("\n");
      assertEquals(lines[0].split(/\s+/), ["NAME", "KIND", "FROM", "TRUSTED", "HOOKS", "PATH"]);
      assertEquals(lines[1].split(/\s+/), ["drain", "js", "--plugin", "yes", "beforeKill", flag]);
      assertEquals(lines[2].split(/\s+/).slice(0, 5), [
        "broken",
        "js",
        "PORTCTL_PLUGIN_PATH",
        "yes",
        "-",
      ]);
      assertIncludes(lines[3], "  error: cannot load plugin");
      assertEquals(lines[6].split(/\s+/).slice(0, 5), ["local", "js", "project", "NO", "?"]);
      assertIncludes(text, 'run "portctl plugins trust" in the project');
      // Columns line up: PATH starts at the same offset on every row.
      const at = lines[0].indexOf("PATH");
      for (const line of [lines[1], lines[2], lines[4], lines[5], lines[6]]) {
        assertEquals(line.slice(at).startsWith(root), true, line);
      }
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "list: nothing found, and --no-plugins",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const options = { cwd: dir.path, env: isolatedEnv(`${dir.path}/home`), os: "linux" as const };
      assertEquals(await listPlugins(options), []);
      assertEquals(formatPluginList([]).startsWith("no plugins found"), true);
      await writeFile(
        dir.path,
        "home/.config/portctl/plugins/a.ts",
        "export default { afterKill() {} };\n",
      );
      assertEquals((await listPlugins(options)).length, 1);
      assertEquals(await listPlugins({ ...options, noPlugins: true }), []);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test("parsePluginTimeout: seconds to milliseconds; bad values are usage errors", () => {
  assertEquals(parsePluginTimeout("10"), 10_000);
  assertEquals(parsePluginTimeout("2.5"), 2_500);
  assertEquals(parsePluginTimeout(" 0.1 "), 100);
  for (const bad of ["0", "-1", "abc", "", "1e3", "5s", "Infinity"]) {
    assertThrows(() => parsePluginTimeout(bad), PluginUsageError, "invalid --plugin-timeout");
  }
});
