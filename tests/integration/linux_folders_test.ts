/**
 * Telling identical servers apart on Linux, end to end: the same listener started in two folders,
 * told apart by FOLDER in `who`, `list` and JSON; `--in` choosing one of them for `kill`; a folder
 * removed under a running server; another user's process whose folder cannot be read; start
 * times checked against /proc. Real processes, the real CLI; every test ends only what it started.
 */

import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { withStarted } from "../support/children.ts";
import {
  envFor,
  freePort,
  type Holder,
  isolatedEnv,
  isRunning,
  portctl,
  rootReadableBy,
  startDenoListener,
} from "../support/portctl.ts";
import { linuxSuite } from "../support/linux_suite.ts";

const { me, test: linuxTest } = await linuxSuite(
  "the Linux folder tests that switch users (runuser)",
);

/** A home with two checkouts of one project, `~/a/shop` and `~/b/shop`; removed at the end. */
function twoCheckouts() {
  const home = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "portctl-home-" }));
  for (const checkout of ["a", "b"]) {
    Deno.mkdirSync(`${home}/${checkout}/shop`, { recursive: true });
  }
  globalThis.addEventListener("unload", () => Deno.removeSync(home, { recursive: true }));
  return { home, a: `${home}/a/shop`, b: `${home}/b/shop`, env: { ...isolatedEnv(), HOME: home } };
}

/** The same listener (same command line, ephemeral port) in folder `a` and in folder `b`. */
function inBoth(a: string, b: string): (() => Promise<Holder>)[] {
  return [a, b].map((cwd) => () => startDenoListener(["tcp:127.0.0.1"], { cwd }));
}

interface Row {
  pid: number | null;
  port: number;
  command: string | null;
  cwd: string | null;
  startedAt: string | null;
  exe: string | null;
  note: string | null;
}

/** When `pid` started, from /proc alone: stat field 22, btime, and getconf's tick rate. */
function startFromProc(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
  const boot = Number(/^btime (\d+)$/m.exec(Deno.readTextFileSync("/proc/stat"))![1]);
  const getconf = new Deno.Command("getconf", { args: ["CLK_TCK"] }).outputSync();
  return boot * 1000 + ticks * 1000 / Number(new TextDecoder().decode(getconf.stdout));
}

linuxTest("two identical servers in two folders are told apart in who, list and JSON", async () => {
  const { a, b, env } = twoCheckouts();
  await withStarted(inBoth(a, b), async ([first, second]) => {
    const ports = [String(first.port), String(second.port)];
    const json = JSON.parse((await portctl(["who", ...ports, "--json"], { env })).stdout) as Row[];
    const cwdOf = (rows: Row[]) => new Map(rows.map((r) => [r.pid, r.cwd]));
    assertEquals(cwdOf(json), new Map([[first.pid, a], [second.pid, b]]));
    assertEquals(json[0].command, json[1].command, "nothing else tells them apart");
    assertEquals(json[0].exe, Deno.realPathSync(Deno.execPath()));

    const who = await portctl(["who", ...ports], { env });
    assertEquals(who.code, 0, who.stderr);
    const [header, ...rows] = who.stdout.trimEnd().split("\n");
    assertMatch(header, /\bAGE\s+FOLDER\s+COMMAND$/);
    const row = (pid: number) => rows.find((line) => line.includes(` ${pid} `)) ?? "";
    assertMatch(row(first.pid), /\s~\/a\/shop\s/);
    assertMatch(row(second.pid), /\s~\/b\/shop\s/);

    const list = JSON.parse((await portctl(["list", "--json"], { env })).stdout) as Row[];
    const mine = list.filter((r) => r.pid === first.pid || r.pid === second.pid);
    assertEquals(cwdOf(mine), new Map([[first.pid, a], [second.pid, b]]));
    const wide = await portctl(["list", "--wide", "--in", a], { env });
    assertMatch(wide.stdout, /\bFOLDER\s+PROGRAM\s+COMMAND\n/);
    assertEquals(wide.stdout.trimEnd().split("\n").length, 2, "list --in shows only a's row");
    assert(wide.stdout.includes(`~/a/shop  ${Deno.realPathSync(Deno.execPath())}  `), wide.stdout);
  });
});

