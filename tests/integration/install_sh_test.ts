/**
 * install.sh for real: `sh install.sh` downloads a fake release from a file server on 127.0.0.1
 * (an ephemeral port, Deno.serve in this test), checks SHA256SUMS and installs. A checksum
 * mismatch, a missing SHA256SUMS line and a missing archive each abort and install nothing.
 * Where `pwsh` exists (GitHub's runners), install.ps1 is run against the same server too.
 */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { fileURLToPath } from "node:url";
import { tarGz, zip } from "../../scripts/archive.ts";
import { checksumFile } from "../../scripts/build_plan.ts";
import { sha256Hex } from "../../scripts/archive.ts";

const INSTALL_SH = fileURLToPath(new URL("../../install.sh", import.meta.url));
const INSTALL_PS1 = fileURLToPath(new URL("../../install.ps1", import.meta.url));
const HOST_TARGET = Deno.build.target; // install.sh must detect the same triple
const ARCHIVE = `portctl-${HOST_TARGET}.tar.gz`;
const FAKE_BINARY = new TextEncoder().encode(
  '#!/bin/sh\nif [ "$1" = --version ]; then echo "portctl 9.9.9 (fake)"; fi\n',
);

/** Serves `files` (path → bytes) on 127.0.0.1 and records every requested path. */
function serve(files: Map<string, Uint8Array>) {
  const requests: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => {
      const path = new URL(req.url).pathname;
      requests.push(path);
      const body = files.get(path);
      return body === undefined
        ? new Response("not found", { status: 404 })
        : new Response(body as Uint8Array<ArrayBuffer>);
    },
  );
  return { server, requests, base: `http://127.0.0.1:${server.addr.port}` };
}

/** Releases: good, a wrong checksum, no line for the archive, no archive at all. */
async function releases(): Promise<Map<string, Uint8Array>> {
  const archive = await tarGz([{ name: "portctl", data: FAKE_BINARY, mode: 0o755 }]);
  const winZip = await zip([{ name: "portctl.exe", data: FAKE_BINARY, mode: 0o755 }]);
  const winName = "portctl-x86_64-pc-windows-msvc.zip";
  const sums = checksumFile([
    { name: ARCHIVE, sha256: await sha256Hex(archive) },
    { name: winName, sha256: await sha256Hex(winZip) },
  ]);
  const wrong = checksumFile([
    { name: ARCHIVE, sha256: "0".repeat(64) },
    { name: winName, sha256: "0".repeat(64) },
  ]);
  const other = checksumFile([{ name: "portctl-other.tar.gz", sha256: "1".repeat(64) }]);
  const t = (s: string) => new TextEncoder().encode(s);
  return new Map([
    [`/good/${ARCHIVE}`, archive],
    [`/good/${winName}`, winZip],
    ["/good/SHA256SUMS", t(sums)],
    [`/badsum/${ARCHIVE}`, archive],
    [`/badsum/${winName}`, winZip],
    ["/badsum/SHA256SUMS", t(wrong)],
    [`/noline/${ARCHIVE}`, archive],
    ["/noline/SHA256SUMS", t(other)],
    ["/noarchive/SHA256SUMS", t(sums)],
  ]);
}

