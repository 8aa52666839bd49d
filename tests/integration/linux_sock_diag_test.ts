/**
 * The netlink sock_diag reader against the kernel it runs on: real listeners opened here, dumped
 * through netlink and read from `/proc/net/*`, must be the same rows; a LISTEN-only dump leaves
 * out connections; and the Linux backend reads its tables through netlink.
 */

import { assert, assertEquals } from "../support/assert.ts";
import { type Holder, isolatedEnv, portctl, startPythonHolder } from "../support/portctl.ts";
import { parseProcNet, type ProcNetSocket } from "../../src/platform/linux/procfs_net.ts";
import type { DiagTable } from "../../src/platform/linux/inet_diag.ts";
import { dumpSockets } from "../../src/platform/linux/sock_diag.ts";

const onLinux = Deno.build.os === "linux";
const asRoot = onLinux && Deno.uid() === 0;
const ROOT = new URL("../../", import.meta.url).pathname;

if (!onLinux) {
  console.log(
    `Linux sock_diag tests skipped: netlink and /proc/net are Linux only (this is ` +
      `${Deno.build.os})`,
  );
}

const TABLES: readonly { file: string; table: DiagTable }[] = [
  { file: "/proc/net/tcp", table: { protocol: "tcp", family: 4 } },
  { file: "/proc/net/tcp6", table: { protocol: "tcp", family: 6 } },
  { file: "/proc/net/udp", table: { protocol: "udp", family: 4 } },
  { file: "/proc/net/udp6", table: { protocol: "udp", family: 6 } },
];

function linuxTest(name: string, fn: () => Promise<void>) {
  Deno.test({ name, ignore: !onLinux, sanitizeResources: false, sanitizeOps: false, fn });
}

/** Rows on `port`, in a stable order, as comparable text. */
function onPort(rows: readonly ProcNetSocket[], port: number): string[] {
  return rows.filter((row) => row.entry.port === port)
    .map((row) => JSON.stringify([row.entry, row.inode])).sort();
}

function netlink(table: DiagTable, listeningOnly = false): ProcNetSocket[] {
  const rows = dumpSockets(table, { listeningOnly });
  assert(rows !== null, `netlink sock_diag answered nothing for ${JSON.stringify(table)}`);
  return rows;
}

linuxTest("netlink and procfs agree on real TCP and UDP listeners, v4 and v6", async () => {
  // Owned by nobody when the tests run as root, so the uid is not just 0 on both sides.
  const holder: Holder = await startPythonHolder(
    ["--tcp", "127.0.0.1", "--tcp", "::1", "--udp", "127.0.0.1", "--udp", "::1"],
    asRoot ? { user: "nobody" } : {},
  );
  try {
    for (const { file, table } of TABLES) {
      const fromNetlink = onPort(netlink(table), holder.port);
      const fromProcfs = onPort(parseProcNet(Deno.readTextFileSync(file), table), holder.port);
      assertEquals(fromNetlink.length, 1, `${file}: one socket on the port`);
      assertEquals(fromNetlink, fromProcfs, file);
      const [entry] = JSON.parse(fromNetlink[0]) as [ProcNetSocket["entry"], string];
      assertEquals(entry.state, table.protocol === "tcp" ? "LISTEN" : "UNCONN");
      assertEquals(entry.address, table.family === 4 ? "127.0.0.1" : "::1");
      if (asRoot) assertEquals(entry.uid, 65534);
      if (table.protocol === "tcp") {
        assertEquals(onPort(netlink(table, true), holder.port), fromProcfs, `${file}, LISTEN only`);
      }
    }
  } finally {
    await holder.stop();
  }
});

linuxTest("a LISTEN-only dump leaves out the connections an all-states dump holds", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  const client = await Deno.connect({ hostname: "127.0.0.1", port });
  const accepted = await listener.accept();
  try {
    const clientPort = client.localAddr.port;
    const table: DiagTable = { protocol: "tcp", family: 4 };
    const states = (rows: ProcNetSocket[]) =>
      rows.filter((row) => row.entry.port === port || row.entry.port === clientPort)
        .map((row) => `${row.entry.port === port ? "server" : "client"} ${row.entry.state}`)
        .sort();
    assertEquals(states(netlink(table)), [
      "client ESTABLISHED",
      "server ESTABLISHED",
      "server LISTEN",
    ]);
    assertEquals(states(netlink(table, true)), ["server LISTEN"]);
  } finally {
    client.close();
    accepted.close();
    listener.close();
  }
});

linuxTest(
  "the backend reads its tables through netlink: refused /proc reads do not matter",
  async () => {
    // Without --allow-all Deno refuses every /proc read, so procfs could not say a port is free;
    // a free port answered as free proves the tables came from netlink (FFI is allowed here).
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const freePort = probe.addr.port;
    probe.close();
    const env = isolatedEnv();
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--allow-ffi",
        "--allow-read",
        "--allow-env",
        `${ROOT}src/main.ts`,
        "who",
        `tcp:${freePort}`,
      ],
      env: { ...env, NO_COLOR: "1" },
      stdin: "null",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assertEquals(output.code, 1, stderr);
    // And the same through the contract's own entry point, with full access.
    assertEquals((await portctl(["who", `tcp:${freePort}`], { env })).code, 1);
  },
);

linuxTest("a TCP socket bound without listen() is found with --all-states only", async () => {
  // bind() alone holds the port (another bind fails with EADDRINUSE); the kernel lists it in a
  // sock_diag dump that asks for TCPF_BOUND_INACTIVE (Linux 6.8+), in state CLOSE.
  const holder: Holder = await startPythonHolder(["--tcp", "127.0.0.1", "--no-listen"]);
  try {
    const env = isolatedEnv();
    const bound = netlink({ protocol: "tcp", family: 4 })
      .filter((row) => row.entry.port === holder.port);
    if (bound.length === 0) {
      console.log("skipping: this kernel (before 6.8?) does not list bound-inactive sockets");
      return;
    }
    assertEquals(bound.map((row) => [row.entry.address, row.entry.state]), [[
      "127.0.0.1",
      "CLOSE",
    ]]);
    assertEquals(onPort(netlink({ protocol: "tcp", family: 4 }, true), holder.port), []);
    const all = await portctl(["who", String(holder.port), "--all-states", "--json"], { env });
    assertEquals(all.code, 0, all.stderr);
    const rows = JSON.parse(all.stdout) as { address: string; state: string; pid: number }[];
    assertEquals(rows.map((r) => [r.address, r.state, r.pid]), [
      ["127.0.0.1", "CLOSE", holder.pid],
    ]);
    const listening = await portctl(["who", String(holder.port), "--json"], { env });
    assertEquals([listening.code, JSON.parse(listening.stdout)], [1, []]);
  } finally {
    await holder.stop();
  }
});
