/**
 * The Docker part of the test environment (`scripts/test-env.sh`), which container tests build on:
 * the daemon answers, and a container of the test image serves on a published ephemeral host port
 * and ends gracefully on `docker stop`. Every container here is one this test started, ended and
 * removed by its id.
 */

import { assert, assertEquals } from "../support/assert.ts";
import { tcpPortIsFree } from "../support/portctl.ts";
import { suiteNeeds, TEST_IMAGE } from "../support/requirements.ts";

const runs = await suiteNeeds("Docker test-image tests", ["docker"]);

async function docker(args: string[]): Promise<string> {
  const out = await new Deno.Command("docker", { args, stdin: "null" }).output();
  const d = new TextDecoder();
  if (!out.success) throw new Error(`docker ${args.join(" ")}: ${d.decode(out.stderr).trim()}`);
  return d.decode(out.stdout).trim();
}

/** The body at `url` once the server behind it answers (docker-proxy accepts before it does). */
async function bodyOnceUp(url: string): Promise<string> {
  let last: unknown;
  for (let tries = 0; tries < 100; tries++) {
    try {
      const response = await fetch(url, { headers: { connection: "close" } });
      return await response.text();
    } catch (error) {
      last = error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer: ${last}`);
}

Deno.test({
  name: "a container of the test image serves on a published port and stops gracefully",
  ignore: !runs,
  fn: async () => {
    // The TERM trap makes `docker stop` a graceful end (exit 0), not SIGKILL's 137.
    const id = await docker([
      "run",
      "-d",
      "-p",
      "127.0.0.1::8080",
      TEST_IMAGE,
      "sh",
      "-c",
      'trap "exit 0" TERM; httpd -f -p 8080 & wait',
    ]);
    try {
      // `docker port` prints `127.0.0.1:49153`: the host port Docker chose.
      const port = Number(
        (await docker(["port", id, "8080/tcp"])).split("\n")[0].split(":").at(-1),
      );
      assert(port > 0, `no host port for container ${id}`);
      assert(!tcpPortIsFree(port), `host port ${port} is not held while the container runs`);
      assertEquals((await bodyOnceUp(`http://127.0.0.1:${port}/`)).trim(), TEST_IMAGE);

      await docker(["stop", "-t", "10", id]);
      assertEquals(
        await docker(["inspect", "-f", "{{.State.Running}} {{.State.ExitCode}}", id]),
        "false 0",
      );
      // Docker releases the published port as the container goes.
      for (let tries = 0; tries < 50 && !tcpPortIsFree(port); tries++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert(tcpPortIsFree(port), `host port ${port} still held after docker stop`);
    } finally {
      await docker(["rm", "-f", id]);
    }
  },
});
