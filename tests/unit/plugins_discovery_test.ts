import { assertEquals, assertIncludes, assertThrows } from "../support/assert.ts";
import { discoverPlugins } from "../../src/plugins/discovery.ts";
import {
  envValue,
  findProjectPluginFolder,
  userConfigDir,
  userPluginFolders,
} from "../../src/plugins/locations.ts";
import { PluginUsageError } from "../../src/plugins/errors.ts";
import { recorder, tempFolder, writeFile } from "./plugins_support.ts";

const JS = "export default { afterKill() {} };\n";
const SH = "#!/bin/sh\nexit 0\n";

// Most tests ask for Linux's rules (`os: "linux"`: `/` paths, `:` path lists, exec bits) on real
// temp folders, whose paths on Windows are `C:\...`; the Windows rules are checked on literal
// paths ("user folders per OS", plugins_paths_test.ts).
const onWindows = Deno.build.os === "windows";

/** Whether the temp folders' file system ignores case (macOS's default APFS does). */
async function tempIgnoresCase(): Promise<boolean> {
  const dir = await Deno.makeTempDir({ prefix: "portctl_case_" });
  try {
    await Deno.writeTextFile(`${dir}/a`, "");
    return await Deno.stat(`${dir}/A`).then(() => true, () => false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
// The file-name order test needs B.ts and b.ts to be two files.
const ignoresCase = await tempIgnoresCase();

if (onWindows) {
  console.log(
    "skipping the discovery tests that apply Linux path rules to real folders: on Windows the " +
      "temp folders have drive-letter paths, and exec bits and dangling symlinks work differently",
  );
} else if (ignoresCase) {
  console.log(
    "skipping the file-name order test: the temp folders' file system ignores case here, so " +
      "B.ts and b.ts would be one file",
  );
}

Deno.test({
  name: "discovery: --plugin, PORTCTL_PLUGIN_PATH, user folder, project folder, in that order",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const root = dir.path;
      const flagB = await writeFile(root, "flags/b.ts", JS);
      const flagA = await writeFile(root, "flags/a.ts", JS);
      const envFile = await writeFile(root, "envfile/single.mjs", JS);
      await writeFile(root, "envdir/2-two.js", JS);
      await writeFile(root, "envdir/1-one.sh", SH, true);
      await writeFile(root, "home/.config/portctl/plugins/user.ts", JS);
      await writeFile(root, "work/app/.portctl/plugins/local.ts", JS);
      await Deno.mkdir(`${root}/work/app/src/deep`, { recursive: true });

      const found = discoverPlugins({
        pluginFiles: ["../../../../flags/b.ts", flagA], // flag order, not name order
        cwd: `${root}/work/app/src/deep`,
        env: {
          HOME: `${root}/home`,
          PORTCTL_PLUGIN_PATH: `${root}/nope::${envFile}:${root}/envdir`,
        },
        os: "linux",
      });
      assertEquals(
        found.plugins.map((p) => [p.source, p.kind, p.path.slice(root.length), p.name]),
        [
          ["flag", "js", "/flags/b.ts", "b"],
          ["flag", "js", "/flags/a.ts", "a"],
          ["env", "js", "/envfile/single.mjs", "single"],
          ["env", "exec", "/envdir/1-one.sh", "1-one"],
          ["env", "js", "/envdir/2-two.js", "2-two"],
          ["user", "js", "/home/.config/portctl/plugins/user.ts", "user"],
        ],
      );
      assertEquals(found.plugins[0].path, flagB);
      assertEquals(found.project?.folder, `${root}/work/app/.portctl/plugins`);
      assertEquals(found.project?.plugins.map((p) => [p.source, p.name]), [["project", "local"]]);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "discovery: within a folder, plain file-name order; other files ignored",
  ignore: onWindows || ignoresCase,
  async fn() {
    const dir = await tempFolder();
    try {
      const folder = `${dir.path}/plugins`;
      await writeFile(folder, "b.ts", JS);
      await writeFile(folder, "a.ts", JS);
      await writeFile(folder, "B.ts", JS); // upper case sorts first in code-unit order
      await writeFile(folder, "10-x.ts", JS);
      await writeFile(folder, "2-y.ts", JS);
      await writeFile(folder, "c.mts", JS);
      await writeFile(folder, "notify", SH, true);
      await writeFile(folder, "README.md", "# not a plugin\n"); // not executable: ignored
      await writeFile(folder, "script.sh", SH, false); // not executable: ignored
      await writeFile(folder, "portctl.d.ts", "export type X = 1;\n"); // types only: ignored
      await writeFile(folder, ".hidden.ts", JS); // hidden: ignored
      await writeFile(folder, "lib/helper.ts", JS); // sub-folder: helpers, ignored
      await Deno.symlink(`${folder}/a.ts`, `${folder}/z-link.ts`);
      await Deno.symlink(`${folder}/missing`, `${folder}/dangling`); // not a JS name: ignored
      const found = discoverPlugins({
        cwd: dir.path,
        env: { PORTCTL_PLUGIN_PATH: folder },
        os: "linux",
      });
      assertEquals(found.plugins.map((p) => `${p.kind}:${p.name}`), [
        "js:10-x",
        "js:2-y",
        "js:B",
        "js:a",
        "js:b",
        "js:c",
        "exec:notify",
        "js:z-link",
      ]);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "discovery: a file found twice runs once, at its first place",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const home = `${dir.path}/home`;
      const user = await writeFile(home, ".config/portctl/plugins/p.ts", JS);
      await writeFile(home, ".config/portctl/plugins/q.ts", JS);
      const found = discoverPlugins({
        pluginFiles: [user],
        cwd: dir.path,
        env: { HOME: home, PORTCTL_PLUGIN_PATH: `${home}/.config/portctl/plugins` },
        os: "linux",
      });
      assertEquals(found.plugins.map((p) => `${p.source}:${p.name}`), ["flag:p", "env:q"]);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test("discovery: --plugin errors are usage errors naming the file", async () => {
  const dir = await tempFolder();
  try {
    await writeFile(dir.path, "notes.txt", "hello\n");
    const options = { cwd: dir.path, env: {}, os: "linux" as const };
    assertThrows(
      () => discoverPlugins({ ...options, pluginFiles: ["missing.ts"] }),
      PluginUsageError,
      "--plugin missing.ts: no such file",
    );
    assertThrows(
      () => discoverPlugins({ ...options, pluginFiles: ["notes.txt"] }),
      PluginUsageError,
      "--plugin notes.txt: not a plugin: expected a .js, .ts, .mjs or .mts file, an executable",
    );
  } finally {
    await dir.cleanup();
  }
});

Deno.test("discovery: --plugin may name a folder", async () => {
  const dir = await tempFolder();
  try {
    await writeFile(dir.path, "set/one.ts", JS);
    await writeFile(dir.path, "set/two.ts", JS);
    const found = discoverPlugins({ pluginFiles: ["set"], cwd: dir.path, env: {}, os: "linux" });
    assertEquals(found.plugins.map((p) => `${p.source}:${p.name}`), ["flag:one", "flag:two"]);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("discovery: --no-plugins finds nothing, not even a bad --plugin", () => {
  const found = discoverPlugins({
    noPlugins: true,
    pluginFiles: ["/does/not/exist.ts"],
    cwd: "/",
    env: { PORTCTL_PLUGIN_PATH: "/tmp" },
  });
  assertEquals(found, { plugins: [], problems: [], folders: [], project: null });
});

Deno.test({
  name: "discovery: a relative PORTCTL_PLUGIN_PATH entry is ignored with a warning",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      // A cloned repository's tools/portctl would otherwise run wherever you cd.
      await writeFile(dir.path, "tools/portctl/evil.sh", SH, true);
      const rec = recorder();
      const found = discoverPlugins({
        cwd: dir.path,
        env: { PORTCTL_PLUGIN_PATH: "tools/portctl:./tools/portctl" },
        os: "linux",
        warn: rec.warn,
      });
      assertEquals(found.plugins, []);
      assertEquals(rec.warnings, [
        "PORTCTL_PLUGIN_PATH entry tools/portctl is not an absolute path and was ignored",
        "PORTCTL_PLUGIN_PATH entry ./tools/portctl is not an absolute path and was ignored",
      ]);
    } finally {
      await dir.cleanup();
    }
  },
});

// Files another user owns need root to make; as another user these tests cannot set up.
const isRoot = !onWindows && Deno.uid() === 0;
if (!onWindows && !isRoot) {
  console.log("skipping the ownership tests: making another user's file needs root (run as root)");
}

Deno.test({
  name: "discovery: plugin files another user could change are problems, not plugins",
  ignore: !isRoot,
  async fn() {
    const dir = await tempFolder();
    try {
      const nobody = Number(
        new TextDecoder().decode(
          new Deno.Command("id", { args: ["-u", "nobody"] }).outputSync().stdout,
        ).trim(),
      );
      const ownedByNobody = await writeFile(dir.path, "a/theirs.ts", JS);
      Deno.chownSync(ownedByNobody, nobody, null);
      const worldWritable = await writeFile(dir.path, "b/open.ts", JS);
      Deno.chmodSync(worldWritable, 0o666);
      const groupWritable = await writeFile(dir.path, "c/group.ts", JS);
      Deno.chownSync(groupWritable, 0, 100); // group "users": not a group of root alone
      Deno.chmodSync(groupWritable, 0o664);
      const openFolder = `${dir.path}/d`;
      await writeFile(openFolder, "fine.ts", JS);
      Deno.chmodSync(openFolder, 0o777); // anyone could add a plugin to it
      const fine = await writeFile(dir.path, "e/fine.ts", JS);
      for (
        const [path, why] of [
          [ownedByNobody, "is owned by nobody (uid 65534), not by you or root"],
          [worldWritable, "is writable by every user (mode 0666)"],
          [groupWritable, "is writable by group"],
          [openFolder, `${openFolder} is writable by every user (mode 0777)`],
        ]
      ) {
        const found = discoverPlugins({
          cwd: dir.path,
          env: { PORTCTL_PLUGIN_PATH: path },
          os: "linux",
        });
        assertEquals(found.plugins, [], path);
        assertEquals(found.problems.length, 1, path);
        assertEquals(found.problems[0].source, "env");
        assertIncludes(found.problems[0].message, why);
      }
      // Sticky, world-writable folders above (the temp folder's /tmp) are fine.
      const ok = discoverPlugins({
        cwd: dir.path,
        env: { PORTCTL_PLUGIN_PATH: fine },
        os: "linux",
      });
      assertEquals([ok.plugins.map((p) => p.name), ok.problems], [["fine"], []]);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "discovery: a broken link to a plugin or to a plugin folder is a problem, not nothing",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      // Dotfiles moved: the protection a link pointed to must not silently disappear.
      await Deno.mkdir(`${dir.path}/plugins`);
      await Deno.symlink(`${dir.path}/moved/protect.ts`, `${dir.path}/plugins/protect.ts`);
      await Deno.symlink(`${dir.path}/moved/plugins`, `${dir.path}/linked`);
      for (
        const [entry, message] of [
          [`${dir.path}/plugins`, `plugin ${dir.path}/plugins/protect.ts is a link to a file that`],
          [`${dir.path}/linked`, `cannot read plugin folder ${dir.path}/linked`],
        ]
      ) {
        const found = discoverPlugins({
          cwd: dir.path,
          env: { PORTCTL_PLUGIN_PATH: entry },
          os: "linux",
        });
        assertEquals(found.plugins, []);
        assertIncludes(found.problems[0]?.message ?? "", message);
      }
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "discovery: a plugin reached through a link runs from the real path that was checked",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      // Were the link re-pointed between the check and a later hook, the checked file still runs.
      const real = await writeFile(dir.path, "real/check.sh", SH, true);
      await Deno.symlink(`${dir.path}/real`, `${dir.path}/link`);
      const found = discoverPlugins({
        cwd: dir.path,
        env: { PORTCTL_PLUGIN_PATH: `${dir.path}/link` },
        os: "linux",
      });
      assertEquals(found.plugins.map((p) => [p.path, p.runPath]), [
        [`${dir.path}/link/check.sh`, real],
      ]);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "discovery: a path-list entry that is not a plugin is a warning",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const notes = await writeFile(dir.path, "notes.txt", "x\n");
      const rec = recorder();
      const found = discoverPlugins({
        cwd: dir.path,
        env: { PORTCTL_PLUGIN_PATH: notes },
        os: "linux",
        warn: rec.warn,
      });
      assertEquals(found.plugins, []);
      assertEquals(rec.warnings.length, 1);
      assertEquals(
        rec.warnings[0].startsWith(`PORTCTL_PLUGIN_PATH entry ${notes} is not a plugin`),
        true,
      );
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "discovery: XDG_CONFIG_HOME wins over ~/.config; a relative one is ignored",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      await writeFile(dir.path, "xdg/portctl/plugins/from-xdg.ts", JS);
      await writeFile(dir.path, "home/.config/portctl/plugins/from-home.ts", JS);
      const names = (env: Record<string, string>) =>
        discoverPlugins({ cwd: dir.path, env, os: "linux" }).plugins.map((p) => p.name);
      assertEquals(names({ HOME: `${dir.path}/home`, XDG_CONFIG_HOME: `${dir.path}/xdg` }), [
        "from-xdg",
      ]);
      assertEquals(names({ HOME: `${dir.path}/home` }), ["from-home"]);
      assertEquals(names({ HOME: `${dir.path}/home`, XDG_CONFIG_HOME: "xdg" }), ["from-home"]);
      assertEquals(names({}), []);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test("discovery: user folders per OS", () => {
  assertEquals(userPluginFolders({ HOME: "/home/ada" }, "linux"), [
    "/home/ada/.config/portctl/plugins",
  ]);
  assertEquals(userPluginFolders({ HOME: "/Users/ada", XDG_CONFIG_HOME: "/cfg" }, "darwin"), [
    "/cfg/portctl/plugins",
    "/Users/ada/Library/Application Support/portctl/plugins",
  ]);
  assertEquals(
    userPluginFolders({ APPDATA: "C:\\Users\\Ada\\AppData\\Roaming" }, "windows"),
    ["C:\\Users\\Ada\\AppData\\Roaming\\portctl\\plugins"],
  );
  assertEquals(userPluginFolders({ UserProfile: "C:\\Users\\Ada" }, "windows"), [
    "C:\\Users\\Ada\\AppData\\Roaming\\portctl\\plugins",
  ]);
  assertEquals(userConfigDir({}, "linux"), null);
  assertEquals(envValue({ Path: "C:\\bin" }, "PATH", "windows"), "C:\\bin");
  assertEquals(envValue({ Path: "/bin" }, "PATH", "linux"), undefined);
});

Deno.test("discovery: the nearest .portctl/plugins in cwd or a parent", async () => {
  const dir = await tempFolder();
  try {
    await Deno.mkdir(`${dir.path}/a/.portctl/plugins`, { recursive: true });
    await Deno.mkdir(`${dir.path}/a/b/.portctl/plugins`, { recursive: true });
    await Deno.mkdir(`${dir.path}/a/b/c/d`, { recursive: true });
    await Deno.mkdir(`${dir.path}/a/x/.portctl`, { recursive: true }); // no plugins folder
    assertEquals(
      findProjectPluginFolder(`${dir.path}/a/b/c/d`, "linux"),
      `${dir.path}/a/b/.portctl/plugins`,
    );
    assertEquals(
      findProjectPluginFolder(`${dir.path}/a/x`, "linux"),
      `${dir.path}/a/.portctl/plugins`,
    );
    assertEquals(findProjectPluginFolder(dir.path, "linux"), null);
  } finally {
    await dir.cleanup();
  }
});
