/**
 * `portctl completions bash|zsh|fish|powershell`: shell completion scripts for every command,
 * alias, subcommand and flag, and for targets the ports that are listening right now. For those
 * the scripts run `portctl completions ports` (a hidden helper that prints one port per line), so
 * they stay short and never parse portctl's output themselves.
 *
 * All four scripts are generated from one description ({@linkcode COMPLETION_SPEC}), so a flag
 * added there reaches every shell.
 *
 * @module
 */

/** A shell portctl can print a completion script for. */
export type Shell = "bash" | "zsh" | "fish" | "powershell";

/** The shells, in the order `--help` lists them. */
export const SHELLS: readonly Shell[] = ["bash", "zsh", "fish", "powershell"];

/** What a flag's value is completed with. */
export type FlagValue = "signal" | "seconds" | "file";

/** One flag of a command. */
export interface FlagSpec {
  /** Without the leading `--`. */
  readonly name: string;
  readonly description: string;
  /** Absent for a switch. */
  readonly value?: FlagValue;
}

/** One command (or a subcommand of `plugins`). */
export interface CommandSpec {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly description: string;
  readonly flags: readonly FlagSpec[];
  /** What positional words complete to: listening ports, subcommands, shell names, or nothing. */
  readonly positionals: "ports" | "none" | { readonly words: readonly string[] };
}

/** Signal names offered after `--signal` (numbers work too but are not offered). */
export const SIGNAL_WORDS: readonly string[] = [
  "SIGTERM",
  "SIGKILL",
  "SIGINT",
  "SIGHUP",
  "SIGQUIT",
  "SIGUSR1",
  "SIGUSR2",
];

const JSON_FLAG: FlagSpec = { name: "json", description: "print JSON" };
const ALL_STATES: FlagSpec = {
  name: "all-states",
  description: "also match TCP sockets that are not listening",
};

/** The command line portctl understands, as the completions see it. */
export const COMPLETION_SPEC: readonly CommandSpec[] = [
  {
    name: "kill",
    aliases: [],
    description: "end what holds the ports and confirm they are free",
    positionals: "ports",
    flags: [
      { name: "term", description: "send SIGTERM only" },
      { name: "kill", description: "send SIGKILL at once" },
      { name: "signal", description: "send this signal only", value: "signal" },
      {
        name: "timeout",
        description: "seconds to wait for each process (default 5)",
        value: "seconds",
      },
      { name: "dry-run", description: "show what would be signalled, signal nothing" },
      JSON_FLAG,
      ALL_STATES,
      { name: "no-fail", description: "exit 0 when nothing matched" },
      { name: "plugin", description: "run this plugin file (repeatable)", value: "file" },
      { name: "no-plugins", description: "run no plugins" },
      {
        name: "plugin-timeout",
        description: "seconds a plugin hook may take (default 10)",
        value: "seconds",
      },
    ],
  },
  {
    name: "who",
    aliases: ["find"],
    description: "show what holds the ports",
    positionals: "ports",
    flags: [JSON_FLAG, ALL_STATES],
  },
  {
    name: "list",
    aliases: ["ls"],
    description: "list listening ports and their processes",
    positionals: "none",
    flags: [
      JSON_FLAG,
      { name: "tcp", description: "TCP only" },
      { name: "udp", description: "UDP only" },
      ALL_STATES,
    ],
  },
  {
    name: "plugins",
    aliases: [],
    description: "list plugins or trust this folder's plugins",
    positionals: { words: ["list", "trust"] },
    flags: [],
  },
  {
    name: "completions",
    aliases: [],
    description: "print a shell completion script",
    positionals: { words: SHELLS },
    flags: [],
  },
];

/** Flags accepted before any command. */
export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: "help", description: "show help" },
  { name: "version", description: "print the version and target" },
];

const HELP_FLAG: FlagSpec = { name: "help", description: "show help for this command" };

/**
 * The completion script for `shell`, to be saved or sourced as its comment header says.
 *
 * @example
 * ```ts
 * console.log(completionScript("bash")); // then: eval "$(portctl completions bash)"
 * ```
 */
export function completionScript(shell: Shell): string {
  switch (shell) {
    case "bash":
      return bashScript();
    case "zsh":
      return zshScript();
    case "fish":
      return fishScript();
    case "powershell":
      return powershellScript();
  }
}

/** Narrows a user-given shell name; `undefined` when portctl has no script for it. */
export function parseShell(name: string): Shell | undefined {
  return (SHELLS as readonly string[]).includes(name) ? name as Shell : undefined;
}

const commandWords = () => COMPLETION_SPEC.flatMap((c) => [c.name, ...c.aliases]);
const flagsOf = (c: CommandSpec) => [...c.flags, HELP_FLAG];
const dashed = (flags: readonly FlagSpec[]) => flags.map((f) => `--${f.name}`).join(" ");
const positionalWords = (c: CommandSpec) =>
  typeof c.positionals === "object" ? c.positionals.words : [];

