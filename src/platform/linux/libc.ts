/**
 * The few libc calls the Linux backend makes through Deno FFI, in two sets opened separately on
 * first use (never at import): netlink for the socket tables, which every lookup needs, and the
 * fd-scan calls, which only a lookup that matched a socket needs. Each symbol costs ~0.15 ms to
 * bind, so a free port binds only the first set.
 *
 * @module
 */

/** libc on glibc systems (every Linux Deno's own builds run on). */
export const LIBC_PATH = "libc.so.6";

/** The netlink calls, with their C signatures. Each returns -1 on failure. */
export const NETLINK_SYMBOLS = {
  /** `int socket(int domain, int type, int protocol)` */
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** `ssize_t send(int fd, const void *buffer, size_t length, int flags)` */
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  /** `ssize_t recv(int fd, void *buffer, size_t length, int flags)` */
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  /** `int close(int fd)` */
  close: { parameters: ["i32"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/**
 * The fd-scan calls. Paths are read relative to an open folder (`openat`, `readlinkat`), which
 * spares the kernel walking `/proc/<pid>/fd/` again for every fd. Each returns -1 on failure and
 * sets errno, read through `__errno_location`.
 */
export const SCAN_SYMBOLS = {
  /** `int openat(int dirfd, const char *path, int flags)` */
  openat: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  /** `ssize_t getdents64(int fd, void *buffer, size_t size)`: glibc 2.30 and later. */
  getdents64: { parameters: ["i32", "buffer", "usize"], result: "isize", optional: true },
  /** `ssize_t readlinkat(int dirfd, const char *path, char *buffer, size_t size)`: no NUL added. */
  readlinkat: { parameters: ["i32", "buffer", "buffer", "usize"], result: "isize" },
  /** `int close(int fd)` */
  close: { parameters: ["i32"], result: "i32" },
  /** `int *__errno_location(void)`: the calling thread's errno. */
  __errno_location: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The callable symbols of {@linkcode NETLINK_SYMBOLS}. */
export type LibcSymbols = Deno.DynamicLibrary<typeof NETLINK_SYMBOLS>["symbols"];

/** The callable symbols of {@linkcode SCAN_SYMBOLS}. */
export type ScanSymbols = Deno.DynamicLibrary<typeof SCAN_SYMBOLS>["symbols"];

let netlink: LibcSymbols | null | undefined;
let scan: ScanSymbols | null | undefined;

function open<S extends Deno.ForeignLibraryInterface>(
  symbols: S,
): Deno.DynamicLibrary<S>["symbols"] | null {
  if (Deno.build.os !== "linux") return null;
  try {
    // Queried first, so that a run without --allow-ffi never prompts.
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
    return Deno.dlopen(LIBC_PATH, symbols).symbols;
  } catch {
    return null; // not glibc (no libc.so.6), or the runtime refused: Deno's APIs it is
  }
}

/**
 * libc's netlink calls, or null when FFI is not allowed or libc cannot be opened; callers then
 * use Deno's own APIs.
 */
export function openLibc(): LibcSymbols | null {
  if (netlink === undefined) netlink = open(NETLINK_SYMBOLS);
  return netlink;
}

/** libc's fd-scan calls, or null (as {@linkcode openLibc}, or a glibc without getdents64). */
export function openScanLibc(): ScanSymbols | null {
  if (scan === undefined) {
    scan = open(SCAN_SYMBOLS);
    if (scan?.getdents64 === null) scan = null;
  }
  return scan;
}
