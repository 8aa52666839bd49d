/**
 * The one interface every OS backend implements. Code above `platform/` only ever talks to a
 * {@linkcode PlatformBackend}; it never asks which OS it is on.
 *
 * @module
 */

/** Transport protocol of a socket. */
export type Protocol = "tcp" | "udp";

/** IP version of a socket. */
export type IpFamily = 4 | 6;

/**
 * Socket state, named as Linux names TCP states (`/proc/net/tcp`, `ss`), so every OS prints the
 * same words. UDP sockets are `UNCONN` (bound, not connected) or `ESTABLISHED` (connected).
 * Defined once, in the plugin API (plugins see the same words).
 */
export type { SocketState } from "../plugins/api.ts";
import type { SocketState } from "../plugins/api.ts";

/** One socket as the OS reports it: the local side only, which is what holds a port. */
export interface SocketEntry {
  readonly protocol: Protocol;
  readonly family: IpFamily;
  /** Local address printed the usual way: `127.0.0.1`, `::`, `::1`, `::ffff:127.0.0.1`. */
  readonly address: string;
  /** Local port, 0..65535. */
  readonly port: number;
  readonly state: SocketState;
  /**
   * True for an IPv6 socket on the wildcard address `::` that also accepts IPv4 (IPV6_V6ONLY
   * off, the default for Node and most servers): it holds the IPv4 port too. Absent when the OS
   * does not say.
   */
  readonly dualStack?: boolean;
  /** Owning uid of the socket where the OS says (Linux procfs), else null. */
  readonly uid: number | null;
  /** User name of `uid`, or null when unknown. */
  readonly user: string | null;
}

/**
 * Who holds a socket, as far as portctl can tell. Each case says what there is to end, so no
 * reader has to combine optional fields to find out.
 */
export type Holders =
  /**
   * Every holder is visible: these PIDs (forked workers share one socket, so there may be
   * several). `note` is what the OS says about them, when it says something (Windows: PID 4 is
   * HTTP.sys, which cannot be ended).
   */
  | {
    readonly kind: "visible";
    readonly pids: readonly number[];
    readonly note: string | null;
  }
  /**
   * Some or all holders cannot be seen (another user's process when not root, another PID
   * namespace, a Windows owner that exited while a child kept the socket): held, not free.
   * `visiblePids` are the holders portctl can see, often none; `note` says whose socket it is and
   * what to do.
   */
  | {
    readonly kind: "hidden";
    readonly visiblePids: readonly number[];
    readonly note: string;
  }
  /**
   * No process holds the socket (TIME_WAIT, a closed socket lingering): nothing to end, and the
   * socket is not counted against a kill. `note` says so in plain words.
   */
  | { readonly kind: "none"; readonly note: string };

/** A socket together with who holds it. */
export interface HeldSocket {
  readonly socket: SocketEntry;
  readonly holders: Holders;
}

/** Where a process works: its current directory, as the OS reports it. */
export interface WorkingFolder {
  /** Absolute path: `/home/dev/shop/api`, `C:\Users\dev\shop\api`. */
  readonly path: string;
  /**
   * True when the folder was removed after the process entered it (Linux says so: the link reads
   * `<path> (deleted)`); `path` is where it was.
   */
  readonly deleted: boolean;
}

/** Facts about one process. */
export interface ProcessInfo {
  readonly pid: number;
  /** Parent PID, or null when unknown. */
  readonly ppid: number | null;
  /** Short name (`comm` on Linux, image file name on Windows). */
  readonly name: string;
  /** User name of the owner, or null when it cannot be read. */
  readonly user: string | null;
  /** Full command line, or the executable path where the command line is not readable. */
  readonly command: string;
  /**
   * Opaque start-time token that identifies this process instance: with the PID it tells a
   * process from a later one that reuses the PID.
   */
  readonly startTime: string;
  /**
   * The working folder: which project or checkout a server runs in, what tells five identical
   * `node server.js` apart (FOLDER, `--in`). Null when it cannot be read (another user's process
   * without root, a protected process): never an error.
   */
  readonly cwd: WorkingFolder | null;
  /** When the process started, in milliseconds since the Unix epoch (AGE), or null when unknown. */
  readonly startedAtMs: number | null;
  /**
   * The executable's path: the real program behind a generic or renamed name (`node`,
   * `MainThread`, `java`), or null when it cannot be read.
   */
  readonly exe: string | null;
}

