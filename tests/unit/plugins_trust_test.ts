/**
 * Project plugins and trust, on real folders: what is trusted is exactly what runs (from a private
 * snapshot), nothing another user could change is trusted, and a trusted folder that changed or
 * became unsafe lets nothing be signalled.
 */

import { assert, assertEquals, assertIncludes, assertRejects } from "../support/assert.ts";
import { loadKillHooks, type LoadKillHooksOptions } from "../../src/plugins/mod.ts";
import { trustProjectPlugins } from "../../src/plugins/listing.ts";
import { PluginUsageError } from "../../src/plugins/errors.ts";
import { NO_HOOKS } from "../../src/core/hooks.ts";
import { currentIdentity } from "../../src/plugins/file_safety.ts";
import { FOLDER_LIMITS, readPluginFolder } from "../../src/plugins/folder_content.ts";
import { recordTrust, trustFilePath } from "../../src/plugins/trust.ts";
import { snapshotRoot } from "../../src/plugins/snapshot.ts";
import { beforeContext, isolatedEnv, recorder, tempFolder, writeFile } from "./plugins_support.ts";

// These trust real folders under Linux's rules (`os: "linux"`: `/` paths, `$HOME/.config`, exec
// bits, owners and modes); Windows temp folders have drive-letter paths and no Unix modes.
const onWindows = Deno.build.os === "windows";
if (onWindows) {
  console.log(
    "skipping the trust tests on real folders: they apply Linux path rules and Unix file modes, " +
      "which Windows does not have",
  );
}
const isRoot = !onWindows && Deno.uid() === 0;
if (!onWindows && !isRoot) {
  console.log("skipping the trust tests with another user's folders: making them needs root");
}

const who = currentIdentity();

const VETO = `export default {
  name: "veto",
  beforeKill(ctx) {
    Deno.writeTextFileSync(ctx.env.MARK_DIR + "/ran", "x");
    return { skip: "project says no" };
  },
};
`;

