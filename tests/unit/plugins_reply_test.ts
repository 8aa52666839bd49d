import { assertEquals, assertThrows } from "../support/assert.ts";
import { signalByName } from "../../src/core/signals.ts";
import {
  defaultPluginSignals,
  InvalidReplyError,
  parseBeforeKillReply,
} from "../../src/plugins/reply.ts";

const SIGNALS = defaultPluginSignals("linux");

Deno.test("reply: nothing means go on", () => {
  assertEquals(parseBeforeKillReply(undefined, SIGNALS), { kind: "proceed" });
  assertEquals(parseBeforeKillReply(null, SIGNALS), { kind: "proceed" });
});

Deno.test("reply: the three answers", () => {
  assertEquals(parseBeforeKillReply({ skip: " busy " }, SIGNALS), { kind: "skip", reason: "busy" });
  assertEquals(parseBeforeKillReply({ handled: true }, SIGNALS), { kind: "handled" });
  assertEquals(parseBeforeKillReply({ signal: "SIGINT" }, SIGNALS), {
    kind: "signal",
    signal: "SIGINT",
  });
  assertEquals(parseBeforeKillReply({ signal: "hup" }, SIGNALS), {
    kind: "signal",
    signal: "SIGHUP",
  });
});

Deno.test("reply: anything else is invalid, with a message saying what is allowed", () => {
  const bad: [unknown, string][] = [
    [{}, 'invalid reply {}: expected nothing, { skip: "reason" }'],
    [{ skip: "" }, "skip needs a reason"],
    [{ skip: 3 }, "skip needs a reason"],
    [{ signal: "SIGFOO" }, "unknown signal; expected one of SIGTERM, SIGKILL, SIGINT"],
    [{ signal: 9 }, "unknown signal"],
    [{ handled: "yes" }, "handled must be true"],
    [{ handled: false }, "handled must be true"],
    [{ skip: "a", signal: "SIGINT" }, "invalid reply"],
    [{ Skip: "typo" }, 'invalid reply {"Skip":"typo"}'],
    [true, "invalid reply true"],
    ["skip", 'invalid reply "skip"'],
    [["skip"], "invalid reply"],
    [42, "invalid reply 42"],
  ];
  for (const [value, message] of bad) {
    assertThrows(() => parseBeforeKillReply(value, SIGNALS), InvalidReplyError, message);
  }
});

Deno.test("reply: the allowed signals come from the caller (the OS backend)", () => {
  assertThrows(
    () => parseBeforeKillReply({ signal: "SIGHUP" }, defaultPluginSignals("windows")),
    InvalidReplyError,
    "expected one of SIGTERM, SIGINT, SIGKILL",
  );
  assertEquals(signalByName("sigterm", ["SIGTERM"]), "SIGTERM");
  assertEquals(signalByName("TERM", ["SIGTERM"]), "SIGTERM");
  assertEquals(signalByName("SIGINT", ["SIGTERM"]), null);
});
