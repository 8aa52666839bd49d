/**
 * Plugins tried as an attacker and a careless author would, through the real CLI against real
 * listeners: a writer that swaps a trusted file mid-kill, a second real user (`nobody`), plugins
 * that exit, reject, loop and flood, examples that must not defeat each other, escape sequences,
 * and configured sources that cannot be used. Tests only ever signal PIDs they started.
 */

import { assert, assertEquals, assertIncludes } from "../support/assert.ts";
import {
  envFor,
  isolatedEnv,
  portctl,
  startPythonHolder,
  tcpPortIsFree,
} from "../support/portctl.ts";
import { running, startListener, withFixture } from "./plugins_fixture.ts";

const EXAMPLES = new URL("../../plugins/", import.meta.url).pathname;
const MAIN = new URL("../../src/main.ts", import.meta.url).pathname;

// POSIX signals, owners and modes, #!/bin/sh plugins, runuser: Linux (and partly macOS) only.
const onLinux = Deno.build.os === "linux";
const asRoot = onLinux && Deno.uid() === 0;
if (!onLinux) console.log("skipping the plugin security tests: they need Linux (owners, runuser)");
else if (!asRoot) {
  console.log("skipping the plugin security tests with a second user: they need root (runuser)");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `sh -c script` as `user`; returns its stdout. */
async function asUser(user: string, script: string): Promise<string> {
  const out = await new Deno.Command("runuser", {
    args: ["-u", user, "--", "sh", "-c", script],
    stdin: "null",
  }).output();
  if (!out.success) {
    throw new Error(`runuser ${user} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

Deno.test({
  name: "security: a trusted file swapped mid-kill does not run; the trusted bytes do",
  ignore: !onLinux,
  async fn() {
    await withFixture(async (f) => {
      const app = `${f.dir}/app`;
      await f.write(
        "app/.portctl/plugins/mark.ts",
        `export default {
  beforeKill(ctx) { Deno.writeTextFileSync(ctx.env.MARK_DIR + "/asked", "x"); },
  afterKill(ctx) { Deno.writeTextFileSync(ctx.env.MARK_DIR + "/after-js", "trusted"); },
};
`,
      );
      await f.write(
        "app/.portctl/plugins/mark.sh",
        `#!/bin/sh\n[ "$1" = after-kill ] && echo trusted > "$MARK_DIR/after-sh"\nexit 0\n`,
        true,
      );
      const trust = await portctl(["plugins", "trust"], { env: f.env, cwd: app });
      assertEquals(trust.code, 0, trust.stderr);
      // It ignores SIGTERM, so portctl waits --timeout between beforeKill and afterKill.
      const listener = await startListener(f.dir, true);
      try {
        const killing = f.kill(listener.port, ["--timeout", "1.5"], app);
        // The racing writer: as soon as the plugins were asked, replace both files on disk.
        while (!(await Deno.stat(`${f.dir}/asked`).then(() => true, () => false))) await sleep(5);
        await Deno.writeTextFile(
          `${app}/.portctl/plugins/mark.ts`,
          `export default { afterKill(ctx) { Deno.writeTextFileSync(ctx.env.MARK_DIR + "/after-js", "evil"); } };\n`,
        );
        await Deno.writeTextFile(
          `${app}/.portctl/plugins/mark.sh`,
          `#!/bin/sh\necho evil > "$MARK_DIR/after-sh"\n`,
        );
        const run = await killing;
        assertEquals(run.code, 0, run.stderr);
        assertEquals(run.json.map((r) => [r.outcome, r.signals]), [["ended", [
          "SIGTERM",
          "SIGKILL",
        ]]]);
        assertEquals(await Deno.readTextFile(`${f.dir}/after-js`), "trusted");
        assertEquals((await Deno.readTextFile(`${f.dir}/after-sh`)).trim(), "trusted");
      } finally {
        await listener.stop();
      }
      // The next run sees the change: nothing is signalled until it is trusted again.
      const next = await startListener(f.dir);
      try {
        const run = await f.kill(next.port, [], app);
        assertEquals(run.code, 3, run.stderr);
        assertIncludes(run.json[0].message ?? "", "changed since they were trusted");
        assert(await running(next.pid));
      } finally {
        await next.stop();
      }
    });
  },
});

