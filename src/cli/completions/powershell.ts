/**
 * The PowerShell completion script: a native argument completer with a table of every command
 * path (aliases included) and what follows it.
 *
 * @module
 */

import { allCommands, type CommandCompletion, spellings, type ValueCompletion } from "./model.ts";

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const list = (items: readonly string[]) => `@(${items.map(quote).join(", ")})`;

/** What a value completes to, as the completer's table spells it. */
function valueEntry(value: ValueCompletion): string {
  switch (value.kind) {
    case "words":
      return `@{ Words = ${list(value.words)} }`;
    case "ports":
      return "@{ Ports = $true }";
    case "files":
    case "folders": // PowerShell's own path completion offers both
      return "@{ Files = $true }";
    case "nothing":
      return "@{}";
  }
}

function entry(node: CommandCompletion): string {
  const values = node.flags.filter((f) => f.value !== null).map((f) =>
    `${quote(`--${f.name}`)} = ${valueEntry(f.value!)}`
  );
  return `@{ Flags = ${list(node.flags.map((f) => `--${f.name}`))}; ` +
    `Values = @{ ${values.join("; ")} }; Positional = ${valueEntry(node.positional)}; ` +
    `Group = $${node.subcommands.length > 0}; Brief = ${quote(node.brief)} }`;
}

/**
 * The PowerShell script for `root`.
 *
 * @example
 * ```ts
 * powershellScript(await completionTree(routes, context)); // | Out-String | Invoke-Expression
 * ```
 */
export function powershellScript(root: CommandCompletion): string {
  const nodes = allCommands(root);
  const table = nodes.flatMap((node) =>
    spellings(root, node).map((path) => `        ${quote(path)} = ${entry(node)}`)
  );
  return `# PowerShell completion for portctl
# Load now:      portctl completions powershell | Out-String | Invoke-Expression
# Load always:   add the line above to your $PROFILE

Register-ArgumentCompleter -Native -CommandName portctl, portctl.exe -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    # Every command path portctl knows, aliases included, and what may follow it.
    $commands = @{
${table.join("\n")}
    }

    $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
    if ($wordToComplete -ne '' -and $words.Count -gt 0) {
        $words = @($words | Select-Object -First ($words.Count - 1))
    }
    # The command (and subcommand) typed so far; flags are skipped.
    $path = ''
    foreach ($word in $words) {
        if ($word.StartsWith('-')) { continue }
        if (-not $commands.ContainsKey($path) -or -not $commands[$path].Group) { break }
        $path = if ($path) { "$path $word" } else { $word }
    }
    if (-not $commands.ContainsKey($path)) { return }
    $spec = $commands[$path]
    $previous = if ($words.Count -gt 0) { $words[-1] } else { '' }
    $value = $spec.Positional
    if ($spec.Values.ContainsKey($previous)) {
        $value = $spec.Values[$previous]
    } elseif ($wordToComplete.StartsWith('-') -or ($path -eq '' -and $wordToComplete -eq '')) {
        $value = @{ Words = $spec.Flags + @(if ($path -eq '') { $spec.Positional.Words }) }
    }
    $candidates = @()
    if ($value.Words) { $candidates = $value.Words }
    elseif ($value.Ports) { $candidates = @(& portctl completions ports 2>$null) }
    elseif ($value.Files) { return $null }
    $candidates | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
        $key = if ($path) { "$path $_" } else { $_ }
        $tip = if ($commands.ContainsKey($key)) { $commands[$key].Brief } else { $_ }
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $tip)
    }
}
`;
}
