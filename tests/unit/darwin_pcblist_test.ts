/**
 * The `pcblist_n` decoder on byte fixtures laid out by a C compiler (under `#pragma pack(4)`, as
 * XNU declares these records). Runs on every OS.
 */

import { assertEquals, assertThrows } from "../support/assert.ts";
import { darwinFixture } from "../fixtures/darwin/fixtures.ts";
import { decodePcbList, XINPCB_N } from "../../src/platform/darwin/pcblist.ts";
import { decodeSocketFdInfo } from "../../src/platform/darwin/proc_info.ts";

Deno.test("decodePcbList: TCP rows, past the padded 204-byte xtcpcb_n records", () => {
  assertEquals(XINPCB_N.size, 104);
  const rows = decodePcbList(darwinFixture("pcblist_tcp"), "tcp");
  assertEquals(rows.map((row) => row.entry), [
    {
      protocol: "tcp",
      family: 4,
      address: "127.0.0.1",
      port: 8080,
      state: "LISTEN",
      uid: 501,
      user: null,
    },
    {
      protocol: "tcp",
      family: 6,
      address: "::",
      port: 3000,
      state: "LISTEN",
      dualStack: true,
      uid: 0,
      user: null,
    },
    {
      protocol: "tcp",
      family: 4,
      address: "127.0.0.1",
      port: 8080,
      state: "TIME_WAIT",
      uid: null,
      user: null,
    },
    {
      protocol: "tcp",
      family: 4,
      address: "127.0.0.1",
      port: 8080,
      state: "FIN_WAIT2",
      uid: 501,
      user: null,
    },
    {
      protocol: "tcp",
      family: 6,
      address: "::",
      port: 3001,
      state: "LISTEN",
      dualStack: false,
      uid: 501,
      user: null,
    },
  ]);
  assertEquals(rows.map((row) => String(row.generation)), [
    "4660",
    "1099511627778",
    "4608",
    "4609",
    "1099511627779",
  ]);
  // No socket, or a socket no fd refers to any more (SS_NOFDREF): no process can hold it.
  assertEquals(rows.map((row) => row.orphaned), [false, false, true, true, false]);
  assertEquals(rows.map((row) => row.lastPid), [4242, 1, null, 4242, 4242]);
});

Deno.test("decodePcbList: dualStack only on ::, from inp_flags' IN6P_IPV6_V6ONLY", () => {
  const rows = decodePcbList(darwinFixture("pcblist_tcp"), "tcp");
  // assertEquals ignores undefined members: check that the key is really absent elsewhere.
  assertEquals(rows.map((row) => "dualStack" in row.entry), [false, true, false, false, true]);
  // The same socket seen through libproc says the same.
  const fd = decodeSocketFdInfo(darwinFixture("socket_tcp6_any_v6only"));
  assertEquals(rows[4].entry, fd?.entry);
  assertEquals(String(rows[4].generation), String(fd?.generation));
});

Deno.test("decodePcbList: UDP rows, bound and connected", () => {
  const rows = decodePcbList(darwinFixture("pcblist_udp"), "udp");
  assertEquals(rows.map((row) => row.entry), [
    {
      protocol: "udp",
      family: 6,
      address: "fe80::1",
      port: 5353,
      state: "UNCONN",
      uid: 65,
      user: null,
    },
    {
      protocol: "udp",
      family: 4,
      address: "10.0.0.5",
      port: 41000,
      state: "ESTABLISHED",
      uid: 501,
      user: null,
    },
  ]);
});

Deno.test("decodePcbList: a table row and a process's fd name the same PCB", () => {
  // Both copy inp_gencnt: that is how portctl links a socket to the processes that hold it.
  const row = decodePcbList(darwinFixture("pcblist_tcp"), "tcp")[0];
  const fd = decodeSocketFdInfo(darwinFixture("socket_tcp4_listen"));
  assertEquals(String(row.generation), String(fd?.generation));
  assertEquals(row.entry, fd?.entry);
});

Deno.test("decodePcbList: an empty table is just the two xinpgen headers", () => {
  const empty = new Uint8Array(48);
  const data = new DataView(empty.buffer);
  data.setUint32(0, 24, true);
  data.setUint32(24, 24, true);
  assertEquals(decodePcbList(empty, "tcp"), []);
});

Deno.test("decodePcbList: a record running past the end means a layout it does not know", () => {
  const bytes = darwinFixture("pcblist_tcp");
  assertThrows(() => decodePcbList(bytes.subarray(0, 200), "tcp"), /runs past the end/);
  assertThrows(() => decodePcbList(new Uint8Array(8), "tcp"), /shorter than its header/);
});

Deno.test("decodePcbList: an unexpected header size is refused", () => {
  const bytes = darwinFixture("pcblist_udp").slice();
  new DataView(bytes.buffer).setUint32(0, 32, true);
  assertThrows(() => decodePcbList(bytes, "udp"), /header says 32 bytes, expected 24/);
});