/** What keeps a process running, or owns it. */
export type ManagerKind =
  | "docker"
  | "podman"
  | "containerd"
  | "systemd"
  | "supervisord"
  | "pm2"
  | "runit"
  | "s6"
  | "nodemon"
  | "shell"
  | "windows-service"
  | "wsl";

/** How soon a manager starts a process again after it died. */
export type RestartHabit =
  /** Within this many milliseconds, if it restarts it at all (supervisord: ~1 or ~2 s). */
  | { readonly kind: "within"; readonly ms: number }
  /** Never after the process was killed (nodemon waits for a file change). */
  | { readonly kind: "never" }
  /** Unknown: watch the manager for signs (a new child) while they last (a shell loop). */
  | { readonly kind: "evidence" };

/** How portctl itself stops what a manager manages. */
export type ManagerStop =
  /** Through a container engine's API on its unix socket, like `docker stop`. */
  | { readonly kind: "engine"; readonly socket: string; readonly id: string }
  /** By running the manager's own tool (`supervisorctl stop web`), with these extra variables. */
  | {
    readonly kind: "command";
    readonly argv: readonly string[];
    readonly env: Readonly<Record<string, string>>;
  }
  /** By ending the manager process itself (nodemon, a shell loop): its child goes with it. */
  | { readonly kind: "end-manager"; readonly pid: number }
  /** portctl cannot (the engine does not answer); `why` says so, and what to do. */
  | { readonly kind: "none"; readonly why: string };

/**
 * Who manages a process: a container engine, a service manager or supervisor, or a script that
 * loops. Ending the process alone is the wrong act for most of them: they start it again, or (a
 * container's port forwarder) the container keeps running with its port mapping broken.
 */
export interface ProcessManager {
  readonly kind: ManagerKind;
  /** What people call it: the container's name, the unit, the program, the app, the service. */
  readonly name: string;
  /** The manager's own id for it (a container id, a pm2 id), or null. */
  readonly id: string | null;
  /** The command a person would run to stop it for good: `docker stop web`. */
  readonly stopCommand: string;
  /** True when the holder is the engine's port forwarder (docker-proxy), not the server. */
  readonly forwarder: boolean;
  readonly restart: RestartHabit;
  /** How portctl stops it through the manager (`--mode manager`, and containers in `auto`). */
  readonly stop: ManagerStop;
}

/** A holder whose manager is asked for: the process and the ports it holds. */
export interface ManagedHolder {
  readonly process: ProcessInfo;
  /** Its matched sockets' local ports (a forwarder's container is found by them). */
  readonly ports: readonly { readonly protocol: Protocol; readonly port: number }[];
}

/** How stopping through a manager went. */
export type ManagerStopResult =
  | { readonly kind: "stopped" }
  | { readonly kind: "failed"; readonly message: string };

/** A signal name as Deno spells it (`SIGTERM`, `SIGKILL`, ...). */
export type SignalName = Deno.Signal;

/**
 * The signals one OS can deliver (`src/platform/signals.ts` has one per backend). `--signal`,
 * `--term`, the kill engine, plugins' replies, completions and help all read it, so a signal
 * exists on an OS in exactly one place.
 */
export interface SignalTable {
  /** What `--term` sends and the default kill sends first, before SIGKILL. */
  readonly graceful: SignalName;
  /**
   * Every signal this OS can deliver, by name, with its number there (`--signal 9`), in the order
   * help lists them.
   */
  readonly numbers: ReadonlyMap<SignalName, number>;
}

/** What happened when a signal was to be delivered. */
export type SignalResult =
  | { readonly kind: "sent" }
  /** The process had already exited, or its PID now belongs to another process. */
  | { readonly kind: "gone" }
  /** The OS refused (EPERM, ERROR_ACCESS_DENIED). */
  | { readonly kind: "denied"; readonly message: string }
  /** This signal cannot be delivered to this process here (e.g. no console for Ctrl-C). */
  | { readonly kind: "unsupported"; readonly message: string };

