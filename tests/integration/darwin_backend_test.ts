/**
 * The darwin backend on a real Mac (GitHub's macOS runners): real listeners in child Deno
 * processes, the real libSystem, real signals, cross-checked against `netstat` and `ps`. Skipped,
 * with the reason printed, on every other OS. Every test signals only processes it started.
 */

import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import {
  type Holder,
  isolatedEnv,
  portctl,
  startDenoListener,
  tcpPortIsFree,
} from "../support/portctl.ts";
import { createBackend } from "../../src/platform/darwin/backend.ts";
import type { HeldSocket, SocketEntry } from "../../src/platform/types.ts";

const onMac = Deno.build.os === "darwin";
if (!onMac) {
  console.log(
    `darwin integration tests skipped: they call libSystem natively and need macOS ` +
      `(this is ${Deno.build.os}); the decoders and backend logic are unit-tested everywhere`,
  );
}

function macTest(name: string, fn: () => Promise<void> | void) {
  Deno.test({ name, ignore: !onMac, sanitizeResources: false, sanitizeOps: false, fn });
}

const backend = createBackend();

async function run(command: string, args: string[]): Promise<{ code: number; stdout: string }> {
  const output = await new Deno.Command(command, { args, stdin: "null", stderr: "null" }).output();
  return { code: output.code, stdout: new TextDecoder().decode(output.stdout) };
}

/** What `ps` says about `pid`: null when it is gone, else its state letters (Z for a zombie). */
async function psState(pid: number): Promise<string | null> {
  const { code, stdout } = await run("ps", ["-o", "stat=", "-p", String(pid)]);
  return code === 0 && stdout.trim() !== "" ? stdout.trim() : null;
}

async function withHolder(
  args: string[],
  body: (holder: Holder) => Promise<void> | void,
): Promise<void> {
  const holder = await startDenoListener(args);
  try {
    await body(holder);
  } finally {
    await holder.stop();
  }
}

function sortedSet(values: number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

const onPort = (port: number, protocol = "tcp") => (socket: SocketEntry): boolean =>
  socket.port === port && socket.protocol === protocol;

macTest("findSockets: a TCP v4 listener and the process that holds it", async () => {
  const me = (await run("id", ["-un"])).stdout.trim();
  await withHolder(["tcp:127.0.0.1"], (holder) => {
    const found = backend.findSockets(onPort(holder.port));
    assertEquals(found, [{
      socket: {
        protocol: "tcp",
        family: 4,
        address: "127.0.0.1",
        port: holder.port,
        state: "LISTEN",
        uid: Deno.uid(),
        user: me,
      },
      holders: { kind: "visible", pids: [holder.pid], note: null },
    }]);
  });
});

macTest("findSockets: an IPv6-only listener on ::1", async () => {
  await withHolder(["tcp:::1"], (holder) => {
    const [held] = backend.findSockets(onPort(holder.port));
    assertEquals(held.socket.family, 6);
    assertEquals(held.socket.address, "::1");
    assertEquals(held.socket.state, "LISTEN");
    assertEquals(held.holders, { kind: "visible", pids: [holder.pid], note: null });
  });
});

macTest("findSockets: a bound UDP socket is UNCONN", async () => {
  await withHolder(["udp:127.0.0.1"], (holder) => {
    const [held] = backend.findSockets(onPort(holder.port, "udp"));
    assertEquals(held.socket.protocol, "udp");
    assertEquals(held.socket.address, "127.0.0.1");
    assertEquals(held.socket.state, "UNCONN");
    assertEquals(held.holders, { kind: "visible", pids: [holder.pid], note: null });
  });
});

macTest("findSockets: a free port finds nothing", () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  assertEquals(backend.findSockets((s) => s.port === port && s.state === "LISTEN"), []);
});

macTest("findSockets: the socket table agrees with netstat on listening ports", async () => {
  await withHolder(["tcp:127.0.0.1"], async (holder) => {
    // Listeners come and go on a live machine: compare a few times before calling it a mismatch.
    let ours: number[] = [];
    let theirs: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      // netstat prints "tcp4  0  0  127.0.0.1.8080  *.*  LISTEN": the port follows the last dot.
      theirs = sortedSet(
        (await run("netstat", ["-an", "-p", "tcp"])).stdout.split("\n")
          .filter((line) => /\bLISTEN\s*$/.test(line))
          .map((line) => Number(line.trim().split(/\s+/)[3].split(".").pop())),
      );
      ours = sortedSet(
        backend.findSockets((s) => s.protocol === "tcp" && s.state === "LISTEN")
          .map((held) => held.socket.port),
      );
      if (ours.join() === theirs.join()) break;
    }
    assert(theirs.includes(holder.port), "netstat lists the test listener");
    assertEquals(ours, theirs);
  });
});

macTest("describeProcesses: name, parent, user, command line and start time", async () => {
  await withHolder(["tcp:127.0.0.1"], async (holder) => {
    const info = backend.describeProcesses([holder.pid, 999_999]).get(holder.pid);
    assert(info, "the holder is described");
    assertEquals(backend.describeProcesses([999_999]).size, 0);
    assertEquals(info.name, "deno");
    assertEquals(info.user, (await run("id", ["-un"])).stdout.trim());
    assertMatch(info.command, /listener\.ts tcp:127\.0\.0\.1/);
    assertMatch(info.startTime, /^\d+\.\d{6}$/);
    assertEquals(info.ppid, Deno.pid); // startDenoListener spawns it directly
  });
});

