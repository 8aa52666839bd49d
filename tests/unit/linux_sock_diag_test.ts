/**
 * The sock_diag encoder and decoder on real netlink replies captured from Linux with a known set of
 * sockets open (tests/fixtures/linux/sock_diag.json, written by capture_sock_diag.py next to it,
 * together with the /proc/net/* text of the same moment, the system's bindv6only and the requests
 * python encoded); and what the procfs parser makes of that text for `::` sockets.
 */

import { assert, assertEquals } from "../support/assert.ts";
import {
  parseProcNet,
  type ProcNetSocket,
  socketStateName,
} from "../../src/platform/linux/procfs_net.ts";
import {
  decodeDiagMessages,
  type DiagTable,
  encodeDiagRequest,
  INET_DIAG_MSG,
  INET_DIAG_SKV6ONLY,
  NLMSG_DONE,
  NLMSG_ERROR,
  TCPF_BOUND_INACTIVE,
  withListenerUids,
} from "../../src/platform/linux/inet_diag.ts";

interface Capture {
  known: Record<string, number>;
  requests: Record<string, string>;
  seqs: Record<string, number>;
  replies: Record<string, string>;
  proc_net: Record<string, string>;
  /** `/proc/sys/net/ipv6/bindv6only` at capture time. */
  bindv6only: number;
}

const capture = JSON.parse(
  Deno.readTextFileSync(new URL("../fixtures/linux/sock_diag.json", import.meta.url)),
) as Capture;
const known = capture.known;

/** The captured dumps: name → table, whether LISTEN only, and the procfs file of that table. */
const DUMPS: Record<string, { table: DiagTable; listeningOnly: boolean; file: string }> = {
  tcp4: { table: { protocol: "tcp", family: 4 }, listeningOnly: false, file: "tcp" },
  tcp4_listen: { table: { protocol: "tcp", family: 4 }, listeningOnly: true, file: "tcp" },
  tcp6: { table: { protocol: "tcp", family: 6 }, listeningOnly: false, file: "tcp6" },
  tcp6_listen: { table: { protocol: "tcp", family: 6 }, listeningOnly: true, file: "tcp6" },
  udp4: { table: { protocol: "udp", family: 4 }, listeningOnly: false, file: "udp" },
  udp6: { table: { protocol: "udp", family: 6 }, listeningOnly: false, file: "udp6" },
};

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Decodes one captured dump; fails unless it is complete. */
function decoded(name: string): ProcNetSocket[] {
  const rows: ProcNetSocket[] = [];
  const batch = decodeDiagMessages(hexBytes(capture.replies[name]), {
    protocol: DUMPS[name].table.protocol,
    into: rows,
    seq: capture.seqs[name],
  });
  assertEquals(batch, { kind: "sockets", done: true }, name);
  return rows;
}

/** The capture's procfs rows, `::` ones given the system default as the backend gives it. */
function procRows(file: string, table: DiagTable): ProcNetSocket[] {
  return parseProcNet(capture.proc_net[file], table, {
    bindV6Only: () => capture.bindv6only !== 0,
  });
}

/** Rows in a stable order, for comparing two sources that list them differently. */
function sorted(rows: readonly ProcNetSocket[]): string[] {
  return rows.map((row) => JSON.stringify([row.entry, row.inode])).sort();
}

/**
 * Rows as both sources can say them: without bound-inactive TCP sockets (state CLOSE, which
 * procfs never lists) and without `dualStack` (procfs knows only the system default).
 */
function comparable(rows: readonly ProcNetSocket[]): string[] {
  return sorted(
    rows.filter((row) => !(row.entry.protocol === "tcp" && row.entry.state === "CLOSE"))
      .map((row) => {
        const { dualStack: _, ...entry } = row.entry;
        return { ...row, entry };
      }),
  );
}

const entryOn = (rows: readonly ProcNetSocket[], port: number, state?: string) =>
  rows.find((r) => r.entry.port === port && (state === undefined || r.entry.state === state));

Deno.test("request: 72 bytes, spelled out for a LISTEN-only tcp4 dump", () => {
  const bytes = encodeDiagRequest({ protocol: "tcp", family: 4 }, { listeningOnly: true, seq: 7 });
  assertEquals(Array.from(bytes), [
    ...[72, 0, 0, 0], // nlmsg_len
    ...[20, 0], // nlmsg_type SOCK_DIAG_BY_FAMILY
    ...[0x01, 0x03], // NLM_F_REQUEST | NLM_F_DUMP
    ...[7, 0, 0, 0], // nlmsg_seq
    ...[0, 0, 0, 0], // nlmsg_pid: the kernel
    ...[2, 6, 0, 0], // AF_INET, IPPROTO_TCP, no extensions, pad
    ...[0x00, 0x04, 0x00, 0x00], // idiag_states = TCPF_LISTEN (1 << 10)
    ...new Array<number>(48).fill(0), // inet_diag_sockid: no filter
  ]);
});

