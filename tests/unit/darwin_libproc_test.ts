/**
 * The darwin decoders on byte fixtures laid out by a C compiler from XNU's struct definitions.
 * Pure decoding, no dlopen: these run on every OS.
 */

import { assert, assertEquals, assertThrows } from "../support/assert.ts";
import { COMPILED, darwinFixture } from "../fixtures/darwin/fixtures.ts";
import {
  decodeBsdInfo,
  decodeBsdShortInfo,
  decodeKinfoProcStart,
  decodeProcArgs,
  decodeSocketFdInfo,
  IN_SOCKINFO,
  KINFO_PROC,
  PROC_BSDINFO,
  PROC_BSDSHORTINFO,
  PROC_FDINFO,
  SOCKET_FDINFO,
  socketFdLocalPort,
  socketFds,
  startTimeToken,
} from "../../src/platform/darwin/proc_info.ts";
import { tcpStateName } from "../../src/platform/darwin/inet.ts";
import {
  decodeWorkingFolder,
  PROC_VNODEPATHINFO,
  startTimeTokenToMs,
} from "../../src/platform/darwin/proc_where.ts";

Deno.test("darwin layouts: struct sizes match the compiled XNU structs", () => {
  // sizeof(struct socket_fdinfo) = 792, sizeof(struct proc_bsdinfo) = 136 on LP64 macOS.
  assertEquals(SOCKET_FDINFO.size, 792);
  assertEquals(PROC_BSDINFO.size, 136);
  assertEquals(PROC_BSDSHORTINFO.size, 64);
  assertEquals(PROC_FDINFO.size, 8);
  assertEquals(IN_SOCKINFO.size, 80);
  assertEquals(KINFO_PROC.size, 648);
  assertEquals(darwinFixture("socket_tcp4_listen").byteLength, COMPILED.socketFdInfoSize);
  assertEquals(darwinFixture("bsdinfo").byteLength, COMPILED.bsdInfoSize);
  assertEquals(darwinFixture("bsdshortinfo").byteLength, COMPILED.bsdShortInfoSize);
  assertEquals(darwinFixture("kinfo_proc").byteLength, COMPILED.kinfoProcSize);
  // tcpsi_state sits right after the 80-byte in_sockinfo at the start of soi_proto.
  assertEquals(SOCKET_FDINFO.proto + IN_SOCKINFO.tcpState, COMPILED.tcpState);
});

Deno.test("socketFds: the socket fds among a process's other files", () => {
  // The fixture lists fd 0 (vnode), 3 (socket), 4 (pipe) and 7 (kqueue).
  assertEquals(socketFds(darwinFixture("fdlist")), [3]);
  assertEquals(socketFds(new Uint8Array(0)), []);
});

Deno.test("decodeSocketFdInfo: TCP over IPv4, listening on 127.0.0.1", () => {
  const socket = decodeSocketFdInfo(darwinFixture("socket_tcp4_listen"));
  assertEquals(socket?.entry, {
    protocol: "tcp",
    family: 4,
    address: "127.0.0.1",
    port: 8080,
    state: "LISTEN",
    uid: 501,
    user: null,
  });
  assertEquals(String(socket?.generation), String(0x1234n));
});

Deno.test("decodeSocketFdInfo: TCP over IPv6 only, listening on ::1", () => {
  const socket = decodeSocketFdInfo(darwinFixture("socket_tcp6_listen"));
  assertEquals(socket?.entry, {
    protocol: "tcp",
    family: 6,
    address: "::1",
    port: 5432,
    state: "LISTEN",
    uid: 0,
    user: null,
  });
  assertEquals(String(socket?.generation), String(0x10000000002n));
});

Deno.test("decodeSocketFdInfo: a dual-stack IPv6 socket on :: reports its TCP state", () => {
  const socket = decodeSocketFdInfo(darwinFixture("socket_tcp46_established"));
  assertEquals(socket?.entry.family, 6);
  assertEquals(socket?.entry.address, "::");
  assertEquals(socket?.entry.port, 3000);
  assertEquals(socket?.entry.state, "ESTABLISHED");
  // IPV6_V6ONLY off (insi_flags without IN6P_IPV6_V6ONLY): it holds the IPv4 port too.
  assertEquals(socket?.entry.dualStack, true);
});

Deno.test("decodeSocketFdInfo: an IPv6 socket on :: with IPV6_V6ONLY on is not dual-stack", () => {
  const socket = decodeSocketFdInfo(darwinFixture("socket_tcp6_any_v6only"));
  assertEquals(socket?.entry, {
    protocol: "tcp",
    family: 6,
    address: "::",
    port: 3001,
    state: "LISTEN",
    dualStack: false,
    uid: 501,
    user: null,
  });
  // Only `::` can take IPv4: ::1 and IPv4 sockets leave dualStack out, whatever their flags.
  assert(!("dualStack" in decodeSocketFdInfo(darwinFixture("socket_tcp6_listen"))!.entry));
  assert(!("dualStack" in decodeSocketFdInfo(darwinFixture("socket_tcp4_listen"))!.entry));
});

Deno.test("decodeSocketFdInfo: UDP bound to 0.0.0.0 is UNCONN", () => {
  const socket = decodeSocketFdInfo(darwinFixture("socket_udp4"));
  assertEquals(socket?.entry, {
    protocol: "udp",
    family: 4,
    address: "0.0.0.0",
    port: 5353,
    state: "UNCONN",
    uid: 501,
    user: null,
  });
  assertEquals(String(socket?.generation), String(9n));
});

