/**
 * The bash completion script (bash 3.2 on macOS too: no mapfile, no associative arrays).
 *
 * @module
 */

import { allCommands, type CommandCompletion, spellings, type ValueCompletion } from "./model.ts";

const dashed = (node: CommandCompletion) => node.flags.map((f) => `--${f.name}`).join(" ");

/** The `COMPREPLY=...` that offers `value`, or `:` for nothing. */
function reply(value: ValueCompletion): string {
  switch (value.kind) {
    case "words":
      return `COMPREPLY=($(compgen -W "${value.words.join(" ")}" -- "$cur"))`;
    case "ports":
      return `COMPREPLY=($(compgen -W "$(_portctl_ports)" -- "$cur"))`;
    case "files":
      return `COMPREPLY=($(compgen -f -- "$cur"))`;
    case "folders":
      return `COMPREPLY=($(compgen -d -- "$cur"))`;
    case "nothing":
      return ":";
  }
}

function caseFor(root: CommandCompletion, node: CommandCompletion): string {
  if (node === root) {
    // Before any command, commands and flags alike.
    const words = node.positional.kind === "words" ? node.positional.words.join(" ") : "";
    return `    "")\n      COMPREPLY=($(compgen -W "${words} ${
      dashed(node)
    }" -- "$cur"))\n      ;;`;
  }
  const valued = node.flags.filter((f) => f.value !== null);
  const values = valued.length === 0 ? [] : [
    `      case "$prev" in`,
    ...valued.map((f) => `        --${f.name}) ${reply(f.value!)}; return 0 ;;`),
    `      esac`,
  ];
  return [
    `    ${spellings(root, node).map((s) => `"${s}"`).join("|")})`,
    ...values,
    `      if [[ "$cur" == -* ]]; then`,
    `        COMPREPLY=($(compgen -W "${dashed(node)}" -- "$cur"))`,
    `      else`,
    `        ${reply(node.positional)}`,
    `      fi`,
    `      ;;`,
  ].join("\n");
}

/**
 * The bash script for `root`.
 *
 * @example
 * ```ts
 * bashScript(await completionTree(routes, context)); // then: eval "$(portctl completions bash)"
 * ```
 */
export function bashScript(root: CommandCompletion): string {
  const groups = allCommands(root).filter((c) => c.subcommands.length > 0 && c !== root);
  return `# bash completion for portctl
# Load now:      eval "$(portctl completions bash)"
# Load always:   portctl completions bash > ~/.local/share/bash-completion/completions/portctl
# shellcheck disable=SC2207

# The ports that are listening now, one per line.
_portctl_ports() {
  command portctl completions ports 2>/dev/null
}

_portctl() {
  local cur prev path word i
  COMPREPLY=()
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev=""
  if [[ $COMP_CWORD -gt 0 ]]; then prev="\${COMP_WORDS[COMP_CWORD-1]}"; fi
  # The command (and subcommand) typed so far; flags are skipped.
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$word" in -*) continue ;; esac
    case "$path" in
      ""${
    groups.flatMap((g) => spellings(root, g)).map((s) => `|"${s}"`).join("")
  }) path="\${path:+$path }$word" ;;
      *) break ;;
    esac
  done
  case "$path" in
${allCommands(root).map((node) => caseFor(root, node)).join("\n")}
  esac
  return 0
}

complete -F _portctl portctl
`;
}
