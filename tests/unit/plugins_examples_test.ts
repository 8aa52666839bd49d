/**
 * The example plugins in `plugins/`, loaded from the repository exactly as portctl loads them
 * (`--plugin <file>`), run against real files, a real HTTP server and a stand-in docker CLI.
 */

import { assert, assertEquals, assertIncludes } from "../support/assert.ts";
import { loadKillHooks } from "../../src/plugins/mod.ts";
import type { KillHooks } from "../../src/core/hooks.ts";
import {
  afterContext,
  beforeContext,
  isolatedEnv,
  recorder,
  tempFolder,
} from "./plugins_support.ts";

const EXAMPLES = new URL("../../plugins/", import.meta.url).pathname;

// The examples are loaded as portctl loads them on Linux (`os: "linux"`, by the POSIX path of the
// repository), and two of them run `#!/bin/sh` scripts: none of that exists on Windows.
const onWindows = Deno.build.os === "windows";
if (onWindows) {
  console.log(
    "skipping the example plugin tests: they load the examples by POSIX path under Linux's rules " +
      "and run #!/bin/sh scripts (notify.sh, a stand-in docker), which Windows does not have",
  );
}

async function example(
  file: string,
  env: Record<string, string>,
  rec = recorder(),
): Promise<KillHooks> {
  return await loadKillHooks({
    pluginFiles: [`${EXAMPLES}${file}`],
    noPlugins: false,
    pluginTimeoutMs: 5_000,
    cwd: "/",
    env,
    os: "linux",
    signals: ["SIGTERM", "SIGINT", "SIGKILL"],
    warn: rec.warn,
    log: rec.log,
  });
}

Deno.test({
  name: "example log-kills: one JSON line per kill under $XDG_STATE_HOME",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const rec = recorder();
      const hooks = await example(
        "log-kills.ts",
        isolatedEnv(`${dir.path}/home`, {
          XDG_STATE_HOME: `${dir.path}/state`,
        }),
        rec,
      );
      assertEquals(await hooks.beforeKill(beforeContext()), { kind: "proceed" });
      await hooks.afterKill(afterContext("ended"));
      await hooks.afterKill(afterContext("still-running", { signal: "SIGINT" }));
      await hooks.afterKill(afterContext("dry-run", { dryRun: true })); // not a kill: not logged
      const lines = (await Deno.readTextFile(`${dir.path}/state/portctl/kills.log`)).trim().split(
        "\n",
      );
      assertEquals(lines.length, 2);
      const first = JSON.parse(lines[0]);
      assert(!Number.isNaN(Date.parse(first.time)));
      delete first.time;
      assertEquals(first, {
        pid: 4242,
        name: "node",
        user: "ada",
        command: "node server.js",
        ports: ["tcp:127.0.0.1:3000"],
        signal: "SIGTERM",
        outcome: "ended",
        elapsedMs: 120,
        platform: "linux",
      });
      assertEquals(JSON.parse(lines[1]).outcome, "still-running");
      assertEquals(rec.warnings, []);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "example log-kills: defaults to ~/.local/state/portctl/kills.log",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const hooks = await example("log-kills.ts", isolatedEnv(`${dir.path}/home`));
      await hooks.afterKill(afterContext("ended"));
      const text = await Deno.readTextFile(`${dir.path}/home/.local/state/portctl/kills.log`);
      assertEquals(JSON.parse(text).pid, 4242);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "example protect: names (comma list) and /regex/flags",
  ignore: onWindows,
  async fn() {
    const pg = beforeContext({
      process: {
        ...beforeContext().process,
        pid: 9,
        name: "postgres",
        user: "pg",
        command: "postgres",
      },
    });
    const node = beforeContext();
    const names = await example("protect.ts", { PORTCTL_PROTECT: " Redis-Server , POSTGRES " });
    assertEquals(await names.beforeKill(pg), {
      kind: "skip",
      plugin: "protect",
      reason: "postgres is protected by PORTCTL_PROTECT",
    });
    assertEquals(await names.beforeKill(node), { kind: "proceed" });
    // A dry run is told the same, so it shows what would be skipped.
    assertEquals((await names.beforeKill({ ...pg, dryRun: true })).kind, "skip");

    const regex = await example("protect.ts", { PORTCTL_PROTECT: "/^(post|my)/i" });
    assertEquals((await regex.beforeKill(pg)).kind, "skip");
    assertEquals((await regex.beforeKill(node)).kind, "proceed");

    const unset = await example("protect.ts", {});
    assertEquals((await unset.beforeKill(pg)).kind, "proceed");

    const broken = await example("protect.ts", { PORTCTL_PROTECT: "/(/" });
    const decision = await broken.beforeKill(node);
    assertEquals(decision.kind, "failed");
    if (decision.kind === "failed") {
      assertIncludes(decision.message, "not a valid regular expression");
    }
  },
});

