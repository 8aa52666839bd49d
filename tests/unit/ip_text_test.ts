/**
 * The one IP text formatter every backend uses: procfs and netlink rows, Win32 tables and XNU
 * records all print addresses through it.
 */

import { assertEquals } from "../support/assert.ts";
import { formatIpv4, formatIpv6 } from "../../src/platform/ip_text.ts";

const bytes = (hex: string) => new Uint8Array(hex.match(/../g)!.map((b) => parseInt(b, 16)));

Deno.test("formatIpv4: dotted, from any offset", () => {
  assertEquals(formatIpv4(new Uint8Array([127, 0, 0, 1])), "127.0.0.1");
  assertEquals(formatIpv4(new Uint8Array([9, 9, 192, 168, 1, 1]), 2), "192.168.1.1");
});

Deno.test("formatIpv6: RFC 5952 text", () => {
  const cases: [string, string][] = [
    ["00000000000000000000000000000000", "::"],
    ["00000000000000000000000000000001", "::1"],
    ["fe800000000000000000000000000001", "fe80::1"],
    ["20010db8000000010001000100010001", "2001:db8:0:1:1:1:1:1"],
    ["20010db8000000010000000000000001", "2001:db8:0:1::1"],
    ["20010000000000010000000000000001", "2001:0:0:1::1"],
    ["00000000000000000000ffff01020304", "::ffff:1.2.3.4"],
    // The longest zero run is shortened, the first of equal ones; a single zero group stays.
    ["20010db8000000000001000000000001", "2001:db8::1:0:0:1"],
    ["00010000000000010000000000010001", "1::1:0:0:1:1"],
    ["00000000000000010000000000000000", "0:0:0:1::"],
  ];
  for (const [hex, text] of cases) assertEquals(formatIpv6(bytes(hex)), text, hex);
  assertEquals(formatIpv6(bytes(`ffff${"00".repeat(15)}01`), 2), "::1", "offset");
});
