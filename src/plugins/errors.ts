/**
 * Errors of the plugin subsystem that the CLI shows as usage errors.
 *
 * @module
 */

import { UsageError } from "../core/errors.ts";

/**
 * Bad plugin input from the command line or the environment (a `--plugin` file that does not
 * exist, `plugins trust` outside a project with plugins, a bad `--plugin-timeout`). It is a
 * {@linkcode UsageError}, so the CLI prints the message on one line and exits 2; nothing is
 * signalled.
 *
 * @example
 * ```ts
 * throw new PluginUsageError("--plugin ./nope.ts: no such file");
 * ```
 */
export class PluginUsageError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = "PluginUsageError";
  }
}