Deno.test("request: byte for byte what the capture script (python struct.pack) sent", () => {
  for (const [name, dump] of Object.entries(DUMPS)) {
    const bytes = encodeDiagRequest(dump.table, {
      listeningOnly: dump.listeningOnly,
      seq: capture.seqs[name],
    });
    assertEquals(toHex(bytes), capture.requests[name], name);
  }
});

Deno.test("request: UDP asks for every state even when TCP is LISTEN only", () => {
  const udp = encodeDiagRequest({ protocol: "udp", family: 6 }, { listeningOnly: true });
  const view = new DataView(udp.buffer);
  assertEquals([udp[16], udp[17]], [10, 17]);
  // Bit 13 (bound-inactive) means nothing for UDP: left out, with or without listeningOnly.
  assertEquals(view.getUint32(20, true), 0xffffdfff);
  const udpAll = encodeDiagRequest({ protocol: "udp", family: 4 });
  assertEquals(new DataView(udpAll.buffer).getUint32(20, true), 0xffffdfff);
});

Deno.test("request: a TCP all-states dump asks for bound-inactive sockets, LISTEN only does not", () => {
  const states = (listeningOnly: boolean) =>
    new DataView(encodeDiagRequest({ protocol: "tcp", family: 6 }, { listeningOnly }).buffer)
      .getUint32(20, true);
  assertEquals(states(false), 0xffffffff);
  assert((states(false) & TCPF_BOUND_INACTIVE) !== 0);
  assertEquals(states(true), 1 << 10);
});

Deno.test("tcp4: the known LISTEN, ESTABLISHED and TIME_WAIT sockets", () => {
  const rows = decoded("tcp4");
  assertEquals(entryOn(rows, known.tcp4_listen, "LISTEN")!.entry, {
    protocol: "tcp",
    family: 4,
    address: "127.0.0.1",
    port: known.tcp4_listen,
    state: "LISTEN",
    uid: 0,
    user: null,
  });
  assert(/^[1-9]\d*$/.test(entryOn(rows, known.tcp4_listen, "LISTEN")!.inode));
  assertEquals(entryOn(rows, known.client_port)!.entry.state, "ESTABLISHED");
  assert(entryOn(rows, known.tcp4_listen, "ESTABLISHED"), "the accepted side is local to the port");
  const timeWait = entryOn(rows, known.time_wait_port)!;
  assertEquals([timeWait.entry.state, timeWait.inode, timeWait.entry.uid], ["TIME_WAIT", "0", 0]);
  assertEquals(entryOn(rows, known.nobody_listen, "LISTEN")!.entry.uid, 65534);
  // No IPv4 socket is dual-stack, nor says otherwise.
  assert(rows.every((row) => !("dualStack" in row.entry)));
});

Deno.test("tcp4: a socket bound without listen() is CLOSE, in all-states dumps only", () => {
  const bound = entryOn(decoded("tcp4"), known.tcp4_bound)!;
  assertEquals(bound.entry, {
    protocol: "tcp",
    family: 4,
    address: "127.0.0.1",
    port: known.tcp4_bound,
    state: "CLOSE",
    uid: 0,
    user: null,
  });
  assert(/^[1-9]\d*$/.test(bound.inode), "a process holds it");
  assertEquals(entryOn(decoded("tcp4_listen"), known.tcp4_bound), undefined);
  const procfs = procRows("tcp", { protocol: "tcp", family: 4 });
  assertEquals(entryOn(procfs, known.tcp4_bound), undefined, "procfs never lists it");
});

Deno.test("TCP state 13 (TCP_BOUND_INACTIVE) is named CLOSE, like the state the kernel reports", () => {
  assertEquals(socketStateName("tcp", 7), "CLOSE");
  assertEquals(socketStateName("tcp", 13), "CLOSE");
  assertEquals(socketStateName("tcp", 14), "UNKNOWN");
});

Deno.test("tcp6: ::1, ::, and a v4-mapped client", () => {
  const rows = decoded("tcp6");
  assertEquals(entryOn(rows, known.tcp6_listen_loopback)!.entry.address, "::1");
  assertEquals(entryOn(rows, known.tcp6_listen_loopback)!.entry.state, "LISTEN");
  assertEquals(entryOn(rows, known.tcp6_listen_any)!.entry.address, "::");
  const mapped = entryOn(rows, known.mapped_client_port)!.entry;
  assertEquals([mapped.address, mapped.family, mapped.state], [
    "::ffff:127.0.0.1",
    6,
    "ESTABLISHED",
  ]);
});

