/**
 * Holders that a manager owns, with the real managers (`scripts/test-env.sh` installs them): a
 * Docker container behind docker-proxy, supervisord, pm2, runit, nodemon, a bash loop, and parents
 * that never restart anything. portctl must name the manager, stop a container at the container,
 * report a restart with the command that stops it for good, stop through the manager with
 * `--mode manager`, and raise no false alarm. Every daemon, container and process here is one this
 * test started, and is ended by its PID, id or own socket.
 */

import { assert, assertEquals, assertIncludes, assertMatch } from "../support/assert.ts";
import {
  freePort,
  isolatedEnv,
  portctl,
  type PortctlRun,
  tcpPortIsFree,
} from "../support/portctl.ts";
import { docker, inspect, run, sleep, startContainer, untilHeld } from "../support/containers.ts";
import { suiteNeeds } from "../support/requirements.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const HOLDER = `${ROOT}tests/support/holder.py`;
const env = { ...isolatedEnv(), NO_COLOR: "1" };

/** True when `port` stays free for `ms` (a manager that restarted the server would take it). */
async function staysFree(port: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
    if (!tcpPortIsFree(port)) return false;
  }
  return true;
}

interface WhoRow {
  pid: number;
  name: string;
  manager: { kind: string; name: string; id: string | null; stop: string } | null;
}

async function who(port: number): Promise<WhoRow[]> {
  const result = await portctl(["who", String(port), "--json"], { env });
  return result.code === 0 ? JSON.parse(result.stdout) : [];
}

/** `kill` as a script runs it (JSON), and as a person reads it (lines). */
async function kill(port: number, args: string[] = []): Promise<PortctlRun> {
  return await portctl(["kill", String(port), ...args], { env });
}

// --- Docker -----------------------------------------------------------------------------------

const dockerRuns = await suiteNeeds("container manager tests", ["root", "docker"]);

Deno.test({
  name: "docker: who names the container behind docker-proxy; --dry-run leaves it running",
  ignore: !dockerRuns,
  async fn() {
    const c = await startContainer();
    try {
      const rows = await who(c.port);
      assertEquals(rows.map((r) => [r.name, r.manager?.kind, r.manager?.name]), [
        ["docker-proxy", "docker", c.name],
        ["docker-proxy", "docker", c.name],
      ]);
      assertEquals(rows[0].manager?.stop, `docker stop ${c.name}`);
      assertEquals(rows[0].manager?.id, c.id.slice(0, 12));
      const table = await portctl(["who", String(c.port)], { env });
      assertMatch(
        table.stdout,
        /^PROTO\s+ADDRESS:PORT\s+STATE\s+PID\s+USER\s+NAME\s+MANAGER\s+AGE\s+FOLDER\s+COMMAND/,
      );
      assertIncludes(table.stdout, `docker:${c.name}`);

      const dry = await kill(c.port, ["--dry-run"]);
      assertEquals(dry.code, 0, dry.stderr);
      assertIncludes(dry.stdout, `would stop ${rows[0].pid} docker-proxy`);
      assertIncludes(dry.stdout, `through docker (${c.name}): docker stop ${c.name}`);
      assertEquals((await inspect(c.id)).running, true);
      assert(!tcpPortIsFree(c.port));
    } finally {
      await docker(["rm", "-f", c.id]);
    }
  },
});

Deno.test({
  name:
    "docker: kill stops the container gracefully; docker-proxy is never signalled; it stays stopped",
  ignore: !dockerRuns,
  async fn() {
    const c = await startContainer("always");
    try {
      const result = await kill(c.port, ["--json"]);
      assertEquals(result.code, 0, result.stdout + result.stderr);
      const reports = JSON.parse(result.stdout) as {
        name: string;
        signals: string[];
        outcome: string;
        message: string;
        manager: { kind: string; name: string };
      }[];
      assertEquals(reports.length, 2);
      for (const report of reports) {
        assertEquals(
          [report.name, report.outcome, report.signals, report.manager.name],
          ["docker-proxy", "ended", [], c.name],
        );
        assertEquals(report.message, `stopped through docker (${c.name})`);
      }
      // docker stop's semantics: the TERM the trap answers, exit 0; and --restart always does
      // not bring back a container that was stopped.
      assertEquals(await inspect(c.id), { running: false, exitCode: 0 });
      assert(await staysFree(c.port, 3000), "the port was taken again");
      assertEquals((await inspect(c.id)).running, false);
      // Docker is fine: it publishes the same port again for a new container.
      await docker(["start", c.id]);
      assert(await untilHeld(c.port), "Docker could not publish the port again");
    } finally {
      await docker(["rm", "-f", c.id]);
    }
  },
});

