/**
 * Safety rules and the smaller commands, end to end on Linux: portctl refuses its own parent,
 * never signals a reused PID, fails loudly without /proc access, and routes plugins/completions.
 */

import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { isolatedEnv, isRunning, portctl, startDenoListener } from "../support/portctl.ts";
import { backend } from "../../src/platform/linux/backend.ts";

const onLinux = Deno.build.os === "linux";
const env = isolatedEnv();
const ROOT = new URL("../../", import.meta.url).pathname;

if (!onLinux) {
  console.log(
    `Linux safety tests skipped: they drive the Linux backend and read /proc (this is ` +
      `${Deno.build.os})`,
  );
}

Deno.test({
  name: "portctl never signals its own parent: exit 3, denied, the parent lives",
  ignore: !onLinux,
  async fn() {
    // This test process is portctl's parent and holds the port.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    try {
      const run = await portctl(["kill", String(port), "--json"], { env });
      assertEquals(run.code, 3, run.stderr);
      const [row] = JSON.parse(run.stdout);
      assertEquals([row.pid, row.outcome, row.signals], [Deno.pid, "denied", []]);
      assertMatch(row.message, /its own parent/);
    } finally {
      listener.close();
    }
  },
});

Deno.test({
  name: "a handle for a reused PID (other start time) signals nothing",
  ignore: !onLinux,
  sanitizeResources: false,
  async fn() {
    const holder = await startDenoListener(["tcp:127.0.0.1"]);
    try {
      const info = backend.describeProcesses([holder.pid]).get(holder.pid)!;
      assertEquals(info.pid, holder.pid);
      const impostor = backend.openProcess({
        ...info,
        startTime: String(Number(info.startTime) - 1),
      });
      assertEquals(impostor.isRunning(), false);
      assertEquals(impostor.signal("SIGKILL"), { kind: "gone" });
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert(isRunning(holder.pid), "the real process was not touched");
      const real = backend.openProcess(info);
      assertEquals(real.signal("SIGKILL"), { kind: "sent" });
      assertEquals(await real.waitForExit(3000), true);
      assertEquals(real.signal("SIGKILL"), { kind: "gone" }, "an exited process is gone");
    } finally {
      await holder.stop();
    }
  },
});

Deno.test({
  name: "without full access to /proc portctl exits 2 and says how to run it, never 'free'",
  ignore: !onLinux,
  async fn() {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--allow-read", "--allow-env", `${ROOT}src/main.ts`, "who", "80"],
      env: { ...env, NO_COLOR: "1" },
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assertEquals(output.code, 2, stderr);
    assertEquals(stderr.trimEnd().split("\n").length, 1);
    assertMatch(stderr, /^portctl: portctl needs full access .*--allow-all/);
  },
});

Deno.test({
  name: "completions: a script per shell, listening ports for targets, bad shell exits 2",
  ignore: !onLinux,
  sanitizeResources: false,
  async fn() {
    const bash = await portctl(["completions", "bash"], { env });
    assertEquals(bash.code, 0);
    assertMatch(bash.stdout, /complete .*portctl/);
    const holder = await startDenoListener(["tcp:127.0.0.1"]);
    try {
      const ports = await portctl(["completions", "ports"], { env });
      assertEquals([ports.code, ports.stderr], [0, ""]);
      assert(ports.stdout.split("\n").includes(String(holder.port)), ports.stdout);
    } finally {
      await holder.stop();
    }
    const bad = await portctl(["completions", "tcsh"], { env });
    assertEquals(bad.code, 2);
    assertMatch(bad.stderr, /^portctl: unknown shell "tcsh"/);
  },
});

Deno.test({
  name: "plugins list and plugins trust through the CLI",
  ignore: !onLinux,
  async fn() {
    const project = Deno.makeTempDirSync({ prefix: "portctl-project-" });
    Deno.mkdirSync(`${project}/.portctl/plugins`, { recursive: true });
    Deno.writeTextFileSync(
      `${project}/.portctl/plugins/veto.ts`,
      'export default { name: "veto", beforeKill: () => ({ skip: "no" }) };\n',
    );
    const before = await portctl(["plugins", "list", "--json"], { env, cwd: project });
    assertEquals(before.code, 0, before.stderr);
    const [listed] = JSON.parse(before.stdout).plugins;
    assertEquals([listed.name, listed.source, listed.state], ["veto", "project", "untrusted"]);
    const trust = await portctl(["plugins", "trust"], { env, cwd: project });
    assertEquals(trust.code, 0, trust.stderr);
    assertMatch(trust.stdout, /^trusted /);
    const after = await portctl(["plugins", "list", "--json"], { env, cwd: project });
    assertEquals(JSON.parse(after.stdout).plugins[0].state, "trusted");
    Deno.removeSync(project, { recursive: true });
  },
});

Deno.test({
  name: "colour only on a terminal, and never with NO_COLOR",
  ignore: !onLinux,
  sanitizeResources: false,
  async fn() {
    const holder = await startDenoListener(["tcp:127.0.0.1"]);
    try {
      // CI exports NO_COLOR: every run here starts from an environment without it.
      const { NO_COLOR: _, ...colourEnv } = { ...Deno.env.toObject(), ...env };
      // `script` gives portctl a real pseudo-terminal as stdout.
      const inTerminal = async (extraEnv: Record<string, string>) => {
        const command = `${Deno.execPath()} run -A --quiet ${ROOT}src/main.ts who ${holder.port}`;
        const output = await new Deno.Command("script", {
          args: ["-qec", command, "/dev/null"],
          env: { ...colourEnv, ...extraEnv },
          clearEnv: true,
          stdin: "null",
        }).output();
        return new TextDecoder().decode(output.stdout);
      };
      const coloured = await inTerminal({ TERM: "xterm" });
      assert(coloured.includes("\x1b[1m"), "a terminal gets a bold header");
      assert(!(await inTerminal({ NO_COLOR: "1" })).includes("\x1b["), "NO_COLOR wins");
      const piped = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", `${ROOT}src/main.ts`, "who", String(holder.port)],
        env: colourEnv,
        clearEnv: true,
      }).output();
      assert(!new TextDecoder().decode(piped.stdout).includes("\x1b["), "piped output is plain");
    } finally {
      await holder.stop();
    }
  },
});
