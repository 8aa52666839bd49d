/**
 * `--signal` values: a name (`TERM`, `SIGTERM`, `sigterm`) or a number (`15`), read against the
 * backend's signal table, so a number means what it means on the OS portctl runs on.
 *
 * @module
 */

import type { PlatformName, SignalName, SignalTable } from "../platform/types.ts";
import { UsageError } from "./errors.ts";

/** What `--signal` is checked against: the backend's table, and its OS for messages. */
export interface SignalContext {
  readonly os: PlatformName;
  readonly signals: SignalTable;
}

/**
 * Parses a `--signal` value against the signals this OS can deliver.
 *
 * @example
 * ```ts
 * parseSignal("int", backend); // "SIGINT"
 * parseSignal("9", backend); // "SIGKILL"
 * ```
 */
export function parseSignal(text: string, backend: SignalContext): SignalName {
  const trimmed = text.trim();
  const { numbers } = backend.signals;
  if (/^\d+$/.test(trimmed)) {
    const number = Number(trimmed);
    for (const [name, value] of numbers) if (value === number) return name;
    return invalidSignal(text, backend);
  }
  return signalByName(trimmed, [...numbers.keys()]) ?? invalidSignal(text, backend);
}

/**
 * The signal `text` names (`INT`, `sigint`, `SIGINT`) when it is in `supported`, else null.
 *
 * @example
 * ```ts
 * signalByName("int", ["SIGTERM", "SIGINT"]); // "SIGINT"
 * ```
 */
export function signalByName(
  text: string,
  supported: readonly SignalName[],
): SignalName | null {
  const upper = text.trim().toUpperCase();
  const name = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  return supported.find((signal) => signal === name) ?? null;
}

/** A short table's numbers are listed in messages; a long one's would drown the names. */
const LISTED_NUMBERS = 5;

/**
 * `TERM, KILL, INT or its number` / `TERM, INT, KILL (or 2, 9, 15)`: what `--signal` takes, for
 * messages and help.
 *
 * @example
 * ```ts
 * describeSignals(WINDOWS_SIGNALS); // "TERM, INT, KILL (or 2, 9, 15)"
 * ```
 */
export function describeSignals(table: SignalTable): string {
  const names = [...table.numbers.keys()].map((signal) => signal.slice(3)).join(", ");
  const numbers = [...table.numbers.values()].sort((a, b) => a - b);
  return numbers.length <= LISTED_NUMBERS
    ? `${names} (or ${numbers.join(", ")})`
    : `${names} or its number`;
}

function invalidSignal(text: string, backend: SignalContext): never {
  throw new UsageError(
    `invalid signal "${text}" on ${backend.os}: expected one of ${
      describeSignals(backend.signals)
    }`,
  );
}
