import { assertEquals, assertThrows } from "../support/assert.ts";
import {
  InvalidReplyError,
  parseBeforeKillReply,
  parseStopReply,
  REASON_LIMIT,
} from "../../src/plugins/reply.ts";

const SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP", "SIGKILL"] as const;

Deno.test("reply: nothing means go on", () => {
  assertEquals(parseBeforeKillReply(undefined, SIGNALS), { kind: "proceed" });
  assertEquals(parseBeforeKillReply(null, SIGNALS), { kind: "proceed" });
});

Deno.test("reply: the two decisions", () => {
  assertEquals(parseBeforeKillReply({ skip: " busy " }, SIGNALS), { kind: "skip", reason: "busy" });
  assertEquals(parseBeforeKillReply({ signal: "SIGINT" }, SIGNALS), {
    kind: "signal",
    signal: "SIGINT",
  });
  assertEquals(parseBeforeKillReply({ signal: "hup" }, SIGNALS), {
    kind: "signal",
    signal: "SIGHUP",
  });
});

Deno.test("reply: a skip reason is one line of a report: a long one is cut", () => {
  const reply = parseBeforeKillReply({ skip: "x".repeat(REASON_LIMIT * 10) }, SIGNALS);
  assertEquals(reply, { kind: "skip", reason: "x".repeat(REASON_LIMIT) + "…" });
});

Deno.test("reply: anything else is invalid, with a message saying what is allowed", () => {
  const bad: [unknown, string][] = [
    [{}, 'invalid reply {}: expected nothing, { skip: "reason" } or { signal: "SIGINT" }'],
    [{ skip: "" }, "skip needs a reason"],
    [{ skip: 3 }, "skip needs a reason"],
    [{ signal: "SIGFOO" }, "unknown signal; expected one of SIGTERM, SIGINT"],
    [{ signal: 9 }, "unknown signal"],
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

Deno.test("reply: { handled } in beforeKill is refused and points to stop()", () => {
  // Acting while deciding would act before later plugins could refuse.
  assertThrows(
    () => parseBeforeKillReply({ handled: true }, SIGNALS),
    InvalidReplyError,
    "beforeKill only decides; stop the process in a stop() hook and reply { handled: true } there",
  );
});

Deno.test("reply: stop answers nothing or { handled: true }", () => {
  assertEquals(parseStopReply(undefined), { handled: false });
  assertEquals(parseStopReply(null), { handled: false });
  assertEquals(parseStopReply({ handled: true }), { handled: true });
  for (const value of [{}, { handled: false }, { handled: "yes" }, { skip: "x" }, "handled", 1]) {
    assertThrows(
      () => parseStopReply(value),
      InvalidReplyError,
      "expected nothing or { handled: true }",
    );
  }
});

Deno.test("reply: the allowed signals come from the caller (the OS backend)", () => {
  assertThrows(
    () => parseBeforeKillReply({ signal: "SIGHUP" }, ["SIGTERM", "SIGINT", "SIGKILL"]),
    InvalidReplyError,
    "expected one of SIGTERM, SIGINT, SIGKILL",
  );
});