Deno.test("tcp6: INET_DIAG_SKV6ONLY makes :: sockets dual-stack or not; other addresses say nothing", () => {
  for (const name of ["tcp6", "tcp6_listen"]) {
    const rows = decoded(name);
    const on = (port: number) => entryOn(rows, port)!.entry;
    assertEquals(on(known.tcp6_listen_any).dualStack, true, `${name}: IPV6_V6ONLY off`);
    assertEquals(on(known.tcp6_listen_any_v6only).address, "::");
    assertEquals(on(known.tcp6_listen_any_v6only).dualStack, false, `${name}: IPV6_V6ONLY on`);
    // ::1 carries the attribute too (V6ONLY on), but only `::` can take IPv4.
    assert(!("dualStack" in on(known.tcp6_listen_loopback)), name);
  }
  const all = decoded("tcp6");
  assert(!("dualStack" in entryOn(all, known.mapped_client_port)!.entry));
  // Bound, not listening (CLOSE): the kernel sends the attribute for CLOSE sockets too.
  const bound = entryOn(all, known.tcp6_bound_any)!.entry;
  assertEquals([bound.address, bound.state, bound.dualStack], ["::", "CLOSE", true]);
  assertEquals(entryOn(decoded("tcp6_listen"), known.tcp6_bound_any), undefined);
  assertEquals(
    entryOn(procRows("tcp6", { protocol: "tcp", family: 6 }), known.tcp6_bound_any),
    undefined,
  );
});

/** Offset, in a captured reply, of the SKV6ONLY attribute of the message for `port`. */
function v6OnlyAttribute(reply: Uint8Array, port: number): number {
  const view = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  for (const start of messageStarts(reply)) {
    const payload = start + 16;
    if (view.getUint16(payload + INET_DIAG_MSG.sport, false) !== port) continue;
    const end = start + view.getUint32(start, true);
    for (
      let at = payload + INET_DIAG_MSG.size;
      at < end;
      at += (view.getUint16(at, true) + 3) & ~3
    ) {
      if (view.getUint16(at + 2, true) === INET_DIAG_SKV6ONLY) return at;
    }
  }
  throw new Error(`no SKV6ONLY attribute for port ${port}`);
}

Deno.test("SKV6ONLY: its value decides; without it, or with a broken attribute, nothing is said", () => {
  const port = known.tcp6_listen_any;
  const dualStackOf = (reply: Uint8Array) => {
    const rows: ProcNetSocket[] = [];
    decodeDiagMessages(reply, { protocol: "tcp", into: rows });
    return entryOn(rows, port)!.entry.dualStack;
  };
  const original = hexBytes(capture.replies.tcp6_listen);
  const at = v6OnlyAttribute(original, port);
  assertEquals(dualStackOf(original), true);
  const on = original.slice();
  on[at + 4] = 1;
  assertEquals(dualStackOf(on), false);
  const flagged = original.slice(); // NLA_F_NET_BYTEORDER set on the type: still SKV6ONLY
  new DataView(flagged.buffer).setUint16(at + 2, INET_DIAG_SKV6ONLY | 0x4000, true);
  assertEquals(dualStackOf(flagged), true);
  const other = original.slice();
  new DataView(other.buffer).setUint16(at + 2, 99, true);
  assertEquals(dualStackOf(other), undefined);
  const broken = original.slice(); // an attribute length of 2, shorter than its own header
  new DataView(broken.buffer).setUint16(at, 2, true);
  assertEquals(dualStackOf(broken), undefined);
});

Deno.test("udp and udp6: bound sockets are UNCONN, a connected one ESTABLISHED", () => {
  const v4 = decoded("udp4");
  const v6 = decoded("udp6");
  const u4 = entryOn(v4, known.udp4)!.entry;
  const u6 = entryOn(v6, known.udp6)!.entry;
  assertEquals([u4.protocol, u4.address, u4.state], ["udp", "127.0.0.1", "UNCONN"]);
  assertEquals([u6.protocol, u6.address, u6.state], ["udp", "::1", "UNCONN"]);
  assertEquals(entryOn(v4, known.udp4_connected)!.entry.state, "ESTABLISHED");
  const any = entryOn(v6, known.udp6_any)!.entry;
  assertEquals([any.address, any.state, any.dualStack], ["::", "UNCONN", true]);
  assert(!("dualStack" in u6));
});

