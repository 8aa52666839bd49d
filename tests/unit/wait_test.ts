import { assertEquals, assertThrows } from "../support/assert.ts";
import { parseWaitCondition } from "../../src/cli/parsers.ts";
import { UsageError } from "../../src/core/errors.ts";
import type { SocketHolder } from "../../src/core/lookup.ts";
import { parseTarget } from "../../src/core/target.ts";
import { judgeTargets, waitQuery } from "../../src/core/wait.ts";
import { statusLine } from "../../src/output/status_line.ts";
import { formatSeconds, progressLine, timeoutLine } from "../../src/output/wait_report.ts";
import type { SocketEntry } from "../../src/platform/types.ts";
import { socketEntry } from "../support/sockets.ts";

const socket = (over: Partial<SocketEntry>) => socketEntry({ uid: 1000, user: "dev", ...over });

const targets = (...texts: string[]) => texts.map(parseTarget);

Deno.test("judgeTargets listening: every port of a range needs a listener", () => {
  const sockets = [
    socket({ port: 3000 }),
    socket({ port: 3002, protocol: "udp", state: "UNCONN" }),
  ];
  const states = judgeTargets(sockets, targets("3000-3003", "3000", "tcp:3002"), "listening");
  assertEquals(states.map((s) => [s.target.text, s.met, s.pendingPorts]), [
    ["3000-3003", false, [3001, 3003]],
    ["3000", true, []],
    ["tcp:3002", false, [3002]], // a UDP socket does not listen for a tcp: target
  ]);
});

Deno.test("judgeTargets free: held ports are pending; other states and clients do not hold", () => {
  const sockets = [
    socket({ port: 3001 }),
    socket({ port: 3000, state: "ESTABLISHED" }), // an accepted connection, not a listener
    socket({ port: 3003, family: 6, address: "::", dualStack: true }),
  ];
  const states = judgeTargets(sockets, targets("3000-3003", "3000", "tcp4:3003"), "free");
  assertEquals(states.map((s) => [s.target.text, s.met, s.pendingPorts]), [
    ["3000-3003", false, [3001, 3003]],
    ["3000", true, []],
    ["tcp4:3003", false, [3003]], // a dual-stack [::] socket holds the IPv4 port
  ]);
});

Deno.test("judgeTargets: a V6ONLY [::] listener is not an IPv4 listener", () => {
  const only6 = socket({ family: 6, address: "::", dualStack: false });
  assertEquals(judgeTargets([only6], targets("tcp4:3000"), "listening")[0].met, false);
  assertEquals(judgeTargets([only6], targets("tcp6:3000"), "listening")[0].met, true);
  assertEquals(judgeTargets([only6], targets("tcp4:3000"), "free")[0].met, true);
});

Deno.test("waitQuery: listeners only, and only the protocols the targets name", () => {
  assertEquals(waitQuery(targets("tcp:3000", "tcp6:4000")), {
    listeningTcpOnly: true,
    protocols: ["tcp"],
  });
  assertEquals(waitQuery(targets("udp:53")).protocols, ["udp"]);
  assertEquals(waitQuery(targets("3000")).protocols, ["tcp", "udp"]);
});

Deno.test("--for takes listening or free; anything else is a UsageError naming it", () => {
  assertEquals([parseWaitCondition("listening"), parseWaitCondition("free")], [
    "listening",
    "free",
  ]);
  const error = assertThrows(() => parseWaitCondition("open"));
  assertEquals(error instanceof UsageError, true);
  assertEquals(error.message, `invalid --for "open": expected listening or free`);
});

Deno.test("timeout lines: one per target, naming holders once each, ports of a range", () => {
  const [single, range] = targets("3000", "4000-4011");
  const visible = (port: number, pid: number): SocketHolder => ({
    socket: socket({ port }),
    holder: {
      kind: "visible",
      note: null,
      manager: null,
      process: {
        pid,
        ppid: 1,
        name: "no\x1bde",
        user: "dev",
        command: "node",
        startTime: "1",
        cwd: null,
        startedAtMs: null,
        exe: null,
      },
    },
  });
  const hidden: SocketHolder = {
    socket: socket({ port: 3000, family: 6, address: "::", user: "postgres" }),
    holder: { kind: "hidden", note: "owner not visible: ..." },
  };
  const holders = [visible(3000, 42), visible(3000, 42), hidden, visible(4001, 7)];
  const options = { condition: "free" as const, timeoutMs: 30_000, holders };
  assertEquals(
    timeoutLine({ target: single, met: false, pendingPorts: [3000] }, options),
    "3000 is still held after 30 s by 42 no de (user dev, tcp :3000), " +
      "an unseen process (owner not visible; user postgres, tcp :3000)",
  );
  assertEquals(
    timeoutLine({ target: range, met: false, pendingPorts: [4001] }, options),
    "4000-4011 is still held (4001) after 30 s by 7 no de (user dev, tcp :4001)",
  );
  const pendingPorts = Array.from({ length: 12 }, (_, i) => 4000 + i);
  assertEquals(
    timeoutLine({ target: range, met: false, pendingPorts }, {
      ...options,
      condition: "listening",
      timeoutMs: 500,
    }),
    "4000-4011 is not listening after 0.5 s (nothing listens on " +
      "4000, 4001, 4002, 4003, 4004, 4005, 4006, 4007, 4008, 4009 and 2 more)",
  ); // With --in, the line says where it waited.
  assertEquals(
    timeoutLine({ target: single, met: false, pendingPorts: [3000] }, {
      ...options,
      condition: "listening",
      folder: "~/shop",
    }),
    "3000 is not listening in ~/shop after 30 s",
  );
});

Deno.test("progress line: targets, ports met when there are several, time", () => {
  const options = { condition: "listening" as const, targets: targets("3000"), timeoutMs: 30_000 };
  assertEquals(
    progressLine({ elapsedMs: 1234, metPorts: 0, totalPorts: 1 }, options),
    "waiting for 3000 to listen (1.2 s of 30 s)",
  );
  assertEquals(
    progressLine({ elapsedMs: 50, metPorts: 1, totalPorts: 3 }, {
      ...options,
      condition: "free",
      targets: targets("3000-3001", "udp:53"),
    }),
    "waiting for 3000-3001, udp:53 to be free: 1 of 3 ports free (0.1 s of 30 s)",
  );
  assertEquals([formatSeconds(250), formatSeconds(1000), formatSeconds(1234)], [
    "0.25 s",
    "1 s",
    "1.23 s",
  ]);
});

Deno.test("status line: redrawn in place, padded over a longer one, cut to the width, cleared", () => {
  const written: string[] = [];
  const status = statusLine((text) => written.push(text), { width: 12 });
  status.show("waiting 10 s");
  status.show("waiting 10 s"); // unchanged: nothing drawn
  status.show("wait 9");
  status.clear();
  status.clear(); // nothing shown: nothing to clear
  assertEquals(written, ["\rwaiting 10 ", "\rwait 9     ", "\r      \r"]);
});
