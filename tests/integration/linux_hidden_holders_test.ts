/**
 * Holders the fd scan used to miss, on Linux, with real processes: a multi-threaded process whose
 * leader thread exited (its sockets show only under `task/<tid>/fd`), and a process whose fd
 * links the kernel refuses while its fd folder can be listed (seen from a child user namespace,
 * as a container's PID 1 is seen from inside it). Neither may be reported as "no process in this
 * PID namespace holds it". Every test signals only processes it started.
 */

import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { withStarted } from "../support/children.ts";
import {
  envFor,
  type Holder,
  portctl,
  startPythonHolder,
  tcpPortIsFree,
} from "../support/portctl.ts";
import { linuxSuite } from "../support/linux_suite.ts";

const onLinux = Deno.build.os === "linux";
const { env, test: linuxTest } = await linuxSuite(
  "the Linux hidden-holder tests that switch users (runuser)",
);
const withHolders = withStarted<Holder>;

/** The process's state letter from `/proc/<pid>/stat`, or null once it is gone. */
function procState(pid: number): string | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return null;
  }
}

/** Threads of `pid` still alive (0 once it is gone). */
function threadCount(pid: number): number {
  try {
    return [...Deno.readDirSync(`/proc/${pid}/task`)].length;
  } catch {
    return 0;
  }
}

/**
 * How many files `/proc/<pid>/fd` lists: a zombie leader's lists none, to root, and cannot be read
 * at all by its own user (the kernel's access check needs the memory a zombie no longer has).
 */
function leaderFds(pid: number): number {
  try {
    return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
  } catch (error) {
    if (error instanceof Deno.errors.PermissionDenied) return 0;
    throw error;
  }
}

/**
 * A holder whose leader thread exited, found and ended by `user` (the test's own by default): its
 * fd folder shows nothing to root and is refused to its own user, so its sockets are found
 * through its live threads' `task/<tid>/fd`.
 */
async function leaderExitedHolder(user?: string) {
  const runEnv = user ? envFor(user) : env;
  await withHolders(
    [() => startPythonHolder(["--tcp", "127.0.0.1", "--leader-exits"], { user })],
    async ([holder]) => {
      // The leader turns zombie once its thread is gone; its other thread keeps the socket.
      for (let i = 0; i < 200 && procState(holder.pid) !== "Z"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assertEquals(procState(holder.pid), "Z", "the leader thread has exited");
      assertEquals(leaderFds(holder.pid), 0, "the leader's fd folder shows none of its files");
      assert(!tcpPortIsFree(holder.port), "the process still holds its port");

      const who = await portctl(["who", "--json", String(holder.port)], { env: runEnv, user });
      assertEquals(who.code, 0, who.stderr);
      const rows = JSON.parse(who.stdout) as { pid: number; command: string; note: null }[];
      assertEquals(rows.map((r) => [r.pid, r.note]), [[holder.pid, null]]);
      assertMatch(rows[0].command, /holder\.py --tcp 127\.0\.0\.1 --leader-exits/);

      const kill = await portctl(["kill", String(holder.port)], { env: runEnv, user });
      assertEquals(kill.code, 0, kill.stdout + kill.stderr);
      assertMatch(kill.stdout, new RegExp(`^ended ${holder.pid} python3 .* by SIGTERM`));
      assert(tcpPortIsFree(holder.port), "the port is free again");
      assertEquals(threadCount(holder.pid), 0, "no thread of it is left");
    },
  );
}

linuxTest(
  "a holder whose leader thread exited is found through task/<tid>/fd, named and ended",
  () => leaderExitedHolder(),
);

linuxTest(
  "without root too: its own user finds it, though its fd folder is refused even to them",
  () => leaderExitedHolder("nobody"),
  { root: true },
);

/** True when this machine lets root make a user namespace (`unshare --user`). */
async function canUnshare(): Promise<boolean> {
  try {
    const out = await new Deno.Command("unshare", {
      args: ["--user", "--map-root-user", "true"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

const UNSHARE = ["unshare", "--user", "--map-root-user"];

Deno.test({
  name: "a holder whose fd links are refused (parent user namespace) is held and unreadable",
  ignore: !onLinux || Deno.uid() !== 0,
  async fn() {
    if (!(await canUnshare())) {
      console.log("skipped: this kernel or sandbox refuses `unshare --user`");
      return;
    }
    await withHolders([() => startPythonHolder(["--tcp", "127.0.0.1"])], async ([holder]) => {
      // Root in a child user namespace may list the holder's fd folder (same uid) but not read
      // its links (no CAP_SYS_PTRACE over the parent namespace): what PID 1 of a container host
      // looks like from inside the container.
      const folder = await new Deno.Command("unshare", {
        args: [
          ...UNSHARE,
          "sh",
          "-c",
          `ls /proc/${holder.pid}/fd && readlink /proc/${holder.pid}/fd/0`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert(new TextDecoder().decode(folder.stdout).includes("0"), "the fd folder lists");
      assert(!folder.success, "its links are refused");

      // The fd scan itself, inside: the holder is unreadable, not a process holding nothing. The
      // inode is read out here, where the link is readable.
      const inode = Deno.readLinkSync(`/proc/${holder.pid}/fd/3`).slice("socket:[".length, -1);
      const fdScan = new URL("../../src/platform/linux/fd_scan.ts", import.meta.url).href;
      const scan = await new Deno.Command("unshare", {
        args: [
          ...UNSHARE,
          Deno.execPath(),
          "eval",
          `import { findSocketHolders } from "${fdScan}";
          const { holders, unreadable } = findSocketHolders(new Set(["${inode}"]));
          console.log(JSON.stringify({ holders: [...holders], unreadable }));`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert(scan.success, new TextDecoder().decode(scan.stderr));
      const found = JSON.parse(new TextDecoder().decode(scan.stdout));
      assertEquals(found.holders, []);
      assert(found.unreadable.includes(holder.pid), `${holder.pid} not in ${found.unreadable}`);

      const who = await portctl(["who", "--json", String(holder.port)], { env, via: UNSHARE });
      assertEquals(who.code, 0, who.stderr);
      const rows = JSON.parse(who.stdout) as { pid: number | null; note: string }[];
      assertEquals(rows.map((r) => r.pid), [null], "held, owner not visible: never free");
      assertMatch(rows[0].note, /even root may not read the fds of PID/);
      assert(!rows[0].note.includes("no process in this PID namespace"), rows[0].note);

      const kill = await portctl(["kill", String(holder.port)], { env, via: UNSHARE });
      assertEquals(kill.code, 3, kill.stdout + kill.stderr);
      assertMatch(kill.stdout, /^not visible tcp 127\.0\.0\.1:\d+: even root may not read/);
      assert(procState(holder.pid) !== null, "the holder is left running");
    });
  },
});
