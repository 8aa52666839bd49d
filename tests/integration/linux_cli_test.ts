/**
 * The CLI contract on Linux, end to end: real listeners on loopback ports, the real portctl CLI,
 * real signals. Every test signals only processes it started.
 */

import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { withStarted } from "../support/children.ts";
import {
  envFor,
  type Holder,
  isRunning,
  portctl,
  startDenoListener,
  startPythonHolder,
  tcpPortIsFree,
} from "../support/portctl.ts";
import { linuxSuite } from "../support/linux_suite.ts";

const { onLinux, env, me, test: linuxTest } = await linuxSuite(
  "the Linux CLI tests that switch users (runuser)",
);

const withHolders = withStarted<Holder>;

if (!onLinux) {
  console.log(
    `Linux CLI tests skipped: they read /proc and start holders with /usr/bin/python3 and runuser ` +
      `(this is ${Deno.build.os})`,
  );
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
}

interface KillRow {
  pid: number | null;
  name: string | null;
  user: string | null;
  command: string | null;
  sockets: { protocol: string; family: number; address: string; port: number; state: string }[];
  signals: string[];
  outcome: string;
}

linuxTest("who finds a TCP v4 listener, with name, user and command", async () => {
  await withHolders([() => startDenoListener(["tcp:127.0.0.1"])], async ([listener]) => {
    const run = await portctl(["who", String(listener.port)], { env });
    assertEquals(run.code, 0, run.stderr);
    const [header, row] = run.stdout.trimEnd().split("\n");
    assertMatch(
      header,
      /^PROTO\s+ADDRESS:PORT\s+STATE\s+PID\s+USER\s+NAME\s+AGE\s+FOLDER\s+COMMAND$/,
    );
    assertMatch(
      row,
      new RegExp(
        `^tcp\\s+127\\.0\\.0\\.1:${listener.port}\\s+LISTEN\\s+${listener.pid}\\s+${me}\\s+deno\\s+` +
          `\\d+s\\s+${RegExp.escape(Deno.cwd())}\\s+.*listener\\.ts`,
      ),
    );
  });
});

