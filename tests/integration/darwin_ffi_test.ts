/**
 * The darwin backend through a real `Deno.dlopen`, on a stand-in libSystem compiled from
 * `tests/fixtures/darwin/fake_libsystem.c`: checks the FFI signatures and marshaling (64-bit and
 * size_t arguments, null buffers, errno through `__error`, the `getpwuid_r` name pointer) where no
 * Mac is at hand. Needs a C compiler (`cc`); skipped, with the reason printed, without one. The
 * stand-in's `kill` touches no real process.
 */

import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { createBackend } from "../../src/platform/darwin/backend.ts";
import { LibSystem, openLibSystem } from "../../src/platform/darwin/libsystem.ts";

const SOURCE = new URL("../fixtures/darwin/fake_libsystem.c", import.meta.url).pathname;

async function buildStandIn(): Promise<string | null> {
  if (Deno.build.os === "windows") return null;
  const dir = await Deno.makeTempDir({ prefix: "portctl-fake-libsystem-" });
  const library = `${dir}/libfakesystem.${Deno.build.os === "darwin" ? "dylib" : "so"}`;
  try {
    const { code } = await new Deno.Command("cc", {
      args: ["-std=c11", "-shared", "-fPIC", "-o", library, SOURCE],
      stdout: "null",
      stderr: "inherit",
    }).output();
    if (code === 0) {
      globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
      return library;
    }
  } catch {
    // no cc on PATH
  }
  await Deno.remove(dir, { recursive: true });
  return null;
}

const library = await buildStandIn();
if (library === null) {
  console.log(
    "darwin FFI tests skipped: they compile a stand-in libSystem with a C compiler (cc) and " +
      `could not build it on this ${Deno.build.os} machine`,
  );
}

function ffiTest(name: string, fn: (path: string) => void | Promise<void>) {
  Deno.test({ name, ignore: library === null, fn: () => fn(library!) });
}

ffiTest("darwin FFI: every binding marshals through a real dlopen", (path) => {
  const lib = openLibSystem(path);
  try {
    const native = new LibSystem(lib.symbols);
    assertEquals(native.geteuid(), 501);
    assertEquals(native.listPids(), [0, 1, 4242]);

    const fds = native.listFds(4242);
    assert(fds.ok);
    assertEquals(fds.value.byteLength, 16);
    assertEquals(native.listFds(1), { ok: false, errno: 1 }); // EPERM, read through __error
    assertEquals(native.listFds(77), { ok: false, errno: 3 }); // ESRCH

    const socket = native.socketFdInfo(4242, 3);
    assert(socket.ok);
    assertEquals(socket.value.byteLength, 792);

    const bsd = native.bsdInfo(4242);
    assert(bsd.ok);
    assertEquals(bsd.value.startTime, "1716220000.000042");
    assertEquals(native.bsdInfo(1), { ok: false, errno: 1 });

    const short = native.bsdShortInfo(1);
    assert(short.ok);
    assertEquals(short.value.name, "launchd");

    const start = native.kinfoProcStart(1);
    assert(start.ok);
    assertEquals(start.value.startTime, "1700000000.000042");
    assertEquals(native.kinfoProcStart(55), { ok: false, errno: 3 });

    assertEquals(native.procArgs(4242), { ok: true, value: ["node", "server.js"] });
    assertEquals(native.procArgs(1), { ok: false, errno: 22 });
    assertEquals(native.pidPath(4242), "/usr/local/bin/node");
    assertEquals(native.pidPath(77), null);
    assertEquals(native.workingFolder(4242), "/Users/dev/shop/api");
    assertEquals(native.workingFolder(1), null); // EPERM: another user's
    assertEquals(native.workingFolder(77), null); // ESRCH

    assertEquals(native.userName(501), "dev");
    assertEquals(native.userName(0), "root");
    assertEquals(native.userName(12345), null);

    assertEquals(native.kill(4242, 15), { ok: true, value: undefined });
    assertEquals(native.kill(1, 15), { ok: false, errno: 1 });

    const table = native.sysctlByName("net.inet.tcp.pcblist_n");
    assert(table.ok);
    assertEquals(native.sysctlByName("net.inet.raw.pcblist_n"), { ok: false, errno: 2 });
  } finally {
    lib.close();
  }
});

ffiTest("darwin FFI: the backend end to end on the stand-in", (path) => {
  const lib = openLibSystem(path);
  try {
    const backend = createBackend({ openLibrary: () => lib.symbols });
    const [mine] = backend.findSockets((s) => s.port === 8080);
    assertEquals(mine, {
      socket: {
        protocol: "tcp",
        family: 4,
        address: "127.0.0.1",
        port: 8080,
        state: "LISTEN",
        uid: 501,
        user: "dev",
      },
      holders: { kind: "visible", pids: [4242], note: null },
    });
    const [roots] = backend.findSockets((s) => s.port === 3000);
    assertEquals(roots.holders.kind, "hidden");
    assertEquals(roots.socket.address, "::");
    assertMatch(roots.holders.note ?? "", /belongs to user root \(last used by PID 1 launchd\)/);

    const described = backend.describeProcesses([4242, 1, 9]);
    assertEquals(described.get(4242)?.command, "node server.js");
    assertEquals(described.get(1)?.command, "/sbin/launchd");
    assertEquals(described.get(4242)?.cwd, { path: "/Users/dev/shop/api", deleted: false });
    assertEquals(described.get(4242)?.startedAtMs, 1716220000000);
    assertEquals(described.get(4242)?.exe, "/usr/local/bin/node");
    assertEquals(described.get(1)?.cwd, null);
    assertEquals(described.get(1)?.startedAtMs, 1700000000000);
    assertEquals(described.has(9), false);

    const node = backend.openProcess(described.get(4242)!);
    assertEquals(node.signal("SIGTERM"), { kind: "sent" });
    const launchd = backend.openProcess(described.get(1)!);
    assertEquals(launchd.signal("SIGTERM").kind, "denied");
  } finally {
    lib.close();
  }
});