Deno.test("decodeSocketFdInfo: an IPv6 UDP socket talking IPv4 prints a mapped address", () => {
  const socket = decodeSocketFdInfo(darwinFixture("socket_udp6_mapped_connected"));
  assertEquals(socket?.entry.family, 6);
  assertEquals(socket?.entry.address, "::ffff:192.168.1.20");
  assertEquals(socket?.entry.port, 40000);
  assertEquals(socket?.entry.state, "ESTABLISHED");
});

Deno.test("decodeSocketFdInfo: a Unix-domain socket is not reported", () => {
  const bytes = darwinFixture("socket_unix");
  assertEquals(decodeSocketFdInfo(bytes), null);
  assertEquals(socketFdLocalPort(bytes), null);
});

Deno.test("socketFdLocalPort: reads the port without a full decode", () => {
  assertEquals(socketFdLocalPort(darwinFixture("socket_tcp4_listen")), 8080);
  assertEquals(socketFdLocalPort(darwinFixture("socket_udp4")), 5353);
});

Deno.test("decodeSocketFdInfo: every TSI_S_* state gets its Linux name", () => {
  const names = [
    "CLOSE",
    "LISTEN",
    "SYN_SENT",
    "SYN_RECV",
    "ESTABLISHED",
    "CLOSE_WAIT",
    "FIN_WAIT1",
    "CLOSING",
    "LAST_ACK",
    "FIN_WAIT2",
    "TIME_WAIT",
    "UNKNOWN", // TSI_S_RESERVED
  ];
  names.forEach((name, code) => {
    const bytes = darwinFixture("socket_tcp4_listen").slice();
    new DataView(bytes.buffer).setInt32(COMPILED.tcpState, code, true);
    assertEquals(decodeSocketFdInfo(bytes)?.entry.state, name, `state ${code}`);
    assertEquals(tcpStateName(code), name);
  });
});

Deno.test("decodeSocketFdInfo: a short buffer is an error, not a wrong answer", () => {
  assertThrows(() => decodeSocketFdInfo(new Uint8Array(100)), /socket_fdinfo needs 792 bytes/);
});

Deno.test("decodeBsdInfo: pid, parent, uid, name and start time", () => {
  assertEquals(decodeBsdInfo(darwinFixture("bsdinfo")), {
    pid: 4242,
    ppid: 1,
    uid: 501,
    name: "node-dev-server",
    startTime: "1716220000.000042",
    zombie: false,
  });
});

Deno.test("decodeBsdInfo: falls back to pbi_comm and sees zombies", () => {
  const bytes = darwinFixture("bsdinfo").slice();
  bytes.fill(0, COMPILED.bsdInfoName, COMPILED.bsdInfoName + 32);
  new DataView(bytes.buffer).setUint32(COMPILED.bsdInfoStatus, 5, true); // SZOMB
  const info = decodeBsdInfo(bytes);
  assertEquals(info.name, "node");
  assert(info.zombie);
});

Deno.test("decodeBsdShortInfo: readable facts for another user's process", () => {
  assertEquals(decodeBsdShortInfo(darwinFixture("bsdshortinfo")), {
    pid: 88,
    ppid: 1,
    uid: 65,
    name: "mDNSResponder",
    zombie: true,
  });
});

Deno.test("decodeKinfoProcStart: the same start-time token as proc_bsdinfo", () => {
  const start = decodeKinfoProcStart(darwinFixture("kinfo_proc"));
  assertEquals(start, { pid: 4242, startTime: "1716220000.000042", zombie: false });
  assertEquals(start.startTime, decodeBsdInfo(darwinFixture("bsdinfo")).startTime);
});

Deno.test("decodeProcArgs: argv without the exec path or the environment", () => {
  assertEquals(decodeProcArgs(darwinFixture("procargs2")), ["node", "server.js", "--port=3000"]);
  assertEquals(decodeProcArgs(new Uint8Array(2)), []);
});

Deno.test("startTimeToken: microseconds are zero-padded so tokens compare as text", () => {
  assertEquals(startTimeToken(12n, 5), "12.000005");
  assertEquals(startTimeToken(12n, 999999), "12.999999");
});

Deno.test("decodeWorkingFolder: the working folder of a compiled proc_vnodepathinfo", () => {
  const bytes = darwinFixture("vnodepathinfo");
  assertEquals(bytes.byteLength, COMPILED.vnodePathInfoSize);
  assertEquals(PROC_VNODEPATHINFO.size, COMPILED.vnodePathInfoSize);
  assertEquals(PROC_VNODEPATHINFO.workingFolderPath, COMPILED.workingFolderPath);
  assertEquals(decodeWorkingFolder(bytes), "/Users/dev/shop/api");
  // The root folder ("/") follows at the compiler's offset, and is not the working folder.
  assertEquals(String.fromCharCode(bytes[COMPILED.rootFolderPath]), "/");
  const emptied = bytes.slice();
  emptied.fill(0, COMPILED.workingFolderPath, COMPILED.workingFolderPath + 1024);
  assertEquals(decodeWorkingFolder(emptied), null);
  assertThrows(() => decodeWorkingFolder(bytes.subarray(0, 2000)), RangeError);
});

Deno.test("startTimeTokenToMs: seconds.microseconds as milliseconds since the epoch", () => {
  const token = decodeBsdInfo(darwinFixture("bsdinfo")).startTime;
  assertEquals(startTimeTokenToMs(token), 1716220000000);
  assertEquals(startTimeTokenToMs(startTimeToken(1716220000n, 999_999)), 1716220000999);
  assertEquals(startTimeTokenToMs(""), null);
  assertEquals(startTimeTokenToMs("116444736000000000"), null);
});
