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
      const rows = before.stdout.trim().split("\n").map((line) => line.split(/\s+/));
      assertEquals(rows[0], ["NAME", "KIND", "FROM", "TRUSTED", "HOOKS", "PATH"]);
      assertEquals(rows[1], [
        "notify",
        "exec",
        "user",
        "yes",
        "before-kill,after-kill",
        `${user}/notify.sh`,
      ]);
      assertEquals(rows[2], ["protect", "js", "user", "yes", "beforeKill", `${user}/protect.ts`]);
      assertEquals(rows[3].slice(0, 5), ["log-kills", "js", "project", "NO", "?"]);
      assertIncludes(before.stdout, '"portctl plugins trust"');

      const trust = await plugins(["trust"], env, project);
      assertEquals(trust.code, 0, trust.stderr);
      assertIncludes(trust.stdout, `trusted ${project}/.portctl/plugins (1 file)`);

      const json = await plugins(["list", "--json"], env, project);
      const listed = JSON.parse(json.stdout) as { name: string; trust: string; hooks: string[] }[];
      assertEquals(listed.map((l) => [l.name, l.trust, l.hooks.join()]), [
        ["notify", "implicit", "before-kill,after-kill"],
        ["protect", "implicit", "beforeKill"],
        ["log-kills", "trusted", "afterKill"],
      ]);

      await Deno.writeTextFile(`${project}/.portctl/plugins/extra.ts`, "export default {};\n");
      const changed = await plugins(["list"], env, project);
      assert(changed.stdout.split("\n").some((l) => /^log-kills\s+js\s+project\s+CHANGED/.test(l)));
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
