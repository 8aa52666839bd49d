/**
 * The two fd-folder scanners of the Linux fd scan (libc getdents64/readlinkat into buffers, and
 * Deno.readDirSync/readLinkSync) agree on every fd of a real process holding real sockets.
 */

import { assert, assertEquals } from "../support/assert.ts";
import {
  denoFolderScanner,
  libcFolderScanner,
  listPids,
  NOT_A_SOCKET,
  readWithDeno,
  socketInode,
} from "../../src/platform/linux/fd_folders.ts";
import { findSocketHolders } from "../../src/platform/linux/fd_scan.ts";
import {
  scanInParallel,
  startScanWorker,
  systemThreads,
} from "../../src/platform/linux/fd_scan_parallel.ts";
import { openScanLibc } from "../../src/platform/linux/libc.ts";

if (Deno.build.os !== "linux") {
  console.log(
    `Linux fd scan test skipped: /proc/<pid>/fd is Linux only (this is ${Deno.build.os})`,
  );
}

Deno.test({
  name: "fd scan: libc and Deno scanners agree on our own fds, sockets included",
  ignore: Deno.build.os !== "linux",
  fn() {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const second = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const libc = openScanLibc();
      assert(libc, "libc opens under --allow-all");
      const folder = `/proc/${Deno.pid}/fd`;
      const viaLibc: [number, number][] = [];
      const viaDeno: [number, number][] = [];
      const libcCount = libcFolderScanner(libc, (pid, inode) => viaLibc.push([pid, inode])).scan(
        Deno.pid,
        folder,
      );
      const denoCount = denoFolderScanner((pid, inode) => viaDeno.push([pid, inode]))(
        Deno.pid,
        folder,
      );
      assertEquals(viaLibc.sort(), viaDeno.sort());
      assert(viaDeno.length >= 2, "both listeners are socket fds");
      assertEquals(Math.abs(libcCount - denoCount) <= 1, true, "the same folder, give or take one");
      const { holders } = findSocketHolders(new Set(viaDeno.map(([, inode]) => String(inode))));
      for (const [, inode] of viaDeno) assertEquals(holders.get(String(inode)), [Deno.pid]);
      assertEquals(readWithDeno(`${folder}/`, "999999"), NOT_A_SOCKET, "a closed fd");
      assertEquals(
        libcFolderScanner(libc, () => {}).scan(Deno.pid, `/proc/${Deno.pid}/no-such-folder`),
        0,
        "a folder that is gone holds nothing",
      );
    } finally {
      listener.close();
      second.close();
    }
  },
});

Deno.test("socketInode reads socket:[N] and nothing else", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const read = (text: string) => socketInode(bytes(text), text.length);
  assertEquals(read("socket:[595196]"), 595196);
  assertEquals(read("pipe:[595196]"), NOT_A_SOCKET);
  assertEquals(read("/dev/null"), NOT_A_SOCKET);
  assertEquals(read("socket:["), NOT_A_SOCKET);
});

Deno.test({
  name: "fd scan on two threads: the worker's share and ours add up to the one-thread answer",
  ignore: Deno.build.os !== "linux",
  sanitizeOps: false,
  sanitizeResources: false,
  fn() {
    const listeners = [0, 1, 2].map(() => Deno.listen({ hostname: "127.0.0.1", port: 0 }));
    try {
      const libc = openScanLibc();
      assert(libc, "libc opens under --allow-all");
      const inodes: number[] = [];
      denoFolderScanner((_, inode) => inodes.push(inode))(Deno.pid, `/proc/${Deno.pid}/fd`);
      const alone = findSocketHolders(new Set(inodes.map(String)));
      const pids = listPids(libc);
      assert(pids.includes(Deno.pid) && pids.includes(1), "every process is listed");
      assert(systemThreads() >= pids.length, "the kernel's thread count bounds the processes");
      const worker = startScanWorker();
      assert(worker, "the worker starts");
      const both = scanInParallel(libc, { worker, pids, inodes });
      assert(both, "the worker ran and finished");
      const byInode = new Map<string, number[]>();
      for (const [pid, inode] of both.found) {
        const pids = byInode.get(String(inode)) ?? [];
        // One pair per fd: a process may hold one socket in several fds.
        if (pids[pids.length - 1] !== pid) byInode.set(String(inode), [...pids, pid]);
      }
      assertEquals(byInode, alone.holders);
      for (const inode of inodes) assertEquals(byInode.get(String(inode)), [Deno.pid]);
      assertEquals(both.unreadable, [...alone.unreadable].sort((a, b) => a - b));
    } finally {
      for (const listener of listeners) listener.close();
    }
  },
});