linuxTest("--in picks one checkout's server for kill; the other keeps running", async () => {
  const { a, b, env } = twoCheckouts();
  await withStarted(inBoth(a, b), async ([first, second]) => {
    const ports = [String(first.port), String(second.port)];
    // Two processes named deno: each line says which folder it runs in.
    const dry = await portctl(["kill", ...ports, "--dry-run"], { env });
    assertEquals(
      dry.stdout.split("\n").filter(Boolean).sort(),
      [
        `would signal ${first.pid} deno in ~/a/shop (tcp :${first.port}) with SIGTERM`,
        `would signal ${second.pid} deno in ~/b/shop (tcp :${second.port}) with SIGTERM`,
      ].sort(),
    );

    const who = await portctl(["who", ...ports, "--in", b, "--json"], { env });
    assertEquals((JSON.parse(who.stdout) as Row[]).map((r) => r.pid), [second.pid]);

    // `--in .` from inside checkout a, the way the README says it.
    const kill = await portctl(["kill", ...ports, "--in", "."], { env, cwd: a });
    assertEquals(kill.code, 0, kill.stdout + kill.stderr);
    assertMatch(
      kill.stdout,
      new RegExp(`^ended ${first.pid} deno \\(tcp :${first.port}\\) by SIGTERM`),
    );
    assertEquals(kill.stdout.trimEnd().split("\n").length, 1, "b's server is no restart either");
    assert(!isRunning(first.pid));
    assert(isRunning(second.pid), "the other checkout's server keeps running");

    // Nothing of a's is left; b's still holds its port, and the message says so.
    const again = await portctl(["kill", ...ports, "--in", a], { env });
    assertEquals(again.code, 1);
    assertEquals(
      again.stderr,
      `portctl: nothing in ~/a/shop holds ports ${ports.join(", ")}; 1 other holder does ` +
        "(without --in, who shows it)\n",
    );
    assert(isRunning(second.pid));
  });
});

