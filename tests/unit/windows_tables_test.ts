// Decoders of the Win32 byte layouts, on tables captured from real Windows deno.exe (under Wine,
// tests/fixtures/windows/capture.ts and capture_parameters.ts) and on rows built here from the
// documented layouts.
// Pure decoding: runs on every OS.

import { assertEquals, assertThrows } from "../support/assert.ts";
import {
  decodeProcessEntry,
  decodeRemoteString,
  decodeSocketTable,
  decodeUtf16z,
  fileTimeToken,
  fileTimeTokenToMs,
  folderPath,
  type OwnedSocketRow,
  remoteStringIn,
  RTL_USER_PROCESS_PARAMETERS_X64,
  type TableKind,
  tcpStateName,
} from "../../src/platform/windows/tables.ts";

const fixtures = new URL("../fixtures/windows/", import.meta.url);
const readFixture = (name: string) => Deno.readFileSync(new URL(name, fixtures));

interface Capture {
  capturer: number;
  listeners: { kind: TableKind; port: number; pid: number }[];
  clients: { local: number; remote: number; family: 4 | 6 }[];
}
const capture = JSON.parse(Deno.readTextFileSync(new URL("capture.json", fixtures))) as Capture;

const socketOf = (row: OwnedSocketRow) => ({ ...row.socket, pid: row.pid });

Deno.test("captured tcp4 table: the listener LISTENs, both ends of the connection are ESTABLISHED", () => {
  const rows = decodeSocketTable("tcp4", readFixture("tcp4.bin")).map(socketOf);
  const listener = capture.listeners.find((l) => l.kind === "tcp4")!;
  const client = capture.clients.find((c) => c.family === 4)!;
  const base = { protocol: "tcp", family: 4, address: "127.0.0.1", uid: null, user: null } as const;
  assertEquals(rows, [
    { ...base, port: client.local, state: "ESTABLISHED", pid: capture.capturer },
    { ...base, port: listener.port, state: "LISTEN", pid: listener.pid },
    { ...base, port: listener.port, state: "ESTABLISHED", pid: listener.pid },
  ]);
});

Deno.test("captured tcp6 table: ::1 rows with ports, states and owners", () => {
  const rows = decodeSocketTable("tcp6", readFixture("tcp6.bin")).map(socketOf);
  const listener = capture.listeners.find((l) => l.kind === "tcp6")!;
  const client = capture.clients.find((c) => c.family === 6)!;
  const base = { protocol: "tcp", family: 6, address: "::1", uid: null, user: null } as const;
  assertEquals(rows, [
    { ...base, port: client.local, state: "ESTABLISHED", pid: capture.capturer },
    { ...base, port: listener.port, state: "LISTEN", pid: listener.pid },
    { ...base, port: listener.port, state: "ESTABLISHED", pid: listener.pid },
  ]);
});

Deno.test("captured udp4 and udp6 tables: bound sockets are UNCONN", () => {
  for (const kind of ["udp4", "udp6"] as const) {
    const listener = capture.listeners.find((l) => l.kind === kind)!;
    assertEquals(decodeSocketTable(kind, readFixture(`${kind}.bin`)).map(socketOf), [{
      protocol: "udp",
      family: kind === "udp4" ? 4 : 6,
      address: kind === "udp4" ? "127.0.0.1" : "::1",
      port: listener.port,
      state: "UNCONN",
      uid: null,
      user: null,
      pid: listener.pid,
    }]);
  }
});

Deno.test("captured PROCESSENTRY32W: the tcp4 listener's PID, parent and image name", () => {
  const listener = capture.listeners.find((l) => l.kind === "tcp4")!;
  assertEquals(decodeProcessEntry(readFixture("processentry32w.bin")), {
    pid: listener.pid,
    ppid: capture.capturer,
    exeFile: "deno.exe",
  });
});

// Rows built from the documented layouts (tcpmib.h, udpmib.h), with offsets written out here
// independently of the decoder's table, so a wrong offset there cannot hide.