// ---------------------------------------------------------------------------------------------
// bash (3.2 on macOS too: no mapfile, no associative arrays)

function bashScript(): string {
  const cases = COMPLETION_SPEC.map((c) => {
    const valued = c.flags.filter((f) => f.value !== undefined);
    const valueCases = valued.length === 0 ? "" : [
      `      case "$prev" in`,
      ...valued.map((f) => {
        const reply = f.value === "signal"
          ? `COMPREPLY=($(compgen -W "${SIGNAL_WORDS.join(" ")}" -- "$cur"))`
          : f.value === "file"
          ? `COMPREPLY=($(compgen -f -- "$cur"))`
          : ":";
        return `        --${f.name}) ${reply}; return 0 ;;`;
      }),
      `      esac`,
    ].join("\n") + "\n";
    const words = c.positionals === "ports" ? `$(_portctl_ports)` : positionalWords(c).join(" ");
    return [
      `    ${[c.name, ...c.aliases].join("|")})`,
      valueCases + `      if [[ "$cur" == -* ]]; then`,
      `        COMPREPLY=($(compgen -W "${dashed(flagsOf(c))}" -- "$cur"))`,
      `      else`,
      `        COMPREPLY=($(compgen -W "${words}" -- "$cur"))`,
      `      fi`,
      `      ;;`,
    ].join("\n");
  }).join("\n");

  return `# bash completion for portctl
# Load now:      eval "$(portctl completions bash)"
# Load always:   portctl completions bash > ~/.local/share/bash-completion/completions/portctl
# shellcheck disable=SC2207

# The ports that are listening now, one per line.
_portctl_ports() {
  command portctl completions ports 2>/dev/null
}

_portctl() {
  local cur prev cmd i
  COMPREPLY=()
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev=""
  if [[ $COMP_CWORD -gt 0 ]]; then prev="\${COMP_WORDS[COMP_CWORD-1]}"; fi
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$cmd" in
    "")
      COMPREPLY=($(compgen -W "${commandWords().join(" ")} ${dashed(GLOBAL_FLAGS)}" -- "$cur"))
      ;;
${cases}
  esac
  return 0
}

complete -F _portctl portctl
`;
}

// ---------------------------------------------------------------------------------------------
// zsh

function zshQuote(s: string): string {
  return s.replace(/'/g, `'\\''`).replace(/([\[\]:])/g, "\\$1");
}

function zshFlag(f: FlagSpec): string {
  const action = f.value === "signal"
    ? `:signal:(${SIGNAL_WORDS.join(" ")})`
    : f.value === "file"
    ? ":plugin file:_files"
    : f.value === "seconds"
    ? ":seconds: "
    : "";
  const repeat = f.value === "file" ? "*" : "";
  return `'${repeat}--${f.name}[${zshQuote(f.description)}]${action}'`;
}

function zshScript(): string {
  const commandList = COMPLETION_SPEC.flatMap((c) =>
    [c.name, ...c.aliases].map((n) => `        '${n}:${zshQuote(c.description)}'`)
  ).join("\n");
  const cases = COMPLETION_SPEC.map((c) => {
    const positional = c.positionals === "ports"
      ? `'*:port:_portctl_ports'`
      : c.positionals === "none"
      ? ""
      : `'1:${c.name === "completions" ? "shell" : "subcommand"}:(${
        positionalWords(c).join(" ")
      })'`;
    const specs = [...flagsOf(c).map(zshFlag), positional].filter((s) => s !== "");
    return [
      `        ${[c.name, ...c.aliases].join("|")})`,
      `          _arguments -s \\`,
      specs.map((s) => `            ${s}`).join(" \\\n"),
      `          ;;`,
    ].join("\n");
  }).join("\n");

  return `#compdef portctl
# zsh completion for portctl
# Load now:      source <(portctl completions zsh)
# Load always:   portctl completions zsh > "\${fpath[1]}/_portctl"   (any folder in $fpath)

# The ports that are listening now.
_portctl_ports() {
  local -a ports
  ports=(\${(f)"$(command portctl completions ports 2>/dev/null)"})
  _describe -t ports 'listening port' ports
}

_portctl() {
  local curcontext="$curcontext" state line
  typeset -A opt_args
  _arguments -C \\
${GLOBAL_FLAGS.map((f) => `    '(- *)--${f.name}[${zshQuote(f.description)}]'`).join(" \\\n")} \\
    '1:command:->command' \\
    '*::argument:->argument'
  case $state in
    command)
      local -a commands
      commands=(
${commandList}
      )
      _describe -t commands 'portctl command' commands
      ;;
    argument)
      case $words[1] in
${cases}
      esac
      ;;
  esac
}

if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _portctl "$@"
else
  compdef _portctl portctl
fi
`;
}

// ---------------------------------------------------------------------------------------------
// fish

