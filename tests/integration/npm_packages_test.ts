/**
 * `scripts/npm.ts` with a fake binary (a shell script) standing in for each compiled one: the
 * packages are generated, `npm pack`ed for real, installed offline from those tarballs with
 * `npm install`, and the launcher runs the fake binary with the arguments, stdio and exit code
 * passed through. npm itself enforces the `os`/`cpu` fields (EBADPLATFORM).
 */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { fileURLToPath } from "node:url";
import { binaryPath, TARGETS } from "../../scripts/build_plan.ts";
import { platformKey } from "../../scripts/npm_plan.ts";
import { VERSION } from "../../src/version.ts";

const NPM_TS = fileURLToPath(new URL("../../scripts/npm.ts", import.meta.url));
const onWindows = Deno.build.os === "windows";
const NPM = onWindows ? "npm.cmd" : "npm";
if (onWindows) {
  console.log(
    "skipping the npm install and launcher run: the fake binary is a #!/bin/sh script, which " +
      "Windows cannot run; generating and packing the packages is tested here",
  );
}
const FAKE = `#!/bin/sh
echo "fake portctl: $*"
echo "to stderr" >&2
if [ -n "$FAKE_SIGNAL" ]; then kill -"$FAKE_SIGNAL" $$; fi
exit "\${FAKE_EXIT:-0}"
`;