/** A table: DWORD dwNumEntries, then the rows. */
function table(rows: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(4 + rows.reduce((n, r) => n + r.length, 0));
  new DataView(out.buffer).setUint32(0, rows.length, true);
  let at = 4;
  for (const row of rows) {
    out.set(row, at);
    at += row.length;
  }
  return out;
}

/** Port in network byte order in the low 16 bits of a little-endian DWORD. */
function setPort(view: DataView, at: number, port: number): void {
  view.setUint16(at, port, false);
  view.setUint16(at + 2, 0xbeef, true); // junk in the high half must be ignored
}

function tcp4Row(state: number, addr: number[], port: number, pid: number): Uint8Array {
  const row = new Uint8Array(24);
  const view = new DataView(row.buffer);
  view.setUint32(0, state, true); // dwState
  row.set(addr, 4); // dwLocalAddr, network byte order
  setPort(view, 8, port); // dwLocalPort
  row.set([10, 0, 0, 9], 12); // dwRemoteAddr
  setPort(view, 16, 51000); // dwRemotePort
  view.setUint32(20, pid, true); // dwOwningPid
  return row;
}

function tcp6Row(state: number, addr: number[], port: number, pid: number): Uint8Array {
  const row = new Uint8Array(56);
  const view = new DataView(row.buffer);
  row.set(addr, 0); // ucLocalAddr[16]
  view.setUint32(16, 7, true); // dwLocalScopeId
  setPort(view, 20, port); // dwLocalPort
  row.set([0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 9], 24); // ucRemoteAddr[16]
  view.setUint32(40, 0, true); // dwRemoteScopeId
  setPort(view, 44, 51000); // dwRemotePort
  view.setUint32(48, state, true); // dwState
  view.setUint32(52, pid, true); // dwOwningPid
  return row;
}

function udp4Row(addr: number[], port: number, pid: number): Uint8Array {
  const row = new Uint8Array(12);
  const view = new DataView(row.buffer);
  row.set(addr, 0); // dwLocalAddr
  setPort(view, 4, port); // dwLocalPort
  view.setUint32(8, pid, true); // dwOwningPid
  return row;
}

function udp6Row(addr: number[], port: number, pid: number): Uint8Array {
  const row = new Uint8Array(28);
  const view = new DataView(row.buffer);
  row.set(addr, 0); // ucLocalAddr[16]
  view.setUint32(16, 3, true); // dwLocalScopeId
  setPort(view, 20, port); // dwLocalPort
  view.setUint32(24, pid, true); // dwOwningPid
  return row;
}

const ipv6 = (hex: string) => hex.match(/../g)!.map((b) => parseInt(b, 16));

Deno.test("tcp4 rows: every MIB_TCP_STATE named as Linux names it", () => {
  const names = [
    "CLOSE",
    "LISTEN",
    "SYN_SENT",
    "SYN_RECV",
    "ESTABLISHED",
    "FIN_WAIT1",
    "FIN_WAIT2",
    "CLOSE_WAIT",
    "CLOSING",
    "LAST_ACK",
    "TIME_WAIT",
    "DELETE_TCB",
  ];
  const rows = decodeSocketTable(
    "tcp4",
    table(names.map((_, i) => tcp4Row(i + 1, [192, 168, 1, 20], 8000 + i, 100 + i))),
  );
  assertEquals(rows.map((r) => r.socket.state), names);
  assertEquals(rows.map((r) => r.socket.port), names.map((_, i) => 8000 + i));
  assertEquals(rows.map((r) => r.pid), names.map((_, i) => 100 + i));
  assertEquals(rows[0].socket.address, "192.168.1.20");
  assertEquals(tcpStateName(0), "UNKNOWN");
  assertEquals(tcpStateName(13), "UNKNOWN");
});

Deno.test("tcp4 rows: 0.0.0.0, high ports, PID 4 and PID 0 decode as they are", () => {
  const rows = decodeSocketTable(
    "tcp4",
    table([tcp4Row(2, [0, 0, 0, 0], 80, 4), tcp4Row(11, [127, 0, 0, 1], 65535, 0)]),
  );
  assertEquals(rows.map(socketOf), [
    {
      protocol: "tcp",
      family: 4,
      address: "0.0.0.0",
      port: 80,
      state: "LISTEN",
      uid: null,
      user: null,
      pid: 4,
    },
    {
      protocol: "tcp",
      family: 4,
      address: "127.0.0.1",
      port: 65535,
      state: "TIME_WAIT",
      uid: null,
      user: null,
      pid: 0,
    },
  ]);
});

