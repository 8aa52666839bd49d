/**
 * Release archives written in TypeScript: `.tar.gz` (ustar + gzip) and `.zip` (deflate), with
 * fixed timestamps and owners so the same binary always gives the same archive bytes and the same
 * `SHA256SUMS` line. No `tar`/`zip` executable is needed, so `deno task compile` works the same
 * on Linux, macOS and Windows.
 *
 * @module
 */

import { concatBytes } from "../src/core/bytes.ts";

/** One file to put in an archive. */
export interface ArchiveEntry {
  /** Path inside the archive, `/`-separated, at most 100 bytes. */
  readonly name: string;
  readonly data: Uint8Array;
  /** Unix permission bits, e.g. `0o755` for an executable. */
  readonly mode: number;
}

/** Options for the archive writers. */
export interface ArchiveOptions {
  /** Modification time of every entry, seconds since the epoch (default: 0; DOS minimum for zip). */
  readonly mtime?: number;
}

/** The lower-case hex SHA-256 of `data`. */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A gzip-compressed POSIX ustar archive of `entries` (regular files, owner root:root, uid/gid 0).
 *
 * @example
 * ```ts
 * const bytes = await tarGz([{ name: "portctl", data: binary, mode: 0o755 }]);
 * ```
 */
export async function tarGz(
  entries: readonly ArchiveEntry[],
  options: ArchiveOptions = {},
): Promise<Uint8Array> {
  const mtime = options.mtime ?? 0;
  const blocks: Uint8Array[] = [];
  for (const entry of entries) {
    blocks.push(tarHeader(entry, mtime));
    blocks.push(entry.data);
    const pad = (512 - (entry.data.length % 512)) % 512;
    if (pad > 0) blocks.push(new Uint8Array(pad));
  }
  blocks.push(new Uint8Array(1024)); // two zero blocks end the archive
  return await compress(concatBytes(blocks), "gzip");
}

function tarHeader(entry: ArchiveEntry, mtime: number): Uint8Array {
  const name = new TextEncoder().encode(entry.name);
  if (name.length > 100) throw new Error(`archive entry name too long: "${entry.name}"`);
  const h = new Uint8Array(512);
  const put = (at: number, s: string) => h.set(new TextEncoder().encode(s), at);
  const octal = (at: number, width: number, n: number) =>
    put(at, n.toString(8).padStart(width - 1, "0") + "\0");
  h.set(name, 0);
  octal(100, 8, entry.mode & 0o7777);
  octal(108, 8, 0); // uid
  octal(116, 8, 0); // gid
  octal(124, 12, entry.data.length);
  octal(136, 12, mtime);
  put(148, "        "); // checksum counts as spaces while it is computed
  put(156, "0"); // regular file
  put(257, "ustar\0");
  put(263, "00");
  put(265, "root");
  put(297, "root");
  let sum = 0;
  for (const b of h) sum += b;
  put(148, sum.toString(8).padStart(6, "0") + "\0 ");
  return h;
}

/**
 * A zip archive of `entries`, each deflated, with Unix modes recorded (so `unzip` restores the
 * executable bit) and a fixed DOS timestamp.
 */
export async function zip(
  entries: readonly ArchiveEntry[],
  options: ArchiveOptions = {},
): Promise<Uint8Array> {
  const { time, date } = dosDateTime(options.mtime ?? 0);
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = new TextEncoder().encode(entry.name);
    const packed = await compress(entry.data, "deflate-raw");
    const crc = crc32(entry.data);
    const local = new Uint8Array(30 + name.length);
    const l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(4, 20, true); // version needed: 2.0 (deflate)
    l.setUint16(6, 0x0800, true); // flags: names are UTF-8
    l.setUint16(8, 8, true); // deflate
    l.setUint16(10, time, true);
    l.setUint16(12, date, true);
    l.setUint32(14, crc, true);
    l.setUint32(18, packed.length, true);
    l.setUint32(22, entry.data.length, true);
    l.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const c = new DataView(central.buffer);
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, (3 << 8) | 20, true); // made by: Unix, 2.0, so the mode below is read
    c.setUint16(6, 20, true);
    c.setUint16(8, 0x0800, true);
    c.setUint16(10, 8, true);
    c.setUint16(12, time, true);
    c.setUint16(14, date, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, packed.length, true);
    c.setUint32(24, entry.data.length, true);
    c.setUint16(28, name.length, true);
    c.setUint32(38, ((0o100000 | (entry.mode & 0o7777)) << 16) >>> 0, true); // S_IFREG | mode
    c.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, packed);
    centrals.push(central);
    offset += local.length + packed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, 0x06054b50, true);
  e.setUint16(8, entries.length, true);
  e.setUint16(10, entries.length, true);
  e.setUint32(12, centralSize, true);
  e.setUint32(16, offset, true);
  return concatBytes([...locals, ...centrals, end]);
}

function dosDateTime(epochSeconds: number): { time: number; date: number } {
  const d = new Date(epochSeconds * 1000);
  if (d.getUTCFullYear() < 1980) return { time: 0, date: (0 << 9) | (1 << 5) | 1 }; // 1980-01-01
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, the one zip and gzip use). */
export function crc32(data: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

async function compress(data: Uint8Array, format: CompressionFormat): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream(format),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
