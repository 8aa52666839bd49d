/**
 * `portctl plugins list` and `portctl plugins trust` (src/cli/plugins.ts) in a real process,
 * with real plugin files in a temp home and project.
 */

import { fileURLToPath } from "node:url";
import { assert, assertEquals, assertIncludes } from "../support/assert.ts";
import { isolatedEnv } from "../support/portctl.ts";

const DRIVER = fileURLToPath(new URL("./plugins_cli_driver.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));
const EXAMPLES = new URL("../../plugins/", import.meta.url).pathname;

// The list/trust test puts its plugins where Linux and macOS look ($XDG_CONFIG_HOME; Windows looks
// in %APPDATA%) and lists notify.sh, which is a plugin by its exec bit (Windows has none).
const onWindows = Deno.build.os === "windows";
if (onWindows) {
  console.log(
    "skipping plugins list / trust: its user plugins are in $XDG_CONFIG_HOME and one is an " +
      "exec-bit #!/bin/sh plugin; Windows reads %APPDATA% and runs .exe/.cmd/.bat/.ps1 plugins",
  );
}

/** Who owns what this test creates, as `plugins trust` names it. */
function owner(): string {
  if (Deno.uid() === 0) return "root";
  const id = (flag: string) =>
    new TextDecoder().decode(new Deno.Command("id", { args: [flag] }).outputSync().stdout).trim();
  return `${id("-un")} (uid ${id("-u")})`;
}

async function plugins(args: string[], env: Record<string, string>, cwd: string) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", "--config", CONFIG, DRIVER, "plugins", ...args],
    env: { NO_COLOR: "1", ...env },
    cwd,
    stdin: "null",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

Deno.test({
  name: "portctl plugins list / trust: untrusted, trusted, changed",
  ignore: onWindows,
  async fn() {
    const env = isolatedEnv();
    const project = await Deno.realPath(await Deno.makeTempDir({ prefix: "portctl_project_" }));
    try {
      const user = `${env.XDG_CONFIG_HOME}/portctl/plugins`;
      await Deno.mkdir(user, { recursive: true });
      await Deno.copyFile(`${EXAMPLES}protect.ts`, `${user}/protect.ts`);
      await Deno.copyFile(`${EXAMPLES}notify.sh`, `${user}/notify.sh`);
      await Deno.chmod(`${user}/notify.sh`, 0o755);
      await Deno.mkdir(`${project}/.portctl/plugins`, { recursive: true });
      await Deno.copyFile(`${EXAMPLES}log-kills.ts`, `${project}/.portctl/plugins/log-kills.ts`);

      const before = await plugins(["list"], env, project);
      assertEquals(before.code, 0, before.stderr);
      const rows = before.stdout.trim().split("\n").map((line) => line.split(/\s{2,}/));
      assertEquals(rows[0], ["NAME", "KIND", "FROM", "RUNS", "HOOKS", "PATH"]);
      assertEquals(rows[1], [
        "notify",
        "exec",
        "user",
        "yes (yours)",
        "before-kill,stop,after-kill",
        `${user}/notify.sh`,
      ]);
      assertEquals(rows[2], [
        "protect",
        "js",
        "user",
        "yes (yours)",
        "beforeKill",
        `${user}/protect.ts`,
      ]);
      assertEquals(rows[3].slice(0, 5), ["log-kills", "js", "project", "NO: not trusted", "?"]);
      assertIncludes(before.stdout, '"portctl plugins trust"');

      // Trust names the folder, its owner and every file with a short hash and its size.
      const trust = await plugins(["trust"], env, project);
      assertEquals(trust.code, 0, trust.stderr);
      const size = (await Deno.stat(`${project}/.portctl/plugins/log-kills.ts`)).size;
      const lines = trust.stdout.trim().split("\n");
      assertEquals(lines[0], `trusted ${project}/.portctl/plugins, owned by ${owner()} (1 file):`);
      assert(
        new RegExp(`^  [0-9a-f]{12}  ${size} B  -  ${project}/.portctl/plugins/log-kills.ts$`)
          .test(lines[1]),
        lines[1],
      );
      assertIncludes(lines[2], `recorded in ${env.XDG_CONFIG_HOME}/portctl/trust.json`);

      const json = await plugins(["list", "--json"], env, project);
      const listed = JSON.parse(json.stdout) as {
        folders: { path: string; state: string }[];
        plugins: { name: string; state: string; hooks: string[] }[];
      };
      assertEquals(listed.plugins.map((l) => [l.name, l.state, l.hooks.join()]), [
        ["notify", "own", "before-kill,stop,after-kill"],
        ["protect", "own", "beforeKill"],
        ["log-kills", "trusted", "afterKill"],
      ]);
      assertEquals(listed.folders.map((f) => [f.path, f.state]), [
        [user, "own"],
        [`${project}/.portctl/plugins`, "trusted"],
      ]);

      await Deno.writeTextFile(`${project}/.portctl/plugins/extra.ts`, "export default {};\n");
      const changed = await plugins(["list"], env, project);
      assert(
        changed.stdout.split("\n").some((l) => /^log-kills\s+js\s+project\s+NO: changed/.test(l)),
        changed.stdout,
      );
      assertIncludes(
        changed.stdout,
        `NO: changed ${project}/.portctl/plugins (project): its files changed since they were trusted`,
      );
    } finally {
      await Deno.remove(project, { recursive: true });
      await Deno.remove(env.HOME, { recursive: true });
    }
  },
});

Deno.test("portctl plugins trust outside a project: one line, exit 2", async () => {
  const env = isolatedEnv();
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "portctl_noproject_" }));
  try {
    const run = await plugins(["trust"], env, dir);
    assertEquals(run.code, 2);
    assertEquals(
      run.stderr.trim(),
      `portctl: no .portctl/plugins folder in ${dir} or a parent: nothing to trust`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(env.HOME, { recursive: true });
  }
});