Deno.test("every table decodes to exactly the procfs rows of the same moment", () => {
  const tcp4 = decoded("tcp4");
  const tcp6 = decoded("tcp6");
  const listeners = [...tcp4, ...tcp6].filter((row) => row.entry.state === "LISTEN");
  // Known differences: a request socket's uid (0 from netlink, the listener's in procfs), and
  // what `comparable` leaves out (bound-inactive sockets, each `::` socket's own V6ONLY).
  const synRecv = entryOn(tcp4, known.nobody_listen, "SYN_RECV")!;
  assertEquals([synRecv.entry.uid, synRecv.inode], [0, "0"]);
  assertEquals(
    comparable(withListenerUids(tcp4, listeners)),
    comparable(procRows("tcp", { protocol: "tcp", family: 4 })),
  );
  assertEquals(
    comparable(withListenerUids(tcp6, listeners)),
    comparable(procRows("tcp6", { protocol: "tcp", family: 6 })),
  );
  assertEquals(
    comparable(decoded("udp4")),
    comparable(procRows("udp", { protocol: "udp", family: 4 })),
  );
  assertEquals(
    comparable(decoded("udp6")),
    comparable(procRows("udp6", { protocol: "udp", family: 6 })),
  );
  // dualStack agrees too, but on the listener that turned V6ONLY on against the default.
  for (
    const [name, file, protocol] of [["tcp6", "tcp6", "tcp"], ["udp6", "udp6", "udp"]] as const
  ) {
    const procfs = procRows(file, { protocol, family: 6 });
    const any = decoded(name).filter((row) =>
      row.entry.address === "::" && row.entry.state !== "CLOSE" &&
      row.entry.port !== known.tcp6_listen_any_v6only
    );
    assert(any.length > 0, name);
    for (const row of any) {
      assertEquals(row.entry.dualStack, entryOn(procfs, row.entry.port)!.entry.dualStack, name);
    }
  }
});

Deno.test("procfs: a :: row takes the system default for V6ONLY, asked once, only when needed", () => {
  const v6Only = capture.bindv6only !== 0;
  let asked = 0;
  const bindV6Only = () => {
    asked++;
    return v6Only;
  };
  const tcp6 = parseProcNet(capture.proc_net.tcp6, { protocol: "tcp", family: 6 }, { bindV6Only });
  assertEquals(asked, 1, "one question for several :: rows");
  const any = tcp6.filter((row) => row.entry.address === "::");
  assert(any.length >= 2);
  // Per-socket V6ONLY is not in procfs: the v6only listener gets the default too.
  assert(any.every((row) => row.entry.dualStack === !v6Only));
  assertEquals(entryOn(tcp6, known.tcp6_listen_any_v6only)!.entry.dualStack, !v6Only);
  assert(!("dualStack" in entryOn(tcp6, known.tcp6_listen_loopback)!.entry));
  const udp6 = parseProcNet(capture.proc_net.udp6, { protocol: "udp", family: 6 }, { bindV6Only });
  assertEquals(entryOn(udp6, known.udp6_any)!.entry.dualStack, !v6Only);
  assertEquals(asked, 2);
  // No :: row (an IPv4 table, or ::1 alone): never asked.
  parseProcNet(capture.proc_net.tcp, { protocol: "tcp", family: 4 }, { bindV6Only });
  const withoutAny = capture.proc_net.tcp6.split("\n")
    .filter((line) => !/^\s*\d+: 0{32}:/.test(line)).join("\n");
  const rows = parseProcNet(withoutAny, { protocol: "tcp", family: 6 }, { bindV6Only });
  assert(rows.length > 0 && rows.every((row) => row.entry.address !== "::"));
  assertEquals(asked, 2);
});

Deno.test("procfs: a system default of 1, unknown (null), or not given", () => {
  const text = capture.proc_net.tcp6;
  const table: DiagTable = { protocol: "tcp", family: 6 };
  const any = (rows: ProcNetSocket[]) => entryOn(rows, known.tcp6_listen_any)!.entry;
  assertEquals(any(parseProcNet(text, table, { bindV6Only: () => true })).dualStack, false);
  assertEquals(any(parseProcNet(text, table, { bindV6Only: () => false })).dualStack, true);
  assert(!("dualStack" in any(parseProcNet(text, table, { bindV6Only: () => null }))));
  assert(!("dualStack" in any(parseProcNet(text, table))));
});