/**
 * A process picked for ending. Created from a {@linkcode ProcessInfo}; every operation first checks
 * the process is still that instance (same start time), so a reused PID is never signalled.
 */
export interface ProcessHandle {
  readonly info: ProcessInfo;
  /** True while the same process instance is running (a zombie counts as exited). */
  isRunning(): boolean;
  /** Delivers `signal` after the identity check. */
  signal(signal: SignalName): SignalResult;
  /** Resolves true once the process has exited, false when `timeoutMs` passes first. */
  waitForExit(timeoutMs: number): Promise<boolean>;
  /** Releases OS resources held for the process (a Windows handle); idempotent. */
  close(): void;
}

/**
 * What a socket query promises about its `match`, so a backend may skip tables `match` would
 * reject every row of.
 */
export interface SocketQuery {
  /**
   * `match` accepts no TCP socket outside LISTEN, so a backend may skip reading them (on Linux
   * that spares walking the whole connection hash; on Windows it asks for the listener table).
   */
  readonly listeningTcpOnly?: boolean;
  /**
   * `match` accepts sockets of these protocols only (default both), so a backend may leave the
   * other protocol's tables unread: `portctl wait tcp:3000` polls the TCP tables alone.
   */
  readonly protocols?: readonly Protocol[];
}

/** Operating systems portctl has a backend for (values of `Deno.build.os`). */
export type PlatformName = "linux" | "windows" | "darwin";

/** The operations the OS-agnostic core needs. Every backend exports one of these. */
export interface PlatformBackend {
  readonly os: PlatformName;
  /** The signals this OS can deliver, and its graceful one. */
  readonly signals: SignalTable;
  /** PIDs that must never be signalled on this OS (init, the kernel), beside portctl and its parent. */
  readonly protectedPids: ReadonlySet<number>;
  /**
   * Every socket for which `match` is true, with its holders. Backends look for holders only
   * when at least one socket matches, so asking about a free port stays cheap. `query` says
   * which tables `match` can accept nothing from.
   */
  findSockets(match: (socket: SocketEntry) => boolean, query?: SocketQuery): HeldSocket[];
  /**
   * Every socket for which `match` is true, from the socket tables alone: no holder is looked
   * for, whatever matches, so polling it stays as cheap as asking about a free port (`portctl
   * wait` calls it every few milliseconds). `user` may be null where naming it would cost more
   * than the table read.
   */
  listSockets(match: (socket: SocketEntry) => boolean, query?: SocketQuery): SocketEntry[];
  /** Facts about each PID that still exists; PIDs that vanished are left out. */
  describeProcesses(pids: readonly number[]): Map<number, ProcessInfo>;
  /** A handle for ending `process`; it refuses to act once the PID is no longer that process. */
  openProcess(process: ProcessInfo): ProcessHandle;
  /**
   * Why a port no socket holds may still refuse a bind (Windows reserves port ranges for
   * Hyper-V/WinNAT), or null. Asked only when a target matched nothing.
   */
  unheldPortNote?(protocol: Protocol, port: number): string | null;
  /**
   * Who manages each of `processes` (the holders of matched sockets only: it reads a little per
   * process, and asks a container engine only when a holder belongs to a container). Processes
   * nobody manages are left out.
   */
  describeManagers(holders: readonly ManagedHolder[]): Promise<Map<number, ProcessManager>>;
  /** Stops what `manager` manages through the manager itself; `timeoutMs` bounds a graceful stop. */
  stopThroughManager(
    manager: ProcessManager,
    options: { readonly timeoutMs: number },
  ): Promise<ManagerStopResult>;
  /** The PIDs of `pid`'s children right now, to see whether a parent is starting something. */
  childrenOf(pid: number): number[];
  /**
   * True while `pid` sleeps on a timer (`time.sleep`, `nanosleep`), as a supervisor does between
   * a child's death and its restart. Absent where the OS does not say.
   */
  isPausing?(pid: number): boolean;
}

/** Thrown by a backend for an OS portctl cannot serve; the CLI maps it to exit code 2. */
export class UnsupportedPlatformError extends Error {
  constructor(os: string) {
    super(`portctl does not support ${os} yet`);
    this.name = "UnsupportedPlatformError";
  }
}
