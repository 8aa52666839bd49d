/**
 * Plugins through the real CLI: `deno run src/main.ts kill <port> --plugin FILE ...` against
 * real listeners this test starts (on 127.0.0.1:0), with real plugin files on disk. The listener
 * records every signal it receives, so the tests can tell which signal a plugin caused. Tests
 * only ever signal PIDs they started.
 */

import { assert, assertEquals, assertIncludes } from "../support/assert.ts";
import { portctl } from "../support/portctl.ts";
import { PLATFORM, running, startListener, withFixture } from "./plugins_fixture.ts";
import { trustProjectPlugins } from "../../src/plugins/listing.ts";

const EXAMPLES = new URL("../../plugins/", import.meta.url).pathname;

// The listener below tells which POSIX signal reached it; portctl's Windows backend ends processes
// its own way (Ctrl-C, WM_CLOSE, TerminateProcess), and some plugins here are #!/bin/sh scripts.
// The Windows CLI is tested in tests/windows/.
const onWindows = Deno.build.os === "windows";
if (onWindows) {
  console.log(
    "skipping the plugin kill tests: they check which POSIX signal the listener received and run " +
      "#!/bin/sh plugins; portctl ends Windows processes without POSIX signals",
  );
}

const VETO = `import type { BeforeKillContext, BeforeKillReply } from "${EXAMPLES}portctl.d.ts";

interface Rule { readonly reason: string }
const rule: Rule = { reason: "kept by the veto plugin" };

export default {
  name: "veto",
  beforeKill(ctx: BeforeKillContext): BeforeKillReply {
    ctx.log(\`keeping \${ctx.process.pid}\`);
    return { skip: rule.reason };
  },
};
`;

Deno.test({
  name:
    "kill --plugin: a typed .ts beforeKill veto leaves the process alive, exit 3; --no-plugins bypasses",
  ignore: onWindows,
  async fn() {
    await withFixture(async (f) => {
      const veto = await f.write("veto.ts", VETO);
      const listener = await startListener(f.dir);
      try {
        const run = await f.kill(listener.port, ["--plugin", veto]);
        assertEquals(run.code, 3, run.stderr);
        assertEquals(run.json.map((r) => [r.pid, r.outcome, r.signals]), [[
          listener.pid,
          "skipped",
          [],
        ]]);
        assertIncludes(run.json[0].message ?? "", "kept by the veto plugin");
        assertIncludes(run.stderr, `[veto] keeping ${listener.pid}`);
        assert(await running(listener.pid), "vetoed process must stay alive");
        assertEquals(listener.received(), []);

        const bypass = await f.kill(listener.port, ["--plugin", veto, "--no-plugins"]);
        assertEquals(bypass.code, 0, bypass.stderr);
        assertEquals(bypass.json[0].outcome, "ended");
        assertEquals(listener.received(), ["SIGTERM"]);
      } finally {
        await listener.stop();
      }
    });
  },
});

Deno.test({
  name: "kill --plugin: a signal override is the signal the process receives",
  ignore: onWindows,
  async fn() {
    await withFixture(async (f) => {
      const plugin = await f.write(
        "int.ts",
        `export default { beforeKill: () => ({ signal: "SIGINT" }) };\n`,
      );
      const listener = await startListener(f.dir);
      try {
        const run = await f.kill(listener.port, ["--plugin", plugin]);
        assertEquals(run.code, 0, run.stderr);
        assertEquals(run.json.map((r) => [r.outcome, r.signals]), [["ended", ["SIGINT"]]]);
        assertEquals(listener.received(), ["SIGINT"]);
      } finally {
        await listener.stop();
      }
    });
  },
});

Deno.test({
  name: "kill --plugin: a stop hook's handled waits for its own stop, escalates only when needed",
  ignore: onWindows,
  async fn() {
    await withFixture(async (f) => {
      // Stops the process itself (here with SIGHUP, as a `docker stop` would), then hands over.
      const stops = await f.write(
        "stops.ts",
        `export default { stop(ctx) { Deno.kill(ctx.process.pid, "SIGHUP"); return { handled: true }; } };\n`,
      );
      const listener = await startListener(f.dir);
      try {
        const run = await f.kill(listener.port, ["--plugin", stops]);
        assertEquals(run.code, 0, run.stderr);
        assertEquals(run.json.map((r) => [r.outcome, r.signals]), [["ended", []]]);
        assertEquals(listener.received(), ["SIGHUP"]); // portctl sent nothing
      } finally {
        await listener.stop();
      }

      // Claims to have handled it but did not: portctl waits --timeout, then escalates as usual.
      const claims = await f.write(
        "claims.ts",
        `export default { stop: () => ({ handled: true }) };\n`,
      );
      const stubborn = await startListener(f.dir, true);
      try {
        const started = performance.now();
        const run = await f.kill(stubborn.port, ["--plugin", claims, "--timeout", "0.3"]);
        assertEquals(run.code, 0, run.stderr);
        assertEquals(run.json.map((r) => [r.outcome, r.signals]), [["ended", [
          "SIGTERM",
          "SIGKILL",
        ]]]);
        assertEquals(stubborn.received(), ["SIGTERM"]);
        assert(performance.now() - started >= 600, "waited for the plugin, then for SIGTERM");
        assert(!(await running(stubborn.pid)));
      } finally {
        await stubborn.stop();
      }
    });
  },
});