async function sh(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command("sh", {
    args: [INSTALL_SH, ...args],
    // The server is on loopback: never send its requests through a proxy from the environment.
    env: { NO_PROXY: "127.0.0.1,localhost", no_proxy: "127.0.0.1,localhost", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function downloaders(): Promise<string[]> {
  const found = [];
  for (const tool of ["curl", "wget"]) {
    try {
      await new Deno.Command(tool, { args: ["--version"], stdout: "null", stderr: "null" })
        .output();
      found.push(tool);
    } catch {
      // not installed
    }
  }
  return found;
}

const posix = Deno.build.os === "linux" || Deno.build.os === "darwin";
if (!posix) {
  console.log(
    `skipping the install.sh tests: install.sh is for Linux and macOS and needs a POSIX shell ` +
      `(this is ${Deno.build.os}); install.ps1 is tested here`,
  );
}

Deno.test({
  name: "install.sh installs the release for this machine after checking SHA256SUMS",
  ignore: !posix,
  async fn(t) {
    const { server, requests, base } = serve(await releases());
    const dir = await Deno.makeTempDir({ prefix: "portctl-install-" });
    try {
      for (const downloader of await downloaders()) {
        await t.step(`into a folder given as argument (${downloader})`, async () => {
          requests.length = 0;
          const into = `${dir}/${downloader}/bin`;
          const out = await sh([into], {
            PORTCTL_DOWNLOAD_URL: `${base}/good/`,
            PORTCTL_DOWNLOADER: downloader,
            PATH: Deno.env.get("PATH") ?? "",
            HOME: dir,
          });
          assertEquals(out.code, 0, out.stderr);
          assertEquals(out.stderr, "");
          assertMatch(
            out.stdout,
            new RegExp(`downloading ${base}/good/${ARCHIVE.replaceAll(".", "\\.")}`),
          );
          assertMatch(out.stdout, /checksum ok \([0-9a-f]{64}\)/);
          assertMatch(
            out.stdout,
            new RegExp(`installed portctl 9\\.9\\.9 \\(fake\\) to ${into}/portctl`),
          );
          assertMatch(out.stdout, /is not on your PATH/);
          assertEquals((await Deno.stat(`${into}/portctl`)).mode! & 0o777, 0o755);
          assertEquals(
            await Deno.readTextFile(`${into}/portctl`),
            new TextDecoder().decode(FAKE_BINARY),
          );
          assertEquals(requests.join(" "), `/good/${ARCHIVE} /good/SHA256SUMS`);
        });
      }

      await t.step("into PORTCTL_INSTALL_DIR, replacing an older portctl", async () => {
        const into = `${dir}/env-dir`;
        await Deno.mkdir(into);
        await Deno.writeTextFile(`${into}/portctl`, "old");
        const out = await sh([], {
          PORTCTL_DOWNLOAD_URL: `${base}/good`,
          PORTCTL_INSTALL_DIR: into,
          PATH: `${into}:${Deno.env.get("PATH") ?? ""}`,
          HOME: dir,
        });
        assertEquals(out.code, 0, out.stderr);
        assert(!out.stdout.includes("not on your PATH"));
        assertEquals(
          await Deno.readTextFile(`${into}/portctl`),
          new TextDecoder().decode(FAKE_BINARY),
        );
        const left = [];
        for await (const e of Deno.readDir(into)) left.push(e.name);
        assertEquals(left.join(" "), "portctl"); // no temp file left behind
      });

      await t.step("into ~/.local/bin by default", async () => {
        const home = `${dir}/home`;
        await Deno.mkdir(home);
        const out = await sh([], {
          PORTCTL_DOWNLOAD_URL: `${base}/good`,
          PATH: Deno.env.get("PATH") ?? "",
          HOME: home,
        });
        assertEquals(out.code, 0, out.stderr);
        assert(await exists(`${home}/.local/bin/portctl`));
      });
    } finally {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "install.sh aborts and installs nothing on a bad checksum, a missing line or archive",
  ignore: !posix,
  async fn(t) {
    const { server, base } = serve(await releases());
    const dir = await Deno.makeTempDir({ prefix: "portctl-install-" });
    const env = (release: string) => ({
      PORTCTL_DOWNLOAD_URL: `${base}/${release}`,
      PATH: Deno.env.get("PATH") ?? "",
      HOME: dir,
    });
    try {
      await t.step("checksum mismatch", async () => {
        const into = `${dir}/mismatch`;
        const out = await sh([into], env("badsum"));
        assertEquals(out.code, 1);
        assertEquals(
          out.stderr,
          `portctl install: checksum mismatch for ${ARCHIVE} (expected ${"0".repeat(64)}, got ` +
            `${await sha256Hex(await (await fetch(`${base}/badsum/${ARCHIVE}`)).bytes())}); ` +
            "nothing installed\n",
        );
        assert(!(await exists(into)), "the install folder must not even be created");
      });

      await t.step("checksum mismatch leaves an installed portctl alone", async () => {
        const into = `${dir}/kept`;
        await Deno.mkdir(into);
        await Deno.writeTextFile(`${into}/portctl`, "old");
        const out = await sh([into], env("badsum"));
        assertEquals(out.code, 1);
        assertEquals(await Deno.readTextFile(`${into}/portctl`), "old");
        const left = [];
        for await (const e of Deno.readDir(into)) left.push(e.name);
        assertEquals(left.join(" "), "portctl");
      });

      await t.step("no SHA256SUMS line for the archive", async () => {
        const into = `${dir}/noline`;
        const out = await sh([into], env("noline"));
        assertEquals(out.code, 1);
        assertEquals(
          out.stderr,
          `portctl install: SHA256SUMS has no line for ${ARCHIVE}; nothing installed\n`,
        );
        assert(!(await exists(into)));
      });

      await t.step("archive not in the release (404)", async () => {
        const into = `${dir}/noarchive`;
        const out = await sh([into], env("noarchive"));
        assertEquals(out.code, 1);
        assertEquals(
          out.stderr,
          `portctl install: could not download ${base}/noarchive/${ARCHIVE}\n`,
        );
        assert(!(await exists(into)));
      });

      await t.step("bad usage exits 2", async () => {
        const out = await sh(["--frob"], env("good"));
        assertEquals(out.code, 2);
        assertMatch(out.stderr, /^portctl install: unknown option "--frob"/);
      });
    } finally {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("install.ps1 installs from the loopback release and refuses a bad checksum (pwsh)", async () => {
  try {
    await new Deno.Command("pwsh", { args: ["-Version"], stdout: "null", stderr: "null" }).output();
  } catch {
    return console.log("skipped: pwsh is not installed (GitHub's runners have it)");
  }
  const { server, base } = serve(await releases());
  const dir = await Deno.makeTempDir({ prefix: "portctl-install-ps1-" });
  const ps1 = async (release: string, into: string) => {
    const out = await new Deno.Command("pwsh", {
      args: [
        "-NoProfile",
        "-NonInteractive",
        "-File",
        INSTALL_PS1,
        "-InstallDir",
        into,
        "-NoModifyPath",
      ],
      env: { PORTCTL_DOWNLOAD_URL: `${base}/${release}`, NO_PROXY: "127.0.0.1,localhost" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const d = new TextDecoder();
    return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
  };
  try {
    const good = await ps1("good", `${dir}/good`);
    assertEquals(good.code, 0, good.stdout + good.stderr);
    assertMatch(good.stdout, /checksum ok/);
    assert(await exists(`${dir}/good/portctl.exe`));
    const bad = await ps1("badsum", `${dir}/bad`);
    assertEquals(bad.code, 1);
    assertMatch(bad.stderr, /checksum mismatch .*nothing installed/);
    assert(!(await exists(`${dir}/bad`)));
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
