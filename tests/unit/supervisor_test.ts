import { assertEquals } from "../support/assert.ts";
import { cannotRestart, isInteractiveShell } from "../../src/core/supervisor.ts";

const shell = (name: string, command: string) => isInteractiveShell({ name, command });

Deno.test("interactive shells: no script, no -c", () => {
  assertEquals(shell("bash", "-bash"), true);
  assertEquals(shell("bash", "bash"), true);
  assertEquals(shell("zsh", "/usr/bin/zsh -l"), true);
  assertEquals(shell("fish", "fish --login"), true);
  assertEquals(shell("bash", "bash --norc -i"), true);
  assertEquals(shell("pwsh.exe", "pwsh.exe -NoLogo"), true);
  assertEquals(shell("cmd.exe", "cmd.exe /k"), true);
});

Deno.test("script shells may restart what they run", () => {
  assertEquals(shell("bash", "bash -c while true; do node s.js; done"), false);
  assertEquals(shell("sh", "sh ./run.sh"), false);
  assertEquals(shell("sh", "/bin/sh /usr/local/bin/entrypoint.sh"), false);
  assertEquals(shell("bash", "/bin/bash /opt/app/loop"), false);
  assertEquals(shell("cmd.exe", "cmd.exe /c start.bat"), false);
  assertEquals(shell("pwsh", "pwsh -File serve.ps1"), false);
  assertEquals(shell("node", "node"), false, "not a shell at all");
});

Deno.test("run-as wrappers exit with their child", () => {
  assertEquals(cannotRestart({ name: "sudo", command: "sudo node server.js" }), true);
  assertEquals(cannotRestart({ name: "systemd", command: "/sbin/init" }), false);
  assertEquals(cannotRestart({ name: "node", command: "node /usr/bin/pm2 daemon" }), false);
});
