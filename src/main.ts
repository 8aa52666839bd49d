/**
 * portctl: find and end what holds a port.
 *
 * @module
 */

import { runCli } from "./cli/app.ts";

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args));
}
