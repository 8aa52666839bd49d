/**
 * `portctl wait` on Linux, end to end: the real CLI waiting on loopback ports while real listeners
 * start and stop, as `portctl wait 3000 && npm test` does. Every test ends only what it started.
 */

import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { withStarted } from "../support/children.ts";
import { backend } from "../../src/platform/linux/backend.ts";
import type { SocketEntry } from "../../src/platform/types.ts";
import { pause, waitUntil } from "../../src/platform/poll.ts";
import {
  envFor,
  type Holder,
  portctl,
  type PortctlRun,
  startDenoListener,
  startPythonHolder,
  tcpPortIsFree,
} from "../support/portctl.ts";
import { linuxSuite } from "../support/linux_suite.ts";

const { env, me, test: linuxTest } = await linuxSuite(
  "the Linux wait tests that switch users (runuser)",
);
const withHolders = withStarted<Holder>;

/** How long after `wait` starts the tests start or stop a listener, as the issue asks. */
const CHANGE_AFTER_MS = 300;

/**
 * `count` consecutive TCP ports that nothing holds right now (UDP ports in the ephemeral range are
 * as good as free on a test machine).
 */
function freePorts(count: number): number[] {
  for (let attempt = 0; attempt < 100; attempt++) {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const first = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const ports = Array.from({ length: count }, (_, i) => first + i);
    if (ports.every((p) => p <= 65535 && tcpPortIsFree(p))) return ports;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

/** A `portctl wait` run going on in the background. */
interface WaitRun {
  /** True while it has not exited. */
  running(): boolean;
  readonly done: Promise<PortctlRun>;
}

function startWait(args: string[], options: { user?: string } = {}): WaitRun {
  let exited = false;
  const runEnv = options.user ? envFor(options.user) : env;
  const done = portctl(["wait", ...args], { env: runEnv, user: options.user }).then((run) => {
    exited = true;
    return run;
  });
  return { running: () => !exited, done };
}

/** Starts `start` once `wait` has run for a while, checking that it was still waiting then. */
async function later<T>(run: WaitRun, start: () => Promise<T>): Promise<T> {
  await pause(CHANGE_AFTER_MS);
  if (!run.running()) throw new Error(`wait exited too early: ${JSON.stringify(await run.done)}`);
  return await start();
}

linuxTest("wait: a server started 300 ms later is seen; exit 0, nothing printed", async () => {
  const [port] = freePorts(1);
  const run = startWait([String(port)]);
  const listener = await later(
    run,
    () => startDenoListener(["tcp:127.0.0.1", "--port", String(port)]),
  );
  try {
    assertEquals(await run.done, { code: 0, stdout: "", stderr: "" });
  } finally {
    await listener.stop();
  }
});

linuxTest("wait --for free: a server stopped 300 ms later is seen; exit 0", async () => {
  await withHolders([() => startDenoListener(["tcp:127.0.0.1"])], async ([listener]) => {
    const run = startWait([String(listener.port), "--for", "free"]);
    await later(run, () => listener.stop());
    assertEquals(await run.done, { code: 0, stdout: "", stderr: "" });
  });
});

linuxTest("wait: timeout with nothing listening: exit 1, one line naming the target", async () => {
  const [port] = freePorts(1);
  const run = await portctl(["wait", String(port), "--timeout", "0.3"], { env });
  assertEquals(run, {
    code: 1,
    stdout: "",
    stderr: `portctl: ${port} is not listening after 0.3 s\n`,
  });
});

linuxTest("wait --for free: timeout names the holder: PID, name, user, socket", async () => {
  await withHolders([() => startDenoListener(["tcp:127.0.0.1"])], async ([listener]) => {
    const { port, pid } = listener;
    const run = await portctl(["wait", String(port), "--for", "free", "--timeout", "0.3"], {
      env,
    });
    assertEquals([run.code, run.stdout], [1, ""]);
    assertEquals(
      run.stderr,
      `portctl: ${port} is still held after 0.3 s by ${pid} deno (user ${me}, tcp :${port})\n`,
    );
  });
});

linuxTest("wait on a range: every port must listen; the missing ones are named", async () => {
  const [first, second] = freePorts(2);
  const range = `${first}-${second}`;
  await withHolders(
    [() => startDenoListener(["tcp:127.0.0.1", "--port", String(first)])],
    async () => {
      const partly = await portctl(["wait", range, "--timeout", "0.3"], { env });
      assertEquals([partly.code, partly.stderr], [
        1,
        `portctl: ${range} is not listening after 0.3 s (nothing listens on ${second})\n`,
      ]);
      const run = startWait([range]);
      const other = await later(
        run,
        () => startDenoListener(["tcp:127.0.0.1", "--port", String(second)]),
      );
      try {
        assertEquals((await run.done).code, 0);
        const held = await portctl(["wait", range, "--for", "free", "--timeout", "0.3"], { env });
        assertEquals(held.code, 1);
        assertMatch(
          held.stderr,
          new RegExp(
            `^portctl: ${range} is still held \\(${first}, ${second}\\) after 0\\.3 s by `,
          ),
        );
        assertEquals(held.stderr.trimEnd().split("\n").length, 1, "one line per target");
      } finally {
        await other.stop();
      }
    },
  );
});

linuxTest("wait udp:P sees a bound UDP socket; tcp:P does not count it", async () => {
  const [port] = freePorts(1);
  const run = startWait([`udp:${port}`]);
  const udp = await later(run, () => startDenoListener(["udp:127.0.0.1", "--port", String(port)]));
  try {
    assertEquals((await run.done).code, 0);
    const tcp = await portctl(["wait", `tcp:${port}`, "--timeout", "0.3"], { env });
    assertEquals([tcp.code, tcp.stderr], [
      1,
      `portctl: tcp:${port} is not listening after 0.3 s\n`,
    ]);
    const free = await portctl(["wait", String(port), "--for", "free", "--timeout", "0.2"], {
      env,
    });
    assertMatch(
      free.stderr,
      new RegExp(`still held after 0\\.2 s by ${udp.pid} deno .*udp :${port}`),
    );
  } finally {
    await udp.stop();
  }
});

linuxTest("wait: a dual-stack [::] listener holds tcp4:P too; a V6ONLY one does not", async () => {
  await withHolders([
    () => startPythonHolder(["--tcp", "::", "--v6only", "off"]),
    () => startPythonHolder(["--tcp", "::", "--v6only", "on"]),
  ], async ([dual, v6only]) => {
    const listening = await portctl(["wait", `tcp4:${dual.port}`, "--timeout", "0.2"], { env });
    assertEquals(listening.code, 0, listening.stderr);
    const free = await portctl(["wait", `tcp4:${dual.port}`, "--for", "free", "--timeout", "0.2"], {
      env,
    });
    assertEquals(free.code, 1, "the dual-stack socket holds the IPv4 port");
    const only6 = await portctl(["wait", `tcp4:${v6only.port}`, "--timeout", "0.2"], { env });
    assertEquals(only6.code, 1, "a V6ONLY socket does not listen on IPv4");
    const six = await portctl(["wait", `tcp6:${v6only.port}`, "--timeout", "0.2"], { env });
    assertEquals(six.code, 0, six.stderr);
  });
});

linuxTest("wait --for free: another user's process holds the port; root names it", async () => {
  await withHolders(
    [() => startPythonHolder(["--tcp", "127.0.0.1"], { user: "nobody" })],
    async ([h]) => {
      const run = await portctl(["wait", String(h.port), "--for", "free", "--timeout", "0.3"], {
        env,
      });
      assertEquals(run.code, 1);
      assertMatch(run.stderr, new RegExp(`by ${h.pid} python3 \\(user nobody, tcp :${h.port}\\)`));
    },
  );
}, { root: true });

linuxTest(
  "wait as nobody: root's listener counts as listening, and as held: owner not visible",
  async () => {
    await withHolders([() => startDenoListener(["tcp:127.0.0.1"])], async ([h]) => {
      const port = String(h.port);
      const listening = await startWait([port, "--timeout", "5"], { user: "nobody" }).done;
      assertEquals(listening.code, 0, listening.stderr);
      const held = await startWait([port, "--for", "free", "--timeout", "0.3"], { user: "nobody" })
        .done;
      assertEquals(
        [held.code, held.stderr],
        [
          1,
          `portctl: ${port} is still held after 0.3 s by an unseen process (owner not visible; user root, tcp :${port})\n`,
        ],
      );
    });
  },
  { root: true },
);

linuxTest("wait never connects to the port: the listener accepted nothing", async () => {
  const log = Deno.makeTempFileSync({ prefix: "portctl-accepts-" });
  try {
    await withHolders(
      [() => startDenoListener(["tcp:127.0.0.1", "--accept-log", log])],
      async ([listener]) => {
        const port = String(listener.port);
        assertEquals((await portctl(["wait", port], { env })).code, 0);
        assertEquals((await portctl(["wait", port, "--json"], { env })).code, 0);
        const held = await portctl(["wait", port, "--for", "free", "--timeout", "0.3"], { env });
        assertEquals(held.code, 1);
        assertEquals(Deno.readTextFileSync(log), "", "portctl wait connected to the port");
        // The log does count connections: one of ours shows up.
        (await Deno.connect({ hostname: "127.0.0.1", port: listener.port })).close();
        const logged = await waitUntil(() => Deno.readTextFileSync(log) !== "", {
          timeoutMs: 5_000,
        });
        assert(logged, "the accept log never saw the test's own connection");
        assertEquals(Deno.readTextFileSync(log).trimEnd().split("\n").length, 1);
      },
    );
  } finally {
    Deno.removeSync(log);
  }
});

linuxTest("wait --json: targets, met, pending ports, holders, elapsed ms", async () => {
  const [free] = freePorts(1);
  await withHolders([() => startDenoListener(["tcp:127.0.0.1"])], async ([listener]) => {
    const held = String(listener.port);
    const met = await portctl(["wait", held, "--json"], { env });
    assertEquals(met.code, 0, met.stderr);
    const state = JSON.parse(met.stdout);
    assertEquals(Object.keys(state), ["for", "met", "elapsedMs", "targets", "holders"]);
    assertEquals([state.for, state.met, state.targets], ["listening", true, [
      { target: held, met: true, pendingPorts: [] },
    ]]);
    assert(Number.isInteger(state.elapsedMs) && state.elapsedMs >= 0, met.stdout);
    assertEquals(
      state.holders.map((h: { pid: number; port: number; state: string }) => [
        h.pid,
        h.port,
        h.state,
      ]),
      [[listener.pid, listener.port, "LISTEN"]],
    );
    const timedOut = await portctl(
      ["wait", held, String(free), "--for", "free", "--timeout", "0.2", "--json"],
      { env },
    );
    assertEquals([timedOut.code, timedOut.stderr], [1, ""]);
    const final = JSON.parse(timedOut.stdout);
    assertEquals([final.for, final.met, final.targets], ["free", false, [
      { target: held, met: false, pendingPorts: [listener.port] },
      { target: String(free), met: true, pendingPorts: [] },
    ]]);
    assertEquals(final.holders.map((h: { pid: number }) => h.pid), [listener.pid]);
  });
});

linuxTest("wait: bad input exits 2 with one line, before waiting", async () => {
  for (
    const args of [
      ["wait"],
      ["wait", "70000"],
      ["wait", "3000", "--for", "sideways"],
      ["wait", "3000", "--for"],
      ["wait", "3000", "--timeout", "-1"],
      ["wait", "3000", "--timeout", "soon"],
      ["wait", "sctp:3000"],
    ]
  ) {
    const run = await portctl(args, { env });
    assertEquals([run.code, run.stdout], [2, ""], args.join(" "));
    assertMatch(run.stderr, /^portctl: [^\n]+\n$/, args.join(" "));
  }
});

linuxTest("wait on a terminal: a progress line on stderr, cleared at the end", async () => {
  const [port] = freePorts(1);
  const main = new URL("../../src/main.ts", import.meta.url).pathname;
  // script(1) gives the run a terminal; its typescript goes to /dev/null, the output to stdout.
  const command = `${Deno.execPath()} run -A --quiet ${main} wait ${port} --timeout 0.5`;
  const out = await new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    env: { ...env, NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assertEquals(out.code, 1, text);
  const progress = new RegExp(`\\rwaiting for ${port} to listen \\(\\d\\.\\d s of 0\\.5 s\\)`);
  assertMatch(text, progress);
  // Cleared (a carriage return, spaces, a carriage return) before the timeout line.
  assertMatch(text, new RegExp(`\\r +\\rportctl: ${port} is not listening after 0\\.5 s\\r?\\n$`));
  assert(!text.includes("\x1b"), `no escape sequences: ${JSON.stringify(text)}`);
});

linuxTest(
  "listSockets: what findSockets finds, without holders; only the query's protocols",
  async () => {
    await withHolders(
      [() => startPythonHolder(["--tcp", "127.0.0.1", "--udp", "127.0.0.1"])],
      ([h]) => {
        const match = (socket: SocketEntry) => socket.port === h.port;
        const text = (sockets: SocketEntry[]) => sockets.map((s) => JSON.stringify(s)).sort();
        const query = { listeningTcpOnly: true };
        const listed = backend.listSockets(match, query);
        assertEquals(listed.map((s) => s.protocol).sort(), ["tcp", "udp"]);
        assertEquals(
          text(listed),
          text(backend.findSockets(match, query).map((held) => held.socket)),
        );
        // `match` accepts the UDP socket too: only the query keeps the UDP tables unread.
        const tcpOnly = backend.listSockets(match, { ...query, protocols: ["tcp"] });
        assertEquals(tcpOnly.map((s) => [s.protocol, s.state]), [["tcp", "LISTEN"]]);
        return Promise.resolve();
      },
    );
  },
);