function nobodyUid(): number {
  const out = new Deno.Command("id", { args: ["-u", "nobody"] }).outputSync();
  return Number(new TextDecoder().decode(out.stdout).trim());
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** A project with `files` in its `.portctl/plugins`, a home, and a loader for its hooks. */
async function project(root: string, files: Record<string, string>) {
  const dir = `${root}/work/app`;
  for (const [name, text] of Object.entries(files)) {
    await writeFile(dir, `.portctl/plugins/${name}`, text, name.endsWith(".sh"));
  }
  const env = isolatedEnv(`${root}/home`, { MARK_DIR: root });
  const rec = recorder();
  const load = (extra: Partial<LoadKillHooksOptions> = {}) =>
    loadKillHooks({
      pluginFiles: [],
      noPlugins: false,
      pluginTimeoutMs: 5_000,
      cwd: dir,
      env,
      os: "linux",
      signals: ["SIGTERM", "SIGINT", "SIGKILL"],
      warn: rec.warn,
      log: rec.log,
      ...extra,
    });
  return { dir, folder: `${dir}/.portctl/plugins`, env, rec, load };
}

Deno.test({
  name: "trust: the hash follows names, contents, exec bits and helper files",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const folder = `${dir.path}/p`;
      await writeFile(folder, "a.ts", "export default { afterKill() {} };\n");
      await writeFile(folder, "lib/util.ts", "export const x = 1;\n");
      const first = await readPluginFolder(folder, "linux", who);
      assert(/^sha256:[0-9a-f]{64}$/.test(first.hash), first.hash);
      assertEquals(first.files.map((f) => f.relative), ["a.ts", "lib/util.ts"]);
      assertEquals((await readPluginFolder(folder, "linux", who)).hash, first.hash, "stable");

      const changes: [string, () => Promise<unknown>][] = [
        ["content", () => writeFile(folder, "a.ts", "export default { afterKill() { } };\n")],
        ["helper", () => writeFile(folder, "lib/util.ts", "export const x = 2;\n")],
        ["exec bit", () => Deno.chmod(`${folder}/lib/util.ts`, 0o755)],
        ["new file", () => writeFile(folder, "b.sh", "#!/bin/sh\n", true)],
        ["rename", () => Deno.rename(`${folder}/b.sh`, `${folder}/c.sh`)],
        ["removal", () => Deno.remove(`${folder}/c.sh`)],
      ];
      let previous = first.hash;
      for (const [what, change] of changes) {
        await change();
        const { hash } = await readPluginFolder(folder, "linux", who);
        assert(hash !== previous, `hash did not change after ${what}`);
        previous = hash;
      }
      assertEquals(previous, (await readPluginFolder(folder, "linux", who)).hash);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "trust: untrusted is mentioned and not run; trust lists each file; changed runs nothing",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const p = await project(dir.path, { "veto.ts": VETO });
      await Deno.mkdir(`${p.dir}/src`, { recursive: true });

      const untrusted = await p.load({ cwd: `${p.dir}/src` });
      assert(untrusted === NO_HOOKS);
      assertEquals(p.rec.warnings.length, 1);
      assertIncludes(p.rec.warnings[0], `project plugins in ${p.folder} are not trusted`);
      assertIncludes(p.rec.warnings[0], `run "portctl plugins trust" in ${p.dir}`);

      // Trusted from a sub-folder: the nearest .portctl/plugins is the one recorded.
      const report = await trustProjectPlugins(`${p.dir}/src`, p.env, "linux");
      assertEquals(report.folder, p.folder);
      assertEquals(report.owner, Deno.uid() === 0 ? "root" : report.owner);
      assertEquals(report.files.map((f) => [f.path, f.size, f.executable]), [
        [`${p.folder}/veto.ts`, VETO.length, false],
      ]);
      assert(/^[0-9a-f]{12}$/.test(report.files[0].hash), report.files[0].hash);
      const trustFile = trustFilePath(p.env, "linux")!;
      assertEquals(report.trustFile, trustFile);
      assertEquals((await Deno.stat(trustFile)).mode! & 0o777, 0o600);
      assertEquals((await Deno.stat(`${dir.path}/home/.config/portctl`)).mode! & 0o777, 0o700);

      p.rec.warnings.length = 0;
      const trusted = await p.load();
      assertEquals(await trusted.beforeKill(beforeContext()), {
        kind: "skip",
        plugin: "veto",
        reason: "project says no",
      });
      trusted.close();
      assertEquals(p.rec.warnings, []);

      // Changed: every process is refused (nothing signalled), with both ways out.
      await writeFile(p.dir, ".portctl/plugins/veto.ts", VETO.replace("says no", "edited"));
      await Deno.remove(`${dir.path}/ran`);
      const changed = await p.load();
      const decision = await changed.beforeKill(beforeContext());
      assertEquals(decision.kind, "failed");
      if (decision.kind === "failed") {
        assertIncludes(decision.message, `project plugins in ${p.folder} changed since`);
        assertIncludes(decision.message, "nothing was signalled");
        assertIncludes(decision.message, `run "portctl plugins trust" in ${p.dir}`);
        assertIncludes(decision.message, "or run with --no-plugins");
      }
      assertEquals(await exists(`${dir.path}/ran`), false);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "trust: what runs is the trusted bytes, from a private snapshot, whatever the disk says",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const p = await project(dir.path, {
        "veto.ts": `import { reason } from "./lib/reason.ts";
export default { beforeKill: () => ({ skip: reason }) };
`,
        "lib/reason.ts": `export const reason = "trusted bytes";\n`,
      });
      await trustProjectPlugins(p.dir, p.env, "linux");
      const hooks = await p.load();
      // Swapped after the check, before the hook runs (a writer racing the kill): not what runs.
      await writeFile(p.dir, ".portctl/plugins/veto.ts", "export default { beforeKill() {} };\n");
      await writeFile(
        p.dir,
        ".portctl/plugins/lib/reason.ts",
        `export const reason = "swapped";\n`,
      );
      assertEquals(await hooks.beforeKill(beforeContext()), {
        kind: "skip",
        plugin: "veto",
        reason: "trusted bytes",
      });
      hooks.close();
      const root = snapshotRoot(p.env, "linux")!;
      assertEquals(root, `${dir.path}/home/.cache/portctl/trusted-plugins`);
      assertEquals((await Deno.stat(root)).mode! & 0o777, 0o700);
      const [snapshot] = [...Deno.readDirSync(root)].map((e) => `${root}/${e.name}`);
      assertEquals(
        await Deno.readTextFile(`${snapshot}/lib/reason.ts`),
        `export const reason = "trusted bytes";\n`,
      );
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "trust: imports from outside the folder are refused, at trust time and at run time",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      await writeFile(`${dir.path}/work`, "lib/helper.ts", `export const ok = true;\n`);
      const cases: [string, string][] = [
        [`import { ok } from "../../../lib/helper.ts";`, `"../../../lib/helper.ts"`],
        [`import { ok } from "${dir.path}/work/lib/helper.ts";`, "only relative imports"],
        [`const { ok } = await import("npm:is-number@7.0.0");`, `"npm:is-number@7.0.0"`],
        [`const m = "./x.ts"; const { ok } = await import(m);`, "a computed import() cannot"],
      ];
      for (const [line, why] of cases) {
        const p = await project(`${dir.path}/${crypto.randomUUID()}`, {
          "guard.ts": `${line}\nexport default { beforeKill: () => ({ skip: String(ok) }) };\n`,
        });
        await assertRejects(
          () => trustProjectPlugins(p.dir, p.env, "linux"),
          PluginUsageError,
          `cannot trust ${p.folder}: guard.ts line 1 imports`,
        );
        await assertRejects(() => trustProjectPlugins(p.dir, p.env, "linux"), Error, why);
        // Trusted by a version of portctl that did not check: refused as failed, not run.
        const content = await readPluginFolder(p.folder, "linux", who);
        recordTrust(content.folder, content.hash, { env: p.env, os: "linux", who });
        const decision = await (await p.load()).beforeKill(beforeContext());
        assertEquals(decision.kind, "failed", line);
        if (decision.kind === "failed") {
          assertIncludes(decision.message, "are not safe to run (guard.ts line 1 imports");
        }
      }
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "trust: a link out of the folder and an oversized folder are refused at once",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const linked = await project(`${dir.path}/a`, { "veto.ts": VETO });
      await Deno.symlink("/usr/lib", `${linked.folder}/lib`);
      const started = performance.now();
      await assertRejects(
        () => trustProjectPlugins(linked.dir, linked.env, "linux"),
        PluginUsageError,
        `${linked.folder}/lib is a link to /usr/lib, outside the folder`,
      );
      assert(performance.now() - started < 2_000, "followed the link into /usr/lib");

      const big = await project(`${dir.path}/b`, { "veto.ts": VETO });
      for (let i = 0; i < FOLDER_LIMITS.files; i++) {
        await Deno.writeTextFile(`${big.folder}/f${i}.txt`, "x");
      }
      await assertRejects(
        () => trustProjectPlugins(big.dir, big.env, "linux"),
        PluginUsageError,
        `holds more than ${FOLDER_LIMITS.files} files`,
      );
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "trust: a project another user could change is refused, from the project root down",
  ignore: !isRoot,
  async fn() {
    const dir = await tempFolder();
    try {
      const nobody = nobodyUid();
      // The classic trap: a project folder in a sticky /tmp-like folder, made by someone else.
      const p = await project(dir.path, { "veto.ts": VETO });
      await trustProjectPlugins(p.dir, p.env, "linux");
      Deno.chownSync(p.dir, nobody, null);
      await assertRejects(
        () => trustProjectPlugins(p.dir, p.env, "linux"),
        PluginUsageError,
        `${p.dir} is owned by nobody (uid ${nobody}), not by you or root`,
      );
      const decision = await (await p.load()).beforeKill(beforeContext());
      assertEquals(decision.kind, "failed");
      if (decision.kind === "failed") {
        assertIncludes(decision.message, `are not safe to run (${p.dir} is owned by nobody`);
      }
      assertEquals(await exists(`${dir.path}/ran`), false);
      Deno.chownSync(p.dir, 0, null);

      // A plugin file someone else may write, and a sticky but world-writable plugin folder.
      Deno.chmodSync(`${p.folder}/veto.ts`, 0o646);
      await assertRejects(
        () => trustProjectPlugins(p.dir, p.env, "linux"),
        PluginUsageError,
        "veto.ts is writable by every user (mode 0646)",
      );
      Deno.chmodSync(`${p.folder}/veto.ts`, 0o644);
      Deno.chmodSync(p.folder, 0o1777);
      await assertRejects(
        () => trustProjectPlugins(p.dir, p.env, "linux"),
        PluginUsageError,
        `${p.folder} is writable by every user (mode 1777)`,
      );
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "trust: a trust file another user could change, or a broken one, is exit 2",
  ignore: !isRoot,
  async fn() {
    const dir = await tempFolder();
    try {
      const p = await project(dir.path, { "veto.ts": VETO });
      await trustProjectPlugins(p.dir, p.env, "linux");
      const config = `${dir.path}/home/.config/portctl`;
      // Another user could add a trust entry: refused, whatever the entries say.
      Deno.chmodSync(config, 0o777);
      await assertRejects(
        () => p.load(),
        PluginUsageError,
        `the trust file ${config}/trust.json is not safe: ${config} is writable by every user`,
      );
      Deno.chmodSync(config, 0o700);
      Deno.chownSync(`${config}/trust.json`, nobodyUid(), null);
      await assertRejects(() => p.load(), PluginUsageError, "trust.json is owned by nobody");
      Deno.chownSync(`${config}/trust.json`, 0, null);
      await Deno.writeTextFile(`${config}/trust.json`, "{ not json");
      await assertRejects(() => p.load(), PluginUsageError, "is not valid JSON");
      await assertRejects(
        () => trustProjectPlugins(p.dir, p.env, "linux"),
        PluginUsageError,
        "is not valid JSON",
      );
      await Deno.writeTextFile(`${config}/trust.json`, `{"folders":{"/x":{"hash":1}}}`);
      await assertRejects(() => p.load(), PluginUsageError, "has a bad entry for /x");
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "trust: a snapshot folder that is a link is refused, and what it points to is not touched",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const p = await project(dir.path, { "veto.ts": VETO });
      await trustProjectPlugins(p.dir, p.env, "linux");
      // Planted where portctl keeps snapshots: a link to a folder portctl must not chmod.
      const victim = `${dir.path}/victim`;
      await Deno.mkdir(victim, { mode: 0o755 });
      await Deno.chmod(victim, 0o755);
      await Deno.mkdir(`${dir.path}/home/.cache/portctl`, { recursive: true });
      await Deno.symlink(victim, `${dir.path}/home/.cache/portctl/trusted-plugins`);
      const decision = await (await p.load()).beforeKill(beforeContext());
      assertEquals(decision.kind, "failed");
      if (decision.kind === "failed") {
        assertIncludes(decision.message, `trusted-plugins is a link (to ${victim})`);
      }
      assertEquals((await Deno.stat(victim)).mode! & 0o777, 0o755);
      assertEquals([...Deno.readDirSync(victim)], []);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "trust: a trusted project folder runs after the user's own plugins",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const p = await project(dir.path, { "veto.ts": VETO });
      await writeFile(
        `${dir.path}/home`,
        ".config/portctl/plugins/mine.ts",
        `export default { beforeKill: () => ({ skip: "mine first" }) };\n`,
      );
      await trustProjectPlugins(p.dir, p.env, "linux");
      const hooks = await p.load();
      assertEquals(await hooks.beforeKill(beforeContext()), {
        kind: "skip",
        plugin: "mine",
        reason: "mine first",
      });
      hooks.close();
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "trust: other folders keep their trust; a copy elsewhere is not trusted",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const one = await project(`${dir.path}/one`, { "veto.ts": VETO });
      const two = await project(`${dir.path}/two`, { "veto.ts": VETO });
      const env = one.env;
      await trustProjectPlugins(one.dir, env, "linux");
      const rec = recorder();
      assert(await two.load({ env, warn: rec.warn }) === NO_HOOKS);
      assertIncludes(rec.warnings[0], "are not trusted");
      await trustProjectPlugins(two.dir, env, "linux");
      const store = JSON.parse(await Deno.readTextFile(trustFilePath(env, "linux")!));
      assertEquals(Object.keys(store.folders).sort(), [one.folder, two.folder]);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test("trust: no .portctl/plugins folder is a usage error", async () => {
  const dir = await tempFolder();
  try {
    await assertRejects(
      () => trustProjectPlugins(dir.path, isolatedEnv(`${dir.path}/home`), "linux"),
      PluginUsageError,
      `no .portctl/plugins folder in ${dir.path} or a parent: nothing to trust`,
    );
  } finally {
    await dir.cleanup();
  }
});
