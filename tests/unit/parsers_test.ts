import { assertEquals, assertThrows } from "../support/assert.ts";
import { durationParser, formatDuration, parseDuration } from "../../src/cli/parsers.ts";
import { UsageError } from "../../src/core/errors.ts";

Deno.test("durations: units and plain seconds, in milliseconds", () => {
  const cases: [string, number | null][] = [
    ["500ms", 500],
    ["5s", 5000],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["1.5s", 1500],
    ["0.25m", 15_000],
    ["5", 5000], // a plain number keeps meaning seconds
    ["0.5", 500],
    ["0", 0],
    [" 3s ", 3000],
    ["5x", null],
    ["2 m", null],
    ["5S", null],
    ["-1", null],
    [".5", null],
    ["1e3", null],
    ["1m30s", null],
    ["", null],
    ["ms", null],
  ];
  for (const [text, ms] of cases) assertEquals(parseDuration(text), ms, JSON.stringify(text));
});

Deno.test("durations: a flag's parser keeps its range and names the flag in one line", () => {
  assertEquals(durationParser("--timeout")("2m"), 120_000);
  assertEquals(durationParser("--plugin-timeout", { minimumMs: 100 })("100ms"), 100);
  for (const text of ["5x", "25h", "86401"]) {
    const error = assertThrows(() => durationParser("--timeout")(text), UsageError);
    assertEquals(
      error.message,
      `invalid --timeout "${text}": expected a duration from 0s to 24h such as 500ms, 5s or 2m ` +
        "(a plain number is seconds)",
    );
  }
  const tooShort = assertThrows(
    () => durationParser("--plugin-timeout", { minimumMs: 100 })("0.05"),
    UsageError,
  );
  assertEquals(tooShort.message.includes("from 100ms to 24h"), true, tooShort.message);
  assertEquals(durationParser("--timeout")("86400"), 86_400_000, "a day is the most");
});

Deno.test("durations: formatted in the largest whole unit", () => {
  assertEquals([0, 100, 1500, 5000, 120_000, 86_400_000].map(formatDuration), [
    "0s",
    "100ms",
    "1500ms",
    "5s",
    "2m",
    "24h",
  ]);
});
