/**
 * What the picker relies on, without a terminal: the kill engine's `only` (signal exactly the
 * confirmed process instances) on real listeners through the real backend, and `portctl pick`
 * refusing to run without a terminal.
 */

import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { NO_HOOKS } from "../../src/core/hooks.ts";
import { killPort, killSucceeded } from "../../src/core/kill.ts";
import type { ProcessIdentity } from "../../src/core/kill_targets.ts";
import { parseTarget } from "../../src/core/target.ts";
import { loadBackend } from "../../src/platform/mod.ts";
import { isRunning, portctl, startPythonHolder } from "../support/portctl.ts";

const onLinux = Deno.build.os === "linux";

function linuxTest(name: string, fn: () => Promise<void>) {
  Deno.test({ name, ignore: !onLinux, sanitizeResources: false, sanitizeOps: false, fn });
}

/** Two processes on one port (SO_REUSEPORT), as two rows of the picker. */
async function reusePortPair() {
  const first = await startPythonHolder(["--tcp", "127.0.0.1", "--reuseport"]);
  const port = String(first.port);
  const second = await startPythonHolder(["--tcp", "127.0.0.1", "--reuseport", "--port", port]);
  return { first, second, port: first.port };
}

/** `killPort` on `port`, allowed to signal only `only`. */
async function killOnly(
  port: number,
  { only, signal }: { only: ProcessIdentity[]; signal?: "SIGKILL" },
) {
  return await killPort(await loadBackend(), {
    targets: [parseTarget(`tcp:${port}`)],
    only,
    allStates: false,
    mode: signal ? { kind: "single", signal } : { kind: "escalate" },
    timeoutMs: 5000,
    dryRun: false,
    hooks: NO_HOOKS,
  });
}

/** The PID and start time of `pid`, as the picker confirms a process. */
async function identityOf(pid: number): Promise<ProcessIdentity> {
  const [info] = (await loadBackend()).describeProcesses([pid]).values();
  return { pid: info.pid, startTime: info.startTime };
}

linuxTest(
  "only: of two holders of a port, the confirmed one is ended; the other is no restart",
  async () => {
    const { first, second, port } = await reusePortPair();
    try {
      const result = await killOnly(port, { only: [await identityOf(first.pid)] });
      assertEquals(result.reports.map((r) => [r.process?.pid, r.outcome]), [[first.pid, "ended"]]);
      assertEquals(result.respawns, [], "the holder left alone is not a restart");
      assert(killSucceeded(result));
      assert(!isRunning(first.pid));
      assert(isRunning(second.pid), "the unconfirmed holder still runs");
    } finally {
      await first.stop();
      await second.stop();
    }
  },
);

linuxTest(
  "only: a confirmed PID whose start time differs (a reused PID) is not signalled",
  async () => {
    const { first, second, port } = await reusePortPair();
    try {
      const { pid, startTime } = await identityOf(first.pid);
      const reused = { pid, startTime: `${startTime}0` };
      const result = await killOnly(port, { only: [reused], signal: "SIGKILL" });
      assertEquals(result, { matched: false, reports: [], respawns: [], outside: [] });
      assert(isRunning(first.pid) && isRunning(second.pid), "nothing was signalled");
    } finally {
      await first.stop();
      await second.stop();
    }
  },
);

linuxTest("pick without a terminal exits 2 with one line; portctl alone prints help", async () => {
  const pick = await portctl(["pick"]);
  assertEquals(pick.code, 2);
  assertEquals(pick.stdout, "");
  assertMatch(pick.stderr, /^portctl: pick needs a terminal: [^\n]*\n$/);
  const bare = await portctl([]);
  assertEquals(bare.code, 0);
  assertMatch(bare.stdout, /portctl alone opens the picker|"portctl" alone opens the picker/);
  assertMatch(bare.stdout, /pick +Pick what to end from a live list/);
});
