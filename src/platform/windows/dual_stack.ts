/**
 * Dual-stack IPv6 sockets on Windows. A socket on `[::]` with IPV6_V6ONLY off (Node's default;
 * Windows' own default is on) holds the IPv4 port too, yet Windows lists it only in the IPv6
 * table and says nothing of the option. Only a test bind of `0.0.0.0` on the port tells, so it
 * is asked only for the rows whose match depends on it.
 *
 * Pure: the probe is passed in, so this is unit-tested on every OS.
 *
 * @module
 */

import type { Protocol, SocketEntry } from "../types.ts";
import type { OwnedSocketRow } from "./tables.ts";

/** A protocol and port whose IPv6 wildcard socket needs a test bind of `0.0.0.0`. */
export interface DualStackProbe {
  readonly protocol: Protocol;
  readonly port: number;
}

const key = (protocol: Protocol, port: number) => `${protocol}:${port}`;

const isWildcardV6 = (socket: SocketEntry) => socket.family === 6 && socket.address === "::";

/**
 * The test binds this query needs, one per protocol and port: for IPv6 rows on `::` with no IPv4
 * row of the same protocol and port, that `match` accepts only as dual-stack (`tcp4:3000` against
 * a `[::]:3000` listener). None for a query both families satisfy, or neither. A port an IPv4
 * socket holds is not probed: the bind would fail for that socket, and its row answers already.
 *
 * @example
 * ```ts
 * dualStackProbes(rows, (s) => socketMatches(s, [parseTarget("tcp4:3000")], { allStates: false }));
 * // [{ protocol: "tcp", port: 3000 }] when only [::]:3000 is listed
 * ```
 */
export function dualStackProbes(
  rows: readonly OwnedSocketRow[],
  match: (socket: SocketEntry) => boolean,
): DualStackProbe[] {
  const ipv4Ports = new Set(
    rows.filter((r) => r.socket.family === 4).map((r) => key(r.socket.protocol, r.socket.port)),
  );
  const probes = new Map<string, DualStackProbe>();
  for (const { socket } of rows) {
    const k = key(socket.protocol, socket.port);
    if (
      isWildcardV6(socket) && !ipv4Ports.has(k) && !probes.has(k) &&
      match({ ...socket, dualStack: true }) && !match({ ...socket, dualStack: false })
    ) probes.set(k, { protocol: socket.protocol, port: socket.port });
  }
  return [...probes.values()];
}

/**
 * The rows `match` accepts. Each of {@linkcode dualStackProbes} is answered by
 * `isDualStack(protocol, port)`, once; an IPv6 row on `::` of a port found dual-stack is judged
 * with `dualStack: true`. Every other row keeps `dualStack` unset, as Windows reports it, and a
 * row found not dual-stack does not match (only its dual-stack self could).
 *
 * @example
 * ```ts
 * matchingRows(rows, match, (protocol, port) => testBind(protocol, port) === WSAEADDRINUSE);
 * ```
 */
export function matchingRows(
  rows: readonly OwnedSocketRow[],
  match: (socket: SocketEntry) => boolean,
  isDualStack: (protocol: Protocol, port: number) => boolean,
): OwnedSocketRow[] {
  const dual = new Set(
    dualStackProbes(rows, match)
      .filter((probe) => isDualStack(probe.protocol, probe.port))
      .map((probe) => key(probe.protocol, probe.port)),
  );
  return rows.flatMap((row) => {
    if (match(row.socket)) return [row];
    if (!isWildcardV6(row.socket) || !dual.has(key(row.socket.protocol, row.socket.port))) {
      return [];
    }
    const socket = { ...row.socket, dualStack: true };
    return match(socket) ? [{ ...row, socket }] : [];
  });
}
