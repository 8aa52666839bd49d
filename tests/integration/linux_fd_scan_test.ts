/**
 * The two fd-link readers of the Linux fd scan (libc readlink into a buffer, and
 * Deno.readLinkSync) agree on every fd of a real process holding real sockets.
 */

import { assert, assertEquals } from "../support/assert.ts";
import {
  findSocketHolders,
  libcReader,
  NOT_A_SOCKET,
  readWithDeno,
} from "../../src/platform/linux/fd_scan.ts";
import { openLibc } from "../../src/platform/linux/libc.ts";

if (Deno.build.os !== "linux") {
  console.log(
    `Linux fd scan test skipped: /proc/<pid>/fd is Linux only (this is ${Deno.build.os})`,
  );
}

Deno.test({
  name: "fd scan: libc and Deno readers agree on our own fds, sockets included",
  ignore: Deno.build.os !== "linux",
  fn() {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const libc = openLibc();
      assert(libc, "libc opens under --allow-all");
      const fast = libcReader(libc);
      const fdDir = `/proc/${Deno.pid}/fd/`;
      const names = [...Deno.readDirSync(fdDir)].map((entry) => entry.name);
      const viaLibc = names.map((name) => fast(fdDir, name));
      const viaDeno = names.map((name) => readWithDeno(fdDir, name));
      assertEquals(viaLibc, viaDeno);
      const sockets = viaDeno.filter((inode) => inode >= 0);
      assert(sockets.length >= 1, "the listener is a socket fd");
      const { holders } = findSocketHolders(new Set(sockets.map(String)));
      for (const inode of sockets) assertEquals(holders.get(String(inode)), [Deno.pid]);
      assertEquals(fast(fdDir, "999999"), NOT_A_SOCKET, "a closed fd reads as no socket");
      assertEquals(readWithDeno(fdDir, "999999"), NOT_A_SOCKET);
    } finally {
      listener.close();
    }
  },
});
