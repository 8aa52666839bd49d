/**
 * The zsh completion script: one `_arguments` function per command and per group of
 * subcommands, as zsh's own completions for git-like tools are written.
 *
 * @module
 */

import type { CommandCompletion, FlagCompletion, ValueCompletion } from "./model.ts";

/** Text inside a single-quoted `_arguments` spec: quotes, brackets and colons escaped. */
function quote(text: string): string {
  return text.replace(/'/g, `'\\''`).replace(/([\[\]:])/g, "\\$1");
}

function functionName(node: CommandCompletion): string {
  return ["_portctl", ...node.path].join("_").replace(/[^A-Za-z0-9_]/g, "_");
}

/** The `:message:action` part of a spec that completes `value`. */
function action(value: ValueCompletion, message: string): string {
  switch (value.kind) {
    case "words":
      return `:${message}:(${value.words.join(" ")})`;
    case "files":
      return `:${message}:_files`;
    case "folders":
      return `:${message}:_files -/`;
    case "ports":
      return `:${message}:_portctl_ports`;
    case "nothing":
      return `:${message}: `;
  }
}

function flagSpec(flag: FlagCompletion, exclusive: boolean): string {
  const head = exclusive ? "(- *)" : flag.repeatable ? "*" : "";
  const value = flag.value === null ? "" : action(flag.value, flag.name);
  return `'${head}--${flag.name}[${quote(flag.brief)}]${value}'`;
}

function commandFunction(node: CommandCompletion): string {
  const positional = node.positional.kind === "nothing"
    ? []
    : [`'*${action(node.positional, node.positional.kind === "ports" ? "port" : "argument")}'`];
  const specs = [...node.flags.map((f) => flagSpec(f, false)), ...positional];
  return `${functionName(node)}() {
  _arguments -s \\
${specs.map((s) => `    ${s}`).join(" \\\n")}
}`;
}

function groupFunction(node: CommandCompletion): string {
  const described = node.subcommands.flatMap((c) =>
    c.names.map((name) => `        '${name}:${quote(c.brief)}'`)
  );
  const dispatch = node.subcommands.map((c) =>
    `        ${c.names.join("|")}) ${functionName(c)} ;;`
  );
  const what = node.path.length === 0
    ? "portctl command"
    : `portctl ${node.path.join(" ")} command`;
  return `${functionName(node)}() {
  local curcontext="$curcontext" state line
  typeset -A opt_args
  _arguments -C \\
${node.flags.map((f) => `    ${flagSpec(f, true)}`).join(" \\\n")} \\
    '1:command:->command' \\
    '*::argument:->argument'
  case $state in
    command)
      local -a commands
      commands=(
${described.join("\n")}
      )
      _describe -t commands '${what}' commands
      ;;
    argument)
      curcontext="\${curcontext%:*:*}:portctl-$words[1]:"
      case $words[1] in
${dispatch.join("\n")}
      esac
      ;;
  esac
}`;
}

function functions(node: CommandCompletion): string[] {
  if (node.subcommands.length === 0) return [commandFunction(node)];
  return [groupFunction(node), ...node.subcommands.flatMap(functions)];
}

/**
 * The zsh script for `root`.
 *
 * @example
 * ```ts
 * zshScript(await completionTree(routes, context)); // saved as _portctl in $fpath
 * ```
 */
export function zshScript(root: CommandCompletion): string {
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

${functions(root).join("\n\n")}

if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _portctl "$@"
else
  compdef _portctl portctl
fi
`;
}