Deno.test({
  name: "kill --plugin: afterKill receives the outcome (log-kills example)",
  ignore: onWindows,
  async fn() {
    await withFixture(async (f) => {
      const listener = await startListener(f.dir);
      try {
        const run = await f.kill(listener.port, ["--plugin", `${EXAMPLES}log-kills.ts`]);
        assertEquals(run.code, 0, run.stderr);
        const log = await Deno.readTextFile(`${f.env.XDG_STATE_HOME}/portctl/kills.log`);
        const record = JSON.parse(log.trim());
        assertEquals([record.pid, record.outcome, record.signal], [
          listener.pid,
          "ended",
          "SIGTERM",
        ]);
        assertEquals(record.ports, [`tcp:127.0.0.1:${listener.port}`]);
      } finally {
        await listener.stop();
      }
    });
  },
});

Deno.test({
  name: "kill --plugin: throwing, hanging and non-zero-exiting plugins leave the process alive",
  ignore: onWindows,
  async fn() {
    await withFixture(async (f) => {
      const cases: [string, string, boolean, string][] = [
        [
          "throws.ts",
          `export default { beforeKill() { throw new Error("drain endpoint is down"); } };\n`,
          false,
          "plugin throws failed: beforeKill failed: drain endpoint is down",
        ],
        [
          "hangs.ts",
          `export default { beforeKill: () => new Promise(() => {}) };\n`,
          false,
          "plugin hangs failed: beforeKill timed out after 0.5 s",
        ],
        [
          "exits.sh",
          `#!/bin/sh\ncat >/dev/null\necho "refusing" >&2\nexit 7\n`,
          true,
          "plugin exits failed: before-kill exited with status 7",
        ],
      ];
      const listener = await startListener(f.dir);
      try {
        for (const [name, text, exec, message] of cases) {
          const plugin = await f.write(name, text, exec);
          const run = await f.kill(listener.port, ["--plugin", plugin, "--plugin-timeout", "0.5"]);
          assertEquals(run.code, 3, `${name}: ${run.stderr}`);
          assertEquals(run.json.map((r) => [r.outcome, r.signals]), [["plugin-failed", []]], name);
          assertIncludes(run.json[0].message ?? "", message);
          assert(await running(listener.pid), `${name}: the process must stay alive`);
        }
        assertEquals(listener.received(), []);
      } finally {
        await listener.stop();
      }
    });
  },
});

Deno.test({
  name: "kill --plugin: an executable plugin gets valid JSON on stdin for both hooks",
  ignore: onWindows,
  async fn() {
    await withFixture(async (f) => {
      const plugin = await f.write(
        "capture.sh",
        `#!/bin/sh\ncat > "$MARK_DIR/$1.json"\n`,
        true,
      );
      const listener = await startListener(f.dir);
      try {
        const run = await f.kill(listener.port, ["--plugin", plugin]);
        assertEquals(run.code, 0, run.stderr);
        const before = JSON.parse(await Deno.readTextFile(`${f.dir}/before-kill.json`));
        assertEquals(before.hook, "before-kill");
        assertEquals(before.process.pid, listener.pid);
        assertEquals(before.sockets.map((s: { port: number }) => s.port), [listener.port]);
        assertEquals([before.signal, before.dryRun, before.platform, before.timeout], [
          "SIGTERM",
          false,
          PLATFORM,
          5,
        ]);
        const after = JSON.parse(await Deno.readTextFile(`${f.dir}/after-kill.json`));
        assertEquals([after.hook, after.outcome, typeof after.elapsedMs], [
          "after-kill",
          "ended",
          "number",
        ]);
      } finally {
        await listener.stop();
      }
    });
  },
});

