/**
 * The picker's rules without a terminal: keys from bytes, the filter, the highlight and marks
 * across refreshes, and the check that what was confirmed is still what holds the port. The rows
 * are built as `lookupHolders` returns them; the tmux suite runs the same rules on real listeners.
 */

import { assert, assertEquals } from "../support/assert.ts";
import type { SocketHolder } from "../../src/core/lookup.ts";
import type { ProcessInfo, ProcessManager } from "../../src/platform/types.ts";
import { readKeys } from "../../src/cli/picker/keys.ts";
import { checkPlan, planFor, planTargets } from "../../src/cli/picker/plan.ts";
import { matchesFilter, pickRows } from "../../src/cli/picker/rows.ts";
import {
  CHANGED_PLAN_GRACE_MS,
  confirmAgainst,
  cursorIndex,
  initialState,
  type PickerState,
  pressKey,
  visibleRows,
  withRows,
} from "../../src/cli/picker/state.ts";
import { renderFrame } from "../../src/cli/picker/screen.ts";
import { PLAIN } from "../../src/output/style.ts";

function process(pid: number, startTime = `${pid}00`, name = "node"): ProcessInfo {
  return {
    pid,
    ppid: 1,
    name,
    user: "dev",
    command: `${name} server.js`,
    startTime,
    cwd: null,
    startedAtMs: null,
    exe: null,
  };
}

function row(port: number, holder: ProcessInfo | null): SocketHolder {
  return {
    socket: {
      protocol: "tcp",
      family: 4,
      address: "127.0.0.1",
      port,
      state: "LISTEN",
      uid: 1000,
      user: "dev",
    },
    holder: holder
      ? { kind: "visible", process: holder, note: null, manager: null }
      : { kind: "hidden", note: "owner not visible: run with sudo" },
  };
}

const MODES = [{ kind: "escalate" }, { kind: "single", signal: "SIGKILL" }] as const;

function state(rows: SocketHolder[]): PickerState {
  return initialState(pickRows(rows), { mode: MODES[0], modes: MODES, protocol: null });
}

function press(s: PickerState, ...keys: Parameters<typeof pressKey>[1][]): PickerState {
  for (const key of keys) s = pressKey(s, key, { pageSize: 10, now: 0 })[0];
  return s;
}

const highlighted = (s: PickerState) => visibleRows(s)[cursorIndex(s)]?.process?.pid;

Deno.test("keys: arrows, paging, Ctrl keys, Escape alone, text and modified arrows", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  assertEquals(readKeys(bytes("\x1b[A\x1bOB\x1b[5~\x1b[6~\x1b[1;5A")), [
    { kind: "up" },
    { kind: "down" },
    { kind: "page-up" },
    { kind: "page-down" },
    { kind: "up" },
  ]);
  assertEquals(readKeys(bytes("\x1b")), [{ kind: "escape" }]);
  assertEquals(readKeys(bytes("\x03\x10\x0e\r \x7f")), [
    { kind: "ctrl", letter: "c" },
    { kind: "ctrl", letter: "p" },
    { kind: "ctrl", letter: "n" },
    { kind: "enter" },
    { kind: "space" },
    { kind: "backspace" },
  ]);
  // A sequence portctl does not use (F5) is dropped whole.
  assertEquals(readKeys(bytes(":3000\x1b[15~é")), [{ kind: "text", text: ":3000é" }]);
});

Deno.test("filter: case-insensitive substring of port (3000 and :3000), name, command, user", () => {
  const [r] = pickRows([row(3000, process(42, "1", "Node"))]);
  for (const text of ["3000", ":3000", "node", "SERVER.JS", "dev", "42"]) {
    assert(matchesFilter(r, text), text);
  }
  assert(!matchesFilter(r, ":3001"));
  assert(!matchesFilter(r, "python"));
});

Deno.test("the highlight stays on its process when rows appear above it and others vanish", () => {
  let s = state([row(3000, process(10)), row(4000, process(20)), row(5000, process(30))]);
  s = press(s, { kind: "down" });
  assertEquals(highlighted(s), 20);
  s = withRows(s, pickRows([row(2000, process(5)), row(4000, process(20))]), 0);
  assertEquals(highlighted(s), 20);
  // Its process gone, the highlight stays at the same place rather than jumping to the top.
  s = withRows(s, pickRows([row(2000, process(5)), row(6000, process(60))]), 0);
  assertEquals(highlighted(s), 60);
});

Deno.test("a mark follows the process instance: the same PID with a new start time is unmarked", () => {
  let s = state([row(3000, process(10)), row(4000, process(20))]);
  s = press(s, { kind: "space" });
  assertEquals(s.marked.size, 1);
  s = withRows(s, pickRows([row(3000, process(10, "999")), row(4000, process(20))]), 0);
  assertEquals(s.marked.size, 0);
});

Deno.test("a row whose owner is hidden cannot be marked or confirmed", () => {
  let s = press(state([row(3000, null)]), { kind: "space" });
  assertEquals(s.marked.size, 0);
  s = press(s, { kind: "enter" });
  assertEquals(s.view.kind, "list");
  assert(s.notice?.includes("not visible"));
});

