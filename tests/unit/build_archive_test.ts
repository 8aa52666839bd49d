import { assert, assertEquals } from "../support/assert.ts";
import { crc32, sha256Hex, tarGz, zip } from "../../scripts/archive.ts";

const payload = new TextEncoder().encode("#!/bin/sh\necho 'portctl stand-in'\n".repeat(50));

/** Whether `tool` can be started at all (its exit code does not matter). */
async function has(tool: string): Promise<boolean> {
  try {
    await new Deno.Command(tool, { args: ["-v"], stdout: "null", stderr: "null" }).output();
    return true;
  } catch {
    return false;
  }
}

// Windows keeps no Unix file modes, so the unpacked binary has no executable bit to check; the
// unzip round trip also needs unzip itself.
const onWindows = Deno.build.os === "windows";
const noUnzip = onWindows || !(await has("unzip"));
if (onWindows) {
  console.log("skipping the tar and unzip round trips: Windows keeps no Unix file modes");
} else if (noUnzip) {
  console.log("skipping the unzip round trip: no unzip on this machine (apt-get install unzip)");
}

Deno.test("sha256Hex and crc32 match known vectors", async () => {
  assertEquals(
    await sha256Hex(new TextEncoder().encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assertEquals(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

Deno.test("archives are byte-for-byte reproducible", async () => {
  const entries = [{ name: "portctl", data: payload, mode: 0o755 }];
  assertEquals(await tarGz(entries), await tarGz(entries));
  assertEquals(await zip(entries), await zip(entries));
});

Deno.test({
  name: "tar.gz unpacks with the system tar, executable bit kept",
  ignore: onWindows,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const archive = await tarGz([{ name: "portctl", data: payload, mode: 0o755 }], {
        mtime: 1_700_000_000,
      });
      await Deno.writeFile(`${dir}/a.tar.gz`, archive);
      const list = await new Deno.Command("tar", { args: ["-tvzf", `${dir}/a.tar.gz`] }).output();
      assert(list.success, new TextDecoder().decode(list.stderr));
      const x = await new Deno.Command("tar", { args: ["-xzf", "a.tar.gz"], cwd: dir }).output();
      assert(x.success, new TextDecoder().decode(x.stderr));
      assertEquals(await Deno.readFile(`${dir}/portctl`), payload);
      assertEquals((await Deno.stat(`${dir}/portctl`)).mode! & 0o777, 0o755);
      assertEquals((await Deno.stat(`${dir}/portctl`)).mtime?.getTime(), 1_700_000_000_000);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "zip unpacks with unzip, executable bit kept",
  ignore: noUnzip,
  async fn(t) {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeFile(
        `${dir}/a.zip`,
        await zip([{ name: "portctl.exe", data: payload, mode: 0o755 }]),
      );
      const test = await new Deno.Command("unzip", { args: ["-t", "a.zip"], cwd: dir }).output();
      assert(test.success, new TextDecoder().decode(test.stdout));
      const x = await new Deno.Command("unzip", { args: ["-q", "a.zip"], cwd: dir }).output();
      assert(x.success, new TextDecoder().decode(x.stderr));
      assertEquals(await Deno.readFile(`${dir}/portctl.exe`), payload);
      await t.step("mode", async () => {
        assertEquals((await Deno.stat(`${dir}/portctl.exe`)).mode! & 0o777, 0o755);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
