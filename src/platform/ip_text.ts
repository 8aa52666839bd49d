/**
 * IP addresses as text, the way every backend prints them: dotted IPv4, RFC 5952 IPv6 (lower-case
 * hex, the longest run of two or more zero groups as `::`, the first on a tie) and IPv4-mapped
 * addresses as `::ffff:a.b.c.d`. One implementation for procfs, netlink, Win32 and XNU bytes.
 *
 * @module
 */

/**
 * The 4 bytes at `at` as dotted IPv4.
 *
 * @example
 * ```ts
 * formatIpv4(new Uint8Array([127, 0, 0, 1])); // "127.0.0.1"
 * ```
 */
export function formatIpv4(bytes: ArrayLike<number>, at = 0): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

/**
 * The 16 bytes at `at` (network order) as IPv6 text.
 *
 * @example
 * ```ts
 * formatIpv6(new Uint8Array(16)); // "::"
 * ```
 */
export function formatIpv6(bytes: ArrayLike<number>, at = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[at + 2 * i] << 8) | bytes[at + 2 * i + 1]);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatIpv4(bytes, at + 12)}`;
  }
  let bestStart = -1;
  let bestLength = 1; // a single zero group is written out (RFC 5952 4.2.2)
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = (part: number[]) => part.map((g) => g.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}