function fishQuote(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function fishScript(): string {
  const lines: string[] = [];
  for (const c of COMPLETION_SPEC) {
    for (const n of [c.name, ...c.aliases]) {
      lines.push(
        `complete -c portctl -n __portctl_needs_command -a ${n} -d ${fishQuote(c.description)}`,
      );
    }
  }
  for (const f of GLOBAL_FLAGS) {
    lines.push(
      `complete -c portctl -n __portctl_needs_command -l ${f.name} -d ${fishQuote(f.description)}`,
    );
  }
  for (const c of COMPLETION_SPEC) {
    const when = `'__portctl_using ${[c.name, ...c.aliases].join(" ")}'`;
    for (const f of flagsOf(c)) {
      const value = f.value === "signal"
        ? ` -x -a ${fishQuote(SIGNAL_WORDS.join(" "))}`
        : f.value === "file"
        ? " -r -F"
        : f.value === "seconds"
        ? " -x"
        : "";
      lines.push(
        `complete -c portctl -n ${when} -l ${f.name}${value} -d ${fishQuote(f.description)}`,
      );
    }
    if (c.positionals === "ports") {
      lines.push(`complete -c portctl -n ${when} -a '(__portctl_ports)' -d 'listening port'`);
    } else if (c.positionals !== "none") {
      const words = positionalWords(c).join(" ");
      lines.push(
        `complete -c portctl -n '__portctl_using ${c.name}; and __portctl_first_argument' ` +
          `-a ${fishQuote(words)}`,
      );
    }
  }
  return `# fish completion for portctl
# Load now:      portctl completions fish | source
# Load always:   portctl completions fish > ~/.config/fish/completions/portctl.fish

# The ports that are listening now, one per line.
function __portctl_ports
    command portctl completions ports 2>/dev/null
end

# The command word (kill, who, ...) on the line so far, if any.
function __portctl_command
    for word in (commandline -opc)[2..-1]
        switch $word
            case '-*'
            case '*'
                echo $word
                return 0
        end
    end
    return 1
end

function __portctl_needs_command
    not __portctl_command >/dev/null
end

function __portctl_using
    set -l command (__portctl_command)
    and contains -- $command $argv
end

# True while nothing but flags follows the command word (for plugins/completions arguments).
function __portctl_first_argument
    set -l words (commandline -opc)
    set -l seen 0
    for word in $words[2..-1]
        switch $word
            case '-*'
            case '*'
                set seen (math $seen + 1)
        end
    end
    test $seen -le 1
end

complete -c portctl -f
${lines.join("\n")}
`;
}

// ---------------------------------------------------------------------------------------------
// PowerShell

function psQuote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function powershellScript(): string {
  const entries = COMPLETION_SPEC.map((c) => {
    const flags = flagsOf(c).map((f) => psQuote(`--${f.name}`)).join(", ");
    const words = positionalWords(c).map(psQuote).join(", ");
    const valued = c.flags.filter((f) => f.value !== undefined).map((f) => psQuote(`--${f.name}`))
      .join(", ");
    const body = `@{ Flags = @(${flags}); Words = @(${words}); Ports = $${
      c.positionals === "ports"
    }; Valued = @(${valued}) }`;
    return [c.name, ...c.aliases].map((n) => `    ${psQuote(n)} = ${body}`).join("\n");
  }).join("\n");
  const descriptions = COMPLETION_SPEC.flatMap((c) =>
    [c.name, ...c.aliases].map((n) => `    ${psQuote(n)} = ${psQuote(c.description)}`)
  ).join("\n");

  return `# PowerShell completion for portctl
# Load now:      portctl completions powershell | Out-String | Invoke-Expression
# Load always:   add the line above to your $PROFILE

Register-ArgumentCompleter -Native -CommandName portctl, portctl.exe -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $commands = @{
${entries.replace(/^ {4}/gm, "        ")}
    }
    $descriptions = @{
${descriptions.replace(/^ {4}/gm, "        ")}
    }
    $globalFlags = @(${GLOBAL_FLAGS.map((f) => psQuote(`--${f.name}`)).join(", ")})
    $signals = @(${SIGNAL_WORDS.map(psQuote).join(", ")})

    $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
    if ($wordToComplete -ne '' -and $words.Count -gt 0) {
        $words = @($words | Select-Object -First ($words.Count - 1))
    }
    $command = $words | Where-Object { -not $_.StartsWith('-') } | Select-Object -First 1
    $previous = if ($words.Count -gt 0) { $words[-1] } else { '' }
    $candidates = @()
    if (-not $command) {
        $candidates = @($commands.Keys | Sort-Object) + $globalFlags
    } elseif ($commands.ContainsKey($command)) {
        $spec = $commands[$command]
        if ($previous -eq '--signal') {
            $candidates = $signals
        } elseif ($spec.Valued -contains $previous) {
            return
        } elseif ($wordToComplete.StartsWith('-')) {
            $candidates = $spec.Flags
        } elseif ($spec.Ports) {
            $candidates = @(& portctl completions ports 2>$null)
        } else {
            $candidates = $spec.Words
        }
    }
    $candidates | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
        $tip = if ($descriptions.ContainsKey($_)) { $descriptions[$_] } else { $_ }
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $tip)
    }
}
`;
}
