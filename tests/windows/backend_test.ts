/**
 * The Windows backend called directly, for what the CLI cannot show: identity checks against a
 * reused PID, parent PIDs, start times. Runs under Wine through `deno task test:windows` and
 * natively on Windows; skipped on other OSes. Ends only processes it started.
 */

import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { readJsonLine } from "../support/children.ts";

const onWindows = Deno.build.os === "windows";
const ROOT = new URL("../../", import.meta.url);

/** Starts a listener, in `cwd` (default: the repository). */
async function startListener(kind: string, cwd: string | URL = ROOT) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-net", new URL("listener.ts", import.meta.url).href, kind],
    cwd,
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
  let exited = false;
  const status = child.status.then(() => exited = true);
  return {
    ...report,
    exited: () => exited,
    status,
    async stop() {
      if (!exited) child.kill("SIGKILL");
      await status;
      await child.stdout.cancel().catch(() => {});
    },
  };
}

Deno.test({
  name: "backend: sockets, facts and identity of a real Windows process",
  ignore: !onWindows,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { backend, explainUnheldPort } = await import("../../src/platform/windows/backend.ts");
    const listener = await startListener("tcp4");
    try {
      const held = backend.findSockets((s) => s.port === listener.port);
      assertEquals(held.map((h) => [h.socket.protocol, h.socket.state, h.holders]), [
        ["tcp", "LISTEN", { kind: "visible", pids: [listener.pid], note: null }],
      ]);
      assertEquals(backend.findSockets(() => false), [], "no match, no snapshot, nothing");
      // The table rows alone, from the listener table when only listeners can match.
      const onPort = (s: { port: number }) => s.port === listener.port;
      const listed = backend.listSockets(onPort, { listeningTcpOnly: true, protocols: ["tcp"] });
      assertEquals(listed, held.map((h) => h.socket));
      assertEquals(backend.listSockets(onPort, { protocols: ["udp"] }), []);

      const first = backend.describeProcesses([listener.pid, 999_999]);
      assertEquals(first.size, 1, "a PID that does not exist is left out");
      const info = first.get(listener.pid)!;
      assertEquals(info.ppid, Deno.pid, "the parent is this test");
      assertEquals(info.name, "deno.exe");
      assertMatch(info.command, /listener\.ts tcp4$/);
      assertMatch(info.startTime, /^\d{17,}$/, "a FILETIME in 100 ns ticks");
      assertEquals(
        backend.describeProcesses([listener.pid]).get(listener.pid)!.startTime,
        info.startTime,
      );

      // A PID that now names another process (other start time) is never signalled.
      const reused = backend.openProcess({ ...info, startTime: "116444736000000000" });
      assertEquals(reused.isRunning(), false);
      assertEquals(reused.signal("SIGKILL"), { kind: "gone" });
      reused.close();
      reused.close(); // idempotent
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert(!listener.exited(), "the listener was not touched");

      assertEquals(backend.openProcess(info).signal("SIGHUP").kind, "unsupported");
      const handle = backend.openProcess(info);
      assertEquals(handle.isRunning(), true);
      assertEquals(handle.signal("SIGKILL"), { kind: "sent" });
      assertEquals(await handle.waitForExit(5_000), true);
      assertEquals(handle.isRunning(), false);
      assertEquals(handle.signal("SIGKILL"), { kind: "gone" });
      handle.close();
      await listener.status;
      assertEquals(backend.findSockets((s) => s.port === listener.port), []);
      // Wine frees a port 100-150 ms after the socket leaves the table: poll, bounded.
      let note = explainUnheldPort("tcp", listener.port);
      for (let i = 0; note !== null && i < 40; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        note = explainUnheldPort("tcp", listener.port);
      }
      assertEquals(note, null, "a free port needs no explanation");
    } finally {
      await listener.stop();
    }
  },
});

Deno.test({
  name: "backend: the working folder, program and start time of a Windows listener",
  ignore: !onWindows,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { backend } = await import("../../src/platform/windows/backend.ts");
    const folder = await Deno.makeTempDir({ prefix: "portctl-cwd-" });
    const before = Date.now();
    const listener = await startListener("tcp4", folder);
    const after = Date.now();
    try {
      const info = backend.describeProcesses([listener.pid]).get(listener.pid)!;
      // The process's own view: Deno.cwd() and Deno.execPath() inside the listener.
      assertEquals(info.cwd, { path: listener.cwd, deleted: false });
      assert(listener.cwd.toLowerCase().includes("portctl-cwd-"), listener.cwd);
      assertEquals(info.exe, listener.exe);
      const started = info.startedAtMs ?? 0;
      assert(
        started >= before - 1000 && started <= after + 1000,
        `${started} in ${before}..${after}`,
      );
      assertEquals(new Date(started).toISOString().length, 24);
    } finally {
      await listener.stop();
      await Deno.remove(folder, { recursive: true });
    }
  },
});

Deno.test({
  name: "backend: PIDs 0 and 4 are protected and never opened for ending",
  ignore: !onWindows,
  async fn() {
    const { backend } = await import("../../src/platform/windows/backend.ts");
    assertEquals([...backend.protectedPids].sort(), [0, 4]);
    assertEquals([...backend.signals.numbers.keys()], ["SIGTERM", "SIGINT", "SIGKILL"]);
    assertEquals(backend.signals.graceful, "SIGTERM");
    const system = {
      pid: 4,
      ppid: null,
      name: "System",
      user: null,
      command: "System",
      startTime: "",
      cwd: null,
      startedAtMs: null,
      exe: null,
    };
    const result = backend.openProcess(system).signal("SIGKILL");
    // Windows: System exists, so "denied"; under Wine there is no PID 4, so "gone".
    assert(result.kind === "denied" || result.kind === "gone", JSON.stringify(result));
  },
});

Deno.test({
  name: "backend: a service's process is named by the Service Control Manager; a plain one is not",
  ignore: !onWindows,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { backend } = await import("../../src/platform/windows/backend.ts");
    const { servicesByPid } = await import("../../src/platform/windows/services.ts");
    // Wine, like Windows, runs its services (RpcSs, PlugPlay, ...) in processes of their own.
    const services = servicesByPid();
    const alone = [...services].find(([, list]) => list.length === 1);
    assert(alone, `no service runs alone in its process: ${JSON.stringify([...services])}`);
    const [pid, [service]] = alone;
    const info = backend.describeProcesses([pid]).get(pid)!;
    const listener = await startListener("tcp4");
    try {
      const plain = backend.describeProcesses([listener.pid]).get(listener.pid)!;
      const managers = await backend.describeManagers([
        { process: info, ports: [] },
        { process: plain, ports: [{ protocol: "tcp", port: listener.port }] },
      ]);
      const manager = managers.get(pid);
      assertEquals(
        [manager?.kind, manager?.name, manager?.stopCommand, manager?.stop],
        [
          "windows-service",
          service.name,
          `net stop ${service.name}`,
          { kind: "command", argv: ["net", "stop", service.name], env: {} },
        ],
      );
      assertEquals(managers.has(listener.pid), false);
    } finally {
      await listener.stop();
    }
  },
});