Deno.test("LISTEN-only dumps hold exactly the LISTEN rows of the full table", () => {
  for (
    const [name, full, file, family] of [
      ["tcp4_listen", "tcp4", "tcp", 4],
      ["tcp6_listen", "tcp6", "tcp6", 6],
    ] as const
  ) {
    const isListening = (row: ProcNetSocket) => row.entry.state === "LISTEN";
    const listening = procRows(file, { protocol: "tcp", family }).filter(isListening);
    assert(listening.length > 0);
    assertEquals(comparable(decoded(name)), comparable(listening), name);
    assertEquals(sorted(decoded(name)), sorted(decoded(full).filter(isListening)), name);
  }
  assert(!entryOn(decoded("tcp4_listen"), known.client_port), "no ESTABLISHED socket");
});

/** Offsets of each message in a reply, from their `nlmsg_len`. */
function messageStarts(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const starts: number[] = [];
  for (let at = 0; at < bytes.byteLength; at += (view.getUint32(at, true) + 3) & ~3) {
    starts.push(at);
  }
  return starts;
}

Deno.test("a reply read in parts (one recv per message) decodes the same; done only at the end", () => {
  const bytes = hexBytes(capture.replies.tcp4);
  const starts = messageStarts(bytes);
  assert(starts.length > 5);
  const rows: ProcNetSocket[] = [];
  starts.forEach((start, i) => {
    const part = bytes.subarray(start, starts[i + 1] ?? bytes.byteLength);
    const batch = decodeDiagMessages(part, { protocol: "tcp", into: rows });
    assertEquals(batch, { kind: "sockets", done: i === starts.length - 1 });
  });
  assertEquals(sorted(rows), sorted(decoded("tcp4")));
});

Deno.test("messages of another sequence number are skipped, NLMSG_DONE included", () => {
  const rows: ProcNetSocket[] = [];
  const batch = decodeDiagMessages(hexBytes(capture.replies.udp4), {
    protocol: "udp",
    into: rows,
    seq: capture.seqs.udp4 + 1,
  });
  assertEquals([batch, rows.length], [{ kind: "sockets", done: false }, 0]);
});

/** A reply message: header (host order) and payload. */
function message(type: number, payload: number[]): Uint8Array {
  const bytes = new Uint8Array(16 + payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, bytes.length, true);
  view.setUint16(4, type, true);
  bytes.set(payload, 16);
  return bytes;
}

Deno.test("NLMSG_ERROR is an error with its errno; cut or malformed bytes are errors too", () => {
  const enoent = [0xfe, 0xff, 0xff, 0xff, ...new Array<number>(16).fill(0)]; // -2, then the request
  assertEquals(decodeDiagMessages(message(NLMSG_ERROR, enoent), { protocol: "tcp", into: [] }), {
    kind: "error",
    errno: 2,
  });
  const reply = hexBytes(capture.replies.tcp4);
  const cut = reply.subarray(0, messageStarts(reply)[1] - 8);
  assertEquals(decodeDiagMessages(cut, { protocol: "tcp", into: [] }), { kind: "error", errno: 0 });
  const tooShort = message(20, new Array<number>(40).fill(0));
  assertEquals(decodeDiagMessages(tooShort, { protocol: "tcp", into: [] }), {
    kind: "error",
    errno: 0,
  });
  assertEquals(
    decodeDiagMessages(message(NLMSG_DONE, [0, 0, 0, 0]), { protocol: "tcp", into: [] }),
    {
      kind: "sockets",
      done: true,
    },
  );
});

Deno.test("request sockets take the uid of their listener: same address, wildcard, dual-stack", () => {
  const row = (
    family: 4 | 6,
    address: string,
    port: number,
    state: "LISTEN" | "SYN_RECV",
    uid: number,
  ) => ({
    entry: { protocol: "tcp" as const, family, address, port, state, uid, user: null },
    inode: state === "LISTEN" ? "99" : "0",
  });
  const listeners = [
    row(4, "127.0.0.1", 80, "LISTEN", 1000),
    row(4, "0.0.0.0", 80, "LISTEN", 1001),
    row(6, "::", 443, "LISTEN", 1002),
    row(6, "::", 8080, "LISTEN", 1003),
  ];
  const requests = [
    row(4, "127.0.0.1", 80, "SYN_RECV", 0),
    row(4, "10.0.0.1", 80, "SYN_RECV", 0),
    row(4, "127.0.0.1", 443, "SYN_RECV", 0),
    row(6, "::1", 8080, "SYN_RECV", 0),
    row(4, "127.0.0.1", 9999, "SYN_RECV", 0),
  ];
  assertEquals(
    withListenerUids(requests, listeners).map((r) => r.entry.uid),
    [1000, 1001, 1002, 1003, 0],
  );
  const none = [row(4, "127.0.0.1", 80, "LISTEN", 5)];
  assert(withListenerUids(none, listeners) === none, "nothing to change: the same array");
});
