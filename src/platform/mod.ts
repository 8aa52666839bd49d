/**
 * Picks the backend for the OS portctl runs on. Each backend is imported only on its own OS, so
 * Linux never loads the Windows FFI bindings and vice versa.
 *
 * @module
 */

import { type PlatformBackend, UnsupportedPlatformError } from "./types.ts";

/** The backend for `Deno.build.os`, or {@linkcode UnsupportedPlatformError}. */
export async function loadBackend(): Promise<PlatformBackend> {
  switch (Deno.build.os) {
    case "linux":
      return (await import("./linux/backend.ts")).backend;
    case "windows":
      return (await import("./windows/backend.ts")).backend;
    case "darwin":
      return (await import("./darwin/backend.ts")).backend;
    default:
      throw new UnsupportedPlatformError(Deno.build.os);
  }
}
