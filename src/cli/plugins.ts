/**
 * `portctl plugins list` and `portctl plugins trust`. The plugin subsystem is imported only when
 * one of them runs.
 *
 * @module
 */

import { buildCommand, buildRouteMap } from "@stricli/core";
import { pluginFlag } from "./flags.ts";
import type { CliContext } from "./context.ts";
import { ExitCode, SIMPLE_EXIT_CODES_HELP } from "./exit_codes.ts";

/** Parsed `plugins list` flags. */
export interface PluginsListFlags {
  readonly json?: boolean;
  readonly plugin?: readonly string[];
}

async function runList(this: CliContext, flags: PluginsListFlags): Promise<void> {
  const { listPlugins } = await import("../plugins/listing.ts");
  const report = await listPlugins({
    pluginFiles: [...(flags.plugin ?? [])],
    cwd: Deno.cwd(),
    env: Deno.env.toObject(),
  });
  if (flags.json) this.process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else {
    const { formatPluginList } = await import("../output/plugins.ts");
    this.process.stdout.write(formatPluginList(report, this));
  }
  this.exit = ExitCode.Ok;
}

async function runTrust(this: CliContext): Promise<void> {
  const { trustProjectPlugins } = await import("../plugins/listing.ts");
  const { formatTrustReport } = await import("../output/plugins.ts");
  const report = await trustProjectPlugins(Deno.cwd(), Deno.env.toObject());
  this.process.stdout.write(formatTrustReport(report));
  this.exit = ExitCode.Ok;
}

const WHERE = `WHERE PORTCTL LOOKS (in this order; plugins run in this order)
  1. --plugin FILE (repeatable; a folder is read like the ones below)
  2. PORTCTL_PLUGIN_PATH: files and folders, separated by ":" (";" on Windows)
  3. your folder: $XDG_CONFIG_HOME/portctl/plugins (default ~/.config/portctl/plugins;
     Windows: %APPDATA%\\portctl\\plugins; macOS also ~/Library/Application Support/portctl/plugins)
  4. the project: .portctl/plugins in the current folder or a parent, once trusted
Inside a folder, files run in file-name order. Plugins are .js/.ts/.mjs/.mts files and executable
files (Windows: .exe/.cmd/.bat/.ps1); other files and sub-folders are ignored. Plugin files and
folders must be yours (or root's) and writable by nobody else; a source of yours that cannot be
read or is not safe makes "portctl kill" signal nothing.`;

/** `portctl plugins list`. */
export const pluginsListCommand = buildCommand({
  func: runList,
  parameters: {
    flags: {
      json: { kind: "boolean", optional: true, withNegated: false, brief: "Print JSON" },
      plugin: pluginFlag("Also list this plugin file (as `kill --plugin` would run it)"),
    },
    positional: { kind: "tuple", parameters: [] },
  },
  docs: {
    brief: "Show every plugin found: where from, whether it runs, its hooks",
    fullDescription:
      `Show every plugin portctl would run, in run order: its name, kind (js or exec),
where it was found, whether it runs (yours, trusted; or not: not trusted, changed, unsafe), and the
hooks it has; then every folder whose plugins do not run, and why. Plugins that run are loaded to
find their hooks (a plugin that fails to load shows its error); the others are never loaded.

${WHERE}

EXAMPLES
  portctl plugins list
  portctl plugins list --json --plugin ./drain.ts

${SIMPLE_EXIT_CODES_HELP}`,
  },
});

/** `portctl plugins trust`. */
export const pluginsTrustCommand = buildCommand({
  func: runTrust,
  parameters: { flags: {}, positional: { kind: "tuple", parameters: [] } },
  docs: {
    brief: "Allow this project's .portctl/plugins to run (until they change)",
    fullDescription:
      `Record the nearest .portctl/plugins folder (in the current folder or a parent) and a
SHA-256 hash of everything in it as trusted, in $XDG_CONFIG_HOME/portctl/trust.json
(~/.config/portctl/trust.json; Windows: %APPDATA%\\portctl\\trust.json), and print every file it
trusts (short hash, size, exec bit, path) and the folder's owner. Until then portctl mentions the
folder once and does not run it; once it changes, "portctl kill" signals nothing until you review
and trust it again. What runs is exactly the bytes trusted, from a private copy. Refused: a folder
another user could change (owner, group or world write, from the project folder down), a link out
of it, more than 500 files or 16 MiB, or a plugin importing anything from outside the folder.
Review the plugins before trusting them: they run with your rights.

EXAMPLES
  cd ~/src/myapp && portctl plugins list && portctl plugins trust

${SIMPLE_EXIT_CODES_HELP}`,
  },
});

/** The `plugins` route: `list` and `trust`. */
export const pluginsRoutes = buildRouteMap({
  routes: { list: pluginsListCommand, trust: pluginsTrustCommand },
  aliases: { ls: "list" },
  docs: {
    brief: "List plugins, or trust a project's plugins",
    fullDescription: `Plugins run your code before and after each process portctl kills: to drain a
server, stop a container, protect a process, or log. See docs/plugins.md.

${WHERE}

EXAMPLES
  portctl plugins list
  portctl plugins trust

${SIMPLE_EXIT_CODES_HELP}`,
  },
});