linuxTest("--in needs an existing folder: anything else is a one-line usage error", async () => {
  const { a, env } = twoCheckouts();
  const cases: [string, RegExp][] = [
    [
      `${a}/nope`,
      /^portctl: invalid --in ".*\/nope": no such folder; expected an existing folder$/,
    ],
    [Deno.execPath(), /: not a folder; expected an existing folder$/],
    ["", /^portctl: invalid --in "": no such folder/],
  ];
  for (const [folder, message] of cases) {
    for (const command of [["who", "3000"], ["list"], ["kill", "3000"]]) {
      const run = await portctl([...command, "--in", folder], { env });
      assertEquals([run.code, run.stdout], [2, ""], `${command[0]} --in ${folder}`);
      assertEquals(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
      assertMatch(run.stderr.trimEnd(), message);
    }
  }
});

linuxTest(
  "a folder removed under a running server shows as deleted, and --in still finds it",
  async () => {
    const { a, env, home } = twoCheckouts();
    const gone = `${a}/build`;
    Deno.mkdirSync(gone);
    await withStarted([() => startDenoListener(["tcp:127.0.0.1"], { cwd: gone })], async ([h]) => {
      Deno.removeSync(gone);
      const who = await portctl(["who", String(h.port), "--json"], { env });
      assertEquals(who.code, 0, who.stderr);
      assertEquals((JSON.parse(who.stdout) as Row[])[0].cwd, `${gone} (deleted)`);
      const table = await portctl(["who", String(h.port)], { env });
      assertMatch(table.stdout, /\s~\/a\/shop\/build \(deleted\)\s+\S*deno run/);
      const within = await portctl(["who", String(h.port), "--in", `${home}/a`], { env });
      assertEquals(within.code, 0, "the path it had is under ~/a");
    });
  },
);

linuxTest("AGE and startedAt agree with /proc within a second", async () => {
  const { env } = twoCheckouts();
  await withStarted([() => startDenoListener(["tcp:127.0.0.1"])], async ([h]) => {
    const expected = startFromProc(h.pid);
    const [row] = JSON.parse((await portctl(["who", String(h.port), "--json"], { env })).stdout);
    assertMatch(row.startedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const startedAt = Date.parse(row.startedAt);
    assert(
      Math.abs(startedAt - expected) < 1000,
      `${row.startedAt} vs ${new Date(expected).toISOString()}`,
    );

    await new Promise((resolve) => setTimeout(resolve, 2100)); // an age of at least 2 s to read
    const before = Date.now();
    const table = await portctl(["who", String(h.port)], { env });
    const after = Date.now();
    const age = Number(/\s(\d+)s\s/.exec(table.stdout.split("\n")[1])?.[1]);
    assert(
      age >= Math.floor((before - expected) / 1000) - 1 &&
        age <= Math.ceil((after - expected) / 1000),
      `AGE ${age}s for a process started ${(before - expected) / 1000} s before the run`,
    );
  });
});

linuxTest(
  "another user's process: its folder cannot be read, and nothing fails for it",
  async () => {
    const nobody = { user: "nobody", env: envFor("nobody") };
    await withStarted([() => startDenoListener(["tcp:127.0.0.1"])], async ([h]) => {
      // The backend itself, as nobody, on root's listener: no folder, no program, a start time.
      const source = `${rootReadableBy("nobody")}src/platform/linux/procfs_process.ts`;
      const script = `const { readProcessInfo } = await import(${JSON.stringify(source)});` +
        `console.log(JSON.stringify(readProcessInfo(${h.pid})));`;
      const described = await new Deno.Command("runuser", {
        args: ["-u", "nobody", "--", Deno.execPath(), "eval", script],
        env: nobody.env,
        stdin: "null",
      }).output();
      assertEquals(described.code, 0, new TextDecoder().decode(described.stderr));
      const info = JSON.parse(new TextDecoder().decode(described.stdout));
      assertEquals([info.pid, info.cwd, info.exe], [h.pid, null, null]);
      assert(Math.abs(info.startedAtMs - startFromProc(h.pid)) < 1000);

      // The CLI, as nobody: the row shows, without a folder; --in does not pick it.
      const who = await portctl(["who", String(h.port), "--json"], nobody);
      assertEquals(who.code, 0, who.stderr);
      const [row] = JSON.parse(who.stdout) as Row[];
      assertEquals([row.pid, row.cwd, row.startedAt, row.exe], [null, null, null, null]);
      const table = await portctl(["who", String(h.port)], nobody);
      assertMatch(table.stdout.split("\n")[1], /\sroot\s+-\s+-\s+-\s+\(owner not visible/);
      const kill = await portctl(["kill", String(h.port), "--in", "/"], nobody);
      assertEquals(kill.code, 1, kill.stdout + kill.stderr);
      assertMatch(kill.stderr, /^portctl: nothing in \/ holds port \d+; 1 other holder does/);
      assert(isRunning(h.pid));
    });
  },
  { root: true },
);

linuxTest("wait --in counts only the folder's servers: b's listener is not a's", async () => {
  const { a, b, env } = twoCheckouts();
  await withStarted([() => startDenoListener(["tcp:127.0.0.1"], { cwd: b })], async ([server]) => {
    const port = String(server.port);
    const wait = (...args: string[]) => portctl(["wait", port, ...args], { env });
    // Free as far as checkout a goes; held in b, and the line says by whom and where.
    assertEquals(await wait("--for", "free", "--in", a, "--timeout", "2s"), {
      code: 0,
      stdout: "",
      stderr: "",
    });
    const held = await wait("--for", "free", "--in", b, "--timeout", "300ms");
    assertEquals(held.code, 1);
    assertEquals(
      held.stderr,
      `portctl: ${port} is still held in ~/b/shop after 0.3 s by ${server.pid} deno ` +
        `(user ${me}, tcp :${port})\n`,
    );
    // Listening in b at once; never in a.
    assertEquals((await wait("--in", b, "--timeout", "2s")).code, 0);
    const missing = await wait("--in", a, "--timeout", "300ms");
    assertEquals(
      [missing.code, missing.stderr],
      [1, `portctl: ${port} is not listening in ~/a/shop after 0.3 s\n`],
    );
  });
  // A server that starts in a while wait --in a runs is seen.
  const port = freePort();
  const waiting = portctl(["wait", String(port), "--in", a, "--timeout", "10s"], { env });
  await new Promise((resolve) => setTimeout(resolve, 300));
  await withStarted(
    [() => startDenoListener(["tcp:127.0.0.1", "--port", String(port)], { cwd: a })],
    async () => assertEquals(await waiting, { code: 0, stdout: "", stderr: "" }),
  );
});
