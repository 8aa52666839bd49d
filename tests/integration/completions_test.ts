/**
 * Completion scripts, checked by the shells themselves: `bash -n` and real `complete`/`compgen`
 * runs in bash, `zsh -n`, `fish --no-execute` plus real `complete -C` runs in fish, and
 * PowerShell's parser where `pwsh` exists. A stub `portctl` on PATH answers
 * `portctl completions ports`. A shell that is not installed is skipped with the reason printed
 * (Debian: `apt-get install zsh fish`).
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import {
  COMPLETION_SPEC,
  completionScript,
  GLOBAL_FLAGS,
  parseShell,
  type Shell,
  SHELLS,
} from "../../src/cli/completions.ts";

const STUB_PORTS = ["3000", "3001", "5432"];

async function available(shell: string): Promise<boolean> {
  try {
    await new Deno.Command(shell, { args: ["--version"], stdout: "null", stderr: "null" })
      .output();
    return true;
  } catch {
    return false;
  }
}

function skip(reason: string): void {
  console.log(`skipped: ${reason}`);
}

// bash, zsh and fish run the scripts against a `#!/bin/sh` stub portctl on a `:` PATH.
const onWindows = Deno.build.os === "windows";
if (onWindows) {
  console.log(
    "skipping the bash, zsh and fish runs: they need a POSIX shell and a #!/bin/sh stub portctl; " +
      "PowerShell is checked here",
  );
}

/** A temp folder with the script for `shell` and a stub `portctl` on a bin/ folder. */
async function setUp(shell: Shell): Promise<{ dir: string; script: string; path: string }> {
  const dir = await Deno.makeTempDir({ prefix: "portctl-completions-" });
  const script = `${dir}/portctl.${shell}`;
  await Deno.writeTextFile(script, completionScript(shell));
  await Deno.mkdir(`${dir}/bin`);
  await Deno.writeTextFile(
    `${dir}/bin/portctl`,
    `#!/bin/sh\nif [ "$1 $2" = "completions ports" ]; then printf '${
      STUB_PORTS.join("\\n")
    }\\n'; exit 0; fi\nexit 1\n`,
  );
  await Deno.chmod(`${dir}/bin/portctl`, 0o755);
  return { dir, script, path: `${dir}/bin:${Deno.env.get("PATH") ?? ""}` };
}

async function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" })
    .output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

const allWords = (c: (typeof COMPLETION_SPEC)[number]) => [
  c.name,
  ...c.aliases,
  ...c.flags.map((f) => `--${f.name}`),
];

Deno.test("every shell's script names every command, alias and flag", () => {
  deepEqual([...SHELLS], ["bash", "zsh", "fish", "powershell"]);
  for (const shell of SHELLS) {
    const script = completionScript(shell);
    for (const c of COMPLETION_SPEC) {
      for (const word of allWords(c)) {
        // fish spells --name as -l name
        const spelled = shell === "fish" ? word.replace(/^--/, "-l ") : word;
        ok(script.includes(spelled), `${shell}: ${word} missing`);
      }
    }
    for (const f of GLOBAL_FLAGS) {
      ok(script.includes(shell === "fish" ? `-l ${f.name}` : `--${f.name}`), `${shell}: ${f.name}`);
    }
    ok(script.includes("portctl completions ports"), `${shell}: no live ports`);
  }
});

Deno.test("the contract's commands and flags are all in the spec", () => {
  const flags = (name: string) =>
    COMPLETION_SPEC.find((c) => c.name === name)?.flags.map((f) => f.name);
  deepEqual(flags("kill"), [
    "term",
    "kill",
    "signal",
    "timeout",
    "dry-run",
    "json",
    "all-states",
    "no-fail",
    "plugin",
    "no-plugins",
    "plugin-timeout",
  ]);
  deepEqual(flags("who"), ["json", "all-states"]);
  deepEqual(flags("list"), ["json", "tcp", "udp", "all-states"]);
  deepEqual(COMPLETION_SPEC.map((c) => [c.name, c.aliases]), [
    ["kill", []],
    ["who", ["find"]],
    ["list", ["ls"]],
    ["plugins", []],
    ["completions", []],
  ]);
  equal(parseShell("fish"), "fish");
  equal(parseShell("tcsh"), undefined);
});