Deno.test("checkPlan: same PID and new start time, a new PID, a port nobody holds", () => {
  const plan = planFor(pickRows([row(3000, process(10)), row(4000, process(20))]));
  assertEquals(checkPlan(plan, pickRows([row(3000, process(10)), row(4000, process(20))])), {
    kind: "unchanged",
  });
  const restarted = checkPlan(plan, pickRows([row(3000, process(10, "777")), row(4000, null)]));
  assert(restarted.kind === "changed");
  assertEquals(restarted.plan.map((end) => [end.process.pid, end.process.startTime]), [
    [10, "777"],
  ]);
  assertEquals(restarted.changes.map((c) => c.kind), ["replaced", "gone"]);
  const replaced = checkPlan(plan, pickRows([row(3000, process(11)), row(4000, process(20))]));
  assert(replaced.kind === "changed");
  assertEquals(replaced.plan.map((end) => end.process.pid), [11, 20]);
  assertEquals(planTargets(plan).map((t) => t.text), ["tcp:3000", "tcp:4000"]);
});

Deno.test("y after a change shows a fresh confirmation, and counts only once it was on screen", () => {
  let s = press(state([row(3000, process(10))]), { kind: "enter" });
  assertEquals(s.view.kind, "confirm");
  const fresh = pickRows([row(3000, process(11))]);
  const checked = confirmAgainst(s, fresh, 1000);
  assert(checked.kind === "changed");
  s = checked.state;
  assert(s.view.kind === "confirm" && s.view.plan[0].process.pid === 11);
  const early = pressKey(s, { kind: "text", text: "y" }, { pageSize: 10, now: 1001 });
  assertEquals(early[1], "none");
  const later = pressKey(s, { kind: "text", text: "y" }, {
    pageSize: 10,
    now: 1000 + CHANGED_PLAN_GRACE_MS,
  });
  assertEquals(later[1], "confirm");
  assertEquals(confirmAgainst(later[0], fresh, 2000).kind, "end");
});

Deno.test("a confirmation whose processes are all gone goes back to the list", () => {
  const s = press(state([row(3000, process(10))]), { kind: "enter" });
  const after = withRows(s, [], 0);
  assertEquals(after.view.kind, "list");
  assert(after.notice?.includes("nothing left"));
});

Deno.test("every frame line fits the width, even at 20 columns and with hostile names", () => {
  const hostile = { ...process(10), command: "evil\x1b[2J\nFAKE ROW " + "x".repeat(200) };
  for (const width of [20, 50, 80]) {
    const frame = renderFrame(state([row(3000, hostile)]), {
      width,
      height: 10,
      style: PLAIN,
      describeMode: () => "SIGTERM, then SIGKILL after 5 s",
      plugins: true,
      level: "auto",
    });
    assertEquals(frame.lines.length, 10);
    for (const line of frame.lines) {
      assert([...line].length <= width, `${width}: ${line}`);
      // deno-lint-ignore no-control-regex
      assert(!/[\x00-\x1f]/.test(line), line);
    }
  }
});

Deno.test("MANAGER and FOLDER columns appear when known; the confirmation says a container is stopped through its engine", () => {
  const docker: ProcessManager = {
    kind: "docker",
    name: "web",
    id: "4f1c",
    stopCommand: "docker stop web",
    forwarder: true,
    restart: { kind: "within", ms: 2000 },
    stop: { kind: "engine", socket: "/var/run/docker.sock", id: "4f1c" },
  };
  const proxy = {
    ...process(10, "100", "docker-proxy"),
    cwd: { path: "/srv/web", deleted: false },
  };
  const managed: SocketHolder = {
    ...row(8080, proxy),
    holder: { kind: "visible", process: proxy, note: null, manager: docker },
  };
  const options = (level: "auto" | "process") => ({
    width: 120,
    height: 10,
    style: PLAIN,
    describeMode: () => "SIGTERM, then SIGKILL after 5 s",
    plugins: false,
    level,
  });
  const plain = renderFrame(state([row(3000, process(20))]), options("auto")).lines.join("\n");
  assert(!plain.includes("MANAGER") && !plain.includes("FOLDER"), plain);
  const list = renderFrame(state([managed, row(3000, process(20))]), options("auto"));
  const header = list.lines.find((line) => line.includes("PID")) ?? "";
  assert(/NAME\s+MANAGER\s+FOLDER\s+COMMAND/.test(header), header);
  assert(list.lines.some((line) => /docker:web\s+\/srv\/web/.test(line)), list.lines.join("\n"));
  // Typing the manager's name finds its row.
  assertEquals(visibleRows(press(state([managed]), { kind: "text", text: "docker:w" })).length, 1);

  const confirming = press(state([managed]), { kind: "enter" });
  const auto = renderFrame(confirming, options("auto")).lines.join("\n");
  assert(auto.includes("stopped through docker (web): docker stop web"), auto);
  const signalled = renderFrame(confirming, options("process")).lines.join("\n");
  assert(!signalled.includes("stopped through") && signalled.includes("docker-proxy"), signalled);
});