macTest("describeProcesses: working folder, program and start time of a listener", async () => {
  const folder = await Deno.makeTempDir({ prefix: "portctl-cwd-" });
  const before = Date.now();
  const holder = await startDenoListener(["tcp:127.0.0.1"], { cwd: folder });
  const after = Date.now();
  try {
    const info = backend.describeProcesses([holder.pid]).get(holder.pid);
    assert(info);
    // /var/folders is /private/var/folders: the kernel gives the real path.
    assertEquals(info.cwd, { path: await Deno.realPath(folder), deleted: false });
    assertEquals(info.exe, await Deno.realPath(Deno.execPath()));
    const started = info.startedAtMs ?? 0;
    assert(
      started >= before - 1000 && started <= after + 1000,
      `${started} in ${before}..${after}`,
    );
  } finally {
    await holder.stop();
    await Deno.remove(folder, { recursive: true });
  }
});

macTest("openProcess: SIGTERM ends the listener and frees the port", async () => {
  await withHolder(["tcp:127.0.0.1"], async (holder) => {
    const info = backend.describeProcesses([holder.pid]).get(holder.pid);
    assert(info);
    const handle = backend.openProcess(info);
    assert(handle.isRunning());
    assertEquals(handle.signal("SIGTERM"), { kind: "sent" });
    assert(await handle.waitForExit(5000), "the listener exits");
    assertEquals(await psState(holder.pid).then((s) => s === null || s.startsWith("Z")), true);
    assertEquals(handle.signal("SIGKILL"), { kind: "gone" });
    assertEquals(backend.findSockets(onPort(holder.port)), []);
    handle.close();
  });
});

macTest("openProcess: a different start time (a reused PID) is never signalled", async () => {
  await withHolder(["tcp:127.0.0.1", "--ignore-term"], async (holder) => {
    const info = backend.describeProcesses([holder.pid]).get(holder.pid);
    assert(info);
    const impostor = backend.openProcess({ ...info, startTime: "1.000000" });
    assert(!impostor.isRunning());
    assertEquals(impostor.signal("SIGKILL"), { kind: "gone" });
    assert((await psState(holder.pid)) !== null, "the holder is untouched");
  });
});

macTest("a root-owned listener is held, owner not visible, not free", async () => {
  if (Deno.uid() === 0 || (await run("sudo", ["-n", "true"])).code !== 0) {
    console.log("skipped: needs a non-root user with passwordless sudo (as on GitHub runners)");
    return;
  }
  const listener = new URL("../support/listener.ts", import.meta.url).pathname;
  // Root's Deno gets a cache of its own: root-owned files in the runner's cache would lock the
  // runner's later Deno runs out of it.
  const rootDenoDir = Deno.makeTempDirSync({ prefix: "portctl-root-deno-" });
  const child = new Deno.Command("sudo", {
    args: [
      "-n",
      "env",
      `DENO_DIR=${rootDenoDir}`,
      Deno.execPath(),
      "run",
      "--allow-net",
      listener,
      "tcp:127.0.0.1",
    ],
    stdout: "piped",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const { pid, port } = JSON.parse(text) as { pid: number; port: number };
  try {
    const found: HeldSocket[] = backend.findSockets(onPort(port));
    assertEquals(found.length, 1);
    assertEquals(found[0].holders.kind, "hidden");
    assertEquals(found[0].socket.user, "root");
    assertMatch(found[0].holders.note ?? "", /belongs to user root.*run portctl with sudo/);
    const cli = await portctl(["kill", String(port)], { env: isolatedEnv() });
    assertEquals(cli.code, 3, cli.stdout + cli.stderr);
    assert((await psState(pid)) !== null, "root's listener is still running");
  } finally {
    await run("sudo", ["-n", "kill", "-KILL", String(pid)]);
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    await child.status;
  }
});

macTest("portctl who --json and kill work on macOS", async () => {
  const env = isolatedEnv();
  await withHolder(["tcp:127.0.0.1"], async (holder) => {
    const who = await portctl(["who", String(holder.port), "--json"], { env });
    assertEquals(who.code, 0, who.stderr);
    const rows = JSON.parse(who.stdout) as { pid: number; protocol: string; port: number }[];
    assertEquals(rows.map((row) => [row.pid, row.protocol, row.port]), [[
      holder.pid,
      "tcp",
      holder.port,
    ]]);
    const kill = await portctl(["kill", String(holder.port)], { env });
    assertEquals(kill.code, 0, kill.stdout + kill.stderr);
    assert(tcpPortIsFree(holder.port), "the port is free again");
  });
});

macTest(
  "portctl wait sees a listener started after it begins, and names it at a timeout",
  async () => {
    const env = isolatedEnv();
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = probe.addr.port;
    probe.close();
    let exited = false;
    const waiting = portctl(["wait", String(port), "--timeout", "20"], { env }).then((result) => {
      exited = true;
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert(!exited, "wait exited before anything listened");
    await withHolder(["tcp:127.0.0.1", "--port", String(port)], async (holder) => {
      assertEquals(await waiting, { code: 0, stdout: "", stderr: "" });
      const held = await portctl(["wait", String(port), "--for", "free", "--timeout", "0.3"], {
        env,
      });
      assertEquals(held.code, 1, held.stderr);
      assertMatch(
        held.stderr,
        new RegExp(`^portctl: ${port} is still held after 0\\.3 s by ${holder.pid} `),
      );
    });
  },
);