Deno.test({
  name: "security: another user's project is never trusted, and never runs",
  ignore: !asRoot,
  async fn() {
    // The classic trap: a project folder in sticky /tmp that someone else made.
    const theirs = (await asUser("nobody", "mktemp -d /tmp/portctl-nobody-XXXXXX")).trim();
    const env = isolatedEnv();
    try {
      await asUser(
        "nobody",
        `mkdir -p ${theirs}/app/.portctl/plugins && printf '%s\\n' ` +
          `'export default { beforeKill() { Deno.writeTextFileSync("${theirs}/ran-as-root", "x"); } };' ` +
          `> ${theirs}/app/.portctl/plugins/evil.ts`,
      );
      const trust = await portctl(["plugins", "trust"], { env, cwd: `${theirs}/app` });
      assertEquals(trust.code, 2, trust.stderr);
      assertEquals(
        trust.stderr.trim(),
        `portctl: cannot trust ${theirs}/app/.portctl/plugins: ${theirs} is owned by nobody ` +
          "(uid 65534), not by you or root",
      );
      const listener = await startListener(await Deno.makeTempDir());
      try {
        const run = await portctl(["kill", String(listener.port), "--json"], {
          env,
          cwd: `${theirs}/app`,
        });
        assertEquals(run.code, 0, run.stderr);
        assertIncludes(run.stderr, "are not trusted and did not run");
        assertEquals(await Deno.stat(`${theirs}/ran-as-root`).then(() => true, () => false), false);
      } finally {
        await listener.stop();
      }
    } finally {
      await Deno.remove(theirs, { recursive: true });
      await Deno.remove(env.HOME, { recursive: true });
    }
  },
});

Deno.test({
  name: "security: a trust entry another user could add is refused: exit 2, nothing signalled",
  ignore: !asRoot,
  async fn() {
    await withFixture(async (f) => {
      await f.write("app/.portctl/plugins/veto.ts", `export default { beforeKill() {} };\n`);
      const config = `${f.env.XDG_CONFIG_HOME}/portctl`;
      await Deno.mkdir(config, { recursive: true });
      await Deno.chmod(config, 0o777); // a careless chmod: anyone may write here
      await Deno.chmod(f.dir, 0o755);
      await Deno.chmod(f.env.HOME, 0o755);
      await Deno.chmod(f.env.XDG_CONFIG_HOME, 0o755);
      await asUser(
        "nobody",
        `printf '{"version":1,"folders":{"${f.dir}/app/.portctl/plugins":` +
          `{"hash":"sha256:0","trustedAt":"now"}}}' > ${config}/trust.json`,
      );
      const listener = await startListener(f.dir);
      try {
        const run = await f.kill(listener.port, [], `${f.dir}/app`);
        assertEquals(run.code, 2, run.stderr);
        assertEquals(
          run.stderr.trim(),
          `portctl: the trust file ${config}/trust.json is not safe: ${config} is writable by ` +
            "every user (mode 0777); make it and its folders yours alone (chmod go-w), or delete it",
        );
        assert(await running(listener.pid));
        assertEquals(listener.received(), []);
      } finally {
        await listener.stop();
      }
    });
  },
});

Deno.test({
  name: "security: a plugin folder of yours that cannot be read signals nothing (as nobody)",
  ignore: !asRoot,
  async fn() {
    const env = envFor("nobody");
    const config = await Deno.makeTempDir({ prefix: "portctl-config-" });
    await Deno.chmod(config, 0o755);
    await Deno.mkdir(`${config}/portctl/plugins`, { recursive: true, mode: 0o700 }); // root's
    await Deno.chmod(`${config}/portctl`, 0o755);
    const holder = await startPythonHolder(["--tcp", "127.0.0.1"], { user: "nobody" });
    try {
      const run = await portctl(["kill", String(holder.port)], {
        user: "nobody",
        env: { ...env, XDG_CONFIG_HOME: config },
      });
      assertEquals(run.code, 3, run.stderr);
      assertIncludes(
        run.stdout,
        `not ended ${holder.pid} python3 (tcp :${holder.port}): cannot read plugin folder ` +
          `${config}/portctl/plugins: Permission denied`,
      );
      assertIncludes(run.stdout, "so nothing was signalled");
      assert(await running(holder.pid));
    } finally {
      await holder.stop();
      await Deno.remove(config, { recursive: true });
    }
  },
});

