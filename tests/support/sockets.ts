/**
 * Socket entries for unit tests of matching: a TCP listener on 127.0.0.1:3000 owned by root,
 * changed field by field.
 *
 * @module
 */

import type { SocketEntry } from "../../src/platform/types.ts";

/**
 * A socket entry: `127.0.0.1:3000`, TCP, LISTEN, uid 0, with `over`'s fields instead.
 *
 * @example
 * ```ts
 * socketEntry({ protocol: "udp", state: "UNCONN", port: 53 });
 * ```
 */
export function socketEntry(over: Partial<SocketEntry> = {}): SocketEntry {
  return {
    protocol: "tcp",
    family: 4,
    address: "127.0.0.1",
    port: 3000,
    state: "LISTEN",
    uid: 0,
    user: null,
    ...over,
  };
}
