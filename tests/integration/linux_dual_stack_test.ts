/**
 * Dual-stack sockets on Linux, end to end: an IPv6 listener on `::` with IPV6_V6ONLY off holds
 * the IPv4 port too (a bind to 0.0.0.0 on it fails), so `tcp4:` finds and ends it; with V6ONLY on
 * it does not, and only `tcp6:` matches. Every test signals only processes it started.
 */

import { assert, assertEquals } from "../support/assert.ts";
import {
  type Holder,
  isolatedEnv,
  isRunning,
  portctl,
  startPythonHolder,
  tcpPortIsFree,
} from "../support/portctl.ts";

const onLinux = Deno.build.os === "linux";
const env = isolatedEnv();

if (!onLinux) {
  console.log(
    `Linux dual-stack tests skipped: they need Linux's bindv6only semantics, /proc and ` +
      `/usr/bin/python3 (this is ${Deno.build.os})`,
  );
}

/** An IPv6 loopback, hence `::`, is there to bind (a container may run without IPv6). */
function hasIpv6(): boolean {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
}

function linuxTest(name: string, fn: () => Promise<void>) {
  const ignore = !onLinux || !hasIpv6();
  if (ignore && onLinux) console.log(`skipping "${name}": no IPv6 here`);
  Deno.test({ name, ignore, sanitizeResources: false, sanitizeOps: false, fn });
}

interface HolderRow {
  family: number;
  address: string;
  port: number;
  state: string;
  pid: number | null;
}

async function who(target: string): Promise<{ code: number; rows: HolderRow[] }> {
  const run = await portctl(["who", target, "--json"], { env });
  assert(run.code === 0 || run.code === 1, `who ${target}: exit ${run.code}: ${run.stderr}`);
  return { code: run.code, rows: JSON.parse(run.stdout) as HolderRow[] };
}

const summary = (rows: HolderRow[]) => rows.map((r) => [r.family, r.address, r.state, r.pid]);

linuxTest("a :: listener with IPV6_V6ONLY off is found and ended by tcp4:", async () => {
  const holder: Holder = await startPythonHolder(["--tcp", "::", "--v6only", "off"]);
  try {
    // What the kernel says first: the IPv4 port is taken.
    assert(!tcpPortIsFree(holder.port, "0.0.0.0"), "the dual-stack socket holds the IPv4 port");
    const v4 = await who(`tcp4:${holder.port}`);
    assertEquals(v4.code, 0);
    assertEquals(summary(v4.rows), [[6, "::", "LISTEN", holder.pid]]);
    const kill = await portctl(["kill", `tcp4:${holder.port}`], { env });
    assertEquals(kill.code, 0, kill.stdout + kill.stderr);
    assert(!isRunning(holder.pid), "ended");
    assert(tcpPortIsFree(holder.port, "0.0.0.0"));
  } finally {
    await holder.stop();
  }
});

linuxTest("a :: listener with IPV6_V6ONLY on is not matched by tcp4:, only by tcp6:", async () => {
  const holder: Holder = await startPythonHolder(["--tcp", "::", "--v6only", "on"]);
  try {
    const v4 = await who(`tcp4:${holder.port}`);
    assertEquals([v4.code, v4.rows], [1, []]);
    const v6 = await who(`tcp6:${holder.port}`);
    assertEquals(v6.code, 0);
    assertEquals(summary(v6.rows), [[6, "::", "LISTEN", holder.pid]]);
    // tcp4: ended nothing: the holder is still there.
    const kill = await portctl(["kill", `tcp4:${holder.port}`], { env });
    assert(kill.code !== 0, "nothing to end on tcp4:");
    assert(isRunning(holder.pid), "a tcp4: kill left the IPv6-only holder alone");
  } finally {
    await holder.stop();
  }
});
