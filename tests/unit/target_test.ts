import { assertEquals, assertThrows } from "../support/assert.ts";
import { UsageError } from "../../src/core/errors.ts";
import { parseSignal } from "../../src/core/signals.ts";
import { DARWIN_SIGNALS, LINUX_SIGNALS, WINDOWS_SIGNALS } from "../../src/platform/signals.ts";
import { describeTargets, parseTarget, socketMatches } from "../../src/core/target.ts";
import { socketEntry } from "../support/sockets.ts";

Deno.test("targets: ports, ranges and protocol prefixes", () => {
  const pick = (text: string) => {
    const t = parseTarget(text);
    return [t.protocols, t.families, t.firstPort, t.lastPort];
  };
  assertEquals(pick("5432"), [["tcp", "udp"], [4, 6], 5432, 5432]);
  assertEquals(pick(":5432"), [["tcp", "udp"], [4, 6], 5432, 5432]);
  assertEquals(pick("3000-3010"), [["tcp", "udp"], [4, 6], 3000, 3010]);
  assertEquals(pick("udp6:53"), [["udp"], [6], 53, 53]);
  assertEquals(pick("tcp:3000-3005"), [["tcp"], [4, 6], 3000, 3005]);
  assertEquals(pick("TCP4:1"), [["tcp"], [4], 1, 1]);
  assertEquals(pick("65535"), [["tcp", "udp"], [4, 6], 65535, 65535]);
});

Deno.test("targets: bad input is a UsageError naming it", () => {
  for (
    const bad of ["abc", "0", "70000", "-1", "10-5", "tcp:", "foo:80", "", "1-", "1.5", "80-70000"]
  ) {
    const error = assertThrows(() => parseTarget(bad));
    assertEquals(error instanceof UsageError, true, bad);
    assertEquals(error.message.includes(`"${bad}"`), true, error.message);
  }
});

Deno.test("matching: LISTEN and UDP by default, local port only, family and protocol", () => {
  const socket = socketEntry;
  const t = [parseTarget("3000")];
  const strict = { allStates: false };
  assertEquals(socketMatches(socket({}), t, strict), true);
  assertEquals(socketMatches(socket({ state: "ESTABLISHED" }), t, strict), false);
  assertEquals(socketMatches(socket({ state: "ESTABLISHED" }), t, { allStates: true }), true);
  assertEquals(socketMatches(socket({ protocol: "udp", state: "UNCONN" }), t, strict), true);
  assertEquals(socketMatches(socket({ port: 3001 }), t, strict), false);
  assertEquals(socketMatches(socket({ family: 6 }), [parseTarget("tcp4:3000")], strict), false);
  assertEquals(socketMatches(socket({}), [parseTarget("udp:3000")], strict), false);
  const dual = socket({ family: 6, address: "::", dualStack: true });
  assertEquals(socketMatches(dual, [parseTarget("tcp4:3000")], strict), true, "[::] holds v4 too");
  assertEquals(socketMatches(dual, [parseTarget("tcp6:3000")], strict), true);
  const v6only = socket({ family: 6, address: "::", dualStack: false });
  assertEquals(socketMatches(v6only, [parseTarget("tcp4:3000")], strict), false);
  assertEquals(describeTargets(t), "port 3000");
  assertEquals(describeTargets([parseTarget("1-2"), parseTarget("udp:5")]), "ports 1-2, udp:5");
});

Deno.test("signals: names in any case, with or without SIG, and each OS's own numbers", () => {
  const linux = { os: "linux", signals: LINUX_SIGNALS } as const;
  assertEquals(parseSignal("int", linux), "SIGINT");
  assertEquals(parseSignal("SIGHUP", linux), "SIGHUP");
  assertEquals(parseSignal(" sigterm ", linux), "SIGTERM");
  assertEquals(parseSignal("9", linux), "SIGKILL");
  assertEquals(parseSignal("10", linux), "SIGUSR1");
  assertThrows(() => parseSignal("99", linux), /invalid signal "99" on linux: .* or its number$/);
  assertThrows(() => parseSignal("INFO", linux), /invalid signal "INFO"/);
  // Darwin numbers differ from 7 up: 30 is SIGUSR1 there, as `kill -30` on a Mac.
  const darwin = { os: "darwin", signals: DARWIN_SIGNALS } as const;
  assertEquals(parseSignal("30", darwin), "SIGUSR1");
  assertEquals(parseSignal("INFO", darwin), "SIGINFO");
  assertThrows(() => parseSignal("PWR", darwin), /invalid signal "PWR" on darwin/);
  const windows = { os: "windows", signals: WINDOWS_SIGNALS } as const;
  assertEquals(parseSignal("15", windows), "SIGTERM");
  assertThrows(
    () => parseSignal("USR1", windows),
    /^invalid signal "USR1" on windows: expected one of TERM, INT, KILL \(or 2, 9, 15\)$/,
  );
  assertThrows(() => parseSignal("1", windows), /invalid signal "1"/);
});

Deno.test("signal tables: every name once, every number once, graceful among them", () => {
  for (const table of [LINUX_SIGNALS, DARWIN_SIGNALS, WINDOWS_SIGNALS]) {
    assertEquals(table.numbers.has(table.graceful), true);
    assertEquals(table.numbers.has("SIGKILL"), true);
    const numbers = [...table.numbers.values()];
    assertEquals(new Set(numbers).size, numbers.length, "two names share a number");
  }
  assertEquals(LINUX_SIGNALS.numbers.has("SIGINFO"), false);
  assertEquals(WINDOWS_SIGNALS.numbers.has("SIGBREAK"), false);
  assertEquals([...WINDOWS_SIGNALS.numbers.keys()], ["SIGTERM", "SIGINT", "SIGKILL"]);
});