Deno.test("tcp6 rows: addresses printed compressed, mapped IPv4 as ::ffff:a.b.c.d", () => {
  const cases: [string, string][] = [
    ["00000000000000000000000000000000", "::"],
    ["00000000000000000000000000000001", "::1"],
    ["fe800000000000000000000000000001", "fe80::1"],
    ["20010db8000000000000000000000001", "2001:db8::1"],
    ["20010db8000000000001000000000001", "2001:db8::1:0:0:1"],
    ["00010000000000020000000000000003", "1:0:0:2::3"],
    ["20010db8000100010001000100010001", "2001:db8:1:1:1:1:1:1"],
    ["20010db8000000010001000100010001", "2001:db8:0:1:1:1:1:1"],
    ["00000000000000000000ffff7f000001", "::ffff:127.0.0.1"],
    ["00000000000000000000ffffc0a80114", "::ffff:192.168.1.20"],
    ["ffffffffffffffffffffffffffffffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
  ];
  const rows = decodeSocketTable(
    "tcp6",
    table(cases.map(([hex], i) => tcp6Row(2, ipv6(hex), 3000 + i, 42))),
  );
  assertEquals(rows.map((r) => r.socket.address), cases.map(([, text]) => text));
  assertEquals(rows.map((r) => r.socket.port), cases.map((_, i) => 3000 + i));
  assertEquals(
    new Set(rows.map((r) => `${r.socket.family} ${r.socket.state} ${r.pid}`)),
    new Set(["6 LISTEN 42"]),
  );
});

Deno.test("udp4 and udp6 rows: UNCONN with port and owner", () => {
  assertEquals(
    decodeSocketTable(
      "udp4",
      table([udp4Row([0, 0, 0, 0], 53, 1234), udp4Row([127, 0, 0, 1], 5353, 88)]),
    )
      .map(socketOf),
    [
      {
        protocol: "udp",
        family: 4,
        address: "0.0.0.0",
        port: 53,
        state: "UNCONN",
        uid: null,
        user: null,
        pid: 1234,
      },
      {
        protocol: "udp",
        family: 4,
        address: "127.0.0.1",
        port: 5353,
        state: "UNCONN",
        uid: null,
        user: null,
        pid: 88,
      },
    ],
  );
  assertEquals(
    decodeSocketTable("udp6", table([udp6Row(ipv6("00000000000000000000000000000000"), 546, 900)]))
      .map(
        socketOf,
      ),
    [{
      protocol: "udp",
      family: 6,
      address: "::",
      port: 546,
      state: "UNCONN",
      uid: null,
      user: null,
      pid: 900,
    }],
  );
});

Deno.test("an empty table decodes to no rows; slack after the rows is ignored", () => {
  assertEquals(decodeSocketTable("tcp4", new Uint8Array(4)), []);
  const padded = new Uint8Array(4 + 12 + 100);
  padded.set(table([udp4Row([127, 0, 0, 1], 9, 7)]));
  padded.fill(0xff, 16);
  assertEquals(decodeSocketTable("udp4", padded).length, 1);
});

Deno.test("a table shorter than its row count is refused, not read past its end", () => {
  const full = table([tcp6Row(2, ipv6("00000000000000000000000000000001"), 1, 1)]);
  assertThrows(
    () => decodeSocketTable("tcp6", full.subarray(0, full.length - 1)),
    /tcp6 table truncated/,
  );
  assertThrows(() => decodeSocketTable("udp4", new Uint8Array(2)), /too short/);
});

Deno.test("decoders honour a view's byte offset", () => {
  const bytes = table([udp4Row([10, 1, 2, 3], 4000, 5)]);
  const shifted = new Uint8Array(bytes.length + 8);
  shifted.set(bytes, 8);
  assertEquals(decodeSocketTable("udp4", shifted.subarray(8)).map(socketOf), [
    {
      protocol: "udp",
      family: 4,
      address: "10.1.2.3",
      port: 4000,
      state: "UNCONN",
      uid: null,
      user: null,
      pid: 5,
    },
  ]);
});

Deno.test("PROCESSENTRY32W built from its x64 layout", () => {
  const entry = new Uint8Array(568);
  const view = new DataView(entry.buffer);
  view.setUint32(0, 568, true); // dwSize
  view.setUint32(8, 4242, true); // th32ProcessID
  view.setBigUint64(16, 0xdeadn, true); // th32DefaultHeapID (ULONG_PTR)
  view.setUint32(28, 9, true); // cntThreads
  view.setUint32(32, 17, true); // th32ParentProcessID
  const name = "nöde sérver.exe";
  for (let i = 0; i < name.length; i++) view.setUint16(44 + 2 * i, name.charCodeAt(i), true); // szExeFile
  assertEquals(decodeProcessEntry(entry), { pid: 4242, ppid: 17, exeFile: name });
  assertThrows(() => decodeProcessEntry(entry.subarray(0, 564)), /568 bytes/);
});

Deno.test("decodeUtf16z stops at NUL or at the limit", () => {
  const bytes = new Uint8Array([0x61, 0, 0x62, 0, 0x63, 0, 0, 0, 0x64, 0]);
  assertEquals(decodeUtf16z(bytes, 0, 10), "abc");
  assertEquals(decodeUtf16z(bytes, 0, 2), "ab");
  assertEquals(decodeUtf16z(bytes, 8, 10), "d");
});

Deno.test("fileTimeToken joins the two DWORDs of a FILETIME, low first", () => {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x8d8a_b3de, true); // dwLowDateTime
  view.setUint32(4, 0x01dc_5e2b, true); // dwHighDateTime
  assertEquals(fileTimeToken(bytes), ((0x01dc_5e2bn << 32n) | 0x8d8a_b3den).toString());
});

