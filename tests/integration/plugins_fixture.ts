/**
 * What the plugin integration tests share: a real listener that records the signals it receives,
 * and a fixture (temp folder, isolated home, `portctl kill --json` runner). Tests only ever signal
 * PIDs they started.
 *
 * @module
 */

import { isolatedEnv, portctl, type PortctlRun, running } from "../support/portctl.ts";

export { running };

/** The `platform` portctl reports here (these tests run on Linux and macOS). */
export const PLATFORM = Deno.build.os === "darwin" ? "darwin" : "linux";

const LISTENER = `const [out, mode] = Deno.args;
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
for (const signal of ["SIGINT", "SIGHUP", "SIGUSR1", "SIGTERM"]) {
  Deno.addSignalListener(signal, () => {
    Deno.writeTextFileSync(out, signal + "\\n", { append: true });
    if (!(mode === "ignore-term" && signal === "SIGTERM")) Deno.exit(0);
  });
}
console.log(JSON.stringify({ pid: Deno.pid, port: listener.addr.port }));
for await (const conn of listener) conn.close();
`;

export interface Listener {
  readonly pid: number;
  readonly port: number;
  /** Signals it received, in order. */
  received(): string[];
  stop(): Promise<void>;
}

export async function startListener(dir: string, ignoreTerm = false): Promise<Listener> {
  const script = `${dir}/listener.ts`;
  await Deno.writeTextFile(script, LISTENER);
  const out = `${dir}/signals-${crypto.randomUUID()}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-net",
      "--allow-write",
      script,
      out,
      ignoreTerm ? "ignore-term" : "",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
    env: { DENO_NO_UPDATE_CHECK: "1" },
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`listener exited early: ${text}`);
    text += value;
  }
  reader.releaseLock();
  const { pid, port } = JSON.parse(text.slice(0, text.indexOf("\n")));
  return {
    pid,
    port,
    received: () => {
      try {
        return Deno.readTextFileSync(out).trim().split("\n");
      } catch {
        return [];
      }
    },
    async stop() {
      try {
        Deno.kill(pid, "SIGKILL"); // our own listener, if portctl left it alive
      } catch { /* already ended */ }
      await child.status;
      await child.stdout.cancel().catch(() => {});
    },
  };
}

export interface Fixture {
  readonly dir: string;
  readonly env: Record<string, string>;
  write(name: string, text: string, exec?: boolean): Promise<string>;
  kill(port: number, args: string[], cwd?: string): Promise<PortctlRun & { json: KillJson[] }>;
}

export interface KillJson {
  pid: number;
  outcome: string;
  signals: string[];
  message: string | null;
}

export async function withFixture(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "portctl_plugins_it_" }));
  const env: Record<string, string> = { ...isolatedEnv(), MARK_DIR: dir };
  const fixture: Fixture = {
    dir,
    env,
    async write(name, text, exec = false) {
      const path = `${dir}/${name}`;
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(path, text);
      await Deno.chmod(path, exec ? 0o755 : 0o644);
      return path;
    },
    async kill(port, args, cwd = dir) {
      const run = await portctl(["kill", String(port), "--json", ...args], { env, cwd });
      let json: KillJson[] = [];
      try {
        json = JSON.parse(run.stdout);
      } catch { /* usage errors print no JSON */ }
      return { ...run, json };
    },
  };
  try {
    await fn(fixture);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(env.HOME, { recursive: true }).catch(() => {});
  }
}