// --- supervisord, pm2, runit ------------------------------------------------------------------

const supervisorRuns = await suiteNeeds("supervisord tests", ["supervisord"]);
const pm2Runs = await suiteNeeds("pm2 tests", ["pm2"]);
const runitRuns = await suiteNeeds("runit tests", ["runit"]);
const nodemonRuns = await suiteNeeds("nodemon tests", ["nodemon"]);

/** A manager this test started, the port its program holds, and how to end it. */
interface Managed {
  readonly port: number;
  /** The command portctl should name to stop the program for good. */
  readonly stop: string;
  end(): Promise<void>;
}

async function startSupervisord(dir: string): Promise<Managed> {
  const port = freePort();
  const socket = `${dir}/supervisor.sock`;
  await Deno.writeTextFile(
    `${dir}/supervisord.conf`,
    `[unix_http_server]
file=${socket}
[supervisord]
logfile=${dir}/supervisord.log
pidfile=${dir}/supervisord.pid
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[program:web]
command=/usr/bin/python3 ${HOLDER} --tcp 127.0.0.1 --port ${port}
autorestart=true
startsecs=0
`,
  );
  assert((await run("supervisord", ["-c", `${dir}/supervisord.conf`])).ok, "supervisord");
  assert(await untilHeld(port), "supervisord's program did not listen");
  return {
    port,
    stop: `supervisorctl -s unix://${socket} stop web`,
    async end() {
      const pid = Number(await Deno.readTextFile(`${dir}/supervisord.pid`).catch(() => "0"));
      await run("supervisorctl", ["-s", `unix://${socket}`, "shutdown"]);
      for (let i = 0; i < 50 && pid > 0; i++) {
        try {
          Deno.kill(pid, "SIGCONT"); // still there?
        } catch {
          break;
        }
        await sleep(100);
      }
    },
  };
}

async function startPm2(dir: string): Promise<Managed> {
  const port = freePort();
  const home = { PM2_HOME: `${dir}/pm2` };
  const started = await run("pm2", [
    "start",
    "/usr/bin/python3",
    "--name",
    "web",
    "--",
    HOLDER,
    "--tcp",
    "127.0.0.1",
    "--port",
    String(port),
  ], home);
  assert(started.ok, started.stderr);
  assert(await untilHeld(port), "pm2's app did not listen");
  return {
    port,
    stop: `PM2_HOME=${dir}/pm2 pm2 stop web`,
    async end() {
      await run("pm2", ["kill"], home); // the daemon this test started, by its PM2_HOME
    },
  };
}

