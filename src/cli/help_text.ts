/**
 * Help text shared by the commands, as the README documents it.
 *
 * @module
 */

/** What targets look like. */
export const TARGETS_HELP = `TARGETS
  5432 or :5432      TCP and UDP, IPv4 and IPv6
  3000-3010          an inclusive range
  tcp:3000  udp:53   one protocol (also tcp4: tcp6: udp4: udp6:)
  tcp:3000-3005      a protocol and a range
By default a target matches TCP listeners and bound UDP sockets on that local port, on any
address; a client connected to the port is never matched.`;
