/**
 * The darwin backend's logic against a pretend Mac (`FakeMac`) behind the libSystem symbols:
 * joining the socket table with process fds, notes for owners it cannot see, the fallback without
 * the table, process facts, and the identity check before every signal. Runs on every OS; the
 * native behaviour itself is covered by `tests/integration/darwin_backend_test.ts` on macOS.
 */

import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { darwinFixture } from "../fixtures/darwin/fixtures.ts";
import { FakeMac } from "../fixtures/darwin/fake_libsystem.ts";
import { createBackend } from "../../src/platform/darwin/backend.ts";
import { LibSystem } from "../../src/platform/darwin/libsystem.ts";
import type { SocketEntry } from "../../src/platform/types.ts";
import { socketEntry } from "../support/sockets.ts";

/**
 * The pretend Mac: launchd (root), a node server (uid 501, the caller) and its forked worker both
 * holding 127.0.0.1:8080, and mDNSResponder (uid 65). The socket tables also list a root-owned
 * listener on [::]:3000, a TIME_WAIT on 8080, and two UDP sockets.
 */
function pretendMac(): FakeMac {
  const mac = new FakeMac();
  mac.tables = { tcp: darwinFixture("pcblist_tcp"), udp: darwinFixture("pcblist_udp") };
  const listener = darwinFixture("socket_tcp4_listen"); // generation 0x1234, like the table row
  mac.add({ pid: 1, ppid: 0, uid: 0, name: "launchd", start: [1700000000n, 1], cwd: "/" });
  mac.add({
    pid: 4242,
    ppid: 1,
    uid: 501,
    name: "node",
    start: [1716220000n, 42],
    args: ["node", "server.js", "--port=8080"],
    path: "/usr/local/bin/node",
    cwd: "/Users/dev/shop/api",
    fds: [{ fd: 0 }, { fd: 3, socket: listener }, { fd: 4, socket: darwinFixture("socket_unix") }],
  });
  mac.add({
    pid: 4243,
    ppid: 4242,
    uid: 501,
    name: "node",
    start: [1716220001n, 7],
    path: "/usr/local/bin/node",
    fds: [{ fd: 5, socket: listener }],
  });
  mac.add({ pid: 88, ppid: 1, uid: 65, name: "mDNSResponder", start: [1700000001n, 0] });
  return mac;
}

const listening = (port: number) => (socket: SocketEntry): boolean =>
  socket.port === port && (socket.state === "LISTEN" || socket.protocol === "udp");

Deno.test("darwin backend: names, signals and protected PIDs", () => {
  const backend = createBackend({ openLibrary: () => new FakeMac().symbols() });
  assertEquals(backend.os, "darwin");
  assertEquals(backend.signals.graceful, "SIGTERM");
  assert(backend.signals.numbers.has("SIGKILL") && backend.signals.numbers.has("SIGINFO"));
  assert(!backend.signals.numbers.has("SIGPWR"), "SIGPWR does not exist on macOS");
  assertEquals([...backend.protectedPids].sort(), [0, 1]);
});

Deno.test("darwin backend: opens nothing until asked", () => {
  let opened = 0;
  createBackend({
    openLibrary: () => {
      opened++;
      return new FakeMac().symbols();
    },
  });
  assertEquals(opened, 0);
});

Deno.test("darwin backend: a listener and its forked worker are both holders", () => {
  const mac = pretendMac();
  const backend = createBackend({ openLibrary: () => mac.symbols() });
  assertEquals(backend.findSockets(listening(8080)), [{
    socket: {
      protocol: "tcp",
      family: 4,
      address: "127.0.0.1",
      port: 8080,
      state: "LISTEN",
      uid: 501,
      user: "dev",
    },
    holders: { kind: "visible", pids: [4242, 4243], note: null },
  }]);
});

Deno.test("darwin backend: a free port costs the two tables and no fd scan", () => {
  const mac = pretendMac();
  const backend = createBackend({ openLibrary: () => mac.symbols() });
  assertEquals(backend.findSockets(listening(9999)), []);
  assertEquals(mac.calls.get("sysctlbyname"), 4); // size, then data, per table
  assertEquals(mac.calls.get("proc_listpids"), undefined);
  assertEquals(mac.calls.get("proc_pidfdinfo"), undefined);
});