linuxTest("who --json has the contract's fields; find is an alias", async () => {
  await withHolders([() => startDenoListener(["tcp:127.0.0.1"])], async ([listener]) => {
    const run = await portctl(["find", `:${listener.port}`, "--json"], { env });
    assertEquals(run.code, 0, run.stderr);
    const rows = JSON.parse(run.stdout) as HolderRow[];
    assertEquals(rows.length, 1);
    const { command, startedAt, ...rest } = rows[0];
    assertEquals(
      rest,
      {
        protocol: "tcp",
        family: 4,
        address: "127.0.0.1",
        port: listener.port,
        state: "LISTEN",
        pid: listener.pid,
        name: "deno",
        user: me,
        cwd: Deno.realPathSync(Deno.cwd()),
        exe: Deno.realPathSync(Deno.execPath()),
        manager: null,
        note: null,
      } as unknown as typeof rest,
    );
    assertMatch(command!, /listener\.ts tcp:127\.0\.0\.1$/);
    assertMatch(startedAt!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

linuxTest("IPv6-only listener on ::1 is found and killed; tcp4: does not match it", async () => {
  await withHolders([() => startDenoListener(["tcp:::1"])], async ([listener]) => {
    const v4 = await portctl(["who", `tcp4:${listener.port}`], { env });
    assertEquals(v4.code, 1);
    const v6 = await portctl(["who", `tcp6:${listener.port}`, "--json"], { env });
    const rows = JSON.parse(v6.stdout) as HolderRow[];
    assertEquals(rows.map((r) => [r.family, r.address, r.pid]), [[6, "::1", listener.pid]]);
    const kill = await portctl(["kill", String(listener.port)], { env });
    assertEquals(kill.code, 0, kill.stdout + kill.stderr);
    assert(!isRunning(listener.pid));
    assert(tcpPortIsFree(listener.port, "::1"));
  });
});

linuxTest("udp: and tcp: prefixes pick one protocol on a port held by both", async () => {
  await withHolders([
    () => startDenoListener(["tcp:127.0.0.1"]),
  ], async ([tcp]) => {
    const udp = await startDenoListener(["udp:127.0.0.1", "--port", String(tcp.port)]);
    try {
      const udpRun = JSON.parse(
        (await portctl(["who", `udp:${tcp.port}`, "--json"], { env })).stdout,
      );
      assertEquals(udpRun.map((r: HolderRow) => [r.protocol, r.state, r.pid]), [
        ["udp", "UNCONN", udp.pid],
      ]);
      const kill = await portctl(["kill", `tcp:${tcp.port}`], { env });
      assertEquals(kill.code, 0, kill.stdout + kill.stderr);
      assert(!isRunning(tcp.pid), "the TCP holder is gone");
      assert(isRunning(udp.pid), "the UDP holder on the same port survives tcp:");
      const both = await portctl(["kill", String(tcp.port), "--json"], { env });
      const killed = JSON.parse(both.stdout) as KillRow[];
      assertEquals(killed.map((r) => [r.pid, r.sockets[0].protocol, r.outcome]), [
        [udp.pid, "udp", "ended"],
      ]);
    } finally {
      await udp.stop();
    }
  });
});

linuxTest("three SO_REUSEPORT processes: all reported, all ended", async () => {
  const first = await startPythonHolder(["--tcp", "127.0.0.1", "--reuseport"]);
  const port = String(first.port);
  await withHolders([
    () => Promise.resolve(first),
    () => startPythonHolder(["--tcp", "127.0.0.1", "--reuseport", "--port", port]),
    () => startPythonHolder(["--tcp", "127.0.0.1", "--reuseport", "--port", port]),
  ], async (holders) => {
    const pids = holders.map((h) => h.pid).sort((a, b) => a - b);
    const who = JSON.parse((await portctl(["who", port, "--json"], { env })).stdout) as HolderRow[];
    assertEquals(who.map((r) => r.pid), pids);
    const kill = await portctl(["kill", port, "--json"], { env });
    assertEquals(kill.code, 0, kill.stderr);
    const rows = JSON.parse(kill.stdout) as KillRow[];
    assertEquals(rows.map((r) => r.pid).sort((a, b) => a! - b!), pids);
    assert(rows.every((r) => r.outcome === "ended" && r.signals[0] === "SIGTERM"));
    for (const pid of pids) assert(!isRunning(pid), `${pid} ended`);
    assert(tcpPortIsFree(first.port));
  });
});

linuxTest(
  "a parent with forked workers sharing one listening fd: every holder is ended",
  async () => {
    await withHolders(
      [() => startPythonHolder(["--tcp", "127.0.0.1", "--workers", "2"])],
      async ([h]) => {
        assertEquals(h.pids.length, 3);
        const who = JSON.parse((await portctl(["who", String(h.port), "--json"], { env })).stdout);
        assertEquals(who.map((r: HolderRow) => r.pid), [...h.pids].sort((a, b) => a - b));
        const kill = await portctl(["kill", String(h.port)], { env });
        assertEquals(kill.code, 0, kill.stdout + kill.stderr);
        assertEquals(kill.stdout.trimEnd().split("\n").length, 3);
        for (const pid of h.pids) assert(!isRunning(pid));
        assert(tcpPortIsFree(h.port));
      },
    );
  },
);

linuxTest(
  "a process that ignores SIGTERM: --term exits 3 and leaves it; the default ends it",
  async () => {
    await withHolders(
      [() => startDenoListener(["tcp:127.0.0.1", "--ignore-term"])],
      async ([h]) => {
        // A duration with a unit: 300ms is what it waits, as the line says.
        const term = await portctl(["kill", String(h.port), "--term", "--timeout", "300ms"], {
          env,
        });
        assertEquals(term.code, 3, term.stdout + term.stderr);
        assertMatch(
          term.stdout,
          new RegExp(`^still running ${h.pid} deno \\(tcp :${h.port}\\): still running 0.3 s `),
        );
        assert(isRunning(h.pid), "--term must not escalate");
        const kill = await portctl(["kill", String(h.port), "--timeout", "0.3", "--json"], { env });
        assertEquals(kill.code, 0, kill.stdout + kill.stderr);
        const [row] = JSON.parse(kill.stdout) as KillRow[];
        assertEquals([row.signals, row.outcome], [["SIGTERM", "SIGKILL"], "ended"]);
        assert(!isRunning(h.pid));
      },
    );
  },
);

linuxTest(
  "kill prints one line per process: ended PID NAME (tcp :PORT) by SIGTERM in N s",
  async () => {
    await withHolders([() => startDenoListener(["tcp:127.0.0.1"])], async ([h]) => {
      const run = await portctl(["kill", String(h.port), "--term"], { env });
      assertEquals(run.code, 0, run.stderr);
      assertMatch(
        run.stdout,
        new RegExp(`^ended ${h.pid} deno \\(tcp :${h.port}\\) by SIGTERM in \\d+\\.\\d\\d s\\n$`),
      );
    });
  },
);

linuxTest("--kill sends SIGKILL at once and --signal sends the named signal", async () => {
  await withHolders([
    () => startDenoListener(["tcp:127.0.0.1", "--ignore-term"]),
    () => startPythonHolder(["--tcp", "127.0.0.1"]),
  ], async ([stubborn, python]) => {
    const kill = JSON.parse(
      (await portctl(["kill", String(stubborn.port), "--kill", "--json"], { env })).stdout,
    );
    assertEquals([kill[0].signals, kill[0].outcome], [["SIGKILL"], "ended"]);
    const int = await portctl(["kill", String(python.port), "--signal", "2", "--json"], { env });
    assertEquals(int.code, 0, int.stderr);
    assertEquals(JSON.parse(int.stdout)[0].signals, ["SIGINT"]);
    assert(!isRunning(python.pid));
  });
});

linuxTest("a range ends the holders inside it; a listener just outside survives", async () => {
  // Three consecutive ports: the first is ephemeral, the next two are tried until both bind.
  for (let attempt = 0; attempt < 20; attempt++) {
    const a = await startDenoListener(["tcp:127.0.0.1"]);
    let b: Holder | undefined, c: Holder | undefined;
    try {
      b = await startDenoListener(["tcp:127.0.0.1", "--port", String(a.port + 1)]);
      c = await startDenoListener(["tcp:127.0.0.1", "--port", String(a.port + 2)]);
    } catch {
      await a.stop();
      await b?.stop();
      continue;
    }
    try {
      const run = await portctl(["kill", `tcp:${a.port}-${a.port + 1}`], { env });
      assertEquals(run.code, 0, run.stdout + run.stderr);
      assert(!isRunning(a.pid) && !isRunning(b.pid), "both inside the range ended");
      assert(isRunning(c.pid), "the listener one port past the range survives");
      return;
    } finally {
      for (const h of [a, b, c]) await h.stop();
    }
  }
  throw new Error("could not bind three consecutive loopback ports");
});

linuxTest("--dry-run reports what would be signalled and signals nothing", async () => {
  await withHolders([() => startDenoListener(["tcp:127.0.0.1"])], async ([h]) => {
    const text = await portctl(["kill", String(h.port), "--dry-run"], { env });
    assertEquals(text.code, 0);
    assertMatch(
      text.stdout,
      new RegExp(`^would signal ${h.pid} deno \\(tcp :${h.port}\\) with SIGTERM`),
    );
    const json = await portctl(["kill", String(h.port), "--dry-run", "--json", "--kill"], { env });
    const [row] = JSON.parse(json.stdout) as KillRow[];
    assertEquals([row.pid, row.outcome, row.signals], [h.pid, "dry-run", ["SIGKILL"]]);
    assert(isRunning(h.pid));
  });
});

linuxTest("a client connected to the port is never matched, even with --all-states", async () => {
  await withHolders([() => startDenoListener(["tcp:127.0.0.1"])], async ([server]) => {
    const client = new Deno.Command("/usr/bin/python3", {
      args: [
        "-c",
        `import socket,time
s=socket.create_connection(("127.0.0.1",${server.port}))
print(s.getsockname()[1],flush=True)
time.sleep(60)`,
      ],
      stdout: "piped",
    }).spawn();
    try {
      const reader = client.stdout.pipeThrough(new TextDecoderStream()).getReader();
      const clientPort = Number((await reader.read()).value);
      reader.releaseLock();
      const all = await portctl(["who", String(server.port), "--all-states", "--json"], { env });
      const allRows = JSON.parse(all.stdout) as HolderRow[];
      const pids = new Set(allRows.map((r) => r.pid));
      assert(!pids.has(client.pid), "the client is not a holder of the server port");
      // The server's side of the connection is local to the port: --all-states shows it (held by
      // the kernel until the listener accepts it, as this one never does).
      assert(
        allRows.some((r) => r.state === "ESTABLISHED" && (r.pid === server.pid || r.pid === null)),
        all.stdout,
      );
      const listening = JSON.parse(
        (await portctl(["who", String(server.port), "--json"], { env })).stdout,
      ) as HolderRow[];
      assertEquals(listening.map((r) => r.state), ["LISTEN"]);
      const kill = await portctl(["kill", String(server.port), "--all-states"], { env });
      assertEquals(kill.code, 0, kill.stdout + kill.stderr);
      assert(!isRunning(server.pid));
      assert(isRunning(client.pid), "the client survives");
      assert(clientPort !== server.port);
    } finally {
      client.kill("SIGKILL");
      await client.status;
      await client.stdout.cancel().catch(() => {});
    }
  });
});

linuxTest(
  "list and list --json show our listener; --udp and --tcp filter; ls is an alias",
  async () => {
    await withHolders([() => startDenoListener(["tcp:127.0.0.1"])], async ([h]) => {
      const udp = await startDenoListener(["udp:127.0.0.1"]);
      try {
        const list = await portctl(["ls"], { env });
        assertEquals(list.code, 0);
        assertMatch(
          list.stdout,
          new RegExp(`tcp\\s+127\\.0\\.0\\.1:${h.port}\\s+LISTEN\\s+${h.pid}`),
        );
        const tcpOnly = JSON.parse(
          (await portctl(["list", "--json", "--tcp"], { env })).stdout,
        ) as HolderRow[];
        assert(tcpOnly.some((r) => r.pid === h.pid) && tcpOnly.every((r) => r.protocol === "tcp"));
        assert(tcpOnly.every((r) => r.state === "LISTEN"));
        const udpOnly = JSON.parse(
          (await portctl(["list", "--json", "--udp"], { env })).stdout,
        ) as HolderRow[];
        assert(
          udpOnly.some((r) => r.pid === udp.pid) && udpOnly.every((r) => r.protocol === "udp"),
        );
      } finally {
        await udp.stop();
      }
    });
  },
);

linuxTest("nothing on the port: exit 1 and one line; --no-fail makes it 0", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const who = await portctl(["who", String(port)], { env });
  assertEquals([who.code, who.stdout, who.stderr], [
    1,
    "",
    `portctl: nothing holds port ${port}\n`,
  ]);
  const kill = await portctl(["kill", String(port)], { env });
  assertEquals(kill.code, 1);
  const quiet = await portctl(["kill", String(port), "--no-fail"], { env });
  assertEquals([quiet.code, quiet.stdout, quiet.stderr], [0, "", ""]);
  const json = await portctl(["who", String(port), "--json"], { env });
  assertEquals([json.code, json.stdout.trim()], [1, "[]"]);
});

linuxTest("a process of user nobody is killed by root", async () => {
  await withHolders(
    [() => startPythonHolder(["--tcp", "127.0.0.1"], { user: "nobody" })],
    async ([h]) => {
      const who = JSON.parse((await portctl(["who", String(h.port), "--json"], { env })).stdout);
      assertEquals([who[0].pid, who[0].user], [h.pid, "nobody"]);
      const kill = await portctl(["kill", String(h.port)], { env });
      assertEquals(kill.code, 0, kill.stdout + kill.stderr);
      assert(!isRunning(h.pid));
    },
  );
}, { root: true });

linuxTest(
  "portctl as nobody against root's listener: exit 3, listener alive, owner named",
  async () => {
    await withHolders([() => startDenoListener(["tcp:127.0.0.1"])], async ([h]) => {
      const nobodyEnv = envFor("nobody");
      const who = await portctl(["who", String(h.port), "--json"], {
        user: "nobody",
        env: nobodyEnv,
      });
      assertEquals(who.code, 0, who.stderr);
      const [row] = JSON.parse(who.stdout);
      assertEquals([row.pid, row.name, row.user, row.command], [null, null, null, null]);
      assertMatch(row.note, /belongs to user root.*sudo/);
      const kill = await portctl(["kill", String(h.port)], { user: "nobody", env: nobodyEnv });
      assertEquals(kill.code, 3, kill.stdout + kill.stderr);
      assertMatch(
        kill.stdout,
        new RegExp(`^not visible tcp 127\\.0\\.0\\.1:${h.port}: .*user root.*sudo`),
      );
      assert(isRunning(h.pid), "nothing was killed");
    });
  },
  { root: true },
);

linuxTest(
  "as nobody, a root master beside visible nobody workers: held, hidden holder named, exit 3",
  async () => {
    const nobodyEnv = envFor("nobody");
    await withHolders([
      () => startPythonHolder(["--tcp", "127.0.0.1", "--workers", "1", "--worker-user", "nobody"]),
    ], async ([h]) => {
      const [master, worker] = h.pids;
      const who = await portctl(["who", String(h.port), "--json"], {
        user: "nobody",
        env: nobodyEnv,
      });
      assertEquals(who.code, 0, who.stderr);
      const rows = JSON.parse(who.stdout) as (HolderRow & { note: string | null })[];
      assertEquals(rows.map((r) => r.pid), [null, worker]);
      assertMatch(rows[0].note!, /other holders may be hidden: .*user root.*sudo/);
      const kill = await portctl(["kill", String(h.port), "--json"], {
        user: "nobody",
        env: nobodyEnv,
      });
      assertEquals(kill.code, 3, kill.stdout + kill.stderr);
      const outcomes = (JSON.parse(kill.stdout) as KillRow[]).map((r) => [r.pid, r.outcome]);
      assertEquals(outcomes.slice(0, 2), [[worker, "ended"], [null, "not-visible"]]);
      assert(isRunning(master), "root's master is untouched");
      assert(!isRunning(worker));
    });
  },
  { root: true },
);

linuxTest(
  "a socket closed during the scan is never reported as held by someone hidden",
  async () => {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    await withHolders(
      [() => startPythonHolder(["--flap", "--port", String(port)])],
      async ([h]) => {
        for (let i = 0; i < 30; i++) {
          const run = await portctl(["who", `tcp:${port}`, "--json"], { env });
          const rows = JSON.parse(run.stdout) as HolderRow[];
          assert(rows.every((r) => r.pid === h.pid), `run ${i}: ${run.stdout}`);
        }
      },
    );
  },
);

linuxTest("processes that exit during the scan never break a lookup", async () => {
  await withHolders([
    () => startDenoListener(["tcp:127.0.0.1"]),
    () => startPythonHolder(["--churn"]),
    () => startPythonHolder(["--churn"]),
  ], async ([h]) => {
    for (let i = 0; i < 5; i++) {
      const run = await portctl(["who", String(h.port), "--json"], { env });
      assertEquals(run.code, 0, run.stderr);
      assertEquals(JSON.parse(run.stdout).map((r: HolderRow) => r.pid), [h.pid]);
    }
  });
});

linuxTest(
  "a supervisor that restarts the server: kill says so, names the new PID, exits 3",
  async () => {
    await withHolders(
      [() => startPythonHolder(["--supervise", "--tcp", "127.0.0.1"])],
      async ([sup]) => {
        const firstChild = sup.pids[1];
        try {
          const run = await portctl(["kill", String(sup.port), "--term"], { env });
          assertEquals(run.code, 3, run.stdout + run.stderr);
          assertMatch(run.stdout, new RegExp(`^ended ${firstChild} `));
          assertMatch(
            run.stdout,
            new RegExp(
              `held again tcp :${sup.port} by PID (\\d+) python3 \\(parent ${sup.pid} python3\\)`,
            ),
          );
          assert(isRunning(sup.pid), "the supervisor itself is not touched");
          const json = await portctl(["kill", String(sup.port), "--term", "--json"], { env });
          assertEquals(json.code, 3, json.stderr);
          const [ended, respawned] = JSON.parse(json.stdout);
          assertEquals([ended.outcome, ended.signals], ["ended", ["SIGTERM"]]);
          assertEquals(
            [respawned.outcome, respawned.signals, respawned.parentPid, respawned.name],
            ["respawned", [], sup.pid, "python3"],
          );
          assertEquals(respawned.sockets.map((s: { port: number }) => s.port), [sup.port]);
        } finally {
          // The restarted children are ours too: the supervisor we started made them.
          Deno.kill(sup.pid, "SIGKILL");
          const left = await portctl(["who", String(sup.port), "--json"], { env });
          for (const row of JSON.parse(left.stdout || "[]") as HolderRow[]) {
            try {
              if (row.pid) Deno.kill(row.pid, "SIGKILL");
            } catch { /* gone */ }
          }
        }
      },
    );
  },
);

Deno.test({
  name: "bad input exits 2 with one line on stderr and signals nothing",
  ignore: !onLinux,
  sanitizeResources: false,
  async fn() {
    const h = await startDenoListener(["tcp:127.0.0.1"]);
    try {
      const good = String(h.port);
      const cases: [string[], RegExp][] = [
        [["kill", good, "abc"], /invalid target "abc"/],
        [["kill", good, "0"], /invalid target "0": port 0 is outside 1-65535/],
        [["kill", good, "70000"], /invalid target "70000"/],
        [["kill", good, "--", "-1"], /invalid target "-1"/],
        [["kill", good, "10-5"], /invalid target "10-5": range 10-5 runs backwards/],
        [["kill", good, "tcp:"], /invalid target "tcp:"/],
        [["kill", good, "foo:80"], /unknown protocol "foo"/],
        [["kill"], /missing target/],
        [["who"], /missing target/],
        [["kill", good, "--bogus"], /unknown flag "--bogus"/],
        [["kill", good, "--timeout", "soon"], /invalid --timeout "soon"/],
        [["kill", good, "--timeout", "-1"], /invalid --timeout "-1": expected a duration from 0s/],
        [["kill", good, "--timeout", "5x"], /invalid --timeout "5x": .*such as 500ms, 5s or 2m/],
        [["kill", good, "--timeout", "2 m"], /invalid --timeout "2 m"/],
        [["kill", good, "--timeout", "25h"], /invalid --timeout "25h": .* to 24h/],
        [["kill", good, "--timeout", "1ms5"], /invalid --timeout "1ms5"/],
        [
          ["kill", good, "--plugin-timeout", "50ms"],
          /invalid --plugin-timeout "50ms": .*from 100ms/,
        ],
        [["kill", good, "--timeout"], /--timeout needs a value/],
        [["kill", good, "--signal="], /"--signal=" is neither a target nor a flag with a value/],
        [["kill", good, "--signal", "", "--term"], /--term and --signal cannot be combined/],
        [["kill", good, "--signal", ""], /invalid signal ""/],
        [["kill", good, "--plugin-timeout", "0"], /invalid --plugin-timeout "0"/],
        [["completions", "tcsh"], /unknown shell "tcsh"/],
        [["kill", good, "--signal", "NOPE"], /invalid signal "NOPE"/],
        [["kill", good, "--signal", "99"], /invalid signal "99"/],
        [["kill", good, "--term", "--kill"], /cannot be combined/],
        [["frobnicate"], /unknown command "frobnicate"/],
      ];
      for (const [args, message] of cases) {
        const run = await portctl(args, { env });
        assertEquals(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
        assertEquals(run.stdout, "", args.join(" "));
        const lines = run.stderr.trimEnd().split("\n");
        assertEquals(lines.length, 1, `one line for ${args.join(" ")}: ${run.stderr}`);
        assertMatch(lines[0], /^portctl: /);
        assertMatch(lines[0], message);
      }
      assert(isRunning(h.pid), "a good target beside a bad one is never signalled");
    } finally {
      await h.stop();
    }
  },
});

Deno.test({
  name: "--help, <command> --help and --version",
  ignore: !onLinux,
  async fn() {
    const help = await portctl(["--help"], { env });
    assertEquals(help.code, 0);
    for (const text of ["kill", "who", "list", "EXIT CODES", "EXAMPLES"]) {
      assert(help.stdout.includes(text), `--help mentions ${text}`);
    }
    const commands = [
      ["kill"],
      ["who"],
      ["find"],
      ["list"],
      ["ls"],
      ["plugins"],
      [
        "plugins",
        "list",
      ],
      ["plugins", "trust"],
      ["completions"],
    ];
    for (const command of commands) {
      const run = await portctl([...command, "--help"], { env });
      assertEquals(run.code, 0, command.join(" "));
      assert(
        run.stdout.includes("EXIT CODES") && run.stdout.includes("EXAMPLES"),
        command.join(" "),
      );
    }
    const kill = (await portctl(["kill", "--help"], { env })).stdout;
    for (
      const flag of [
        "--term",
        "--kill",
        "--signal",
        "--timeout",
        "--dry-run",
        "--json",
        "--all-states",
        "--no-fail",
        "--in DIR",
        "--timeout DURATION",
      ]
    ) {
      assert(kill.includes(flag), `kill --help lists ${flag}`);
    }
    const who = (await portctl(["who", "--help"], { env })).stdout;
    for (const flag of ["--wide", "--in DIR"]) assert(who.includes(flag), `who --help: ${flag}`);
    const version = await portctl(["--version"], { env });
    assertMatch(version.stdout, /^portctl \d+\.\d+\.\d+ \(x86_64|aarch64/);
  },
});

linuxTest("a shell-script restart loop counts as a supervisor: held again, exit 3", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  // setsid: the loop leads its own process group, so cleanup ends the loop and its server.
  const loop = new Deno.Command("setsid", {
    args: [
      "bash",
      "-c",
      `while true; do /usr/bin/python3 ${
        new URL("../support/holder.py", import.meta.url).pathname
      } --tcp 127.0.0.1 --port ${port}; sleep 0.1; done`,
    ],
    stdout: "piped",
    stdin: "null",
  }).spawn();
  try {
    const reader = loop.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const first = JSON.parse((await reader.read()).value!.split("\n")[0]);
    reader.releaseLock();
    const run = await portctl(["kill", String(port), "--term"], { env });
    assertEquals(run.code, 3, run.stdout + run.stderr);
    assertMatch(run.stdout, new RegExp(`^ended ${first.pid} python3`));
    assertMatch(
      run.stdout,
      new RegExp(`held again tcp :${port} by PID \\d+ python3 \\(parent ${loop.pid} bash\\)`),
    );
  } finally {
    try {
      Deno.kill(-loop.pid, "SIGKILL");
    } catch { /* gone */ }
    await loop.status;
    await loop.stdout.cancel().catch(() => {});
  }
});
