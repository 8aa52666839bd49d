/**
 * A Deno socket holder for integration tests. Arguments: `tcp:ADDRESS` and `udp:ADDRESS` (the
 * first binds an ephemeral port, the rest the same port), `--port N` to choose the port,
 * `--ignore-term` to survive SIGTERM, `--tag WORD` (ignored: a word in its command line that tests
 * can look for, as the picker's filter does), `--accept-log FILE` to accept connections on its TCP
 * listeners and append a line to FILE for each (a test's proof that nothing connected). Prints
 * `{"pid","port"}` as one JSON line once bound.
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
const logFlag = args.indexOf("--accept-log");
const acceptLog = logFlag >= 0 ? args.splice(logFlag, 2)[1] : null;
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
if (acceptLog !== null) {
  for (const listener of held) {
    if (!("accept" in listener)) continue;
    (async () => {
      for await (const conn of listener) {
        Deno.writeTextFileSync(acceptLog, `accepted ${JSON.stringify(conn.remoteAddr)}\n`, {
          append: true,
        });
        conn.close();
      }
    })();
  }
}
console.log(JSON.stringify({ pid: Deno.pid, port }));
// Keep the event loop alive until signalled.
setInterval(() => {}, 1 << 30);
