/**
 * Help text shared by the commands: exit codes and examples, as the README documents them.
 *
 * @module
 */

/** Exit codes, word for word as in the README. */
export const EXIT_CODES_HELP = `EXIT CODES
  0  something matched and (kill) every matched process is gone
  1  nothing matched (kill --no-fail: 0)
  2  bad usage or input (or a plugin trust file that cannot be read or trusted); nothing was
     signalled
  3  (kill) a matched process could not be ended (still running, permission denied, owner not
     visible, skipped or failed by a plugin, plugins that cannot be used) or the port was taken
     again by a restarted server
  4  portctl itself failed unexpectedly (a bug: please report it)`;

/** What targets look like. */
export const TARGETS_HELP = `TARGETS
  5432 or :5432      TCP and UDP, IPv4 and IPv6
  3000-3010          an inclusive range
  tcp:3000  udp:53   one protocol (also tcp4: tcp6: udp4: udp6:)
  tcp:3000-3005      a protocol and a range
By default a target matches TCP listeners and bound UDP sockets on that local port, on any
address; a client connected to the port is never matched.`;

/** Exit codes of the commands that only print or record (plugins, completions). */
export const SIMPLE_EXIT_CODES_HELP = `EXIT CODES
  0  done
  2  bad usage or input (an unknown shell, no .portctl/plugins folder to trust or one that cannot
     be trusted, a missing --plugin file, a trust file that cannot be read or trusted)
  4  portctl itself failed unexpectedly (a bug: please report it)`;