Deno.test("captured parameters block: the working folder and command line of a listener", () => {
  const block = readFixture("process_parameters.bin");
  const capture = JSON.parse(
    Deno.readTextFileSync(new URL("process_parameters.json", fixtures)),
  ) as { address: string; cwd: string; command: string[] };
  const blockAddress = BigInt(capture.address);
  const layout = RTL_USER_PROCESS_PARAMETERS_X64;
  assertEquals(new DataView(block.buffer).getUint32(layout.length, true), block.byteLength);
  const folder = decodeRemoteString(block, layout.currentDirectory);
  const dosPath = remoteStringIn(block, { blockAddress, string: folder })!;
  assertEquals(dosPath, `${capture.cwd}\\`, "CurrentDirectory.DosPath ends in a backslash");
  assertEquals(folderPath(dosPath), capture.cwd, "the listener's own Deno.cwd()");
  const command = remoteStringIn(block, {
    blockAddress,
    string: decodeRemoteString(block, layout.commandLine),
  });
  assertEquals(command, capture.command.join(" ")); // no spaces in it: Deno quotes nothing
  // Characters outside the copied block are read on their own: the decoder says so with null.
  assertEquals(
    remoteStringIn(block, { blockAddress: blockAddress + 0x1000n, string: folder }),
    null,
  );
  assertEquals(
    remoteStringIn(block, { blockAddress: blockAddress - 0x1000n, string: folder }),
    null,
  );
});

Deno.test("working folders as people write them; creation times as epoch milliseconds", () => {
  assertEquals(folderPath("C:\\shop\\api\\"), "C:\\shop\\api");
  assertEquals(folderPath("C:\\"), "C:\\");
  assertEquals(folderPath("\\\\server\\share\\app\\"), "\\\\server\\share\\app");
  assertEquals(fileTimeTokenToMs("116444736000000000"), 0);
  // 2024-05-20T16:00:00.123Z in 100 ns ticks since 1601.
  assertEquals(fileTimeTokenToMs("133606944001234567"), Date.UTC(2024, 4, 20, 16, 0, 0, 123));
  assertEquals(fileTimeTokenToMs(""), null);
});
