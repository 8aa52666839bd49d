/**
 * The CLI contract on Windows, end to end: Windows-deno listeners on loopback ports, the real
 * portctl CLI, real Ctrl-C and TerminateProcess. Runs under Wine through `deno task test:windows`
 * (tests/windows/run.sh) and natively on Windows; skipped on other OSes. Every test ends only
 * processes it started.
 */

import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { readJsonLine, withStarted } from "../support/children.ts";

const onWindows = Deno.build.os === "windows";
const ROOT = new URL("../../", import.meta.url);
const home = onWindows ? Deno.makeTempDirSync({ prefix: "portctl-home-" }) : "";
/** No user plugins, no colour: output as a script sees it. */
const env = { NO_COLOR: "1", APPDATA: home, USERPROFILE: home, DENO_NO_UPDATE_CHECK: "1" };

type Kind = "tcp4" | "tcp6" | "udp4" | "udp6" | "tcp6-dual";

interface Listener {
  readonly kind: Kind;
  readonly port: number;
  readonly pid: number;
  /** Its own Deno.cwd() and Deno.execPath(). */
  readonly cwd: string;
  readonly exe: string;
  /** True once the listener process has exited. */
  exited(): boolean;
  /** Resolves when it has exited. */
  readonly status: Promise<unknown>;
  /** Ends it if it still runs (only this test's own child). */
  stop(): Promise<void>;
}

async function startListener(kind: Kind, ...flags: string[]): Promise<Listener> {
  return await startListenerIn(ROOT, kind, ...flags);
}

/** A listener working in `cwd`. */
async function startListenerIn(cwd: string | URL, kind: Kind, ...flags: string[]) {
  const listener = new URL("listener.ts", import.meta.url).href;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-net", listener, kind, ...flags],
    cwd,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const report = await readJsonLine(child.stdout) as {
    port: number;
    pid: number;
    cwd: string;
    exe: string;
  };
  let hasExited = false;
  const status = child.status.then(() => hasExited = true);
  return {
    kind,
    ...report,
    exited: () => hasExited,
    status,
    async stop() {
      if (!hasExited) child.kill("SIGKILL");
      await status;
      await child.stdout.cancel().catch(() => {});
    },
  };
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function portctl(...args: string[]): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "src/main.ts", ...args],
    cwd: ROOT,
    env,
    stdin: "null",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

interface HostedRun extends Run {
  readonly listener: { kind: Kind; port: number; pid: number };
  /** Milliseconds from the start of portctl to the listener's exit; null if it outlived it. */
  readonly exitedAfterMs: number | null;
}

/**
 * Runs a listener and portctl on one new console (tests/windows/console_host.ts), the only way a
 * Ctrl-C can reach the listener: tests run without a console.
 */
async function onOneConsole(
  listenerArgs: string[],
  portctlArgs: string[],
  options: { sharedConsoleCtrlC?: boolean } = {},
): Promise<HostedRun> {
  // The host (portctl's parent here) ignores Ctrl-C, so by default it allows portctl to send one
  // on the console they share; portctl refuses that unless told.
  const sharedConsoleCtrlC = options.sharedConsoleCtrlC ?? true;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "tests/windows/console_host.ts",
      ...listenerArgs,
      "--",
      "run",
      "-A",
      "src/main.ts",
      ...portctlArgs,
    ],
    cwd: ROOT,
    env: { ...env, PORTCTL_CTRL_C_SHARED_CONSOLE: sharedConsoleCtrlC ? "1" : "0" },
    stdin: "null",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assertEquals(out.code, 0, `console_host failed: ${text}`);
  return JSON.parse(text.trim().split("\n").at(-1)!) as HostedRun;
}

