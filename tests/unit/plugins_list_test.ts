import { assertEquals, assertIncludes } from "../support/assert.ts";
import { listPlugins } from "../../src/plugins/listing.ts";
import { formatPluginList } from "../../src/output/plugins.ts";
import { PLAIN } from "../../src/output/style.ts";
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

const format = (report: Awaited<ReturnType<typeof listPlugins>>) =>
  formatPluginList(report, { width: null, style: PLAIN });

Deno.test({
  name: "list: every plugin with source, kind, state, hooks and load errors",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const root = dir.path;
      const flag = await writeFile(
        root,
        "flag.ts",
        `export default { name: "drain", beforeKill() {}, stop() {} };\n`,
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
      const report = await listPlugins({
        pluginFiles: [flag],
        cwd: `${root}/app`,
        env: isolatedEnv(`${root}/home`, { PORTCTL_PLUGIN_PATH: `${root}/env` }),
        os: "linux",
      });
      assertEquals(
        report.plugins.map((l) => [l.name, l.source, l.kind, l.state, l.hooks.join(",")]),
        [
          ["drain", "flag", "js", "own", "beforeKill,stop"],
          ["broken", "env", "js", "own", ""],
          ["log", "user", "js", "own", "afterKill"],
          ["notify", "user", "exec", "own", "before-kill,stop,after-kill"],
          ["local", "project", "js", "untrusted", ""],
        ],
      );
      assertEquals(report.folders.map((f) => [f.path, f.source, f.state, f.reason]), [
        [`${root}/env`, "env", "own", null],
        [`${root}/home/.config/portctl/plugins`, "user", "own", null],
        [`${root}/app/.portctl/plugins`, "project", "untrusted", null],
      ]);
      assertIncludes(report.plugins[1].error ?? "", `cannot load plugin ${root}/env/broken.ts`);
      // An untrusted plugin is never imported, not even to list its hooks.
      assertEquals(await Deno.stat(sideEffect).then(() => true, () => false), false);

      const text = format(report);
      const lines = text.split("\n");
      assertEquals(lines[0].split(/\s{2,}/), ["NAME", "KIND", "FROM", "RUNS", "HOOKS", "PATH"]);
      assertEquals(lines[1].split(/\s{2,}/), [
        "drain",
        "js",
        "--plugin",
        "yes (yours)",
        "beforeKill,stop",
        flag,
      ]);
      assertEquals(lines[2].split(/\s{2,}/).slice(0, 5), [
        "broken",
        "js",
        "PORTCTL_PLUGIN_PATH",
        "yes (yours)",
        "-",
      ]);
      assertEquals(lines[5].split(/\s{2,}/).slice(0, 5), [
        "local",
        "js",
        "project",
        "NO: not trusted",
        "?",
      ]);
      assertIncludes(lines[6], "error: cannot load plugin");
      assertIncludes(text, `NO: not trusted ${root}/app/.portctl/plugins (project)`);
      assertIncludes(text, 'run "portctl plugins trust" in the project');
      // Columns line up: PATH starts at the same offset on every row.
      const at = lines[0].indexOf("PATH");
      for (const line of lines.slice(1, 6)) assertEquals(line.slice(at).startsWith(root), true);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "list: a folder that cannot be used is shown with why; names cannot drive the terminal",
  ignore: onWindows || Deno.uid() !== 0,
  async fn() {
    const dir = await tempFolder();
    try {
      const root = dir.path;
      await writeFile(root, "open/a.ts", "export default { afterKill() {} };\n");
      Deno.chmodSync(`${root}/open`, 0o777);
      const evil = "\x1b]0;owned\x07\x1b[2Jx.ts";
      await writeFile(root, `app/.portctl/plugins/${evil}`, "export default { stop() {} };\n");
      const report = await listPlugins({
        cwd: `${root}/app`,
        env: isolatedEnv(`${root}/home`, { PORTCTL_PLUGIN_PATH: `${root}/open` }),
        os: "linux",
      });
      const open = report.folders.find((f) => f.path === `${root}/open`);
      assertEquals(open?.state, "unsafe");
      assertIncludes(open?.reason ?? "", `${root}/open is writable by every user`);
      const text = format(report);
      assertIncludes(text, `NO: unsafe ${root}/open (PORTCTL_PLUGIN_PATH): plugin folder`);
      assertIncludes(text, "portctl kill signals nothing");
      const controls = [...text].filter((c) => c < " " && c !== "\n");
      assertEquals(controls, [], JSON.stringify(text));
      assertIncludes(text, " ]0;owned [2Jx");
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
      assertEquals(await listPlugins(options), { folders: [], plugins: [] });
      assertEquals(format({ folders: [], plugins: [] }).startsWith("no plugins found"), true);
      await writeFile(
        dir.path,
        "home/.config/portctl/plugins/a.ts",
        "export default { afterKill() {} };\n",
      );
      assertEquals((await listPlugins(options)).plugins.length, 1);
      assertEquals(await listPlugins({ ...options, noPlugins: true }), {
        folders: [],
        plugins: [],
      });
    } finally {
      await dir.cleanup();
    }
  },
});