async function startRunit(dir: string): Promise<Managed> {
  const port = freePort();
  const service = `${dir}/web`;
  await Deno.mkdir(service);
  await Deno.writeTextFile(
    `${service}/run`,
    `#!/bin/sh\nexec /usr/bin/python3 ${HOLDER} --tcp 127.0.0.1 --port ${port}\n`,
  );
  await Deno.chmod(`${service}/run`, 0o755);
  const runsv = new Deno.Command("runsv", {
    args: [service],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  assert(await untilHeld(port), "runsv's service did not listen");
  // Up for over a second: runsv then restarts it at once, the way a real service runs.
  await sleep(1200);
  return {
    port,
    stop: `sv stop ${service}`,
    async end() {
      await run("sv", ["exit", service]); // runsv stops the service, then itself
      try {
        runsv.kill("SIGKILL");
      } catch { /* gone */ }
      await runsv.status;
    },
  };
}

const MANAGERS: [string, boolean, string, (dir: string) => Promise<Managed>][] = [
  ["supervisord", supervisorRuns, "supervisord (web)", startSupervisord],
  ["pm2", pm2Runs, "pm2 (web)", startPm2],
  ["runit", runitRuns, "runit (web)", startRunit],
];

for (const [kind, runs, label, start] of MANAGERS) {
  Deno.test({
    name:
      `${kind}: the restart is reported with the command that stops it; --mode manager stops it for good`,
    ignore: !runs,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: `portctl-${kind}-` });
      const managed = await start(dir);
      try {
        const rows = await who(managed.port);
        assertEquals(rows.map((r) => r.manager?.kind), [kind]);
        assertEquals(rows[0].manager?.stop, managed.stop);
        const first = rows[0].pid;

        const killed = await kill(managed.port);
        assertEquals(killed.code, 3, killed.stdout + killed.stderr);
        assertMatch(killed.stdout, new RegExp(`^ended ${first} python3`, "m"));
        const again = /^held again tcp :\d+ by PID (\d+) python3 \(parent \d+ .*\): (.*)$/m
          .exec(killed.stdout);
        assert(again, killed.stdout);
        assert(Number(again[1]) !== first, "the new holder is a new process");
        assertEquals(again[2], `${label} started it again; stop it with: ${managed.stop}`);

        const stopped = await kill(managed.port, ["--mode", "manager"]);
        assertEquals(stopped.code, 0, stopped.stdout + stopped.stderr);
        assertIncludes(stopped.stdout, `: stopped through ${label}`);
        assert(await staysFree(managed.port, 3000), "the manager started it again");
      } finally {
        await managed.end();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

// --- parents that restart, and parents that never do ----------------------------------------

/** A parent process this test started (`argv`), holding `port` through its child. */
async function startParent(argv: string[], port: number) {
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  assert(await untilHeld(port), `${argv.join(" ")} did not listen on ${port}`);
  return {
    pid: child.pid,
    async end() {
      try {
        Deno.kill(child.pid, "SIGKILL");
      } catch { /* gone */ }
      await child.status;
      await child.stdin.close().catch(() => {});
      // Its server, if the parent left one, is ours too: end it by the PID portctl names.
      for (const row of await who(port)) Deno.kill(row.pid, "SIGKILL");
    },
  };
}

const holderArgv = (port: number) => `/usr/bin/python3 ${HOLDER} --tcp 127.0.0.1 --port ${port}`;

Deno.test({
  name:
    "a bash loop that restarts its server after sleep 1 is reported, and stopped with --mode manager",
  async fn() {
    const port = freePort();
    const loop = await startParent(
      ["bash", "-c", `while true; do ${holderArgv(port)}; sleep 1; done`],
      port,
    );
    try {
      assertEquals((await who(port)).map((r) => r.manager?.kind), ["shell"]);
      const killed = await kill(port);
      assertEquals(killed.code, 3, killed.stdout + killed.stderr);
      assertMatch(
        killed.stdout,
        /^held again tcp :\d+ by PID \d+ python3 \(parent \d+ bash\): shell/m,
      );
      assertIncludes(killed.stdout, `stop it with: kill ${loop.pid}`);
      const stopped = await kill(port, ["--mode", "manager"]);
      assertEquals(stopped.code, 0, stopped.stdout + stopped.stderr);
      assert(await staysFree(port, 2000), "the loop came back");
    } finally {
      await loop.end();
    }
  },
});

Deno.test({
  name: "no false alarm: nodemon, a sh -c that exits with its child, a long-lived parent",
  ignore: !nodemonRuns,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "portctl-parents-" });
    try {
      const cases: [string, (port: number) => string[]][] = [
        ["nodemon", (port) => ["nodemon", "--quiet", "--exec", holderArgv(port)]],
        ["sh -c", (port) => ["sh", "-c", `${holderArgv(port)}; echo done`]],
        // A test harness: it started the server and waits on its stdin, never restarting it.
        [
          "long-lived",
          (port) => [
            "/usr/bin/python3",
            "-c",
            `import subprocess, sys
subprocess.Popen(${JSON.stringify(holderArgv(port).split(" "))})
sys.stdin.read()`,
          ],
        ],
      ];
      for (const [name, argv] of cases) {
        const port = freePort();
        const parent = await startParent(argv(port), port);
        try {
          const killed = await kill(port);
          assertEquals(killed.code, 0, `${name}: ${killed.stdout}${killed.stderr}`);
          assert(!killed.stdout.includes("held again"), `${name}: ${killed.stdout}`);
          assert(await staysFree(port, 1500), `${name}: the port was taken again`);
        } finally {
          await parent.end();
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
