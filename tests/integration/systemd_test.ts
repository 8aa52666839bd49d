/**
 * A real systemd service (`systemd-run -p Restart=always`): portctl names the unit, reports its
 * restart with `systemctl stop`, and stops it for good with `--mode manager`. systemd cannot run
 * on the machine `.ci/run` uses (its PID 1 is not systemd), so this runs in the GitHub workflow's
 * `systemd` job, as root on ubuntu-latest; elsewhere it skips, saying why. The unit is one this
 * test started, by name, and is stopped and forgotten at the end.
 */

import { assert, assertEquals, assertIncludes, assertMatch } from "../support/assert.ts";
import { freePort, isolatedEnv, portctl, tcpPortIsFree } from "../support/portctl.ts";
import { parseCgroup } from "../../src/platform/linux/cgroup.ts";

const HOLDER = new URL("../support/holder.py", import.meta.url).pathname;
const env = { ...isolatedEnv(), NO_COLOR: "1" };

function systemdIsInit(): boolean {
  try {
    return Deno.readTextFileSync("/proc/1/comm").trim() === "systemd";
  } catch {
    return false;
  }
}
const runs = Deno.build.os === "linux" && Deno.uid() === 0 && systemdIsInit();
if (!runs) {
  console.log(
    "skipping the systemd tests: they need Linux with systemd as PID 1, as root (the GitHub " +
      "workflow's systemd job runs them: sudo deno test -A tests/integration/systemd_test.ts)",
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function systemctl(args: string[]): Promise<string> {
  const out = await new Deno.Command("systemctl", { args, stdin: "null" }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test({
  name: "systemd: the unit is named, its restart reported, and --mode manager stops it for good",
  ignore: !runs,
  async fn() {
    const port = freePort();
    const unit = `portctl-test-${crypto.randomUUID().slice(0, 8)}.service`;
    const started = await new Deno.Command("systemd-run", {
      args: [
        "--unit",
        unit,
        "-p",
        "Restart=always",
        "-p",
        "RestartSec=100ms",
        "/usr/bin/python3",
        HOLDER,
        "--tcp",
        "127.0.0.1",
        "--port",
        String(port),
      ],
    }).output();
    assert(started.success, new TextDecoder().decode(started.stderr));
    try {
      for (let i = 0; i < 100 && tcpPortIsFree(port); i++) await sleep(50);
      const who = JSON.parse((await portctl(["who", String(port), "--json"], { env })).stdout);
      assertEquals(who[0].manager, {
        kind: "systemd",
        name: unit,
        id: null,
        stop: `systemctl stop ${unit}`,
      });
      // The parser on a real cgroup v2 file of a real unit.
      const cgroup = await Deno.readTextFile(`/proc/${who[0].pid}/cgroup`);
      assertEquals(parseCgroup(cgroup).unit, { name: unit, uid: null });

      const killed = await portctl(["kill", String(port)], { env });
      assertEquals(killed.code, 3, killed.stdout + killed.stderr);
      assertMatch(killed.stdout, /^held again tcp :\d+ by PID \d+ python3/m);
      assertIncludes(
        killed.stdout,
        `systemd (${unit}) started it again; stop it with: systemctl stop ${unit}`,
      );

      const stopped = await portctl(["kill", String(port), "--mode", "manager"], { env });
      assertEquals(stopped.code, 0, stopped.stdout + stopped.stderr);
      assertIncludes(stopped.stdout, `stopped through systemd (${unit})`);
      await sleep(1500);
      assert(tcpPortIsFree(port), "systemd started it again");
      assertEquals(await systemctl(["is-active", unit]), "inactive");
    } finally {
      await systemctl(["stop", unit]);
      await systemctl(["reset-failed", unit]);
    }
  },
});
