/**
 * Checking what a hook answered. A `beforeKill` reply is nothing (`undefined`/`null`: go on),
 * `{ skip: "reason" }` or `{ signal: "SIGINT" }`; a `stop` reply is nothing or
 * `{ handled: true }`. Exactly one key: an unknown or misspelt reply is a plugin failure, never
 * silently "go on", so a protecting plugin with a typo cannot let a kill through.
 *
 * @module
 */

import type { SignalName } from "../platform/types.ts";
import { signalByName } from "../core/signals.ts";

/** A valid `beforeKill` reply of one plugin. */
export type HookReply =
  | { readonly kind: "proceed" }
  | { readonly kind: "skip"; readonly reason: string }
  | { readonly kind: "signal"; readonly signal: SignalName };

/** A reply that is not one of the allowed forms. */
export class InvalidReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidReplyError";
  }
}

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    if (text !== undefined) return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    // fall through: a cycle or a BigInt
  }
  return typeof value;
}

const EXPECTED = 'expected nothing, { skip: "reason" } or { signal: "SIGINT" }';

/** The longest skip reason kept; longer ones are cut. */
export const REASON_LIMIT = 500;

/** The one key of a reply object, or an error naming what is wrong. */
function onlyKey(value: unknown, expected: string): string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidReplyError(`invalid reply ${describe(value)}: ${expected}`);
  }
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    throw new InvalidReplyError(`invalid reply ${describe(value)}: ${expected}`);
  }
  return keys[0];
}

/**
 * Turns a `beforeKill` return value (or an executable plugin's parsed stdout) into a
 * {@linkcode HookReply}; throws {@linkcode InvalidReplyError} naming what was wrong.
 *
 * @example
 * ```ts
 * parseBeforeKillReply({ signal: "int" }, ["SIGTERM", "SIGINT"]); // { kind: "signal", signal: "SIGINT" }
 * ```
 */
export function parseBeforeKillReply(value: unknown, allowed: readonly SignalName[]): HookReply {
  if (value === undefined || value === null) return { kind: "proceed" };
  const record = value as Record<string, unknown>;
  switch (onlyKey(value, EXPECTED)) {
    case "skip": {
      const reason = record.skip;
      if (typeof reason !== "string" || reason.trim() === "") {
        throw new InvalidReplyError(
          `invalid reply ${describe(value)}: skip needs a reason, a non-empty string`,
        );
      }
      const text = reason.trim();
      // A reason is one line of a report: a plugin cannot fill the terminal or the JSON with it.
      return {
        kind: "skip",
        reason: text.length > REASON_LIMIT ? `${text.slice(0, REASON_LIMIT)}…` : text,
      };
    }
    case "signal": {
      const text = record.signal;
      const signal = typeof text === "string" ? signalByName(text, allowed) : null;
      if (!signal) {
        throw new InvalidReplyError(
          `invalid reply ${describe(value)}: unknown signal; expected one of ${allowed.join(", ")}`,
        );
      }
      return { kind: "signal", signal };
    }
    case "handled":
      // Acting in beforeKill would act before later plugins could refuse.
      throw new InvalidReplyError(
        `invalid reply ${describe(value)}: beforeKill only decides; stop the process in a stop() ` +
          "hook and reply { handled: true } there (see docs/plugins.md)",
      );
    default:
      throw new InvalidReplyError(`invalid reply ${describe(value)}: ${EXPECTED}`);
  }
}

/**
 * Turns a `stop` return value into whether the plugin stopped the process; throws
 * {@linkcode InvalidReplyError} for anything but nothing or `{ handled: true }`.
 *
 * @example
 * ```ts
 * parseStopReply({ handled: true }); // { handled: true }
 * parseStopReply(undefined); // { handled: false }
 * ```
 */
export function parseStopReply(value: unknown): { readonly handled: boolean } {
  if (value === undefined || value === null) return { handled: false };
  const expected = "expected nothing or { handled: true }";
  if (onlyKey(value, expected) !== "handled" || (value as { handled: unknown }).handled !== true) {
    throw new InvalidReplyError(`invalid reply ${describe(value)}: ${expected}`);
  }
  return { handled: true };
}