/** True once `port` can be bound again (Wine frees a port ~100-150 ms after the process ends). */
async function portIsFree(kind: Kind, port: number): Promise<boolean> {
  const hostname = kind.endsWith("6") ? "::1" : "127.0.0.1";
  const deadline = performance.now() + 3_000;
  while (true) {
    try {
      if (kind.startsWith("tcp")) Deno.listen({ hostname, port }).close();
      else if (typeof Deno.listenDatagram === "function") {
        Deno.listenDatagram({ transport: "udp", hostname, port }).close();
      }
      return true;
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse) || performance.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const withListeners = withStarted<Listener>;

function windowsTest(name: string, fn: () => Promise<void>) {
  Deno.test({ name, ignore: !onWindows, sanitizeResources: false, sanitizeOps: false, fn });
}

interface HolderRow {
  protocol: string;
  family: number;
  address: string;
  port: number;
  state: string;
  pid: number | null;
  name: string | null;
  user: string | null;
  command: string | null;
  cwd: string | null;
  startedAt: string | null;
  exe: string | null;
  manager: { kind: string; name: string } | null;
  note: string | null;
}

interface KillRow {
  pid: number | null;
  name: string | null;
  sockets: { protocol: string; family: number; address: string; port: number; state: string }[];
  signals: string[];
  outcome: string;
}

const ALL_KINDS: Kind[] = ["tcp4", "tcp6", "udp4", "udp6"];
const startAll = () => ALL_KINDS.map((kind) => () => startListener(kind));
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const addressOf = (kind: Kind) => kind.endsWith("6") ? "::1" : "127.0.0.1";

windowsTest("who finds TCP v4, TCP v6 and UDP listeners with name, path and user", async () => {
  await withListeners(startAll(), async (listeners) => {
    const run = await portctl("who", ...listeners.map((l) => String(l.port)));
    assertEquals(run.code, 0, run.stderr);
    const [header, ...rows] = run.stdout.trimEnd().split("\n");
    assertMatch(
      header,
      /^PROTO\s+ADDRESS:PORT\s+STATE\s+PID\s+USER\s+NAME\s+AGE\s+FOLDER\s+COMMAND$/,
    );
    assertEquals(rows.length, 4, run.stdout);
    for (const l of listeners) {
      const address = l.kind.endsWith("6") ? `[::1]:${l.port}` : `127.0.0.1:${l.port}`;
      const state = l.kind.startsWith("tcp") ? "LISTEN" : "UNCONN";
      const row = rows.find((r) => r.includes(`:${l.port} `));
      assert(row, `no row for ${l.kind} :${l.port} in\n${run.stdout}`);
      assertMatch(
        row,
        new RegExp(
          `^${l.kind.slice(0, 3)}6?\\s+${escape(address)}\\s+${state}\\s+${l.pid}\\s+\\S+\\s+` +
            `deno\\.exe\\s+\\d+s\\s+${escape(l.cwd)}\\s+.*deno\\.exe.*listener\\.ts ${l.kind}$`,
        ),
      );
    }
  });
});

windowsTest("who --json matches the Linux shape field for field", async () => {
  await withListeners(startAll(), async (listeners) => {
    const run = await portctl("who", "--json", ...listeners.map((l) => String(l.port)));
    assertEquals(run.code, 0, run.stderr);
    const rows = JSON.parse(run.stdout) as HolderRow[];
    assertEquals(rows.length, 4);
    for (const l of listeners) {
      const row = rows.find((r) => r.port === l.port)!;
      const { command, user, startedAt, ...rest } = row;
      assertEquals(Object.keys(row), [
        "protocol",
        "family",
        "address",
        "port",
        "state",
        "pid",
        "name",
        "user",
        "command",
        "cwd",
        "startedAt",
        "exe",
        "manager",
        "note",
      ]);
      assertEquals(rest, {
        protocol: l.kind.slice(0, 3),
        family: l.kind.endsWith("6") ? 6 : 4,
        address: addressOf(l.kind),
        port: l.port,
        state: l.kind.startsWith("tcp") ? "LISTEN" : "UNCONN",
        pid: l.pid,
        name: "deno.exe",
        cwd: l.cwd,
        exe: l.exe,
        manager: null,
        note: null,
      });
      assertMatch(startedAt ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assertMatch(user ?? "", /\S/, "the owner's user name is read from the process token");
      assertMatch(command ?? "", new RegExp(`deno\\.exe.*listener\\.ts ${l.kind}$`));
    }
  });
});

windowsTest("two listeners in two folders: told apart by FOLDER, and --in ends one", async () => {
  const folders = [
    await Deno.makeTempDir({ prefix: "portctl-a-" }),
    await Deno.makeTempDir({
      prefix: "portctl-b-",
    }),
  ];
  try {
    await withListeners(
      folders.map((folder) => () => startListenerIn(folder, "tcp4")),
      async ([a, b]) => {
        const ports = [String(a.port), String(b.port)];
        const rows = JSON.parse((await portctl("who", ...ports, "--json")).stdout) as HolderRow[];
        const cwdOf = new Map(rows.map((r) => [r.pid, r.cwd]));
        assertEquals(cwdOf, new Map([[a.pid, a.cwd], [b.pid, b.cwd]]));
        assert(a.cwd.includes("portctl-a-") && b.cwd.includes("portctl-b-"), a.cwd + b.cwd);
        const dry = await portctl("kill", ...ports, "--dry-run");
        assertMatch(
          dry.stdout,
          new RegExp(`would signal ${a.pid} deno\\.exe in ${escape(a.cwd)} `),
        );

        const kill = await portctl("kill", ...ports, "--in", folders[0], "--kill");
        assertEquals(kill.code, 0, kill.stdout + kill.stderr);
        assertMatch(kill.stdout, new RegExp(`^ended ${a.pid} deno\\.exe \\(tcp :${a.port}\\)`));
        await a.status;
        assert(!b.exited(), "the listener in the other folder keeps running");
        const left = await portctl("who", ...ports, "--in", folders[0].toUpperCase());
        assertEquals(left.code, 1, "Windows folders match in any case");
        assertMatch(left.stderr, /nothing in .* holds ports .*; 1 other holder does/);
      },
    );
  } finally {
    for (const folder of folders) await Deno.remove(folder, { recursive: true });
  }
});

windowsTest("tcp4:/udp: prefixes pick one family and protocol; a free port exits 1", async () => {
  await withListeners(
    [() => startListener("tcp6"), () => startListener("udp4")],
    async ([t6, u4]) => {
      assertEquals((await portctl("who", `tcp4:${t6.port}`)).code, 1, "tcp4: does not match ::1");
      const v6 = JSON.parse(
        (await portctl("who", `tcp6:${t6.port}`, "--json")).stdout,
      ) as HolderRow[];
      assertEquals(v6.map((r) => [r.family, r.address, r.pid]), [[6, "::1", t6.pid]]);
      assertEquals((await portctl("who", `tcp:${u4.port}`)).code, 1, "tcp: does not match UDP");
      const udp = JSON.parse(
        (await portctl("who", `udp:${u4.port}`, "--json")).stdout,
      ) as HolderRow[];
      assertEquals(udp.map((r) => [r.protocol, r.state, r.pid]), [["udp", "UNCONN", u4.pid]]);
      const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const free = probe.addr.port;
      probe.close();
      const none = await portctl("who", String(free));
      assertEquals(none.code, 1);
      assertMatch(none.stderr + none.stdout, new RegExp(`nothing holds port ${free}`));
      assertEquals((await portctl("kill", String(free), "--no-fail")).code, 0);
    },
  );
});

windowsTest("tcp4: finds a dual-stack [::] listener (IPv6 table only) and kills it", async () => {
  await withListeners(
    [() => startListener("tcp6-dual"), () => startListener("tcp6", "--any")],
    async ([dual, v6only]) => {
      const found = await portctl("who", `tcp4:${dual.port}`, "--json");
      assertEquals(found.code, 0, found.stdout + found.stderr);
      assertEquals(
        (JSON.parse(found.stdout) as HolderRow[]).map((r) => [r.family, r.address, r.pid]),
        [[6, "::", dual.pid]],
      );
      // Deno's own [::] listener is V6ONLY (Windows' default): the IPv4 port is not its.
      const none = await portctl("who", `tcp4:${v6only.port}`, "--json");
      assertEquals(none.code, 1, none.stdout + none.stderr);
      assertEquals(JSON.parse(none.stdout), []);
      const v6 = JSON.parse(
        (await portctl("who", `tcp6:${v6only.port}`, "--json")).stdout,
      ) as HolderRow[];
      assertEquals(v6.map((r) => [r.family, r.address, r.pid]), [[6, "::", v6only.pid]]);
      const run = await portctl("kill", `tcp4:${dual.port}`);
      assertEquals(run.code, 0, run.stdout + run.stderr);
      assertMatch(run.stdout, new RegExp(`^ended ${dual.pid} deno\\.exe \\(tcp :${dual.port}\\)`));
      await dual.status;
      assert(!v6only.exited(), "the V6ONLY listener is left alone");
    },
  );
});

windowsTest("list and list --json show every listener; --udp only UDP", async () => {
  await withListeners(startAll(), async (listeners) => {
    const text = await portctl("list");
    assertEquals(text.code, 0, text.stderr);
    for (const l of listeners) {
      assertMatch(text.stdout, new RegExp(`:${l.port}\\s+\\S+\\s+${l.pid}\\s`));
    }
    const json = await portctl("list", "--json");
    const rows = JSON.parse(json.stdout) as HolderRow[];
    for (const l of listeners) {
      assert(rows.some((r) => r.port === l.port && r.pid === l.pid), `${l.kind} in list --json`);
    }
    const udp = JSON.parse((await portctl("list", "--udp", "--json")).stdout) as HolderRow[];
    assert(udp.every((r) => r.protocol === "udp"));
    assertEquals(
      udp.filter((r) => listeners.some((l) => l.pid === r.pid)).map((r) => r.pid).sort(),
      listeners.filter((l) => l.kind.startsWith("udp")).map((l) => l.pid).sort(),
    );
  });
});

windowsTest("kill --dry-run reports what would be signalled and signals nothing", async () => {
  await withListeners([() => startListener("tcp4")], async ([l]) => {
    const run = await portctl("kill", String(l.port), "--dry-run");
    assertEquals(run.code, 0, run.stderr);
    assertMatch(
      run.stdout,
      new RegExp(`^would signal ${l.pid} deno\\.exe \\(tcp :${l.port}\\) with SIGTERM`),
    );
    const json = JSON.parse(
      (await portctl("kill", String(l.port), "--dry-run", "--json", "--kill")).stdout,
    );
    assertEquals(json.map((r: KillRow) => [r.pid, r.outcome, r.signals]), [[l.pid, "dry-run", [
      "SIGKILL",
    ]]]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert(!l.exited(), "--dry-run must not end the listener");
    assertEquals((await portctl("who", String(l.port))).code, 0, "the port is still held");
  });
});

windowsTest("kill ends TCP v4, TCP v6 and UDP listeners and frees their ports", async () => {
  await withListeners(startAll(), async (listeners) => {
    const run = await portctl("kill", "--json", ...listeners.map((l) => String(l.port)));
    assertEquals(run.code, 0, run.stdout + run.stderr);
    const rows = JSON.parse(run.stdout) as KillRow[];
    assertEquals(rows.map((r) => r.pid).sort(), listeners.map((l) => l.pid).sort());
    for (const row of rows) {
      assertEquals(row.outcome, "ended");
      // Started without a console or a window: graceful is not available, so TerminateProcess.
      assertEquals(row.signals.at(-1), "SIGKILL");
    }
    await Promise.all(listeners.map((l) => l.status));
    for (const l of listeners) {
      assert(await portIsFree(l.kind, l.port), `${l.kind} :${l.port} is free`);
    }
    assertEquals((await portctl("who", ...listeners.map((l) => String(l.port)))).code, 1);
  });
});

windowsTest("kill --kill ends at once with TerminateProcess", async () => {
  await withListeners([() => startListener("udp6")], async ([l]) => {
    const run = await portctl("kill", `udp6:${l.port}`, "--kill");
    assertEquals(run.code, 0, run.stdout + run.stderr);
    assertMatch(
      run.stdout,
      new RegExp(`^ended ${l.pid} deno\\.exe \\(udp :${l.port}\\) by SIGKILL`),
    );
    await l.status;
  });
});

windowsTest("kill --term stops a console listener with Ctrl-C", async () => {
  const run = await onOneConsole(["tcp4"], ["kill", "{port}", "--term", "--json"]);
  assertEquals(run.code, 0, run.stdout + run.stderr);
  const [row] = JSON.parse(run.stdout) as KillRow[];
  assertEquals([row.pid, row.signals, row.outcome], [run.listener.pid, ["SIGTERM"], "ended"]);
  assert(run.exitedAfterMs !== null, "the listener exited on Ctrl-C");
  assert(await portIsFree("tcp4", run.listener.port));
});

windowsTest(
  "Ctrl-C on portctl's own console is refused: it would stop portctl's parent",
  async () => {
    const run = await onOneConsole(["tcp4"], ["kill", "{port}", "--term"], {
      sharedConsoleCtrlC: false,
    });
    assertEquals(run.code, 3, run.stdout + run.stderr);
    assertMatch(
      run.stdout,
      /shares portctl's console, where Ctrl-C would also stop portctl's parent/,
    );
    assertEquals(run.exitedAfterMs, null, "the listener was left alone");
  },
);

windowsTest("kill --signal INT sends Ctrl-C to a TCP v6 console listener", async () => {
  const run = await onOneConsole(["tcp6"], ["kill", "tcp6:{port}", "--signal", "INT"]);
  assertEquals(run.code, 0, run.stdout + run.stderr);
  assertMatch(
    run.stdout,
    new RegExp(`^ended ${run.listener.pid} deno\\.exe \\(tcp :${run.listener.port}\\) by SIGINT`),
  );
  assert(run.exitedAfterMs !== null);
});

windowsTest("a listener that ignores Ctrl-C: --term exits 3 and leaves it running", async () => {
  const run = await onOneConsole(
    ["tcp4", "--ignore-ctrl-c"],
    ["kill", "{port}", "--term", "--timeout", "0.5"],
  );
  assertEquals(run.code, 3, run.stdout + run.stderr);
  assertMatch(
    run.stdout,
    new RegExp(`^still running ${run.listener.pid} deno\\.exe \\(tcp :${run.listener.port}\\)`),
  );
  assertEquals(run.exitedAfterMs, null, "--term must not escalate to TerminateProcess");
});

windowsTest(
  "a listener that ignores Ctrl-C: the default kill escalates to TerminateProcess",
  async () => {
    const run = await onOneConsole(
      ["udp4", "--ignore-ctrl-c"],
      ["kill", "udp:{port}", "--timeout", "0.5", "--json"],
    );
    assertEquals(run.code, 0, run.stdout + run.stderr);
    const [row] = JSON.parse(run.stdout) as KillRow[];
    assertEquals([row.pid, row.signals, row.outcome], [
      run.listener.pid,
      ["SIGTERM", "SIGKILL"],
      "ended",
    ]);
    assert(run.exitedAfterMs !== null);
  },
);

windowsTest(
  "--term on a process with no console and no window: exit 3, says why, leaves it",
  async () => {
    await withListeners([() => startListener("tcp4")], async ([l]) => {
      const run = await portctl("kill", String(l.port), "--term", "--timeout", "0.3");
      assertEquals(run.code, 3, run.stdout + run.stderr);
      assertMatch(run.stdout + run.stderr, /graceful stop is not available/);
      assertMatch(run.stdout + run.stderr, /no console/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert(!l.exited(), "the listener is left running");
    });
  },
);

windowsTest(
  "signals Windows cannot deliver are refused with exit 2; nothing is signalled",
  async () => {
    await withListeners([() => startListener("tcp4")], async ([l]) => {
      for (const signal of ["HUP", "USR1", "1", "10"]) {
        const run = await portctl("kill", String(l.port), "--signal", signal);
        assertEquals(run.code, 2, `--signal ${signal}: ${run.stdout}${run.stderr}`);
        assertMatch(run.stderr, /invalid signal/);
      }
      assert(!l.exited());
      // The numbers every system shares do work: 9 is SIGKILL, TerminateProcess here.
      const nine = await portctl("kill", String(l.port), "--signal", "9");
      assertEquals(nine.code, 0, nine.stdout + nine.stderr);
      assertMatch(nine.stdout, /by SIGKILL/);
    });
  },
);

/** A port nothing holds right now (TCP, loopback). */
function freePort(): number {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  return port;
}

/** Runs `portctl wait ...` in the background; `running()` is true until it exits. */
function startWait(...args: string[]): { running(): boolean; done: Promise<Run> } {
  let exited = false;
  const done = portctl("wait", ...args).then((run) => {
    exited = true;
    return run;
  });
  return { running: () => !exited, done };
}

/** Runs `change` 300 ms after a wait began, checking the wait was still waiting then. */
async function later<T>(wait: { running(): boolean; done: Promise<Run> }, change: () => T) {
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (!wait.running()) throw new Error(`wait exited too early: ${JSON.stringify(await wait.done)}`);
  return await change();
}

windowsTest("wait sees a listener started after it begins, and the port freed again", async () => {
  const port = freePort();
  const listening = startWait(String(port), "--timeout", "20", "--json");
  const listener = await later(listening, () => startListener("tcp4", "--port", String(port)));
  await withListeners([() => Promise.resolve(listener)], async () => {
    const run = await listening.done;
    assertEquals(run.code, 0, run.stdout + run.stderr);
    const state = JSON.parse(run.stdout);
    assertEquals([state.met, state.targets], [true, [
      { target: String(port), met: true, pendingPorts: [] },
    ]]);
    assertEquals(state.holders.map((h: HolderRow) => [h.pid, h.name]), [[
      listener.pid,
      "deno.exe",
    ]]);
    const held = await portctl("wait", String(port), "--for", "free", "--timeout", "0.3");
    assertEquals([held.code, held.stdout], [1, ""]);
    assertMatch(
      held.stderr,
      new RegExp(`^portctl: ${port} is still held after 0\\.3 s by ${listener.pid} deno\\.exe \\(`),
    );
    const free = startWait(String(port), "--for", "free", "--timeout", "20");
    await later(free, () => listener.stop());
    const freed = await free.done;
    assertEquals([freed.code, freed.stdout, freed.stderr], [0, "", ""]);
  });
});

windowsTest("wait: UDP, and tcp4: met by a dual-stack [::] listener only", async () => {
  await withListeners([
    () => startListener("udp4"),
    () => startListener("tcp6-dual"),
    () => startListener("tcp6", "--any"),
  ], async ([udp, dual, v6only]) => {
    assertEquals((await portctl("wait", `udp:${udp.port}`, "--timeout", "5")).code, 0);
    const tcp = await portctl("wait", `tcp:${udp.port}`, "--timeout", "0.3");
    assertEquals([tcp.code, tcp.stderr], [
      1,
      `portctl: tcp:${udp.port} is not listening after 0.3 s\n`,
    ]);
    const four = await portctl("wait", `tcp4:${dual.port}`, "--timeout", "5");
    assertEquals(four.code, 0, four.stderr);
    assertEquals((await portctl("wait", `tcp4:${v6only.port}`, "--timeout", "0.3")).code, 1);
    assertEquals((await portctl("wait", `tcp6:${v6only.port}`, "--timeout", "5")).code, 0);
  });
});
