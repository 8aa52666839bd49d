/**
 * portctl: find and end what holds a port.
 *
 * @module
 */

import { runCli } from "./cli/run.ts";
import { importLazy } from "./lazy_modules.ts";

if (import.meta.main) {
  if (Deno.args[0] === "__plugin-host") {
    // A compiled portctl runs its JS plugins in child processes of itself (plugins/js_plugin.ts).
    await (await importLazy("pluginHost")).runPluginHost();
  } else {
    Deno.exit(await runCli(Deno.args));
  }
}
