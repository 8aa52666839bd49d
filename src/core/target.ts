/**
 * Port targets as users type them (`5432`, `:5432`, `3000-3010`, `udp6:53`, `tcp:3000-3005`),
 * parsed once at the edge into typed values.
 *
 * @module
 */

import type { IpFamily, Protocol, SocketEntry } from "../platform/types.ts";
import { UsageError } from "./errors.ts";

/** One parsed target: an inclusive port range, restricted to some protocols and IP versions. */
export interface PortTarget {
  /** The text the user typed, for messages. */
  readonly text: string;
  readonly protocols: readonly Protocol[];
  readonly families: readonly IpFamily[];
  readonly firstPort: number;
  readonly lastPort: number;
}

const PREFIXES: Readonly<Record<string, Pick<PortTarget, "protocols" | "families">>> = {
  "": { protocols: ["tcp", "udp"], families: [4, 6] },
  tcp: { protocols: ["tcp"], families: [4, 6] },
  udp: { protocols: ["udp"], families: [4, 6] },
  tcp4: { protocols: ["tcp"], families: [4] },
  tcp6: { protocols: ["tcp"], families: [6] },
  udp4: { protocols: ["udp"], families: [4] },
  udp6: { protocols: ["udp"], families: [6] },
};

const ALLOWED = "expected a port 1-65535, a range like 3000-3010, optionally prefixed " +
  "by tcp:, udp:, tcp4:, tcp6:, udp4: or udp6:";

function parsePort(text: string, whole: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new UsageError(`invalid target "${whole}": ${ALLOWED}`);
  const port = Number(text);
  if (port < 1 || port > 65535) {
    throw new UsageError(`invalid target "${whole}": port ${port} is outside 1-65535`);
  }
  return port;
}

/**
 * Parses one target or throws a {@linkcode UsageError} naming it.
 *
 * @example
 * ```ts
 * parseTarget("udp6:53"); // { protocols: ["udp"], families: [6], firstPort: 53, lastPort: 53, ... }
 * ```
 */
export function parseTarget(text: string): PortTarget {
  const colon = text.lastIndexOf(":");
  const prefix = colon < 0 ? "" : text.slice(0, colon).toLowerCase();
  const ports = colon < 0 ? text : text.slice(colon + 1);
  const kind = PREFIXES[prefix];
  if (!kind) {
    throw new UsageError(`invalid target "${text}": unknown protocol "${prefix}"; ${ALLOWED}`);
  }
  const dash = ports.indexOf("-", 1);
  const firstPort = parsePort(dash < 0 ? ports : ports.slice(0, dash), text);
  const lastPort = dash < 0 ? firstPort : parsePort(ports.slice(dash + 1), text);
  if (lastPort < firstPort) {
    throw new UsageError(`invalid target "${text}": range ${firstPort}-${lastPort} runs backwards`);
  }
  return { text, ...kind, firstPort, lastPort };
}

/** Options that decide which sockets a target matches. */
export interface MatchOptions {
  /** Also match TCP sockets that are not listening (established, TIME_WAIT, ...). */
  readonly allStates: boolean;
}

/**
 * True when `socket` is held on a target port: TCP in LISTEN (any state with `allStates`) or a
 * bound UDP socket, matched on the LOCAL port only, so a client connected to the port never is.
 */
export function socketMatches(
  socket: SocketEntry,
  targets: readonly PortTarget[],
  options: MatchOptions,
): boolean {
  if (socket.protocol === "tcp" && socket.state !== "LISTEN" && !options.allStates) return false;
  if (socket.port === 0) return false; // unbound
  return targets.some((target) =>
    socket.port >= target.firstPort && socket.port <= target.lastPort &&
    target.protocols.includes(socket.protocol) &&
    // A dual-stack [::] socket holds the IPv4 port as well: tcp4: must see it.
    (target.families.includes(socket.family) ||
      (socket.dualStack === true && target.families.includes(4)))
  );
}

/** Short text for a set of targets in messages: `port 3000`, `ports 3000-3010, udp:53`. */
export function describeTargets(targets: readonly PortTarget[]): string {
  const single = targets.length === 1 && targets[0].firstPort === targets[0].lastPort;
  return `${single ? "port" : "ports"} ${targets.map((t) => t.text).join(", ")}`;
}
