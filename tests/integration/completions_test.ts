/**
 * Completion scripts, checked against the definition they are generated from and by the shells
 * themselves. What to expect comes from portctl's stricli application: stricli's own
 * `proposeCompletions` says which commands, flags and values the parser accepts, and every case
 * run in a shell is derived from the same tree the scripts are made of, so a flag added to a
 * command is expected here without touching this file.
 *
 * In the shells: `bash -n` and real `complete`/`compgen` runs in bash, `zsh -n`, `fish --no-execute`
 * plus real `complete -C` runs in fish, and PowerShell's parser where `pwsh` exists. A stub
 * `portctl` on PATH answers `portctl completions ports`. A shell that is not installed is skipped
 * with the reason printed (Debian: `apt-get install zsh fish`).
 */
import { proposeCompletions } from "@stricli/core";
import { assert, assertEquals } from "../support/assert.ts";
import { buildPortctl, routes } from "../../src/cli/app.ts";
import { completionScript } from "../../src/cli/completions.ts";
import {
  allCommands,
  type CommandCompletion,
  completionTree,
  spellings,
} from "../../src/cli/completions/model.ts";
import { createContext } from "../../src/cli/context.ts";
import { type Shell, SHELLS } from "../../src/cli/parsers.ts";

const STUB_PORTS = ["3000", "3001", "5432"];
const context = createContext();
const tree = await completionTree(routes as never, context);
const nodes = allCommands(tree);

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
  await Deno.writeTextFile(script, await completionScript(shell, context));
  await Deno.mkdir(`${dir}/bin`);
  await Deno.writeTextFile(
    `${dir}/bin/portctl`,
    `#!/bin/sh\nif [ "$1 $2" = "completions ports" ]; then printf '${
      STUB_PORTS.join("\\n")
    }\\n'; exit 0; fi\nexit 1\n`,
  );
  await Deno.chmod(`${dir}/bin/portctl`, 0o755);
  // For --in: a folder, and a file beside it that a folder's completion leaves out.
  await Deno.mkdir(`${dir}/shop/api`, { recursive: true });
  await Deno.writeTextFile(`${dir}/shop-notes.txt`, "");
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

/** What stricli itself proposes after `words` (its `--` escape left out). */
async function stricliProposes(words: string[]): Promise<string[]> {
  const proposed = await proposeCompletions(buildPortctl(), words, context as never);
  return proposed.map((c) => c.completion).filter((word) => word !== "--");
}

const flagWords = (node: CommandCompletion) => node.flags.map((f) => `--${f.name}`);
const withoutHelp = (words: string[]) => words.filter((w) => w !== "--help");

Deno.test("the tree is the parser's: stricli proposes the same commands, flags and values", async () => {
  for (const node of nodes) {
    if (node.subcommands.length > 0) {
      assertEquals(
        await stricliProposes([...node.path, ""]),
        node.subcommands.map((c) => c.names[0]),
        `after "${node.path.join(" ")}"`,
      );
      continue;
    }
    assertEquals(
      withoutHelp(flagWords(node)),
      await stricliProposes([...node.path, "--"]),
      `flags of ${node.path.join(" ")}`,
    );
    for (const flag of node.flags) {
      if (flag.value?.kind !== "words") continue;
      assertEquals(
        flag.value.words,
        await stricliProposes([...node.path, `--${flag.name}`, ""]),
        `values of --${flag.name}`,
      );
    }
  }
});

Deno.test("the tree has what users asked for: plugins list --json, --plugin, every alias", () => {
  const at = (path: string) => nodes.find((n) => n.path.join(" ") === path);
  assertEquals(flagWords(at("plugins list")!), ["--json", "--plugin", "--help"]);
  assertEquals(at("plugins list")!.flags.find((f) => f.name === "plugin")?.value, {
    kind: "files",
  });
  assertEquals(at("kill")!.flags.find((f) => f.name === "plugin")?.repeatable, true);
  assertEquals(spellings(tree, at("who")!), ["who", "find"]);
  assertEquals(spellings(tree, at("plugins list")!), ["plugins list", "plugins ls"]);
  assertEquals(at("kill")!.positional, { kind: "ports" });
  for (const command of ["kill", "who", "list"]) {
    assertEquals(at(command)!.flags.find((f) => f.name === "in")?.value, { kind: "folders" });
  }
  assertEquals(at("completions")!.positional, { kind: "words", words: [...SHELLS] });
  assert(
    at("kill")!.flags.find((f) => f.name === "signal")?.value?.kind === "words",
    "--signal offers the backend's signal names",
  );
  assertEquals(at("wait")!.positional, { kind: "ports" });
  assertEquals(at("wait")!.flags.find((f) => f.name === "for")?.value, {
    kind: "words",
    words: ["listening", "free"],
  });
});