Deno.test("darwin backend: listSockets reads the tables of the query's protocols, no fd scan", () => {
  const mac = pretendMac();
  const backend = createBackend({ openLibrary: () => mac.symbols() });
  // As the table has it: 127.0.0.1:8080 in LISTEN, uid 501, its user name not looked up.
  assertEquals(backend.listSockets(listening(8080), { protocols: ["tcp"] }), [
    socketEntry({ port: 8080, uid: 501 }),
  ]);
  assertEquals(mac.calls.get("sysctlbyname"), 2, "the TCP table alone");
  assertEquals(mac.calls.get("proc_listpids"), undefined, "a match costs no fd scan");
  assertEquals(mac.calls.get("proc_pidfdinfo"), undefined);
});

Deno.test("darwin backend: another user's listener is held, owner not visible, with a hint", () => {
  const mac = pretendMac();
  const backend = createBackend({ openLibrary: () => mac.symbols() });
  const [held] = backend.findSockets(listening(3000));
  assertEquals(held.socket.user, "root");
  assertEquals(held.socket.address, "::");
  assert(held.holders.kind === "hidden");
  assertEquals(held.holders.visiblePids, []);
  assertMatch(
    held.holders.note,
    /^owner not visible: the socket belongs to user root \(last used by PID 1 launchd\); run portctl with sudo/,
  );
});

Deno.test("darwin backend: as root, an unseen owner is not blamed on permissions", () => {
  const mac = pretendMac();
  mac.euid = 0;
  const backend = createBackend({ openLibrary: () => mac.symbols() });
  const [held] = backend.findSockets(listening(3000));
  assertMatch(held.holders.note ?? "", /no process lists this socket among its open files/);
});

Deno.test("darwin backend: TIME_WAIT and closed FIN_WAIT2 sockets belong to no process", () => {
  const mac = pretendMac();
  const backend = createBackend({ openLibrary: () => mac.symbols() });
  const found = backend.findSockets((socket) => socket.port === 8080);
  assertEquals(found.map((held) => held.socket.state), ["LISTEN", "TIME_WAIT", "FIN_WAIT2"]);
  for (const closed of found.slice(1)) assertEquals(closed.holders.kind, "none");
  assertEquals(found[1].socket.user, null);
  assertEquals(found[2].socket.user, "dev");
});

Deno.test("darwin backend: UDP sockets from the table, with their owners' names", () => {
  const mac = pretendMac();
  const backend = createBackend({ openLibrary: () => mac.symbols() });
  const [held] = backend.findSockets(listening(5353));
  assertEquals(held.socket.protocol, "udp");
  assertEquals(held.socket.address, "fe80::1");
  assertEquals(held.socket.user, "_mdnsresponder");
  assertMatch(held.holders.note ?? "", /belongs to user _mdnsresponder; run portctl with sudo/);
});

Deno.test("darwin backend: without the tables, it scans the fds it can read", () => {
  const mac = pretendMac();
  mac.tables = null;
  const backend = createBackend({ openLibrary: () => mac.symbols() });
  assertEquals(backend.findSockets(listening(8080)).map((held) => held.holders), [
    { kind: "visible", pids: [4242, 4243], note: null },
  ]);
  assertEquals(backend.findSockets(listening(3000)), []); // root's socket: invisible this way
});

Deno.test("darwin backend: describes own processes fully and others from what anyone may read", () => {
  const mac = pretendMac();
  mac.add({ pid: 500, ppid: 1, uid: 501, name: "zombie", start: [1n, 0], zombie: true });
  const backend = createBackend({ openLibrary: () => mac.symbols() });
  const found = backend.describeProcesses([4242, 1, 999, 500, 4242]);
  assertEquals([...found.keys()], [4242, 1]);
  assertEquals(found.get(4242), {
    pid: 4242,
    ppid: 1,
    name: "node",
    user: "dev",
    command: "node server.js --port=8080",
    startTime: "1716220000.000042",
    cwd: { path: "/Users/dev/shop/api", deleted: false },
    startedAtMs: 1716220000000,
    exe: "/usr/local/bin/node",
  });
  assertEquals(found.get(1), {
    pid: 1,
    ppid: 0,
    name: "launchd",
    user: "root",
    command: "launchd",
    startTime: "1700000000.000001",
    // Another user's working folder needs root (EPERM); the start time anyone may read.
    cwd: null,
    startedAtMs: 1700000000000,
    exe: null,
  });
  mac.euid = 0;
  const asRoot = createBackend({ openLibrary: () => mac.symbols() }).describeProcesses([1]);
  assertEquals(asRoot.get(1)?.cwd, { path: "/", deleted: false });
});

