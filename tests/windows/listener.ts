// A listener for the Windows tests (run by Windows deno, natively or under Wine):
//   listener.ts tcp4|tcp6|udp4|udp6 [--port N] [--ignore-ctrl-c]
// Binds loopback (127.0.0.1 or ::1; port 0 = ephemeral), prints {"kind","port","pid"} on one line,
// then serves until ended. --ignore-ctrl-c installs a SIGINT listener so Ctrl-C does not end it.
// UDP needs --unstable-net (Deno.listenDatagram).

type Kind = "tcp4" | "tcp6" | "udp4" | "udp6";
const KINDS: readonly string[] = ["tcp4", "tcp6", "udp4", "udp6"];

const [kind, ...flags] = Deno.args;
if (!KINDS.includes(kind)) {
  console.error("usage: listener.ts tcp4|tcp6|udp4|udp6 [--port N] [--ignore-ctrl-c]");
  Deno.exit(2);
}
const portFlag = flags.indexOf("--port");
const wantedPort = portFlag >= 0 ? Number(flags[portFlag + 1]) : 0;
if (flags.includes("--ignore-ctrl-c")) Deno.addSignalListener("SIGINT", () => {});

const hostname = kind.endsWith("6") ? "::1" : "127.0.0.1";
const report = (port: number) =>
  console.log(JSON.stringify({ kind: kind as Kind, port, pid: Deno.pid }));
if (kind.startsWith("tcp")) {
  const listener = Deno.listen({ hostname, port: wantedPort });
  report(listener.addr.port);
  const open: Deno.Conn[] = []; // connections stay open: clients see ESTABLISHED, as with a server
  for await (const conn of listener) open.push(conn);
} else {
  const socket = Deno.listenDatagram({ transport: "udp", hostname, port: wantedPort });
  report((socket.addr as Deno.NetAddr).port);
  for await (const _ of socket) { /* serve until ended */ }
}
