/**
 * Facts about one process from `/proc/<pid>/`: `stat`, `comm`, `cmdline`, the directory's owner
 * and the `cwd` and `exe` links. A process can vanish between any two reads; every reader returns
 * null then.
 *
 * @module
 */

import type { ProcessInfo, WorkingFolder } from "../types.ts";
import { userName } from "../accounts.ts";
import { startedAtMs } from "./start_clock.ts";

/** The fields of `/proc/<pid>/stat` portctl uses. */
export interface ProcStat {
  /** Single-letter state: R, S, D, Z (zombie), T, X (dead), ... */
  readonly state: string;
  readonly ppid: number;
  /** Field 22, start time in clock ticks since boot: with the PID it identifies the process. */
  readonly startTime: string;
}

/**
 * Parses `/proc/<pid>/stat`. The second field, `comm`, is in parentheses and may itself hold
 * spaces and `)`, so fields are counted from the LAST `)`.
 *
 * @example
 * ```ts
 * parseStat("42 (a) b)) S 1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 9876 ...").startTime; // "9876"
 * ```
 */
export function parseStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(")");
  if (close < 0) return null;
  // After ")": field 3 (state) is index 0, field 4 (ppid) index 1, field 22 (starttime) index 19.
  const rest = text.slice(close + 2).split(" ");
  if (rest.length < 20) return null;
  return { state: rest[0], ppid: Number(rest[1]), startTime: rest[19] };
}

/** Reads and parses `/proc/<pid>/stat`, or null when the process is gone or unreadable. */
export function readStat(pid: number): ProcStat | null {
  try {
    return parseStat(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return null;
  }
}

/**
 * True once the process has exited and released its files. A zombie leader alone is not enough:
 * in a multi-threaded process (Deno, Node, Java) the leader turns Z first while the other threads
 * still tear down and the shared fd table, sockets included, stays open until the last one is
 * gone. So a zombie counts as exited only when its `task/` directory lists the leader alone.
 */
export function hasExited(pid: number, stat: ProcStat): boolean {
  if (stat.state === "X" || stat.state === "x") return true;
  if (stat.state !== "Z") return false;
  return otherThreads(String(pid)).length === 0; // reaped meanwhile reads as no threads too
}

/**
 * The thread ids of a process other than its leader: none for a single-threaded process, a kernel
 * thread or one that is gone. A leader that exited (a zombie) with live threads shows its files
 * and its command line only through them.
 */
export function otherThreads(pidText: string): string[] {
  try {
    return [...Deno.readDirSync(`/proc/${pidText}/task`)]
      .map((task) => task.name)
      .filter((tid) => tid !== pidText);
  } catch {
    return [];
  }
}

function readOptional(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

function readLinkOptional(path: string): string | null {
  try {
    return Deno.readLinkSync(path);
  } catch {
    return null; // another user's process (EACCES without root), a kernel thread, gone
  }
}

/** What the kernel appends to the target of a `cwd` or `exe` link whose file was removed. */
const DELETED = " (deleted)";

/**
 * The working folder from the target of `/proc/<pid>/cwd`.
 *
 * @example
 * ```ts
 * parseCwdLink("/home/dev/shop (deleted)"); // { path: "/home/dev/shop", deleted: true }
 * ```
 */
export function parseCwdLink(target: string): WorkingFolder {
  const deleted = target.endsWith(DELETED);
  return { path: deleted ? target.slice(0, -DELETED.length) : target, deleted };
}

/** Joins a NUL-separated `cmdline` into one line. */
export function parseCmdline(raw: string): string {
  return raw.replace(/\0+$/, "").replaceAll("\0", " ");
}

/** Everything portctl shows about a process, or null when it has exited. */
export function readProcessInfo(pid: number): ProcessInfo | null {
  const stat = readStat(pid);
  if (!stat) return null;
  const name = (readOptional(`/proc/${pid}/comm`) ?? "").trimEnd();
  // A leader thread that exited (`pthread_exit` in main) leaves an empty cmdline while its other
  // threads run on: theirs is the process's. Kernel threads and real zombies have none at all:
  // show the name in brackets, as ps does.
  let cmdline = parseCmdline(readOptional(`/proc/${pid}/cmdline`) ?? "");
  // The files of a zombie leader with live threads (cmdline, cwd, exe) are read through one of them.
  const [thread] = stat.state === "Z" ? otherThreads(String(pid)) : [];
  const live = thread ? `/proc/${pid}/task/${thread}` : `/proc/${pid}`;
  if (!cmdline && thread) cmdline = parseCmdline(readOptional(`${live}/cmdline`) ?? "");
  const cwd = readLinkOptional(`${live}/cwd`);
  let user: string | null = null;
  try {
    const uid = Deno.statSync(`/proc/${pid}`).uid;
    if (uid !== null) user = userName(uid);
  } catch {
    // Vanished after the stat read; keep what was read.
  }
  return {
    pid,
    ppid: stat.ppid || null,
    name,
    user,
    command: cmdline || `[${name}]`,
    startTime: stat.startTime,
    cwd: cwd === null ? null : parseCwdLink(cwd),
    startedAtMs: startedAtMs(stat.startTime),
    exe: readLinkOptional(`${live}/exe`),
  };
}
