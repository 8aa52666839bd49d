import { assert, assertEquals, assertMatch, assertThrows } from "../support/assert.ts";
import {
  archiveName,
  binaryPath,
  checksumFile,
  COMPILE_DENO_VERSION,
  COMPILE_PERMISSIONS,
  compileArgs,
  detectFormat,
  lazyIncludes,
  LINUX_COMPILE_PERMISSIONS,
  MIN_COMPILE_DENO_VERSION,
  parseChecksumFile,
  permissionsFor,
  runtimeFetchFailure,
  runtimeFileName,
  runtimeFor,
  selectTargets,
  TARGETS,
  tidyCompileError,
} from "../../scripts/build_plan.ts";
import { standinRuntime } from "../support/standin_runtime.ts";

const linux = TARGETS[0];
const windows = TARGETS[4];

if (Deno.build.os !== "linux") {
  console.log(
    `skipping the /proc permission check: /proc is Linux only (this is ${Deno.build.os})`,
  );
}

Deno.test("the five release targets, with npm os/cpu and archive kinds", () => {
  assertEquals(
    TARGETS.map((t) => [t.triple, t.npmOs, t.npmCpu, t.format, t.exe, t.archiveExt]),
    [
      ["x86_64-unknown-linux-gnu", "linux", "x64", "elf", "portctl", ".tar.gz"],
      ["aarch64-unknown-linux-gnu", "linux", "arm64", "elf", "portctl", ".tar.gz"],
      ["x86_64-apple-darwin", "darwin", "x64", "macho", "portctl", ".tar.gz"],
      ["aarch64-apple-darwin", "darwin", "arm64", "macho", "portctl", ".tar.gz"],
      ["x86_64-pc-windows-msvc", "win32", "x64", "pe", "portctl.exe", ".zip"],
    ],
  );
});

Deno.test("selectTargets: none means all, a subset keeps release order, duplicates dropped", () => {
  assertEquals(selectTargets([]).length, 5);
  assertEquals(
    selectTargets(["x86_64-pc-windows-msvc", "x86_64-unknown-linux-gnu", "x86_64-pc-windows-msvc"])
      .map((t) => t.triple),
    ["x86_64-unknown-linux-gnu", "x86_64-pc-windows-msvc"],
  );
  assertThrows(
    () => selectTargets(["x86_64-unknown-linux-musl"]),
    /^unknown target "x86_64-unknown-linux-musl": use one of x86_64-unknown-linux-gnu, /,
  );
});

Deno.test("archive and binary names carry the triple, not the version", () => {
  assertEquals(archiveName(linux), "portctl-x86_64-unknown-linux-gnu.tar.gz");
  assertEquals(archiveName(windows), "portctl-x86_64-pc-windows-msvc.zip");
  assertEquals(binaryPath(linux), "x86_64-unknown-linux-gnu/portctl");
  assertEquals(binaryPath(windows), "x86_64-pc-windows-msvc/portctl.exe");
  assertEquals(runtimeFileName(linux), "denort-x86_64-unknown-linux-gnu");
  assertEquals(runtimeFileName(windows), "denort-x86_64-pc-windows-msvc.exe");
});

Deno.test("compileArgs: target, output, the target's permissions, entry last", () => {
  assertEquals(compileArgs(windows, { outDir: "/r/dist", entry: "/r/src/main.ts" }), [
    "compile",
    "--quiet",
    "--target",
    "x86_64-pc-windows-msvc",
    "--output",
    "/r/dist/x86_64-pc-windows-msvc/portctl.exe",
    "--exclude-unused-npm",
    "--allow-read",
    "--allow-run",
    "--allow-ffi",
    "--allow-env",
    "--allow-sys",
    "--allow-write",
    "--allow-net",
    ...lazyIncludes(),
    "/r/src/main.ts",
  ]);
  assertEquals(compileArgs(linux, { outDir: "dist", entry: "src/main.ts" }), [
    "compile",
    "--quiet",
    "--target",
    "x86_64-unknown-linux-gnu",
    "--output",
    "dist/x86_64-unknown-linux-gnu/portctl",
    "--exclude-unused-npm",
    "--allow-all",
    ...lazyIncludes(),
    "src/main.ts",
  ]);
  const src = new URL("../../src/", import.meta.url).pathname;
  assertEquals(lazyIncludes().slice(0, 4), [
    "--include",
    `${src}cli/app.ts`,
    "--include",
    `${src}cli/kill.ts`,
  ]);
  // Every lazily imported module exists where the build will look for it.
  for (const [flag, path] of chunks(lazyIncludes())) {
    assertEquals(flag, "--include");
    assert(Deno.statSync(path).isFile, path);
  }
  for (const t of TARGETS) {
    const args = compileArgs(t, { outDir: "dist", entry: "src/main.ts" });
    for (const forbidden of ["--no-check", "-A"]) {
      assert(!args.includes(forbidden), `${forbidden} must not be passed`);
    }
    assertEquals(permissionsFor(t), t.npmOs === "linux" ? ["--allow-all"] : COMPILE_PERMISSIONS);
  }
});

