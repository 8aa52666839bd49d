/**
 * A Deno socket holder for integration tests. Arguments: `tcp:ADDRESS` and `udp:ADDRESS` (the
 * first binds an ephemeral port, the rest the same port), `--port N` to choose the port,
 * `--ignore-term` to survive SIGTERM, `--tag WORD` (ignored: a word in its command line that tests
 * can look for, as the picker's filter does). Prints `{"pid","port"}` as one JSON line once bound.
 *
 * @module
 */

let port = 0;
const held: (Deno.Listener | Deno.DatagramConn)[] = [];
const args = [...Deno.args];
const portFlag = args.indexOf("--port");
if (portFlag >= 0) port = Number(args.splice(portFlag, 2)[1]);
const tagFlag = args.indexOf("--tag");
if (tagFlag >= 0) args.splice(tagFlag, 2);
for (const arg of args) {
  if (arg === "--ignore-term") {
    Deno.addSignalListener("SIGTERM", () => {});
    continue;
  }
  const [kind, ...rest] = arg.split(":");
  const hostname = rest.join(":");
  if (kind === "tcp") {
    const listener = Deno.listen({ hostname, port });
    port = (listener.addr as Deno.NetAddr).port;
    held.push(listener);
  } else {
    const conn = Deno.listenDatagram({ hostname, port, transport: "udp" });
    port = (conn.addr as Deno.NetAddr).port;
    held.push(conn);
  }
}
console.log(JSON.stringify({ pid: Deno.pid, port }));
// Keep the event loop alive until signalled.
setInterval(() => {}, 1 << 30);