interface Out {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

async function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Out> {
  const out = await new Deno.Command(cmd, { args, ...options, stdout: "piped", stderr: "piped" })
    .output();
  const d = new TextDecoder();
  return {
    code: out.code,
    signal: out.signal,
    stdout: d.decode(out.stdout),
    stderr: d.decode(out.stderr),
  };
}

async function haveNpm(): Promise<boolean> {
  try {
    return (await run(NPM, ["--version"])).code === 0;
  } catch {
    return false;
  }
}

/** A dist/ with a fake binary for every target, the generated packages, and their tarballs. */
async function generateAndPack(): Promise<{ dir: string; packs: string }> {
  const dir = await Deno.makeTempDir({ prefix: "portctl-npm-" });
  for (const t of TARGETS) {
    await Deno.mkdir(`${dir}/dist/${t.triple}`, { recursive: true });
    await Deno.writeTextFile(`${dir}/dist/${binaryPath(t)}`, FAKE, { mode: 0o755 });
  }
  const gen = await run(Deno.execPath(), ["run", "-A", NPM_TS, "--dist", "dist"], { cwd: dir });
  assertEquals(gen.code, 0, gen.stderr);
  const packs = `${dir}/packs`;
  await Deno.mkdir(packs);
  for (const name of ["portctl", ...TARGETS.map(platformKey)]) {
    const pack = await run(NPM, [
      "pack",
      "--json",
      "--pack-destination",
      packs,
      `./dist/npm/${name}`,
    ], {
      cwd: dir,
    });
    assertEquals(pack.code, 0, pack.stderr);
  }
  return { dir, packs };
}

Deno.test("npm: six packages generate and npm pack, with the right files, modes and fields", async () => {
  if (!(await haveNpm())) return console.log("skipped: npm is not installed");
  const { dir, packs } = await generateAndPack();
  try {
    const tarballs = [];
    for await (const e of Deno.readDir(packs)) tarballs.push(e.name);
    assertEquals(
      tarballs.sort(),
      [
        `portctl-${VERSION}.tgz`,
        ...TARGETS.map((t) => `portctl-${platformKey(t)}-${VERSION}.tgz`),
      ].sort(),
    );

    const main = JSON.parse(await Deno.readTextFile(`${dir}/dist/npm/portctl/package.json`));
    assertEquals(main.name, "portctl");
    assertEquals(main.version, VERSION);
    assertEquals(main.bin, { portctl: "bin/portctl.js" });
    assertEquals(main.optionalDependencies, {
      "@portctl/linux-x64": VERSION,
      "@portctl/linux-arm64": VERSION,
      "@portctl/darwin-x64": VERSION,
      "@portctl/darwin-arm64": VERSION,
      "@portctl/win32-x64": VERSION,
    });
    for (const t of TARGETS) {
      const p = JSON.parse(
        await Deno.readTextFile(`${dir}/dist/npm/${platformKey(t)}/package.json`),
      );
      assertEquals(p.name, `@portctl/${platformKey(t)}`);
      assertEquals(p.version, VERSION);
      assertEquals([p.os, p.cpu], [[t.npmOs], [t.npmCpu]]);
      assertEquals(p.files, [`bin/${t.exe}`]);
    }

    if (Deno.build.os !== "windows") {
      const list = await run("tar", ["-tvzf", `${packs}/portctl-linux-x64-${VERSION}.tgz`]);
      assertMatch(list.stdout, /^-rwxr-xr-x .* package\/bin\/portctl$/m);
      const mainList = await run("tar", ["-tvzf", `${packs}/portctl-${VERSION}.tgz`]);
      assertMatch(mainList.stdout, /^-rwxr-xr-x .* package\/bin\/portctl\.js$/m);
      assertEquals(mainList.stdout.trim().split("\n").length, 3, mainList.stdout); // js, package.json, README
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "npm: installed offline from the tarballs, the launcher runs the binary and passes " +
    "args, stdio, exit code and signal through",
  ignore: onWindows, // the fake binary is a shell script
  async fn() {
    if (!(await haveNpm())) return console.log("skipped: npm is not installed");
    const key = `${Deno.build.os}-${Deno.build.arch === "x86_64" ? "x64" : "arm64"}`;
    const { dir, packs } = await generateAndPack();
    try {
      const app = `${dir}/app`;
      await Deno.mkdir(app);
      await Deno.writeTextFile(`${app}/package.json`, '{"name":"app","private":true}\n');
      const install = await run(NPM, [
        "install",
        "--offline",
        "--no-audit",
        "--no-fund",
        `${packs}/portctl-${VERSION}.tgz`,
        `${packs}/portctl-${key}-${VERSION}.tgz`,
      ], { cwd: app });
      assertEquals(install.code, 0, install.stderr);

      const bin = `${app}/node_modules/.bin/portctl`;
      const ok0 = await run(bin, ["who", "3000", "--json", "two words"]);
      assertEquals(ok0.code, 0, ok0.stderr);
      assertEquals(ok0.stdout, "fake portctl: who 3000 --json two words\n");
      assertEquals(ok0.stderr, "to stderr\n");

      const three = await run(bin, ["kill", "5432"], { env: { FAKE_EXIT: "3" } });
      assertEquals(three.code, 3);
      assertEquals(three.stdout, "fake portctl: kill 5432\n");

      const killed = await run(bin, ["kill", "1"], { env: { FAKE_SIGNAL: "TERM" } });
      assertEquals(killed.signal, "SIGTERM");

      // npm refuses a platform package for another OS: the os/cpu fields are real.
      const other = TARGETS.find((t) => t.npmOs !== Deno.build.os)!;
      const refused = await run(NPM, [
        "install",
        "--offline",
        "--no-audit",
        "--no-fund",
        `${packs}/portctl-${platformKey(other)}-${VERSION}.tgz`,
      ], { cwd: app });
      assert(refused.code !== 0);
      assertMatch(refused.stderr, /EBADPLATFORM/);

      // Without its platform package the launcher says what to do, in one line.
      await Deno.remove(`${app}/node_modules/@portctl`, { recursive: true });
      const missing = await run(bin, ["who", "1"]);
      assertEquals(missing.code, 1);
      assertEquals(
        missing.stderr,
        `portctl: the package @portctl/${key} is not installed; it is an optional dependency ` +
          "of portctl: reinstall without --no-optional / --omit=optional\n",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("npm: a missing binary stops generation with one line, exit 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "portctl-npm-" });
  try {
    const out = await run(Deno.execPath(), ["run", "-A", NPM_TS, "--dist", "dist"], { cwd: dir });
    assertEquals(out.code, 1);
    assertEquals(out.stderr.trimEnd().split("\n").length, 1);
    assertMatch(
      out.stderr,
      /^error: no x86_64-unknown-linux-gnu binary at .*: run deno task compile first/,
    );
    const bad = await run(Deno.execPath(), ["run", "-A", NPM_TS, "--target", "mips"], { cwd: dir });
    assertEquals(bad.code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