Deno.test({
  name: "example graceful-http: POSTs to the shutdown URL in stop and replies handled",
  ignore: onWindows,
  async fn() {
    const requests: { method: string; path: string; body: unknown }[] = [];
    let status = 200;
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      async (request) => {
        requests.push({
          method: request.method,
          path: new URL(request.url).pathname,
          body: await request.json(),
        });
        return new Response("bye", { status });
      },
    );
    try {
      const port = server.addr.port;
      const rec = recorder();
      const template = await example("graceful-http.ts", {
        PORTCTL_SHUTDOWN_URL: `http://127.0.0.1:${port}/shutdown/{port}`,
      }, rec);
      // Deciding sends nothing: only stop, once nobody refused, does.
      assertEquals(await template.beforeKill(beforeContext()), { kind: "proceed" });
      assertEquals(requests, []);
      assertEquals(await template.stop(beforeContext()), {
        kind: "stopped",
        plugin: "graceful-http",
      });
      assertEquals(requests, [{
        method: "POST",
        path: "/shutdown/3000",
        body: { pid: 4242, port: 3000 },
      }]);
      assertEquals(rec.logs, [
        `[graceful-http] POST http://127.0.0.1:${port}/shutdown/3000: 200; waiting for node to exit`,
      ]);

      // A per-port URL wins over the template; a non-2xx answer means: go on with the signal.
      status = 404;
      const perPort = await example("graceful-http.ts", {
        PORTCTL_SHUTDOWN_URL: "http://127.0.0.1:1/never",
        PORTCTL_SHUTDOWN_URL_3000: `http://127.0.0.1:${port}/admin/stop`,
      });
      assertEquals(await perPort.stop(beforeContext()), { kind: "not-stopped" });
      assertEquals(requests[1].path, "/admin/stop");

      // A dry run sends nothing.
      const dry = await example("graceful-http.ts", {
        PORTCTL_SHUTDOWN_URL: `http://127.0.0.1:${port}/shutdown`,
      });
      assertEquals((await dry.stop(beforeContext({ dryRun: true }))).kind, "stopped");
      assertEquals(requests.length, 2);

      // No URL for this port: nothing to do.
      const none = await example("graceful-http.ts", { PORTCTL_SHUTDOWN_URL_8080: "http://x/" });
      assertEquals(await none.stop(beforeContext()), { kind: "not-stopped" });
    } finally {
      await server.shutdown();
    }
  },
});

Deno.test({
  name: "example graceful-http: a server that is not there means go on",
  ignore: onWindows,
  async fn() {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = probe.addr.port;
    probe.close(); // now nothing listens there
    const rec = recorder();
    const hooks = await example("graceful-http.ts", {
      PORTCTL_SHUTDOWN_URL: `http://127.0.0.1:${port}/shutdown`,
    }, rec);
    assertEquals(await hooks.stop(beforeContext()), { kind: "not-stopped" });
    assertIncludes(rec.logs[0], "failed (");
    assertIncludes(rec.logs[0], "going on with SIGTERM");
  },
});

const MANAGED = (kind: string) =>
  beforeContext({
    process: {
      ...beforeContext().process,
      pid: 812,
      name: "nginx",
      user: "root",
      command: "nginx: master process",
    },
    manager: { kind, name: "nginx.service", id: null, stop: "systemctl stop nginx.service" },
  });

Deno.test({
  name: "example keep-services: refuses what a service manager runs, naming its stop command",
  ignore: onWindows,
  async fn() {
    const hooks = await example("keep-services.ts", {});
    assertEquals(await hooks.beforeKill(MANAGED("systemd")), {
      kind: "skip",
      plugin: "keep-services",
      reason: "nginx.service is run by systemd; stop it with: systemctl stop nginx.service",
    });
    // Not a kind it keeps, or nobody manages it: go on.
    assertEquals(await hooks.beforeKill(MANAGED("pm2")), { kind: "proceed" });
    assertEquals(await hooks.beforeKill(beforeContext()), { kind: "proceed" });

    const pm2 = await example("keep-services.ts", { PORTCTL_KEEP_MANAGED: "pm2, supervisord" });
    assertEquals((await pm2.beforeKill(MANAGED("pm2"))).kind, "skip");
    assertEquals((await pm2.beforeKill(MANAGED("systemd"))).kind, "proceed");
    const off = await example("keep-services.ts", { PORTCTL_KEEP_MANAGED: "none" });
    assertEquals((await off.beforeKill(MANAGED("systemd"))).kind, "proceed");
  },
});

Deno.test({
  name: "example notify.sh: reads the JSON context on stdin and reports after the kill",
  ignore: onWindows,
  async fn() {
    const rec = recorder();
    const hooks = await example("notify.sh", {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      PORTCTL_NOTIFY_DESKTOP: "0",
    }, rec);
    assertEquals(await hooks.beforeKill(beforeContext()), { kind: "proceed" });
    // A command line full of JSON-looking text does not confuse it.
    const tricky = {
      ...beforeContext().process,
      pid: 4242,
      name: "node",
      user: "ada",
      command:
        'node -e {"pid":1,"name":"x","outcome":"ended","elapsedMs":1} "sockets":[{"port":9}]',
    };
    await hooks.afterKill(afterContext("ended", { process: tricky }));
    await hooks.afterKill(afterContext("dry-run", { dryRun: true }));
    assertEquals(rec.logs, [
      "[notify] ended 4242 node (port 3000) in 0.12 s",
      "[notify] dry run: would end 4242 node (port 3000)",
    ]);
    assertEquals(rec.warnings, []);
  },
});

Deno.test({
  name: "examples: the shell plugin is executable in the repository",
  ignore: onWindows,
  async fn() {
    const info = await Deno.stat(`${EXAMPLES}notify.sh`);
    assert(info.mode !== null && (info.mode & 0o111) !== 0, "notify.sh must be executable");
  },
});