Deno.test({
  name: "Linux needs --allow-all: deno refuses /proc/net/tcp to the narrower set",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const probe = 'try { Deno.readTextFileSync("/proc/net/tcp"); console.log("read"); } ' +
      "catch (e) { console.log((e as Error).name); }";
    const file = await Deno.makeTempFile({ suffix: ".ts" });
    await Deno.writeTextFile(file, probe);
    const run = async (flags: readonly string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--no-config", ...flags, file],
        stdout: "piped",
        stderr: "piped",
      }).output();
      return new TextDecoder().decode(out.stdout).trim();
    };
    try {
      assertEquals(await run(COMPILE_PERMISSIONS), "NotCapable");
      assertEquals(await run(LINUX_COMPILE_PERMISSIONS), "read");
    } finally {
      await Deno.remove(file);
    }
  },
});

Deno.test("the compile Deno is pinned at or above 2.8.2 (plugins import from disk)", () => {
  assertEquals(MIN_COMPILE_DENO_VERSION, "2.8.2");
  const [a, b, c] = COMPILE_DENO_VERSION.split(".").map(Number);
  assert(a > 2 || (a === 2 && (b > 8 || (b === 8 && c >= 2))));
});

Deno.test("checksumFile: sha256sum text format, sorted, round-trips", () => {
  const a = "a".repeat(64);
  const b = "0123456789abcdef".repeat(4);
  const text = checksumFile([
    { name: "portctl-x86_64-pc-windows-msvc.zip", sha256: a },
    { name: "portctl-aarch64-apple-darwin.tar.gz", sha256: b },
  ]);
  assertEquals(
    text,
    `${b}  portctl-aarch64-apple-darwin.tar.gz\n${a}  portctl-x86_64-pc-windows-msvc.zip\n`,
  );
  assertEquals(
    [...parseChecksumFile(text)],
    [["portctl-aarch64-apple-darwin.tar.gz", b], ["portctl-x86_64-pc-windows-msvc.zip", a]],
  );
  assertEquals(checksumFile([]), "");
  assertThrows(() => checksumFile([{ name: "x", sha256: "ABC" }]), /bad sha256 for x/);
  assertThrows(() => checksumFile([{ name: "a b", sha256: a }]), /bad file name/);
  assertThrows(() => parseChecksumFile("nonsense\n"), /malformed SHA256SUMS line/);
});

Deno.test("detectFormat tells ELF, Mach-O and PE apart, and refuses a shell script", () => {
  assertEquals(detectFormat(standinRuntime("x86_64-unknown-linux-gnu")), "elf");
  assertEquals(detectFormat(standinRuntime("aarch64-apple-darwin")), "macho");
  assertEquals(detectFormat(new Uint8Array([0xca, 0xfe, 0xba, 0xbe])), "macho");
  assertEquals(detectFormat(standinRuntime("x86_64-pc-windows-msvc")), "pe");
  assertEquals(detectFormat(new TextEncoder().encode("#!/bin/sh\necho hi\n")), undefined);
  assertEquals(detectFormat(new Uint8Array()), undefined);
});

Deno.test("runtimeFor: PORTCTL_DENORT_DIR per target wins, then DENORT_BIN, else download", () => {
  assertEquals(runtimeFor(windows, { denortDir: "/rt/", denortBin: "/x" }), {
    kind: "file",
    path: "/rt/denort-x86_64-pc-windows-msvc.exe",
    from: "PORTCTL_DENORT_DIR",
  });
  assertEquals(runtimeFor(linux, { denortBin: "/opt/denort" }), {
    kind: "file",
    path: "/opt/denort",
    from: "DENORT_BIN",
  });
  assertEquals(runtimeFor(linux, { denortBin: "", denortDir: "" }), { kind: "download" });
  assertEquals(runtimeFor(linux, {}), { kind: "download" });
});

// What deno 2.9.6 printed here, with no route to dl.deno.land (captured, colours included).
const FETCH_FAILED = "\x1b[0m\x1b[1m\x1b[31merror\x1b[0m: Writing deno compile executable to " +
  "temporary file 'o.tmp-0f1fa36706460f7a'\n\nCaused by:\n    0: Setting up base binary.\n" +
  "    1: error sending request for url (https://dl.deno.land/release/v2.9.6/" +
  "denort-x86_64-unknown-linux-gnu.zip): client error (Connect): dns error: failed to lookup " +
  "address information: Name or service not known\n    2: client error (Connect)\n\n" +
  "Stack backtrace:\n   0: <unknown>\n";

Deno.test("runtimeFetchFailure turns deno's download error into one line", () => {
  const line = runtimeFetchFailure(linux, FETCH_FAILED);
  assertEquals(
    line,
    "cannot fetch the deno runtime (denort) for x86_64-unknown-linux-gnu from dl.deno.land: " +
      "set DENORT_BIN to a local denort for one OS, or PORTCTL_DENORT_DIR to a folder with " +
      "denort-x86_64-unknown-linux-gnu and the like for each target",
  );
  assert(!line?.includes("\n"));
  assertEquals(runtimeFetchFailure(linux, "error: Type checking failed.\n"), undefined);
});

Deno.test("tidyCompileError drops colours and the stack backtrace", () => {
  const tidy = tidyCompileError(FETCH_FAILED);
  assertMatch(tidy, /^error: Writing deno compile executable/);
  assert(!tidy.includes("Stack backtrace") && !tidy.includes("\x1b["));
});

function chunks(items: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < items.length; i += 2) pairs.push([items[i], items[i + 1]]);
  return pairs;
}
