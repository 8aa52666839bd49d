/**
 * The hook runner with real plugin files on disk, loaded through `loadKillHooks` exactly as the
 * CLI (and the compiled binary) loads them.
 */

import { assert, assertEquals, assertIncludes } from "../support/assert.ts";
import { NO_HOOKS } from "../../src/core/hooks.ts";
import { loadKillHooks, type LoadKillHooksOptions } from "../../src/plugins/mod.ts";
import {
  afterContext,
  beforeContext,
  isolatedEnv,
  recorder,
  tempFolder,
  writeFile,
} from "./plugins_support.ts";
import { running } from "../support/portctl.ts";

type Rec = ReturnType<typeof recorder>;

async function hooksFor(
  root: string,
  files: string[],
  rec: Rec,
  extra: Partial<LoadKillHooksOptions> = {},
) {
  return await loadKillHooks({
    pluginFiles: files,
    noPlugins: false,
    pluginTimeoutMs: 2_000,
    cwd: root,
    env: isolatedEnv(`${root}/home`, { MARK_DIR: root }),
    os: "linux",
    signals: ["SIGTERM", "SIGINT", "SIGHUP", "SIGUSR1", "SIGKILL"],
    warn: rec.warn,
    log: rec.log,
    ...extra,
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

// Every test but the first two loads real plugin files under Linux's rules (`os: "linux"`: `/`
// paths, exec bits, `#!/bin/sh` scripts); Windows temp folders have drive-letter paths and no
// POSIX shell runs a plugin there. plugins_paths_test.ts checks the Windows path rules.
const onWindows = Deno.build.os === "windows";
if (onWindows) {
  console.log(
    "skipping the runner tests on real plugin files: they load them under Linux's rules (POSIX " +
      "paths, exec bits, #!/bin/sh), which Windows does not have",
  );
}

/** A JS plugin that writes a marker file when asked, then replies `reply` (JSON text). */
function jsPlugin(name: string, reply: string, hook = "beforeKill"): string {
  return `export default {
  name: ${JSON.stringify(name)},
  async ${hook}(ctx) {
    await Deno.writeTextFile(ctx.env.MARK_DIR + "/called-${name}", "x");
    return ${reply};
  },
};
`;
}

Deno.test("runner: nothing found gives NO_HOOKS and imports nothing", async () => {
  const dir = await tempFolder();
  try {
    const hooks = await hooksFor(dir.path, [], recorder());
    assert(hooks === NO_HOOKS);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("runner: --no-plugins gives NO_HOOKS even with plugins present", async () => {
  const dir = await tempFolder();
  try {
    const file = await writeFile(dir.path, "veto.ts", jsPlugin("veto", `{ skip: "no" }`));
    const hooks = await hooksFor(dir.path, [file], recorder(), { noPlugins: true });
    assert(hooks === NO_HOOKS);
    assertEquals(await hooks.beforeKill(beforeContext()), { kind: "proceed" });
  } finally {
    await dir.cleanup();
  }
});

Deno.test({
  name: "runner: plugins are imported lazily, on the first hook call",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const file = await writeFile(
        dir.path,
        "side.ts",
        `await Deno.writeTextFile(${JSON.stringify(dir.path + "/imported")}, "x");
  export default { beforeKill() {} };
  `,
      );
      const hooks = await hooksFor(dir.path, [file], recorder());
      assertEquals(await exists(`${dir.path}/imported`), false);
      assertEquals(await hooks.beforeKill(beforeContext()), { kind: "proceed" });
      assertEquals(await exists(`${dir.path}/imported`), true);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: the first skip wins and later plugins are not asked",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const a = await writeFile(dir.path, "a.ts", jsPlugin("a", "undefined"));
      const b = await writeFile(dir.path, "b.ts", jsPlugin("b", `{ skip: "protected by b" }`));
      const c = await writeFile(dir.path, "c.ts", jsPlugin("c", `{ skip: "c says no" }`));
      const hooks = await hooksFor(dir.path, [a, b, c], recorder());
      assertEquals(await hooks.beforeKill(beforeContext()), {
        kind: "skip",
        plugin: "b",
        reason: "protected by b",
      });
      assertEquals(await exists(`${dir.path}/called-a`), true);
      assertEquals(await exists(`${dir.path}/called-c`), false);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: a signal override is kept while later plugins may still skip",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const a = await writeFile(dir.path, "a.ts", jsPlugin("a", `{ signal: "int" }`));
      const b = await writeFile(dir.path, "b.ts", jsPlugin("b", `{ signal: "SIGHUP" }`));
      const c = await writeFile(dir.path, "c.ts", jsPlugin("c", `{ skip: "c says no" }`));
      const rec = recorder();
      assertEquals(await (await hooksFor(dir.path, [a, b], rec)).beforeKill(beforeContext()), {
        kind: "signal",
        plugin: "a",
        signal: "SIGINT",
      });
      assertEquals(await (await hooksFor(dir.path, [a, c], rec)).beforeKill(beforeContext()), {
        kind: "skip",
        plugin: "c",
        reason: "c says no",
      });
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: an unknown signal name is a plugin failure",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const a = await writeFile(dir.path, "a.ts", jsPlugin("a", `{ signal: "SIGNOPE" }`));
      const b = await writeFile(dir.path, "b.ts", jsPlugin("b", `{ signal: "SIGUSR1" }`));
      const rec = recorder();
      const decision = await (await hooksFor(dir.path, [a], rec)).beforeKill(beforeContext());
      assertEquals(decision.kind, "failed");
      if (decision.kind === "failed") {
        assertIncludes(decision.message, "plugin a failed: beforeKill gave an invalid reply");
        assertIncludes(decision.message, "unknown signal");
      }
      // The caller's list (the backend's signals) decides what is known.
      const only = await hooksFor(dir.path, [b], rec, { signals: ["SIGTERM", "SIGKILL"] });
      assertEquals((await only.beforeKill(beforeContext())).kind, "failed");
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: stop runs only after every beforeKill agreed; the first handled wins",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      // "a" stops the process its own way; "z", later in the order, protects it.
      const stopper = (name: string, reply: string) =>
        writeFile(
          dir.path,
          `${name}.ts`,
          `export default {
  name: ${JSON.stringify(name)},
  async stop(ctx) {
    await Deno.writeTextFile(ctx.env.MARK_DIR + "/stopped-${name}", ctx.signal);
    return ${reply};
  },
};
`,
        );
      const a = await stopper("a", "{ handled: true }");
      const b = await stopper("b", "{ handled: true }");
      const z = await writeFile(dir.path, "z.ts", jsPlugin("z", `{ skip: "protected" }`));
      const sig = await writeFile(dir.path, "sig.ts", jsPlugin("sig", `{ signal: "SIGINT" }`));

      // The engine asks beforeKill first: z refuses, so stop is never asked (a does not act).
      const guarded = await hooksFor(dir.path, [a, z], recorder());
      assertEquals((await guarded.beforeKill(beforeContext())).kind, "skip");
      assertEquals(await exists(`${dir.path}/stopped-a`), false);

      // Nobody refuses: stop runs in order, with the decided signal; the first handled wins.
      const hooks = await hooksFor(dir.path, [sig, a, b], recorder());
      const decision = await hooks.beforeKill(beforeContext());
      assertEquals(decision, { kind: "signal", plugin: "sig", signal: "SIGINT" });
      assertEquals(await hooks.stop(beforeContext({ signal: "SIGINT" })), {
        kind: "stopped",
        plugin: "a",
      });
      assertEquals(await Deno.readTextFile(`${dir.path}/stopped-a`), "SIGINT");
      assertEquals(await exists(`${dir.path}/stopped-b`), false);

      // Nothing handled: portctl signals; a stop that fails leaves the process alone.
      const none = await hooksFor(dir.path, [await stopper("n", "undefined")], recorder());
      assertEquals(await none.stop(beforeContext()), { kind: "not-stopped" });
      const bad = await writeFile(
        dir.path,
        "bad.ts",
        `export default { stop() { throw new Error("docker is down"); } };\n`,
      );
      assertEquals(await (await hooksFor(dir.path, [bad], recorder())).stop(beforeContext()), {
        kind: "failed",
        message: "plugin bad failed: stop failed: docker is down",
      });
      const invalid = await stopper("i", `{ handled: "yes" }`);
      const result = await (await hooksFor(dir.path, [invalid], recorder())).stop(beforeContext());
      assertEquals(result.kind, "failed");
      if (result.kind === "failed") assertIncludes(result.message, "expected nothing or { handled");
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: throw, reject, hang and invalid replies fail the process and stop the chain",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const later = await writeFile(dir.path, "z.ts", jsPlugin("z", "undefined"));
      const cases: [string, string, string][] = [
        [
          "throws",
          `export default { beforeKill() { throw new Error("boom"); } };`,
          "beforeKill failed: boom",
        ],
        [
          "rejects",
          `export default { async beforeKill() { throw new TypeError("nope"); } };`,
          "beforeKill failed: nope",
        ],
        [
          "rejects-string",
          `export default { beforeKill: () => Promise.reject("plain") };`,
          "beforeKill failed: plain",
        ],
        [
          "hangs",
          `export default { beforeKill: () => new Promise(() => {}) };`,
          "beforeKill timed out after 0.3 s",
        ],
        [
          "empty-object",
          `export default { beforeKill: () => ({}) };`,
          "beforeKill gave an invalid reply {}",
        ],
        [
          "two-keys",
          `export default { beforeKill: () => ({ skip: "x", signal: "SIGINT" }) };`,
          "invalid reply",
        ],
        [
          "typo",
          `export default { beforeKill: () => ({ skp: "x" }) };`,
          'invalid reply {"skp":"x"}',
        ],
        [
          "handled-in-before",
          `export default { beforeKill: () => ({ handled: true }) };`,
          "beforeKill only decides; stop the process in a stop() hook",
        ],
        [
          "bigint-reply",
          `export default { beforeKill: () => ({ skip: 1n }) };`,
          "its reply cannot be passed on",
        ],
        ["string", `export default { beforeKill: () => "skip" };`, 'invalid reply "skip"'],
      ];
      for (const [name, source, message] of cases) {
        const file = await writeFile(dir.path, `${name}.ts`, source + "\n");
        const hooks = await hooksFor(dir.path, [file, later], recorder(), { pluginTimeoutMs: 300 });
        const decision = await hooks.beforeKill(beforeContext());
        assertEquals(decision.kind, "failed", name);
        if (decision.kind === "failed") {
          assertIncludes(decision.message, `plugin ${name} failed: `);
          assertIncludes(decision.message, message);
        }
        hooks.close();
      }
      assertEquals(await exists(`${dir.path}/called-z`), false);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: a plugin that exits, breaks or loops its process fails that hook, not portctl",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const cases: [string, string, string][] = [
        ["deno-exit", `beforeKill() { Deno.exit(0); }`, "it exited (Deno.exit or process.exit)"],
        [
          "process-exit",
          `async beforeKill() { (await import("node:process")).default.exit(0); }`,
          "it exited (Deno.exit or process.exit)",
        ],
        [
          "global-process-exit",
          `beforeKill() { globalThis.process.exit(3); }`,
          "it exited with status 3",
        ],
        ["self-close", `beforeKill() { self.close(); }`, "it exited"],
        [
          "unawaited",
          `beforeKill() { Promise.reject(new Error("nobody waits")); return new Promise(() => {}); }`,
          "an unhandled rejection: nobody waits",
        ],
        [
          "timer-throw",
          `beforeKill() { setTimeout(() => { throw new Error("late boom"); }, 5); return new Promise(() => {}); }`,
          "an uncaught error: Uncaught Error: late boom",
        ],
        ["busy", `beforeKill() { for (;;) {} }`, "beforeKill timed out after 0.4 s"],
      ];
      for (const [name, hook, message] of cases) {
        const file = await writeFile(
          dir.path,
          `${name}.ts`,
          `let calls = 0;\nexport default { ${hook}, afterKill(ctx) { ctx.log("after " + ++calls); } };\n`,
        );
        const rec = recorder();
        const hooks = await hooksFor(dir.path, [file], rec, { pluginTimeoutMs: 400 });
        const started = performance.now();
        const decision = await hooks.beforeKill(beforeContext());
        assert(performance.now() - started < 400 + 1_000, `${name} held portctl`);
        assertEquals(decision.kind, "failed", name);
        if (decision.kind === "failed") {
          assertIncludes(decision.message, `plugin ${name} failed: `);
          assertIncludes(decision.message, message);
        }
        await hooks.afterKill(afterContext("plugin-failed"));
        if (name === "busy") {
          // Ran out of time: not asked again in this run, so a loop costs one --plugin-timeout.
          assertEquals(rec.logs, [], name);
          const again = await hooks.beforeKill(beforeContext());
          assertEquals(again, {
            kind: "failed",
            message: "plugin busy failed: beforeKill failed: it ran out of time earlier in this " +
              "run and is not asked again",
          });
        } else {
          // The plugin's next hook runs in a fresh process: the module is imported again.
          assertEquals(rec.logs, [`[${name}] after 1`], name);
        }
        hooks.close();
      }
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: a plugin that runs out of memory fails its hook; portctl lives on",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const file = await writeFile(
        dir.path,
        "bomb.ts",
        `export default {
  beforeKill() { const a = []; for (;;) a.push(new Array(4e6).fill(1.5)); },
  afterKill(ctx) { ctx.log("after: " + ctx.outcome); },
};
`,
      );
      const rec = recorder();
      const hooks = await hooksFor(dir.path, [file], rec, { pluginTimeoutMs: 30_000 });
      const decision = await hooks.beforeKill(beforeContext());
      assertEquals(decision.kind, "failed");
      if (decision.kind === "failed") {
        assertIncludes(decision.message, "plugin bomb failed: beforeKill failed: it was killed by");
        assertIncludes(decision.message, "(out of memory?)");
      }
      await hooks.afterKill(afterContext("plugin-failed"));
      assertEquals(rec.logs.at(-1), "[bomb] after: plugin-failed");
      hooks.close();
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: what a JS plugin prints goes to its log, never to portctl's stdout",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const file = await writeFile(
        dir.path,
        "chatty.ts",
        `console.log("at import");
export default {
  beforeKill(ctx) {
    console.log("console", { pid: ctx.process.pid });
    console.error("to stderr");
    Deno.stdout.writeSync(new TextEncoder().encode("raw stdout\\n"));
    globalThis.process.stdout.write("node stdout, no newline");
  },
};
`,
      );
      const rec = recorder();
      const hooks = await hooksFor(dir.path, [file], rec);
      assertEquals(await hooks.beforeKill(beforeContext()), { kind: "proceed" });
      hooks.close();
      // stdout and stderr are two pipes: lines keep their order within each, not across them.
      assertEquals(rec.logs.toSorted(), [
        "[chatty] at import",
        "[chatty] console { pid: 4242 }",
        "[chatty] node stdout, no newline",
        "[chatty] raw stdout",
        "[chatty] to stderr",
      ]);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: a hook that runs out of time sees ctx.abortSignal fire",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const file = await writeFile(
        dir.path,
        "slow.ts",
        `export default {
    beforeKill(ctx) {
      return new Promise((resolve) => {
        ctx.abortSignal.addEventListener("abort", () => {
          Deno.writeTextFileSync(ctx.env.MARK_DIR + "/aborted", String(ctx.abortSignal.reason));
          resolve({ skip: "too late" });
        });
      });
    },
  };
  `,
      );
      const hooks = await hooksFor(dir.path, [file], recorder(), { pluginTimeoutMs: 200 });
      const decision = await hooks.beforeKill(beforeContext());
      assertEquals(decision, {
        kind: "failed",
        message: "plugin slow failed: beforeKill timed out after 0.2 s",
      });
      await new Promise((resolve) => setTimeout(resolve, 100)); // the worker hears of it
      assertIncludes(await Deno.readTextFile(`${dir.path}/aborted`), "timed out");
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: plugins that cannot be loaded fail with a message naming the file",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const cases: [string, string, string][] = [
        ["syntax.ts", "export default { beforeKill( };\n", "cannot load plugin"],
        ["no-default.ts", "export const beforeKill = () => {};\n", "no default export"],
        [
          "function.ts",
          "export default function beforeKill() {}\n",
          "the default export is not an object",
        ],
        ["bad-hook.ts", "export default { beforeKill: 3 };\n", "`beforeKill` must be a function"],
        ["no-hooks.ts", "export default { name: 'x' };\n", "it exports no hook"],
        [
          "bad-name.ts",
          "export default { name: 7, afterKill() {} };\n",
          "`name` must be a non-empty string",
        ],
        ["throws.ts", "throw new Error('top-level boom');\nexport default {};\n", "top-level boom"],
        [
          "missing-import.ts",
          "import './nope.ts';\nexport default { afterKill() {} };\n",
          "nope.ts",
        ],
      ];
      for (const [name, source, message] of cases) {
        const file = await writeFile(dir.path, name, source);
        const rec = recorder();
        const hooks = await hooksFor(dir.path, [file], rec);
        const decision = await hooks.beforeKill(beforeContext());
        assertEquals(decision.kind, "failed", name);
        if (decision.kind === "failed") {
          assertIncludes(decision.message, `cannot load plugin ${file}`);
          assertIncludes(decision.message, message);
        }
        // Already reported as plugin-failed: afterKill adds no second warning.
        await hooks.afterKill(afterContext("plugin-failed"));
        assertEquals(rec.warnings, []);
      }
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: a .ts plugin with type annotations and a relative import loads",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      await writeFile(
        dir.path,
        "plugins/lib/policy.ts",
        `export interface Policy { readonly names: readonly string[] }
  export enum Verdict { Keep = "keep", Kill = "kill" }
  export function judge(policy: Policy, name: string): Verdict {
    return policy.names.includes(name) ? Verdict.Keep : Verdict.Kill;
  }
  `,
      );
      const file = await writeFile(
        dir.path,
        "plugins/typed.ts",
        `import type { BeforeKillContext, BeforeKillReply, PortctlPlugin } from "${
          new URL("../../plugins/portctl.d.ts", import.meta.url).href
        }";
  import { judge, type Policy, Verdict } from "./lib/policy.ts";

  const policy: Policy = { names: ["postgres"] };

  const plugin: PortctlPlugin = {
    name: "typed",
    beforeKill(ctx: BeforeKillContext): BeforeKillReply {
      const verdict: Verdict = judge(policy, ctx.process.name);
      ctx.log(\`verdict for \${ctx.process.pid}: \${verdict}\`);
      return verdict === Verdict.Keep ? { skip: \`\${ctx.process.name} is kept\` } : undefined;
    },
  };
  export default plugin;
  `,
      );
      const rec = recorder();
      const hooks = await hooksFor(dir.path, [file], rec);
      assertEquals(await hooks.beforeKill(beforeContext()), { kind: "proceed" });
      const pg = beforeContext({
        process: {
          ...beforeContext().process,
          pid: 7,
          name: "postgres",
          user: null,
          command: "pg",
        },
      });
      assertEquals(await hooks.beforeKill(pg), {
        kind: "skip",
        plugin: "typed",
        reason: "postgres is kept",
      });
      assertEquals(rec.logs, ["[typed] verdict for 4242: kill", "[typed] verdict for 7: keep"]);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: hooks get the documented context; ctx.log is attributed; dryRun is passed",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const file = await writeFile(
        dir.path,
        "seen.ts",
        `export default {
    beforeKill(ctx) {
      const { env, log, abortSignal, ...rest } = ctx;
      Deno.writeTextFileSync(env.MARK_DIR + "/before.json", JSON.stringify({
        rest, env: typeof env.HOME, log: typeof log, abort: abortSignal instanceof AbortSignal,
        frozen: Object.isFrozen(ctx.process) && Object.isFrozen(ctx.sockets),
      }));
      log("hello from before");
    },
    afterKill(ctx) {
      Deno.writeTextFileSync(ctx.env.MARK_DIR + "/after.json", JSON.stringify({
        outcome: ctx.outcome, elapsedMs: ctx.elapsedMs, dryRun: ctx.dryRun,
      }));
      ctx.log("after: " + ctx.outcome);
    },
  };
  `,
      );
      const rec = recorder();
      const hooks = await hooksFor(dir.path, [file], rec);
      const context = beforeContext({ dryRun: true, signal: "SIGKILL", timeout: 7 });
      assertEquals(await hooks.beforeKill(context), { kind: "proceed" });
      const before = JSON.parse(await Deno.readTextFile(`${dir.path}/before.json`));
      assertEquals(before, {
        rest: { ...context },
        env: "string",
        log: "function",
        abort: true,
        frozen: true,
      });
      await hooks.afterKill(afterContext("dry-run", { dryRun: true }));
      assertEquals(JSON.parse(await Deno.readTextFile(`${dir.path}/after.json`)), {
        outcome: "dry-run",
        elapsedMs: 120,
        dryRun: true,
      });
      assertEquals(rec.logs, ["[seen] hello from before", "[seen] after: dry-run"]);
      assertEquals(rec.warnings, []);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: a plugin cannot change the context the engine or the next plugin sees",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const a = await writeFile(
        dir.path,
        "a.ts",
        `export default { beforeKill(ctx) {
    try { ctx.process.pid = 1; } catch { /* frozen */ }
    try { ctx.sockets[0].port = 1; } catch { /* frozen */ }
  } };
  `,
      );
      const b = await writeFile(
        dir.path,
        "b.ts",
        `export default { beforeKill(ctx) {
    Deno.writeTextFileSync(ctx.env.MARK_DIR + "/b.json", JSON.stringify([ctx.process.pid, ctx.sockets[0].port]));
  } };
  `,
      );
      const context = beforeContext();
      await (await hooksFor(dir.path, [a, b], recorder())).beforeKill(context);
      assertEquals(JSON.parse(await Deno.readTextFile(`${dir.path}/b.json`)), [4242, 3000]);
      assertEquals(context.process.pid, 4242);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: afterKill runs every plugin; failures are warnings, never thrown",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const a = await writeFile(
        dir.path,
        "a.ts",
        `export default { afterKill() { throw new Error("disk full"); } };\n`,
      );
      const b = await writeFile(
        dir.path,
        "b.ts",
        `export default { afterKill: () => new Promise(() => {}) };\n`,
      );
      const c = await writeFile(dir.path, "c.ts", jsPlugin("c", "undefined", "afterKill"));
      const d = await writeFile(dir.path, "d.sh", "#!/bin/sh\nexit 4\n", true);
      const e = await writeFile(dir.path, "e.sh", '#!/bin/sh\necho "said on stdout"\n', true);
      const rec = recorder();
      const hooks = await hooksFor(dir.path, [a, b, c, d, e], rec, { pluginTimeoutMs: 300 });
      await hooks.afterKill(afterContext("ended"));
      assertEquals(rec.warnings, [
        "plugin a: afterKill failed: disk full",
        "plugin b: afterKill timed out after 0.3 s",
        "plugin d: after-kill exited with status 4",
      ]);
      assertEquals(await exists(`${dir.path}/called-c`), true);
      // after-kill has no reply: what an executable prints on stdout is shown like stderr.
      assertEquals(rec.logs, ["[e] said on stdout"]);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: a plugin with only afterKill does not affect beforeKill",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const a = await writeFile(dir.path, "a.ts", jsPlugin("a", "undefined", "afterKill"));
      const hooks = await hooksFor(dir.path, [a], recorder());
      assertEquals(await hooks.beforeKill(beforeContext()), { kind: "proceed" });
      assertEquals(await exists(`${dir.path}/called-a`), false);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: an executable plugin gets valid JSON on stdin, its hook as argument",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const file = await writeFile(
        dir.path,
        "capture.sh",
        `#!/bin/sh
  cat > "$MARK_DIR/stdin-$1.json"
  printf '%s' "$PORTCTL_HOOK" > "$MARK_DIR/hook-$1"
  pwd > "$MARK_DIR/cwd"
  echo "stderr line for $1" >&2
  `,
        true,
      );
      const rec = recorder();
      const hooks = await hooksFor(dir.path, [file], rec);
      const context = beforeContext();
      assertEquals(await hooks.beforeKill(context), { kind: "proceed" });
      await hooks.afterKill(afterContext("ended"));
      const before = JSON.parse(await Deno.readTextFile(`${dir.path}/stdin-before-kill.json`));
      assertEquals(before, { hook: "before-kill", ...context });
      const after = JSON.parse(await Deno.readTextFile(`${dir.path}/stdin-after-kill.json`));
      assertEquals(after, { hook: "after-kill", ...afterContext("ended") });
      assertEquals(await Deno.readTextFile(`${dir.path}/hook-after-kill`), "after-kill");
      assertEquals((await Deno.readTextFile(`${dir.path}/cwd`)).trim(), dir.path);
      assertEquals(rec.logs, [
        "[capture] stderr line for before-kill",
        "[capture] stderr line for after-kill",
      ]);
      assertEquals(rec.warnings, []);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: an executable plugin replies with JSON on stdout",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const reply = (name: string, out: string, code = 0) =>
        writeFile(
          dir.path,
          name,
          `#!/bin/sh\ncat >/dev/null\nprintf '%s\\n' '${out}'\nexit ${code}\n`,
          true,
        );
      const skip = await reply("skip.sh", `{"skip":"held by the build"}`);
      const signal = await reply("signal.sh", `{"signal":"SIGINT"}`);
      const handled = await reply("handled.sh", `{"handled":true}`);
      const garbage = await reply("garbage.sh", `not json`);
      const failing = await reply("failing.sh", `{"skip":"ignored"}`, 3);
      const rec = recorder();
      const decide = async (file: string) =>
        await (await hooksFor(dir.path, [file], rec)).beforeKill(beforeContext());
      assertEquals(await decide(skip), {
        kind: "skip",
        plugin: "skip",
        reason: "held by the build",
      });
      assertEquals(await decide(signal), { kind: "signal", plugin: "signal", signal: "SIGINT" });
      assertEquals(await decide(handled), {
        kind: "failed",
        message: 'plugin handled failed: before-kill gave an invalid reply {"handled":true}: ' +
          "beforeKill only decides; stop the process in a stop() hook and reply { handled: true } " +
          "there (see docs/plugins.md)",
      });
      assertEquals(await (await hooksFor(dir.path, [handled], rec)).stop(beforeContext()), {
        kind: "stopped",
        plugin: "handled",
      });
      assertEquals(await decide(garbage), {
        kind: "failed",
        message:
          'plugin garbage failed: before-kill printed something that is not JSON: "not json"',
      });
      assertEquals(await decide(failing), {
        kind: "failed",
        message: "plugin failing failed: before-kill exited with status 3",
      });
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: an executable plugin that does not read stdin still works",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const file = await writeFile(dir.path, "quick.sh", "#!/bin/sh\nexit 0\n", true);
      const hooks = await hooksFor(dir.path, [file], recorder());
      assertEquals(await hooks.beforeKill(beforeContext()), { kind: "proceed" });
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: an executable plugin that times out is killed",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const file = await writeFile(
        dir.path,
        "hang.sh",
        `#!/bin/sh\necho $$ > "$MARK_DIR/pid"\nexec sleep 30\n`,
        true,
      );
      const hooks = await hooksFor(dir.path, [file], recorder(), { pluginTimeoutMs: 500 });
      const started = performance.now();
      assertEquals(await hooks.beforeKill(beforeContext()), {
        kind: "failed",
        message: "plugin hang failed: before-kill timed out after 0.5 s",
      });
      assert(performance.now() - started < 3_000);
      const pid = Number((await Deno.readTextFile(`${dir.path}/pid`)).trim());
      // Killed: give the kernel a moment to reap it, then it must be gone.
      let alive = true;
      for (let i = 0; i < 50 && alive; i++) {
        alive = await running(pid);
        if (alive) await new Promise((r) => setTimeout(r, 20));
      }
      assertEquals(alive, false);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: what an executable plugin leaves running is ended with its hook",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const file = await writeFile(
        dir.path,
        "bg.sh",
        `#!/bin/sh\ncat >/dev/null\nsleep 1000 &\necho $! > "$MARK_DIR/child"\necho '{"handled":true}'\n`,
        true,
      );
      const hooks = await hooksFor(dir.path, [file], recorder());
      const started = performance.now();
      assertEquals(await hooks.stop(beforeContext()), { kind: "stopped", plugin: "bg" });
      assert(performance.now() - started < 2_000, "waited for the background child");
      const child = Number((await Deno.readTextFile(`${dir.path}/child`)).trim());
      let alive = true;
      for (let i = 0; i < 50 && alive; i++) {
        alive = await running(child);
        if (alive) await new Promise((r) => setTimeout(r, 20));
      }
      assertEquals(alive, false, "the plugin's background child outlived its hook");
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: an executable plugin that floods its output fails and is ended",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const flood = (name: string, to: string) =>
        writeFile(
          dir.path,
          name,
          `#!/bin/sh\necho $$ > "$MARK_DIR/${name}.pid"\nyes flood ${to}\n`,
          true,
        );
      for (const file of [await flood("out.sh", ""), await flood("err.sh", ">&2")]) {
        const rec = recorder();
        const before = Deno.memoryUsage().rss;
        const decision = await (await hooksFor(dir.path, [file], rec)).beforeKill(beforeContext());
        assertEquals(decision.kind, "failed", file);
        if (decision.kind === "failed") assertIncludes(decision.message, "printed more than 1 MiB");
        assert(Deno.memoryUsage().rss - before < 64 * 1024 * 1024, "the flood was kept");
        const pid = Number((await Deno.readTextFile(`${file}.pid`)).trim());
        assertEquals(await running(pid), false);
      }
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: an executable plugin whose interpreter is missing fails cleanly",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const file = await writeFile(dir.path, "broken", "#!/nonexistent/interpreter\n", true);
      const decision = await (await hooksFor(dir.path, [file], recorder())).beforeKill(
        beforeContext(),
      );
      assertEquals(decision.kind, "failed");
      if (decision.kind === "failed") {
        assertIncludes(decision.message, `before-kill: cannot run ${file}`);
      }
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "runner: concurrent beforeKill calls load each plugin once",
  ignore: onWindows,
  async fn() {
    const dir = await tempFolder();
    try {
      const file = await writeFile(
        dir.path,
        "count.ts",
        `Deno.writeTextFileSync(${JSON.stringify(dir.path + "/loads")}, "x", { append: true });
  export default { beforeKill: (ctx) => ctx.process.pid % 2 ? { skip: "odd" } : undefined };
  `,
      );
      const hooks = await hooksFor(dir.path, [file], recorder());
      const decisions = await Promise.all(
        [1, 2, 3].map((pid) =>
          hooks.beforeKill(
            beforeContext({
              process: { ...beforeContext().process, pid, name: "n", user: null, command: "c" },
            }),
          )
        ),
      );
      assertEquals(decisions.map((d) => d.kind), ["skip", "proceed", "skip"]);
      assertEquals(await Deno.readTextFile(`${dir.path}/loads`), "x");
    } finally {
      await dir.cleanup();
    }
  },
});
