/**
 * `portctl plugins list` and `portctl plugins trust` output. Everything here comes from files
 * someone else may have named (a cloned project's plugin files), so it goes through the table's
 * sanitiser or {@linkcode printable}: the listing a user reads before deciding to trust must not
 * be able to rewrite the terminal.
 *
 * @module
 */

import type { FolderState, PluginsReport, TrustReport } from "../plugins/listing.ts";
import type { PluginSource } from "../plugins/discovery.ts";
import { printable } from "./printable.ts";
import type { Styler } from "./style.ts";
import { renderTable } from "./table.ts";

const SOURCE_LABEL: Readonly<Record<PluginSource, string>> = {
  flag: "--plugin",
  env: "PORTCTL_PLUGIN_PATH",
  user: "user",
  project: "project",
};

const STATE_LABEL: Readonly<Record<FolderState, string>> = {
  own: "yes (yours)",
  trusted: "yes (trusted)",
  changed: "NO: changed",
  untrusted: "NO: not trusted",
  unsafe: "NO: unsafe",
};

/**
 * Human output of `portctl plugins list`: the plugins in run order, then every folder whose
 * plugins do not run and why, and what to do about it.
 *
 * @example
 * ```ts
 * console.log(formatPluginList(await listPlugins({ cwd: Deno.cwd(), env: Deno.env.toObject() }),
 *   { width: null, style: PLAIN }));
 * ```
 */
export function formatPluginList(
  report: PluginsReport,
  options: { width: number | null; style: Styler },
): string {
  const lines: string[] = [];
  if (report.plugins.length === 0 && report.folders.every((f) => f.state === "own")) {
    return "no plugins found (see `portctl plugins --help` for where portctl looks)\n";
  }
  if (report.plugins.length > 0) {
    const rows = report.plugins.map((plugin) => [
      plugin.name,
      plugin.kind,
      SOURCE_LABEL[plugin.source],
      STATE_LABEL[plugin.state],
      plugin.error ? "-" : plugin.hooks.length > 0 ? plugin.hooks.join(",") : "?",
      plugin.path,
    ]);
    lines.push(
      renderTable(["NAME", "KIND", "FROM", "RUNS", "HOOKS", "PATH"], rows, options).trimEnd(),
    );
    for (const plugin of report.plugins) {
      if (plugin.error) lines.push(`error: ${printable(plugin.error)}`);
    }
  }
  const blocked = report.folders.filter((f) => f.state !== "own" && f.state !== "trusted");
  for (const folder of blocked) {
    const why = folder.reason ? `: ${printable(folder.reason)}` : "";
    lines.push(
      `${STATE_LABEL[folder.state]} ${printable(folder.path)} (${
        SOURCE_LABEL[folder.source]
      })${why}`,
    );
  }
  if (blocked.some((f) => f.source === "project")) {
    lines.push(
      "",
      'Project plugins run only once trusted: review them, then run "portctl plugins trust" in ' +
        "the project.",
    );
  }
  if (blocked.some((f) => f.source !== "project")) {
    lines.push(
      "",
      "While a plugin source of yours cannot be used, portctl kill signals nothing " +
        "(--no-plugins runs none).",
    );
  }
  return lines.join("\n") + "\n";
}

/** What `portctl plugins trust` prints: the folder, its owner, and every file it trusted. */
export function formatTrustReport(report: TrustReport): string {
  const count = `${report.files.length} ${report.files.length === 1 ? "file" : "files"}`;
  const owner = report.owner ? `, owned by ${report.owner}` : "";
  const lines = [`trusted ${printable(report.folder)}${owner} (${count}):`];
  const width = Math.max(0, ...report.files.map((f) => String(f.size).length));
  for (const file of report.files) {
    lines.push(
      `  ${file.hash}  ${String(file.size).padStart(width)} B  ${file.executable ? "x" : "-"}  ` +
        printable(file.path),
    );
  }
  lines.push(
    `recorded in ${printable(report.trustFile)}; these exact bytes run from now on, and any ` +
      "change makes the folder untrusted until you trust it again",
  );
  return lines.join("\n") + "\n";
}
