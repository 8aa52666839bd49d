import { assert, assertEquals, assertIncludes, assertRejects } from "../support/assert.ts";
import { loadKillHooks, trustProjectPlugins } from "../../src/plugins/mod.ts";
import { PluginUsageError } from "../../src/plugins/errors.ts";
import { NO_HOOKS } from "../../src/core/hooks.ts";
import {
  hashPluginFolder,
  projectTrustState,
  readTrustStore,
  trustFilePath,
} from "../../src/plugins/trust.ts";
import { beforeContext, isolatedEnv, recorder, tempFolder, writeFile } from "./plugins_support.ts";

// These trust real folders under Linux's rules (`os: "linux"`: `/` paths, `$HOME/.config`, exec
// bits, a 0600 trust file); Windows temp folders have drive-letter paths and no Unix modes.
const onWindows = Deno.build.os === "windows";
if (onWindows) {
  console.log(
    "skipping the trust tests on real folders: they apply Linux path rules and Unix file modes, " +
      "which Windows does not have",
  );
}

const VETO = `export default {
  name: "veto",
  beforeKill(ctx) {
    Deno.writeTextFileSync(ctx.env.MARK_DIR + "/ran", "x");
    return { skip: "project says no" };
  },
};
`;

Deno.test({
  name: "trust: the hash follows names, contents, exec bits and helper files",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const folder = `${dir.path}/p`;
      await writeFile(folder, "a.ts", "export default { afterKill() {} };\n");
      await writeFile(folder, "lib/util.ts", "export const x = 1;\n");
      const first = await hashPluginFolder(folder, "linux");
      assert(/^sha256:[0-9a-f]{64}$/.test(first.hash), first.hash);
      assertEquals(first.files, 2);
      assertEquals((await hashPluginFolder(folder, "linux")).hash, first.hash, "stable");

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
        const { hash } = await hashPluginFolder(folder, "linux");
        assert(hash !== previous, `hash did not change after ${what}`);
        previous = hash;
      }
      // Back to the same content: back to the same hash.
      assertEquals(previous, (await hashPluginFolder(folder, "linux")).hash);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "trust: an untrusted project folder is mentioned once and never run",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const project = `${dir.path}/work/app`;
      await writeFile(project, ".portctl/plugins/veto.ts", VETO);
      await Deno.mkdir(`${project}/src`, { recursive: true });
      const env = isolatedEnv(`${dir.path}/home`, { MARK_DIR: dir.path });
      const rec = recorder();
      const load = () =>
        loadKillHooks({
          pluginFiles: [],
          noPlugins: false,
          pluginTimeoutMs: 2_000,
          cwd: `${project}/src`,
          env,
          os: "linux",
          warn: rec.warn,
          log: rec.log,
        });

      const untrusted = await load();
      assert(untrusted === NO_HOOKS);
      assertEquals(await untrusted.beforeKill(beforeContext()), { kind: "proceed" });
      assertEquals(rec.warnings.length, 1);
      assertIncludes(
        rec.warnings[0],
        `project plugins in ${project}/.portctl/plugins are not trusted`,
      );
      assertIncludes(rec.warnings[0], `run "portctl plugins trust" in ${project}`);

      // Trusted from a sub-folder: the nearest .portctl/plugins is the one recorded.
      const result = await trustProjectPlugins(`${project}/src`, env, "linux");
      assertEquals(result, { folder: `${project}/.portctl/plugins`, files: 1 });
      const store = readTrustStore(trustFilePath(env, "linux")!);
      assertEquals(Object.keys(store.folders), [`${project}/.portctl/plugins`]);
      assertEquals(trustFilePath(env, "linux"), `${dir.path}/home/.config/portctl/trust.json`);
      assertEquals((await Deno.stat(trustFilePath(env, "linux")!)).mode! & 0o777, 0o600);

      rec.warnings.length = 0;
      const trusted = await load();
      assertEquals(await trusted.beforeKill(beforeContext()), {
        kind: "skip",
        plugin: "veto",
        reason: "project says no",
      });
      assertEquals(rec.warnings, []);

      // Changed content: untrusted again until trusted anew.
      await writeFile(
        project,
        ".portctl/plugins/veto.ts",
        VETO.replace("project says no", "edited"),
      );
      assertEquals(await projectTrustState(`${project}/.portctl/plugins`, env, "linux"), "changed");
      await Deno.remove(`${dir.path}/ran`);
      const changed = await load();
      assert(changed === NO_HOOKS);
      assertEquals(rec.warnings.length, 1);
      assertIncludes(rec.warnings[0], "changed since they were trusted and did not run");
      let ran = true;
      await Deno.stat(`${dir.path}/ran`).catch(() => (ran = false));
      assertEquals(ran, false);

      await trustProjectPlugins(project, env, "linux");
      assertEquals(await projectTrustState(`${project}/.portctl/plugins`, env, "linux"), "trusted");
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
      const project = `${dir.path}/app`;
      const env = isolatedEnv(`${dir.path}/home`, { MARK_DIR: dir.path });
      await writeFile(project, ".portctl/plugins/veto.ts", VETO);
      await writeFile(
        `${dir.path}/home`,
        ".config/portctl/plugins/mine.ts",
        `export default { beforeKill: () => ({ skip: "mine first" }) };\n`,
      );
      await trustProjectPlugins(project, env, "linux");
      const hooks = await loadKillHooks({
        pluginFiles: [],
        noPlugins: false,
        pluginTimeoutMs: 2_000,
        cwd: project,
        env,
        os: "linux",
        warn: () => {},
        log: () => {},
      });
      assertEquals(await hooks.beforeKill(beforeContext()), {
        kind: "skip",
        plugin: "mine",
        reason: "mine first",
      });
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
      const env = isolatedEnv(`${dir.path}/home`);
      await writeFile(`${dir.path}/one`, ".portctl/plugins/veto.ts", VETO);
      await writeFile(`${dir.path}/two`, ".portctl/plugins/veto.ts", VETO);
      await trustProjectPlugins(`${dir.path}/one`, env, "linux");
      assertEquals(
        await projectTrustState(`${dir.path}/one/.portctl/plugins`, env, "linux"),
        "trusted",
      );
      assertEquals(
        await projectTrustState(`${dir.path}/two/.portctl/plugins`, env, "linux"),
        "untrusted",
      );
      await trustProjectPlugins(`${dir.path}/two`, env, "linux");
      const store = readTrustStore(trustFilePath(env, "linux")!);
      assertEquals(Object.keys(store.folders).sort(), [
        `${dir.path}/one/.portctl/plugins`,
        `${dir.path}/two/.portctl/plugins`,
      ]);
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

Deno.test({
  name: "trust: a broken trust file means untrusted, and trusting says what to fix",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const env = isolatedEnv(`${dir.path}/home`);
      await writeFile(`${dir.path}/app`, ".portctl/plugins/veto.ts", VETO);
      await writeFile(`${dir.path}/home`, ".config/portctl/trust.json", "{ not json");
      assertEquals(
        await projectTrustState(`${dir.path}/app/.portctl/plugins`, env, "linux"),
        "untrusted",
      );
      await assertRejects(
        () => trustProjectPlugins(`${dir.path}/app`, env, "linux"),
        Error,
        "is not valid JSON",
      );
    } finally {
      await dir.cleanup();
    }
  },
});
