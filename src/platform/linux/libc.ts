/**
 * The few libc calls the Linux backend makes through Deno FFI, opened once per run on first use
 * (never at import): netlink for the socket tables, `readlink` for the fd scan.
 *
 * @module
 */

/** libc on glibc systems (every Linux Deno's own builds run on). */
export const LIBC_PATH = "libc.so.6";

/** The libc calls portctl makes, with their C signatures. Each returns -1 on failure. */
export const LIBC_SYMBOLS = {
  /** `int socket(int domain, int type, int protocol)` */
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** `ssize_t send(int fd, const void *buffer, size_t length, int flags)` */
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  /** `ssize_t recv(int fd, void *buffer, size_t length, int flags)` */
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  /** `int close(int fd)` */
  close: { parameters: ["i32"], result: "i32" },
  /** `ssize_t readlink(const char *path, char *buffer, size_t size)`: no NUL is appended. */
  readlink: { parameters: ["buffer", "buffer", "usize"], result: "isize" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The callable symbols of {@linkcode LIBC_SYMBOLS}. */
export type LibcSymbols = Deno.DynamicLibrary<typeof LIBC_SYMBOLS>["symbols"];

let libc: LibcSymbols | null | undefined;

/**
 * libc's symbols, or null when FFI is not allowed or libc cannot be opened; callers then use
 * Deno's own APIs. The permission is queried first so that a run without `--allow-ffi` never
 * prompts.
 */
export function openLibc(): LibcSymbols | null {
  if (libc !== undefined) return libc;
  libc = null;
  if (Deno.build.os !== "linux") return libc;
  try {
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return libc;
    libc = Deno.dlopen(LIBC_PATH, LIBC_SYMBOLS).symbols;
  } catch {
    // Not glibc (no libc.so.6), or the runtime refused: Deno's APIs it is.
  }
  return libc;
}
