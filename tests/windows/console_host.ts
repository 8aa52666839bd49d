// Runs a listener and a command on one new console, as a user's terminal would, so the command
// can stop the listener with Ctrl-C (run by Windows deno, natively or under Wine):
//   console_host.ts <listener.ts args...> -- <deno args...>
// Prints one JSON line: {listener: {kind, port, pid}, code, stdout, stderr, exitedAfterMs}.
// `{port}` and `{pid}` in the deno args are replaced by the listener's. The host ignores Ctrl-C
// itself (it is on the same console), and ends the listener by its PID if it is still running.
//
// Why a new console: a deno.exe started without a terminal (as tests are) has none, and a Ctrl-C
// reaches every process on a console, so the test runner must not share this one.

const kernel32 = Deno.dlopen("kernel32.dll", {
  FreeConsole: { parameters: [], result: "i32" },
  AllocConsole: { parameters: [], result: "i32" },
  GetLastError: { parameters: [], result: "u32" },
  GetStdHandle: { parameters: ["u32"], result: "pointer" },
  SetStdHandle: { parameters: ["u32", "pointer"], result: "i32" },
}).symbols;
const STD_HANDLES = [0xffff_fff6, 0xffff_fff5, 0xffff_fff4]; // (DWORD)-10, -11, -12

const split = Deno.args.indexOf("--");
if (split < 1) {
  console.error("usage: console_host.ts <listener args...> -- <deno args...>");
  Deno.exit(2);
}
// AllocConsole points the std handles at the new console: keep the pipes the caller reads.
const saved = STD_HANDLES.map((which) => kernel32.GetStdHandle(which));
kernel32.FreeConsole();
if (!kernel32.AllocConsole()) {
  console.error(`AllocConsole failed: error ${kernel32.GetLastError()}`);
  Deno.exit(1);
}
STD_HANDLES.forEach((which, i) => kernel32.SetStdHandle(which, saved[i]));
Deno.addSignalListener("SIGINT", () => {});

const listener = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "--unstable-net", "tests/windows/listener.ts", ...Deno.args.slice(0, split)],
  stdin: "null",
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const lines = listener.stdout.pipeThrough(new TextDecoderStream()).getReader();
let first = "";
while (!first.includes("\n")) {
  const { value, done } = await lines.read();
  if (done) throw new Error("listener ended before reporting its port");
  first += value;
}
const started = JSON.parse(first) as { kind: string; port: number; pid: number };
let exitedAt: number | null = null;
const exited = listener.status.then(() => exitedAt = performance.now());

const args = Deno.args.slice(split + 1).map((a) =>
  a.replaceAll("{port}", String(started.port)).replaceAll("{pid}", String(started.pid))
);
const t0 = performance.now();
// The caller's environment goes through: PORTCTL_CTRL_C_SHARED_CONSOLE=1 lets portctl send
// Ctrl-C on this shared console (the host ignores it); without it portctl refuses.
const output = await new Deno.Command(Deno.execPath(), { args, stdin: "null" }).output();
await Promise.race([exited, new Promise((r) => setTimeout(r, 1_000))]);
const exitedAfterMs = exitedAt === null ? null : Math.round(exitedAt - t0);
if (exitedAt === null) {
  listener.kill("SIGKILL"); // only the listener this host started
  await exited;
}
const text = new TextDecoder();
console.log(JSON.stringify({
  listener: started,
  code: output.code,
  stdout: text.decode(output.stdout),
  stderr: text.decode(output.stderr),
  exitedAfterMs,
}));
Deno.exit(0);
