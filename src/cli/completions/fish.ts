/**
 * The fish completion script: `complete` lines conditioned on the command path typed so far.
 *
 * @module
 */

import { allCommands, type CommandCompletion, type ValueCompletion } from "./model.ts";

function quote(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** `complete` options that offer `value` as a flag's value or a positional word. */
function offer(value: ValueCompletion): string {
  switch (value.kind) {
    case "words":
      return ` -a ${quote(value.words.join(" "))}`;
    case "ports":
      return ` -a '(__portctl_ports)'`;
    case "files":
      return " -F";
    case "folders":
      return ` -a '(__fish_complete_directories (commandline -ct))'`;
    case "nothing":
      return "";
  }
}

function completeLines(node: CommandCompletion): string[] {
  const when = `-n ${quote(`__portctl_at ${node.path.join(" ")}`.trimEnd())}`;
  const lines = node.flags.map((f) => {
    const value = f.value === null
      ? ""
      : ` -r${f.value.kind === "files" ? "" : " -f"}${offer(f.value)}`;
    return `complete -c portctl ${when} -l ${f.name}${value} -d ${quote(f.brief)}`;
  });
  if (node.subcommands.length > 0) {
    for (const sub of node.subcommands) {
      for (const name of sub.names) {
        lines.push(`complete -c portctl ${when} -a ${name} -d ${quote(sub.brief)}`);
      }
    }
  } else if (node.positional.kind !== "nothing") {
    const what = node.positional.kind === "ports" ? " -d 'listening port'" : "";
    lines.push(`complete -c portctl ${when}${offer(node.positional)}${what}`);
  }
  return lines;
}

/** A fish `switch` that turns an alias at `node`'s level into the name it stands for. */
function aliasCases(node: CommandCompletion): string {
  const cases = node.subcommands.flatMap((c) =>
    c.names.slice(1).map((alias) =>
      `                    case ${alias}\n                        set word ${c.names[0]}`
    )
  );
  return cases.length === 0
    ? ""
    : `                switch $word\n${cases.join("\n")}\n                end\n`;
}

/**
 * The fish script for `root`.
 *
 * @example
 * ```ts
 * fishScript(await completionTree(routes, context)); // then: portctl completions fish | source
 * ```
 */
export function fishScript(root: CommandCompletion): string {
  const groups = allCommands(root).filter((c) => c.subcommands.length > 0);
  const levels = groups.map((g) =>
    `            case ${quote(g.path.join(" "))}\n${
      aliasCases(g)
    }                set path $path $word`
  );
  return `# fish completion for portctl
# Load now:      portctl completions fish | source
# Load always:   portctl completions fish > ~/.config/fish/completions/portctl.fish

# The ports that are listening now, one per line.
function __portctl_ports
    command portctl completions ports 2>/dev/null
end

# The command (and subcommand) typed so far, by their main names; flags are skipped.
function __portctl_path
    set -l path
    for word in (commandline -opc)[2..-1]
        switch $word
            case '-*'
                continue
        end
        switch "$path"
${levels.join("\n")}
            case '*'
                break
        end
    end
    echo $path
end

# True when the command path typed so far is exactly the arguments.
function __portctl_at
    test "$(__portctl_path)" = "$argv"
end

complete -c portctl -f
${allCommands(root).flatMap(completeLines).join("\n")}
`;
}
