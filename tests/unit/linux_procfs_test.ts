/**
 * The procfs parsers on real captured `/proc/net/*` text (tests/fixtures/linux/, captured with a
 * known set of sockets listed in sockets.json) and on tricky `/proc/<pid>/stat` lines.
 */

import { assert, assertEquals } from "../support/assert.ts";
import { decodeAddress, parseProcNet } from "../../src/platform/linux/procfs_net.ts";
import {
  parseCmdline,
  parseCwdLink,
  parseStat,
  readProcessInfo,
} from "../../src/platform/linux/procfs_process.ts";
import { parseBootTime, parseClockTicks } from "../../src/platform/linux/start_clock.ts";
import { parsePasswd } from "../../src/platform/accounts.ts";

const fixtures = new URL("../fixtures/linux/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, fixtures));
const known = JSON.parse(read("sockets.json")) as Record<string, number>;

if (Deno.build.os !== "linux") {
  console.log(
    `skipping the live /proc/<pid>/stat read: /proc is Linux only (this is ${Deno.build.os}); ` +
      "the parsers run on the captured text everywhere",
  );
}

Deno.test("tcp: a v4 LISTEN socket on 127.0.0.1 and an accepted connection on the same port", () => {
  const rows = parseProcNet(read("proc_net_tcp.txt"), { protocol: "tcp", family: 4 });
  const onPort = rows.filter((r) => r.entry.port === known.tcp4_listen);
  const listen = onPort.find((r) => r.entry.state === "LISTEN")!;
  assertEquals(listen.entry, {
    protocol: "tcp",
    family: 4,
    address: "127.0.0.1",
    port: known.tcp4_listen,
    state: "LISTEN",
    uid: 0,
    user: null,
  });
  assert(/^\d+$/.test(listen.inode) && listen.inode !== "0");
  assert(
    onPort.some((r) => r.entry.state === "ESTABLISHED"),
    "the accepted side is local to the port",
  );
  const client = rows.find((r) => r.entry.port === known.client_port)!;
  assertEquals(client.entry.state, "ESTABLISHED");
});

Deno.test("tcp6: ::1, ::, and a v4-mapped client", () => {
  const rows = parseProcNet(read("proc_net_tcp6.txt"), { protocol: "tcp", family: 6 });
  const byPort = (port: number) => rows.find((r) => r.entry.port === port)!.entry;
  assertEquals(byPort(known.tcp6_listen_loopback).address, "::1");
  assertEquals(byPort(known.tcp6_listen_loopback).state, "LISTEN");
  assertEquals(byPort(known.tcp6_listen_any).address, "::");
  assertEquals(byPort(known.mapped_client_port).address, "::ffff:127.0.0.1");
  assertEquals(byPort(known.mapped_client_port).family, 6);
});

Deno.test("udp and udp6: bound sockets are UNCONN", () => {
  const v4 = parseProcNet(read("proc_net_udp.txt"), { protocol: "udp", family: 4 });
  const v6 = parseProcNet(read("proc_net_udp6.txt"), { protocol: "udp", family: 6 });
  const u4 = v4.find((r) => r.entry.port === known.udp4)!.entry;
  const u6 = v6.find((r) => r.entry.port === known.udp6)!.entry;
  assertEquals([u4.address, u4.state], ["127.0.0.1", "UNCONN"]);
  assertEquals([u6.address, u6.state], ["::1", "UNCONN"]);
});

Deno.test("the header line and blank lines are skipped", () => {
  const header = read("proc_net_tcp.txt").split("\n")[0];
  assertEquals(parseProcNet(header + "\n\n", { protocol: "tcp", family: 4 }), []);
});

Deno.test("addresses: byte order per 32-bit word, RFC 5952 compression", () => {
  assertEquals(decodeAddress("0100007F"), "127.0.0.1");
  assertEquals(decodeAddress("00000000"), "0.0.0.0");
  assertEquals(decodeAddress("0101A8C0"), "192.168.1.1");
  assertEquals(decodeAddress("00000000000000000000000001000000"), "::1");
  assertEquals(decodeAddress("00000000000000000000000000000000"), "::");
  assertEquals(decodeAddress("0000000000000000FFFF00000100007F"), "::ffff:127.0.0.1");
  assertEquals(decodeAddress("000080FE00000000FF005450ABCDEF12"), "fe80::5054:ff:12ef:cdab");
});

Deno.test("stat: comm with spaces and parentheses is read from the last ')'", () => {
  const line =
    "4242 (my (weird) name) S 17 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 3 0 987654 1000 50";
  assertEquals(parseStat(line), { state: "S", ppid: 17, startTime: "987654" });
  assertEquals(parseStat("1 (x) Z 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0")?.state, "Z");
  assertEquals(parseStat("garbage"), null);
});

Deno.test({
  name: "stat: this process's own /proc/<pid>/stat line gives its parent",
  ignore: Deno.build.os !== "linux",
  fn() {
    const real = parseStat(Deno.readTextFileSync(`/proc/${Deno.pid}/stat`));
    assertEquals(real?.ppid, Deno.ppid);
  },
});

Deno.test("cmdline is NUL-separated; passwd maps uids to names", () => {
  assertEquals(parseCmdline("node\0server.js\0--port\x003000\0"), "node server.js --port 3000");
  const users = parsePasswd(
    "root:x:0:0:root:/root:/bin/bash\n# comment\nnobody:x:65534:65534::/:/bin/false\n",
  );
  assertEquals([users.get(0), users.get(65534), users.get(5)], ["root", "nobody", undefined]);
});

Deno.test("cwd links: a folder removed since is marked by the kernel and kept by its path", () => {
  assertEquals(parseCwdLink("/home/dev/shop/api"), { path: "/home/dev/shop/api", deleted: false });
  assertEquals(parseCwdLink("/tmp/x (deleted)"), { path: "/tmp/x", deleted: true });
  assertEquals(parseCwdLink("/"), { path: "/", deleted: false });
});

Deno.test("start clock: btime from /proc/stat, AT_CLKTCK from the auxiliary vector", () => {
  // The head and tail of a real /proc/stat (Debian 12, 2 CPUs).
  const procStat =
    "cpu  4705 0 2335 1089426 274 0 62 0 0 0\ncpu0 2360 0 1161 544670 137 0 44 0 0 0\n" +
    "intr 1180457 0 9 0\nctxt 2270381\nbtime 1796415856\nprocesses 10953\nprocs_running 1\n";
  assertEquals(parseBootTime(procStat), 1796415856);
  assertEquals(parseBootTime("cpu 1 2 3\n"), null);
  // (type, value) pairs of 64-bit words: AT_PAGESZ 4096, AT_CLKTCK 250, AT_NULL.
  const words = new BigUint64Array([6n, 4096n, 17n, 250n, 0n, 0n]);
  assertEquals(parseClockTicks(new Uint8Array(words.buffer)), 250);
  assertEquals(
    parseClockTicks(new Uint8Array(new BigUint64Array([6n, 4096n, 0n, 0n]).buffer)),
    null,
  );
  assertEquals(parseClockTicks(new Uint8Array(3)), null);
});

Deno.test({
  name: "a live process: its folder, program and start time, right within a second",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const folder = Deno.makeTempDirSync({ prefix: "portctl-cwd-" });
    const before = Date.now();
    const child = new Deno.Command("/usr/bin/sleep", { args: ["30"], cwd: folder }).spawn();
    const after = Date.now();
    try {
      const info = readProcessInfo(child.pid)!;
      const real = Deno.realPathSync(folder);
      assertEquals(info.cwd, { path: real, deleted: false });
      assertEquals(info.exe, "/usr/bin/sleep");
      // Independently of portctl's reading: field 22 of stat, btime, and getconf's tick rate.
      const ticks = Number(
        Deno.readTextFileSync(`/proc/${child.pid}/stat`).split(") ")[1].split(" ")[19],
      );
      const boot = Number(/^btime (\d+)$/m.exec(Deno.readTextFileSync("/proc/stat"))![1]);
      const hz = Number(new TextDecoder().decode(
        new Deno.Command("getconf", { args: ["CLK_TCK"] }).outputSync().stdout,
      ));
      assertEquals(info.startedAtMs, boot * 1000 + Math.round(ticks * 1000 / hz));
      // btime is whole seconds: the start is at most a second early, never late.
      assert(
        info.startedAtMs! >= before - 1000 && info.startedAtMs! <= after,
        `started ${info.startedAtMs}, spawned between ${before} and ${after}`,
      );

      Deno.removeSync(folder);
      assertEquals(readProcessInfo(child.pid)!.cwd, { path: real, deleted: true });
    } finally {
      child.kill("SIGKILL");
      await child.status;
    }
  },
});
