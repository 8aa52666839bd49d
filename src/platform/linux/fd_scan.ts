/**
 * Maps socket inodes to the processes holding them by reading every `/proc/<pid>/fd/*` link
 * (`socket:[12345]`). This is the expensive part of a lookup, so it runs only for inodes that
 * matched, and it allocates as little as it can per fd: it is called for every fd on the system.
 *
 * @module
 */

const SOCKET_PREFIX = "socket:[";

/**
 * Finds every holder of each wanted inode. Every process is scanned to the end: forked workers
 * share one inode, and each `SO_REUSEPORT` member has its own. Processes that vanish or deny
 * access mid-scan are skipped: that is normal, not an error.
 *
 * @returns inode → PIDs holding it (ascending); inodes nobody visible holds are absent.
 */
export function findSocketHolders(inodes: ReadonlySet<string>): Map<string, number[]> {
  const holders = new Map<string, number[]>();
  if (inodes.size === 0) return holders;
  for (const proc of Deno.readDirSync("/proc")) {
    const pidText = proc.name;
    const first = pidText.charCodeAt(0);
    if (first < 48 || first > 57) continue; // not a PID directory
    const fdDir = `/proc/${pidText}/fd/`;
    let fds: Iterable<Deno.DirEntry>;
    try {
      fds = Deno.readDirSync(fdDir);
    } catch {
      continue; // exited, or EACCES on another user's process
    }
    try {
      for (const fd of fds) {
        let link: string;
        try {
          link = Deno.readLinkSync(fdDir + fd.name);
        } catch {
          continue; // fd closed between readdir and readlink
        }
        if (!link.startsWith(SOCKET_PREFIX)) continue;
        const inode = link.slice(SOCKET_PREFIX.length, -1);
        if (!inodes.has(inode)) continue;
        const pid = Number(pidText);
        const pids = holders.get(inode);
        if (!pids) holders.set(inode, [pid]);
        else if (pids[pids.length - 1] !== pid) pids.push(pid);
      }
    } catch {
      // The process exited while its fd directory was being read.
    }
  }
  return holders;
}