Deno.test({
  name: "kill: PORTCTL_PLUGIN_PATH and the XDG user folder each load plugins",
  ignore: onWindows,
  async fn() {
    await withFixture(async (f) => {
      await f.write("pathdir/veto.ts", VETO);
      await f.write("user-veto.ts", VETO);
      const listener = await startListener(f.dir);
      try {
        const viaPath = await portctl(["kill", String(listener.port), "--json"], {
          env: { ...f.env, PORTCTL_PLUGIN_PATH: `${f.dir}/nope:${f.dir}/pathdir` },
          cwd: f.dir,
        });
        assertEquals(viaPath.code, 3, viaPath.stderr);
        assertEquals(JSON.parse(viaPath.stdout)[0].outcome, "skipped");

        const userFolder = `${f.env.XDG_CONFIG_HOME}/portctl/plugins`;
        await Deno.mkdir(userFolder, { recursive: true });
        await Deno.copyFile(`${f.dir}/user-veto.ts`, `${userFolder}/veto.ts`);
        const viaUser = await f.kill(listener.port, []);
        assertEquals(viaUser.code, 3, viaUser.stderr);
        assertEquals(viaUser.json[0].outcome, "skipped");
        assert(await running(listener.pid));

        const off = await f.kill(listener.port, ["--no-plugins"]);
        assertEquals(off.code, 0, off.stderr);
        assert(!(await running(listener.pid)));
      } finally {
        await listener.stop();
      }
    });
  },
});

Deno.test({
  name: "kill: an untrusted project folder never runs; it runs after it is trusted",
  ignore: onWindows,
  async fn() {
    await withFixture(async (f) => {
      await f.write("app/.portctl/plugins/veto.ts", VETO);
      await Deno.mkdir(`${f.dir}/app/src`, { recursive: true });
      const first = await startListener(f.dir);
      try {
        const run = await f.kill(first.port, [], `${f.dir}/app/src`);
        assertEquals(run.code, 0, run.stderr);
        assertEquals(run.json[0].outcome, "ended");
        const mentions = run.stderr.split("\n").filter((l) => l.includes("not trusted"));
        assertEquals(mentions.length, 1, run.stderr);
        assertIncludes(mentions[0], `${f.dir}/app/.portctl/plugins`);
        assert(!run.stderr.includes("[veto]"), "the untrusted plugin must not run");
      } finally {
        await first.stop();
      }

      await trustProjectPlugins(`${f.dir}/app`, f.env, "linux");
      const second = await startListener(f.dir);
      try {
        const run = await f.kill(second.port, [], `${f.dir}/app/src`);
        assertEquals(run.code, 3, run.stderr);
        assertEquals(run.json[0].outcome, "skipped");
        assert(!run.stderr.includes("not trusted"), run.stderr);
        assert(await running(second.pid));

        // Edited after trusting: nothing is signalled until it is reviewed and trusted again.
        await f.write("app/.portctl/plugins/veto.ts", VETO.replace("kept by", "held by"));
        const edited = await f.kill(second.port, [], `${f.dir}/app/src`);
        assertEquals(edited.code, 3, edited.stderr);
        assertEquals(edited.json.map((r) => [r.outcome, r.signals]), [["plugin-failed", []]]);
        assertIncludes(edited.json[0].message ?? "", "changed since they were trusted");
        assertIncludes(edited.json[0].message ?? "", "or run with --no-plugins");
        assert(!edited.stderr.includes("[veto]"), "the changed plugin must not run");
        assert(await running(second.pid));
        assertEquals(second.received(), []);
      } finally {
        await second.stop();
      }
    });
  },
});

Deno.test({
  name: "kill --dry-run: hooks are called and told so; nothing is signalled",
  ignore: onWindows,
  async fn() {
    await withFixture(async (f) => {
      const plugin = await f.write(
        "dry.ts",
        `export default {
    beforeKill(ctx) { Deno.writeTextFileSync(ctx.env.MARK_DIR + "/before", String(ctx.dryRun)); },
    afterKill(ctx) { Deno.writeTextFileSync(ctx.env.MARK_DIR + "/after", ctx.outcome); },
  };
  `,
      );
      const listener = await startListener(f.dir);
      try {
        const run = await f.kill(listener.port, ["--plugin", plugin, "--dry-run"]);
        assertEquals(run.code, 0, run.stderr);
        assertEquals(await Deno.readTextFile(`${f.dir}/before`), "true");
        assertEquals(await Deno.readTextFile(`${f.dir}/after`), "dry-run");
        assert(await running(listener.pid));
        assertEquals(listener.received(), []);
      } finally {
        await listener.stop();
      }
    });
  },
});

Deno.test({
  name: "kill --plugin with a missing file: one usage line, exit 2, nothing signalled",
  ignore: onWindows,
  async fn() {
    await withFixture(async (f) => {
      const listener = await startListener(f.dir);
      try {
        const run = await f.kill(listener.port, ["--plugin", "missing.ts"]);
        assertEquals(run.code, 2);
        assertEquals(run.stderr.trim(), "portctl: --plugin missing.ts: no such file");
        assert(await running(listener.pid));
      } finally {
        await listener.stop();
      }
    });
  },
});
