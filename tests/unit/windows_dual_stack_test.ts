// Which Windows `[::]` rows need a dual-stack test bind, and what a query then matches (pure;
// runs on every OS).

import { assert, assertEquals } from "../support/assert.ts";
import { dualStackProbes, matchingRows } from "../../src/platform/windows/dual_stack.ts";
import type { OwnedSocketRow } from "../../src/platform/windows/tables.ts";
import type { Protocol, SocketEntry, SocketState } from "../../src/platform/types.ts";
import { parseTarget, socketMatches } from "../../src/core/target.ts";

function row(
  protocol: Protocol,
  address: string,
  port: number,
  pid = 700,
  state: SocketState = protocol === "tcp" ? "LISTEN" : "UNCONN",
): OwnedSocketRow {
  const family = address.includes(":") ? 6 : 4;
  return { socket: { protocol, family, address, port, state, uid: null, user: null }, pid };
}

/** `match` as the CLI builds it from target texts. */
const targets = (...texts: string[]) => (socket: SocketEntry) =>
  socketMatches(socket, texts.map(parseTarget), { allStates: false });

/** An `isDualStack` that answers from `dual` and records what it was asked. */
function prober(dual: Set<string>) {
  const asked: string[] = [];
  const isDualStack = (protocol: Protocol, port: number) => {
    asked.push(`${protocol}:${port}`);
    return dual.has(`${protocol}:${port}`);
  };
  return { asked, isDualStack };
}

Deno.test("a v4-only target against a lone [::] row needs one probe", () => {
  const rows = [row("tcp", "::", 3000), row("udp", "::", 5353)];
  assertEquals(dualStackProbes(rows, targets("tcp4:3000")), [{ protocol: "tcp", port: 3000 }]);
  assertEquals(dualStackProbes(rows, targets("udp4:5353", "tcp4:3000")), [
    { protocol: "tcp", port: 3000 },
    { protocol: "udp", port: 5353 },
  ]);
});

Deno.test("no probe where the answer changes nothing", () => {
  const rows = [row("tcp", "::", 3000), row("tcp", "::1", 3001), row("tcp", "fe80::1", 3002)];
  assertEquals(dualStackProbes(rows, targets("3000")), [], "both families: matches anyway");
  assertEquals(dualStackProbes(rows, targets("tcp6:3000")), [], "v6 target: matches anyway");
  assertEquals(dualStackProbes(rows, targets("tcp4:4000")), [], "another port");
  assertEquals(dualStackProbes(rows, targets("udp4:3000")), [], "another protocol");
  assertEquals(dualStackProbes(rows, targets("tcp4:3001-3002")), [], "not the wildcard address");
  assertEquals(dualStackProbes(rows, () => true), [], "list: everything matches");
});

Deno.test("no probe on a port an IPv4 socket of the same protocol holds", () => {
  const held = [row("tcp", "::", 3000), row("tcp", "127.0.0.1", 3000, 800)];
  assertEquals(dualStackProbes(held, targets("tcp4:3000")), []);
  const otherProtocol = [row("tcp", "::", 3000), row("udp", "0.0.0.0", 3000, 800)];
  assertEquals(dualStackProbes(otherProtocol, targets("tcp4:3000")), [{
    protocol: "tcp",
    port: 3000,
  }]);
});

Deno.test("a non-listening TCP row is probed only with --all-states", () => {
  const rows = [row("tcp", "::", 3000, 700, "CLOSE_WAIT")];
  assertEquals(dualStackProbes(rows, targets("tcp4:3000")), []);
  const allStates = (s: SocketEntry) =>
    socketMatches(s, [parseTarget("tcp4:3000")], { allStates: true });
  assertEquals(dualStackProbes(rows, allStates), [{ protocol: "tcp", port: 3000 }]);
});

Deno.test("one probe per protocol and port, however many [::] rows share it", () => {
  const rows = [row("udp", "::", 5353, 700), row("udp", "::", 5353, 701)];
  assertEquals(dualStackProbes(rows, targets("udp4:5353")), [{ protocol: "udp", port: 5353 }]);
  const { asked, isDualStack } = prober(new Set(["udp:5353"]));
  const matched = matchingRows(rows, targets("udp4:5353"), isDualStack);
  assertEquals(asked, ["udp:5353"]);
  assertEquals(matched.map((r) => [r.pid, r.socket.dualStack]), [[700, true], [701, true]]);
});

Deno.test("a dual-stack [::] row matches tcp4:, marked dualStack: true", () => {
  const rows = [row("tcp", "::", 3000), row("tcp", "127.0.0.1", 4000)];
  const { asked, isDualStack } = prober(new Set(["tcp:3000"]));
  assertEquals(matchingRows(rows, targets("tcp4:3000", "tcp4:4000"), isDualStack), [
    { ...rows[0], socket: { ...rows[0].socket, dualStack: true } },
    rows[1],
  ]);
  assertEquals(asked, ["tcp:3000"]);
});

Deno.test("a V6ONLY [::] row does not match tcp4:", () => {
  const rows = [row("tcp", "::", 3000)];
  const { asked, isDualStack } = prober(new Set());
  assertEquals(matchingRows(rows, targets("tcp4:3000"), isDualStack), []);
  assertEquals(asked, ["tcp:3000"]);
});

Deno.test("rows that match without a probe keep dualStack unset; nothing is probed", () => {
  const rows = [row("tcp", "::", 3000), row("tcp", "0.0.0.0", 3001), row("udp", "::", 3000)];
  const { asked, isDualStack } = prober(new Set(["tcp:3000", "udp:3000"]));
  assertEquals(matchingRows(rows, targets("3000-3001"), isDualStack), rows);
  assertEquals(matchingRows(rows, targets("tcp6:3000"), isDualStack), [rows[0]]);
  assertEquals(matchingRows(rows, () => true, isDualStack), rows);
  assertEquals(asked, []);
  assert(rows.every((r) => !("dualStack" in r.socket)));
});