const BASH_CASES: [string[], string][] = [
  [["portctl", ""], "kill who find list ls plugins completions --help --version"],
  [["portctl", "k"], "kill"],
  [["portctl", "kill", "30"], "3000 3001"],
  [["portctl", "kill", "--dry-run", ""], "3000 3001 5432"],
  [["portctl", "kill", "--s"], "--signal"],
  [["portctl", "kill", "--signal", "SIGK"], "SIGKILL"],
  [["portctl", "kill", "--timeout", ""], ""],
  [["portctl", "find", "54"], "5432"],
  [["portctl", "who", "--"], "--json --all-states --help"],
  [["portctl", "ls", "--"], "--json --tcp --udp --all-states --help"],
  [["portctl", "list", ""], ""],
  [["portctl", "plugins", ""], "list trust"],
  [["portctl", "completions", "p"], "powershell"],
  [["portctl", "--v"], "--version"],
];

Deno.test({
  name: "bash: bash -n, then complete -p and real _portctl/compgen runs",
  ignore: onWindows,
  async fn() {
    if (!(await available("bash"))) return skip("bash is not installed");
    const { dir, script, path } = await setUp("bash");
    try {
      const syntax = await run("bash", ["-n", script]);
      equal(syntax.code, 0, syntax.stderr);
      const probe = BASH_CASES.map(([words]) =>
        `COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); ` +
        `COMP_CWORD=${words.length - 1}; COMPREPLY=(); _portctl; echo "\${COMPREPLY[*]}"`
      ).join("\n");
      const out = await run("bash", ["-c", `source '${script}'\ncomplete -p portctl\n${probe}`], {
        PATH: path,
      });
      equal(out.code, 0, out.stderr);
      equal(out.stderr, "");
      const lines = out.stdout.split("\n");
      equal(lines[0], "complete -F _portctl portctl");
      BASH_CASES.forEach(([words, want], i) => equal(lines[i + 1], want, words.join(" ")));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "zsh: zsh -n accepts the script",
  ignore: onWindows,
  async fn() {
    if (!(await available("zsh"))) return skip("zsh is not installed (apt-get install zsh)");
    const { dir, script } = await setUp("zsh");
    try {
      const out = await run("zsh", ["-n", script]);
      equal(out.code, 0, out.stderr);
      equal(out.stderr, "");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const FISH_CASES: [string, string][] = [
  ["portctl ", "completions find kill list ls plugins who"],
  ["portctl --", "--help --version"],
  ["portctl kill 30", "3000 3001"],
  ["portctl kill --s", "--signal"],
  ["portctl kill --signal SIGK", "SIGKILL"],
  ["portctl find ", "3000 3001 5432"],
  ["portctl ls --", "--all-states --help --json --tcp --udp"],
  ["portctl plugins ", "list trust"],
  ["portctl plugins list ", ""],
  ["portctl completions ", "bash fish powershell zsh"],
];

Deno.test({
  name: "fish: fish --no-execute, then real complete -C runs",
  ignore: onWindows,
  async fn() {
    if (!(await available("fish"))) return skip("fish is not installed (apt-get install fish)");
    const { dir, script, path } = await setUp("fish");
    try {
      const syntax = await run("fish", ["--no-execute", script]);
      equal(syntax.code, 0, syntax.stderr);
      const probe = FISH_CASES.map(([line]) =>
        `echo (complete -C'${line}' | string split -f1 \\t | sort | string join ' ')`
      ).join("\n");
      const out = await run("fish", ["--no-config", "-c", `source '${script}'\n${probe}`], {
        PATH: path,
        LC_ALL: "C",
      });
      equal(out.code, 0, out.stderr);
      const lines = out.stdout.split("\n");
      FISH_CASES.forEach(([line, want], i) => equal(lines[i], want, line));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("powershell: the parser accepts the script (where pwsh exists)", async () => {
  if (!(await available("pwsh"))) {
    return skip("pwsh is not installed (GitHub's runners have it; Debian does not ship it)");
  }
  const { dir, script } = await setUp("powershell");
  try {
    const check = "$errors = $null; " +
      `[System.Management.Automation.Language.Parser]::ParseFile('${script}', ` +
      "[ref]$null, [ref]$errors) | Out-Null; " +
      "if ($errors.Count -gt 0) { $errors | ForEach-Object { $_.ToString() }; exit 1 }";
    const out = await run("pwsh", ["-NoProfile", "-NonInteractive", "-Command", check]);
    equal(out.code, 0, out.stdout + out.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
