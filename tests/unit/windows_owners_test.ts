// Who holds a Windows socket row, and the notes for Windows' traps (pure; runs on every OS).

import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import {
  heldSocketFor,
  unheldPortNote,
  WSAEACCES,
  WSAEADDRINUSE,
} from "../../src/platform/windows/owners.ts";
import type { ProcessEntry } from "../../src/platform/windows/tables.ts";
import type { SocketEntry, SocketState } from "../../src/platform/types.ts";
import { windowsToClose } from "../../src/platform/windows/graceful.ts";

const socket = (state: SocketState = "LISTEN", port = 8080): SocketEntry => ({
  protocol: "tcp",
  family: 4,
  address: "0.0.0.0",
  port,
  state,
  uid: null,
  user: null,
});

function snapshot(...entries: ProcessEntry[]): Map<number, ProcessEntry> {
  return new Map(entries.map((e) => [e.pid, e]));
}

const live = snapshot(
  { pid: 4, ppid: 0, exeFile: "System" },
  { pid: 700, ppid: 600, exeFile: "node.exe" },
  { pid: 810, ppid: 800, exeFile: "node.exe" },
  { pid: 811, ppid: 800, exeFile: "esbuild.exe" },
);

Deno.test("a live owner holds its socket", () => {
  assertEquals(heldSocketFor({ socket: socket(), pid: 700 }, live), {
    socket: socket(),
    holders: { kind: "visible", pids: [700], note: null },
  });
});

Deno.test("PID 4 is the kernel: kept as the holder, with HTTP.sys named in the note", () => {
  const { holders } = heldSocketFor({ socket: socket("LISTEN", 80), pid: 4 }, live);
  assert(holders.kind === "visible");
  assertEquals(holders.pids, [4]);
  assertMatch(holders.note ?? "", /Windows kernel \(PID 4, System\)/);
  assertMatch(holders.note ?? "", /HTTP\.sys/);
  assertMatch(holders.note ?? "", /netsh http show servicestate/);
});

Deno.test("PID 0 rows belong to no process: ownerless, nothing to end", () => {
  const { holders } = heldSocketFor({ socket: socket("TIME_WAIT"), pid: 0 }, live);
  assertEquals(holders.kind, "none");
  assertMatch(holders.note ?? "", /PID 0/);
  assertMatch(holders.note ?? "", /TIME_WAIT until it expires/);
});

Deno.test("an exited owner: its live children are named as the likely holders, not ended", () => {
  const { holders } = heldSocketFor({ socket: socket(), pid: 800 }, live);
  assert(holders.kind === "hidden");
  assertEquals(holders.visiblePids, []);
  assertMatch(holders.note, /owning process 800 has exited/);
  assertMatch(holders.note, /810 node\.exe, 811 esbuild\.exe/);
});

Deno.test("an exited owner with no live children says so", () => {
  const { holders } = heldSocketFor({ socket: socket(), pid: 900 }, live);
  assert(holders.kind === "hidden");
  assertEquals(holders.visiblePids, []);
  assertMatch(holders.note, /no live child of 900/);
});

Deno.test("many children: the note names five and counts the rest", () => {
  const children = Array.from(
    { length: 8 },
    (_, i) => ({ pid: 1000 + i, ppid: 999, exeFile: "w.exe" }),
  );
  const note = heldSocketFor({ socket: socket(), pid: 999 }, snapshot(...children)).holders.note ??
    "";
  assertMatch(note, /1004 w\.exe and 3 more$/);
  assert(!note.includes("1005"));
});

Deno.test("a port nobody holds but that will not bind: reserved by Windows, or held elsewhere", () => {
  assertEquals(unheldPortNote("tcp", 50000, 0), null);
  const reserved = unheldPortNote("tcp", 50000, WSAEACCES) ?? "";
  assertMatch(reserved, /tcp port 50000/);
  assertMatch(reserved, /Hyper-V/);
  assertMatch(reserved, /netsh int ipv4 show excludedportrange protocol=tcp/);
  assertMatch(unheldPortNote("udp", 53, WSAEADDRINUSE) ?? "", /udp port 53.*WSAEADDRINUSE/);
  assertMatch(unheldPortNote("udp", 53, 10050) ?? "", /Winsock error 10050/);
});

Deno.test("WM_CLOSE goes to visible windows, or to the hidden ones when none is visible", () => {
  const a = { id: "a", visible: false };
  const b = { id: "b", visible: true };
  const c = { id: "c", visible: false };
  assertEquals(windowsToClose([a, b, c]), [b]);
  assertEquals(windowsToClose([a, c]), [a, c]);
  assertEquals(windowsToClose([]), []);
});