Deno.test({
  name: "security: exit, rejections, memory bombs and busy loops fail the hook; portctl lives",
  ignore: !onLinux,
  async fn() {
    await withFixture(async (f) => {
      const cases: [string, string, string][] = [
        ["exit.ts", `beforeKill() { Deno.exit(0); }`, "it exited (Deno.exit or process.exit)"],
        [
          "pexit.ts",
          `beforeKill() { globalThis.process.exit(0); }`,
          "it exited (Deno.exit or process.exit)",
        ],
        ["loop.ts", `beforeKill() { for (;;) {} }`, "beforeKill timed out after 1 s"],
        [
          "reject.ts",
          `beforeKill() { Promise.reject(new Error("nobody awaits")); return new Promise(() => {}); }`,
          "an unhandled rejection: nobody awaits",
        ],
        [
          "forgot.ts",
          `async beforeKill() { (async () => { throw new Error("forgot await"); })(); }`,
          "an unhandled rejection: forgot await",
        ],
        [
          "bomb.ts",
          `beforeKill() { const a = []; for (;;) a.push(new Array(4e6).fill(1.5)); }`,
          "(out of memory?)",
        ],
      ];
      const listener = await startListener(f.dir);
      try {
        for (const [name, hook, message] of cases) {
          const plugin = await f.write(name, `export default { ${hook} };\n`);
          const started = performance.now();
          const timeout = name === "bomb.ts" ? "30" : "1";
          const run = await f.kill(listener.port, [
            "--plugin",
            plugin,
            "--plugin-timeout",
            timeout,
          ]);
          // Bounded by --plugin-timeout plus a little (a generous bound: it used to hang forever).
          assert(performance.now() - started < 25_000, `${name} held portctl`);
          assertEquals(run.code, 3, `${name}: ${run.stderr}`);
          assertEquals(run.json.map((r) => [r.outcome, r.signals]), [["plugin-failed", []]], name);
          assertIncludes(run.json[0].message ?? "", message);
          assert(!/^\s+at /m.test(run.stderr), `${name} printed a stack trace: ${run.stderr}`);
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
  name: "security: a plugin's late throw does not stop another process's escalation",
  ignore: !onLinux,
  async fn() {
    await withFixture(async (f) => {
      const plugin = await f.write(
        "late.ts",
        `export default {
  beforeKill() { setTimeout(() => { throw new Error("thrown in a timer"); }, 200); },
  afterKill(ctx) { ctx.log("after " + ctx.process.pid + " " + ctx.outcome); },
};
`,
      );
      const polite = await startListener(f.dir);
      const stubborn = await startListener(f.dir, true); // needs its SIGKILL after --timeout
      try {
        const run = await portctl(
          [
            "kill",
            String(polite.port),
            String(stubborn.port),
            "--json",
            "--timeout",
            "1",
            "--plugin",
            plugin,
          ],
          { env: f.env, cwd: f.dir },
        );
        assertEquals(run.code, 0, run.stderr);
        const byPid = new Map(
          (JSON.parse(run.stdout) as { pid: number; outcome: string; signals: string[] }[])
            .map((r) => [r.pid, [r.outcome, r.signals]]),
        );
        assertEquals(byPid.get(polite.pid), ["ended", ["SIGTERM"]]);
        assertEquals(byPid.get(stubborn.pid), ["ended", ["SIGTERM", "SIGKILL"]]);
        assertIncludes(
          run.stderr,
          "plugin late: an uncaught error: Uncaught Error: thrown in a timer",
        );
        assertIncludes(run.stderr, `[late] after ${stubborn.pid} ended`);
        assert(!/^\s+at /m.test(run.stderr), run.stderr);
        assert(!(await running(stubborn.pid)));
      } finally {
        await polite.stop();
        await stubborn.stop();
      }
    });
  },
});

Deno.test({
  name: "security: an executable plugin that floods is a failed hook; portctl's memory stays small",
  ignore: !onLinux,
  async fn() {
    await withFixture(async (f) => {
      const plugin = await f.write("flood.sh", "#!/bin/sh\nhead -c 200000000 /dev/zero\n", true);
      const listener = await startListener(f.dir);
      try {
        const child = new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            "--quiet",
            MAIN,
            "kill",
            String(listener.port),
            "--json",
            "--plugin",
            plugin,
          ],
          env: { ...f.env, NO_COLOR: "1" },
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        let peakKb = 0;
        const watching = (async () => {
          for (;;) {
            try {
              const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
              peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
            } catch {
              return; // exited
            }
            await sleep(10);
          }
        })();
        const out = await child.output();
        await watching;
        assertEquals(out.code, 3, new TextDecoder().decode(out.stderr));
        const [report] = JSON.parse(new TextDecoder().decode(out.stdout));
        assertEquals(report.outcome, "plugin-failed");
        assertIncludes(report.message, "before-kill printed more than 1 MiB");
        assert(peakKb < 256 * 1024, `portctl grew to ${peakKb} kB reading the flood`);
        assert(await running(listener.pid));
      } finally {
        await listener.stop();
      }
    });
  },
});

Deno.test({
  name: "security: protect and graceful-http in either order: the protected server hears nothing",
  ignore: !onLinux,
  async fn() {
    await withFixture(async (f) => {
      const listener = await startListener(f.dir);
      const requests: string[] = [];
      const shutdown = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (r) => {
        requests.push(new URL(r.url).pathname);
        Deno.kill(listener.pid, "SIGHUP"); // the server shuts itself down, as it was asked
        return new Response("bye");
      });
      const folder = `${f.env.XDG_CONFIG_HOME}/portctl/plugins`;
      const env = {
        ...f.env,
        PORTCTL_SHUTDOWN_URL: `http://127.0.0.1:${shutdown.addr.port}/shutdown/{port}`,
      };
      try {
        for (
          const [graceful, protect] of [["10-graceful.ts", "20-protect.ts"], [
            "20-graceful.ts",
            "10-protect.ts",
          ]]
        ) {
          await Deno.remove(folder, { recursive: true }).catch(() => {});
          await Deno.mkdir(folder, { recursive: true });
          await Deno.copyFile(`${EXAMPLES}graceful-http.ts`, `${folder}/${graceful}`);
          await Deno.copyFile(`${EXAMPLES}protect.ts`, `${folder}/${protect}`);
          const run = await portctl(["kill", String(listener.port), "--json"], {
            env: { ...env, PORTCTL_PROTECT: "deno" },
            cwd: f.dir,
          });
          assertEquals(run.code, 3, run.stderr);
          assertEquals(JSON.parse(run.stdout)[0].outcome, "skipped", graceful);
          assertEquals(requests, [], `${graceful} asked the protected server to shut down`);
          assert(await running(listener.pid));
        }
        // Unprotected, graceful-http asks it to stop and portctl only waits: no signal sent.
        const run = await portctl(["kill", String(listener.port), "--json"], { env, cwd: f.dir });
        assertEquals(run.code, 0, run.stderr);
        assertEquals(JSON.parse(run.stdout)[0].signals, []);
        assertEquals(requests, [`/shutdown/${listener.port}`]);
        assertEquals(listener.received(), ["SIGHUP"]);
      } finally {
        await shutdown.shutdown();
        await listener.stop();
      }
    });
  },
});

Deno.test({
  name: "security: escape sequences from plugins never reach the terminal",
  ignore: !onLinux,
  async fn() {
    await withFixture(async (f) => {
      const plugin = await f.write(
        "noisy.ts",
        `export default {
  name: "noisy\\u001b[31m",
  beforeKill(ctx) {
    ctx.log("title \\u001b]0;owned\\u0007 clear \\u001b[2J");
    return { skip: "because \\u001b[2J\\rFAKE ended" };
  },
};
`,
      );
      const listener = await startListener(f.dir);
      try {
        const run = await portctl(["kill", String(listener.port), "--plugin", plugin], {
          env: f.env,
          cwd: f.dir,
        });
        assertEquals(run.code, 3, run.stderr);
        for (const text of [run.stdout, run.stderr]) {
          assertEquals([...text].filter((c) => c < " " && c !== "\n"), [], JSON.stringify(text));
        }
        assertIncludes(run.stderr, "[noisy [31m] title  ]0;owned  clear  [2J");
        assertIncludes(run.stdout, "because  [2J FAKE ended");
      } finally {
        await listener.stop();
      }
    });
  },
});

Deno.test({
  name:
    "security: unusable sources fail closed; relative path entries and bad trust files do not run",
  ignore: !onLinux,
  async fn() {
    await withFixture(async (f) => {
      const listener = await startListener(f.dir);
      try {
        // A plugin folder of yours that anyone could add a file to: nothing is signalled.
        await f.write("open/ok.ts", `export default { beforeKill() {} };\n`);
        await Deno.chmod(`${f.dir}/open`, 0o777);
        const open = await portctl(["kill", String(listener.port), "--json"], {
          env: { ...f.env, PORTCTL_PLUGIN_PATH: `${f.dir}/open` },
          cwd: f.dir,
        });
        assertEquals(open.code, 3, open.stderr);
        const [report] = JSON.parse(open.stdout);
        assertEquals([report.outcome, report.signals], ["plugin-failed", []]);
        assertIncludes(report.message, `plugin folder ${f.dir}/open is not safe to run`);
        assert(await running(listener.pid));

        // A relative entry would mean another folder in every project: ignored, with a warning.
        await f.write("tools/portctl/veto.sh", `#!/bin/sh\necho '{"skip":"ran"}'\n`, true);
        const relative = await portctl(["kill", String(listener.port), "--json", "--dry-run"], {
          env: { ...f.env, PORTCTL_PLUGIN_PATH: "tools/portctl" },
          cwd: f.dir,
        });
        assertEquals(relative.code, 0, relative.stderr);
        assertEquals(JSON.parse(relative.stdout)[0].outcome, "dry-run");
        assertIncludes(
          relative.stderr,
          "PORTCTL_PLUGIN_PATH entry tools/portctl is not an absolute path and was ignored",
        );

        // A corrupt trust file: one line, exit 2, nothing signalled.
        await f.write("app/.portctl/plugins/x.ts", `export default { beforeKill() {} };\n`);
        await Deno.mkdir(`${f.env.XDG_CONFIG_HOME}/portctl`, { recursive: true });
        await Deno.writeTextFile(`${f.env.XDG_CONFIG_HOME}/portctl/trust.json`, "{ broken");
        const corrupt = await f.kill(listener.port, [], `${f.dir}/app`);
        assertEquals(corrupt.code, 2);
        assertEquals(corrupt.stderr.trim().split("\n").length, 1, corrupt.stderr);
        assertIncludes(
          corrupt.stderr,
          `the trust file ${f.env.XDG_CONFIG_HOME}/portctl/trust.json`,
        );
        assertIncludes(corrupt.stderr, "is not valid JSON");
        assert(await running(listener.pid));
        assertEquals(listener.received(), []);
      } finally {
        await listener.stop();
      }
    });
  },
});

Deno.test({
  name: "security: a link to /usr/lib in a trusted folder is refused at once, not hashed",
  ignore: !onLinux,
  async fn() {
    await withFixture(async (f) => {
      const app = `${f.dir}/app`;
      await f.write("app/.portctl/plugins/ok.ts", `export default { beforeKill() {} };\n`);
      assertEquals((await portctl(["plugins", "trust"], { env: f.env, cwd: app })).code, 0);
      await Deno.symlink("/usr/lib", `${app}/.portctl/plugins/lib`);
      const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = probe.addr.port;
      probe.close();
      assert(tcpPortIsFree(port));
      const started = performance.now();
      const run = await portctl(["kill", `tcp:${port}`], { env: f.env, cwd: app });
      assert(performance.now() - started < 5_000, "hashed /usr/lib through the link");
      assertEquals(run.code, 1, run.stderr);
      const list = await portctl(["plugins", "list"], { env: f.env, cwd: app });
      assertIncludes(list.stdout, `${app}/.portctl/plugins/lib is a link to /usr/lib, outside`);
    });
  },
});