Deno.test("every shell's script names every command, alias, subcommand and flag", async () => {
  for (const shell of SHELLS) {
    const script = await completionScript(shell, context);
    for (const node of nodes) {
      for (const name of node.names) assert(script.includes(name), `${shell}: ${name} missing`);
      for (const flag of node.flags) {
        // fish spells --name as -l name
        const spelled = shell === "fish" ? `-l ${flag.name}` : `--${flag.name}`;
        assert(script.includes(spelled), `${shell}: ${node.path.join(" ")} --${flag.name}`);
      }
    }
    assert(script.includes("portctl completions ports"), `${shell}: no live ports`);
  }
});

/**
 * The completions a shell should offer after each command path, from the tree. Before any command,
 * bash also offers the flags with the commands (fish offers a flag only after `-`).
 */
function expectedCases(
  shell: "bash" | "fish",
  dir: string,
): [words: string[], partial: string, offered: string[]][] {
  const cases: [string[], string, string[]][] = [];
  for (const node of nodes) {
    const spelled = spellings(tree, node);
    const words = spelled[spelled.length - 1].split(" ").filter(Boolean);
    cases.push([words, "--", flagWords(node)]);
    const positional = node.positional;
    const offered = positional.kind === "words"
      ? [...positional.words]
      : positional.kind === "ports"
      ? STUB_PORTS
      : [];
    cases.push([
      words,
      "",
      node === tree && shell === "bash" ? [...offered, ...flagWords(node)] : offered,
    ]);
    for (const flag of node.flags) {
      if (flag.value?.kind !== "words") continue;
      const first = flag.value.words[0];
      cases.push([[...words, `--${flag.name}`], first.slice(0, -1), [first]]);
    }
  }
  // Flags before the targets, and a value flag with nothing to offer.
  cases.push([["kill", "--dry-run"], "30", ["3000", "3001"]]);
  cases.push([["kill", "--timeout"], "", []]);
  // --in offers folders only (fish writes them with a trailing slash).
  for (const command of ["kill", "who", "list"]) {
    cases.push([[command, "--in"], `${dir}/sho`, [`${dir}/shop${shell === "fish" ? "/" : ""}`]]);
  }
  return cases;
}

Deno.test({
  name: "bash: bash -n, then complete -p and real _portctl/compgen runs",
  ignore: onWindows,
  async fn() {
    if (!(await available("bash"))) return skip("bash is not installed");
    const { dir, script, path } = await setUp("bash");
    try {
      const syntax = await run("bash", ["-n", script]);
      assertEquals(syntax.code, 0, syntax.stderr);
      const cases = expectedCases("bash", dir);
      const probe = cases.map(([words, partial]) => {
        const all = ["portctl", ...words, partial];
        return `COMP_WORDS=(${all.map((w) => `'${w}'`).join(" ")}); ` +
          `COMP_CWORD=${all.length - 1}; COMPREPLY=(); _portctl; echo "\${COMPREPLY[*]}"`;
      }).join("\n");
      const out = await run("bash", ["-c", `source '${script}'\ncomplete -p portctl\n${probe}`], {
        PATH: path,
      });
      assertEquals(out.code, 0, out.stderr);
      assertEquals(out.stderr, "");
      const lines = out.stdout.split("\n");
      assertEquals(lines[0], "complete -F _portctl portctl");
      cases.forEach(([words, partial, want], i) =>
        assertEquals(
          lines[i + 1],
          want.filter((w) => w.startsWith(partial)).join(" "),
          `portctl ${words.join(" ")} ${partial}`,
        )
      );
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
      assertEquals(out.code, 0, out.stderr);
      assertEquals(out.stderr, "");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "fish: fish --no-execute, then real complete -C runs",
  ignore: onWindows,
  async fn() {
    if (!(await available("fish"))) return skip("fish is not installed (apt-get install fish)");
    const { dir, script, path } = await setUp("fish");
    try {
      const syntax = await run("fish", ["--no-execute", script]);
      assertEquals(syntax.code, 0, syntax.stderr);
      const cases = expectedCases("fish", dir);
      const probe = cases.map(([words, partial]) =>
        `echo (complete -C'${["portctl", ...words, partial].join(" ")}' | ` +
        `string split -f1 \\t | sort | string join ' ')`
      ).join("\n");
      const out = await run("fish", ["--no-config", "-c", `source '${script}'\n${probe}`], {
        PATH: path,
        LC_ALL: "C",
      });
      assertEquals(out.code, 0, out.stderr);
      const lines = out.stdout.split("\n");
      cases.forEach(([words, partial, want], i) =>
        assertEquals(
          lines[i],
          want.filter((w) => w.startsWith(partial)).sort().join(" "),
          `portctl ${words.join(" ")} ${partial}`,
        )
      );
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
    assertEquals(out.code, 0, out.stdout + out.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
