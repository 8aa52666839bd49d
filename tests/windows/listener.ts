// A listener for the Windows tests (run by Windows deno, natively or under Wine):
//   listener.ts tcp4|tcp6|udp4|udp6|tcp6-dual [--port N] [--any] [--ignore-ctrl-c]
// Binds loopback (127.0.0.1 or ::1; port 0 = ephemeral), or with --any the wildcard address
// (0.0.0.0 or ::, IPV6_V6ONLY on: Windows' default, which Deno keeps), prints
// {"kind","port","pid","cwd","exe"} on one line, then serves until ended. tcp6-dual listens on [::] with
// IPV6_V6ONLY off, as Node does, through ws2_32 (Deno cannot): a dual-stack socket that holds the
// IPv4 port too, and that Windows lists only in its IPv6 table. --ignore-ctrl-c installs a SIGINT
// listener so Ctrl-C does not end it. UDP needs --unstable-net (Deno.listenDatagram).

type Kind = "tcp4" | "tcp6" | "udp4" | "udp6" | "tcp6-dual";
const KINDS: readonly string[] = ["tcp4", "tcp6", "udp4", "udp6", "tcp6-dual"];

const [kind, ...flags] = Deno.args;
if (!KINDS.includes(kind)) {
  console.error(
    "usage: listener.ts tcp4|tcp6|udp4|udp6|tcp6-dual [--port N] [--any] [--ignore-ctrl-c]",
  );
  Deno.exit(2);
}
const portFlag = flags.indexOf("--port");
const wantedPort = portFlag >= 0 ? Number(flags[portFlag + 1]) : 0;
if (flags.includes("--ignore-ctrl-c")) Deno.addSignalListener("SIGINT", () => {});

const v6 = kind.endsWith("6");
const hostname = flags.includes("--any") ? (v6 ? "::" : "0.0.0.0") : (v6 ? "::1" : "127.0.0.1");
// Its own view of its working folder and program, for tests to compare with what portctl reads.
const report = (port: number) =>
  console.log(
    JSON.stringify({
      kind: kind as Kind,
      port,
      pid: Deno.pid,
      cwd: Deno.cwd(),
      exe: Deno.execPath(),
    }),
  );

/** Listens on [::]:`port` with IPV6_V6ONLY off through ws2_32; returns the port bound. */
function listenDualStack(port: number): number {
  const ws = Deno.dlopen("ws2_32.dll", {
    WSAStartup: { parameters: ["u16", "buffer"], result: "i32" },
    socket: { parameters: ["i32", "i32", "i32"], result: "usize" },
    setsockopt: { parameters: ["usize", "i32", "i32", "buffer", "i32"], result: "i32" },
    bind: { parameters: ["usize", "buffer", "i32"], result: "i32" },
    listen: { parameters: ["usize", "i32"], result: "i32" },
    getsockname: { parameters: ["usize", "buffer", "buffer"], result: "i32" },
    WSAGetLastError: { parameters: [], result: "i32" },
  }).symbols;
  const AF_INET6 = 23, SOCK_STREAM = 1, IPPROTO_TCP = 6, IPPROTO_IPV6 = 41, IPV6_V6ONLY = 27;
  const fail = (call: string): never => {
    throw new Error(`${call} failed: Winsock error ${ws.WSAGetLastError()}`);
  };
  const started = ws.WSAStartup(0x0202, new Uint8Array(512));
  if (started !== 0) throw new Error(`WSAStartup failed: error ${started}`);
  const s = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP);
  if (BigInt(s) === 0xffff_ffff_ffff_ffffn) fail("socket");
  if (ws.setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, new Uint32Array([0]), 4) !== 0) {
    fail("setsockopt(IPV6_V6ONLY, 0)");
  }
  // sockaddr_in6 { u16 sin6_family; u16 sin6_port (network order); u32 sin6_flowinfo;
  //   u8 sin6_addr[16] (:: = zeros); u32 sin6_scope_id; } = 28 bytes
  const address = new Uint8Array(28);
  const view = new DataView(address.buffer);
  view.setUint16(0, AF_INET6, true);
  view.setUint16(2, port, false);
  if (ws.bind(s, address, address.length) !== 0) fail("bind([::])");
  if (ws.listen(s, 16) !== 0) fail("listen");
  const length = new Int32Array([address.length]);
  if (ws.getsockname(s, address, length) !== 0) fail("getsockname");
  return view.getUint16(2, false);
}

if (kind === "tcp6-dual") {
  report(listenDualStack(wantedPort));
  setInterval(() => {}, 1 << 30); // serve until ended; connections wait in the backlog
} else if (kind.startsWith("tcp")) {
  const listener = Deno.listen({ hostname, port: wantedPort });
  report(listener.addr.port);
  const open: Deno.Conn[] = []; // connections stay open: clients see ESTABLISHED, as with a server
  for await (const conn of listener) open.push(conn);
} else {
  const socket = Deno.listenDatagram({ transport: "udp", hostname, port: wantedPort });
  report((socket.addr as Deno.NetAddr).port);
  for await (const _ of socket) { /* serve until ended */ }
}
