/**
 * Picks the backend for the OS portctl runs on: the one place above the backends that asks.
 * Each backend is imported only on its own OS, so Linux never loads the Windows FFI bindings and
 * vice versa.
 *
 * @module
 */

import { importPlatformLazy } from "./lazy_modules.ts";
import { signalTableOf } from "./signals.ts";
import { type PlatformBackend, type SignalTable, UnsupportedPlatformError } from "./types.ts";

/** The backend for `Deno.build.os`, or {@linkcode UnsupportedPlatformError}. */
export async function loadBackend(): Promise<PlatformBackend> {
  switch (Deno.build.os) {
    case "linux":
      return (await importPlatformLazy("linuxBackend")).backend;
    case "windows":
      return (await importPlatformLazy("windowsBackend")).backend;
    case "darwin":
      return (await importPlatformLazy("darwinBackend")).backend;
    default:
      throw new UnsupportedPlatformError(Deno.build.os);
  }
}

/**
 * The signal table of this OS's backend, without loading the backend (for help and completions),
 * or null on an OS portctl does not support.
 *
 * @example
 * ```ts
 * currentSignals()?.graceful; // "SIGTERM"
 * ```
 */
export function currentSignals(): SignalTable | null {
  const os = Deno.build.os;
  return os === "linux" || os === "windows" || os === "darwin" ? signalTableOf(os) : null;
}