Deno.test("darwin backend: the command falls back to the executable path", () => {
  const mac = pretendMac();
  const backend = createBackend({ openLibrary: () => mac.symbols() });
  const worker = backend.describeProcesses([4243]).get(4243);
  assertEquals(worker?.command, "/usr/local/bin/node");
  assertEquals(worker?.cwd, null, "no working folder (the kernel left it empty)");
  assertEquals(worker?.startedAtMs, 1716220001000);
});

Deno.test("darwin backend: signals only the same process instance", async () => {
  const mac = pretendMac();
  const backend = createBackend({ openLibrary: () => mac.symbols() });
  const info = backend.describeProcesses([4242]).get(4242);
  assert(info);
  const handle = backend.openProcess(info);
  assert(handle.isRunning());
  assertEquals(handle.signal("SIGTERM"), { kind: "sent" });
  assertEquals(handle.signal("SIGUSR1"), { kind: "sent" });
  assertEquals(mac.kills, [[4242, 15], [4242, 30]]); // Darwin numbers: SIGUSR1 is 30

  // The PID now belongs to a later process: never signal it.
  mac.processes.get(4242)!.start = [1716229999n, 0];
  assert(!handle.isRunning());
  assertEquals(handle.signal("SIGKILL"), { kind: "gone" });
  assertEquals(mac.kills.length, 2);
  assertEquals(await handle.waitForExit(50), true);
  handle.close();
});

Deno.test("darwin backend: waitForExit sees a zombie as exited", async () => {
  const mac = pretendMac();
  const backend = createBackend({ openLibrary: () => mac.symbols() });
  const handle = backend.openProcess(backend.describeProcesses([4243]).get(4243)!);
  assertEquals(await handle.waitForExit(30), false);
  setTimeout(() => mac.processes.get(4243)!.zombie = true, 20);
  assertEquals(await handle.waitForExit(2000), true);
});

Deno.test("darwin backend: another user's process, seen through kinfo_proc, refuses signals", () => {
  const mac = pretendMac();
  mac.killErrors.set(1, 1); // EPERM
  const backend = createBackend({ openLibrary: () => mac.symbols() });
  const handle = backend.openProcess(backend.describeProcesses([1]).get(1)!);
  assert(handle.isRunning());
  const result = handle.signal("SIGTERM");
  assertEquals(result.kind, "denied");
  assertEquals(handle.signal("SIGPWR"), {
    kind: "unsupported",
    message: "SIGPWR does not exist on macOS",
  });
});

Deno.test("darwin backend: an unseen socket of the caller's own uid says so", () => {
  const mac = pretendMac();
  const backend = createBackend({ openLibrary: () => mac.symbols() });
  const [held] = backend.findSockets((socket) => socket.port === 41000);
  assertEquals(held.socket.user, "dev");
  assertMatch(
    held.holders.note ?? "",
    /none of the processes you can inspect holds it; run portctl/,
  );
});

Deno.test("darwin backend: empty socket tables are not trusted", () => {
  const mac = pretendMac();
  const empty = new Uint8Array(48);
  new DataView(empty.buffer).setUint32(0, 24, true);
  new DataView(empty.buffer).setUint32(24, 24, true);
  mac.tables = { tcp: empty, udp: empty };
  const backend = createBackend({ openLibrary: () => mac.symbols() });
  assertEquals(backend.findSockets(listening(8080)).map((held) => held.holders), [
    { kind: "visible", pids: [4242, 4243], note: null },
  ]);
});

Deno.test("libproc binding: 0 from a proc_* call is a failure only when errno says so", () => {
  const mac = pretendMac();
  mac.add({ pid: 600, ppid: 1, uid: 501, name: "sleep", start: [1n, 0] }); // no fds at all
  const native = new LibSystem(mac.symbols());
  assertEquals(native.listFds(88), { ok: false, errno: 1 }); // EPERM, returned as 0
  const empty = native.listFds(600);
  assert(empty.ok, "a process without fds is not a failure, even after an EPERM");
  assertEquals(empty.value.byteLength, 0);
  assertEquals(native.bsdInfo(88), { ok: false, errno: 1 });
  assertEquals(native.bsdInfo(31337), { ok: false, errno: 3 });
});
