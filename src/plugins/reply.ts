/**
 * Checking what a `beforeKill` hook answered. A reply is nothing (`undefined`/`null`: go on),
 * `{ skip: "reason" }`, `{ signal: "SIGINT" }` or `{ handled: true }`, with exactly one key: an
 * unknown or misspelt reply is a plugin failure, never silently "go on", so a protecting plugin
 * with a typo cannot let a kill through.
 *
 * @module
 */

import type { PlatformName, SignalName } from "../platform/types.ts";
import { signalByName } from "../core/signals.ts";
import { signalTableOf } from "../platform/signals.ts";

/** A valid `beforeKill` reply of one plugin. */
export type HookReply =
  | { readonly kind: "proceed" }
  | { readonly kind: "skip"; readonly reason: string }
  | { readonly kind: "signal"; readonly signal: SignalName }
  | { readonly kind: "handled" };

/** A reply that is not one of the four allowed forms. */
export class InvalidReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidReplyError";
  }
}

/**
 * Signals a plugin may ask for when the caller does not say (it should pass the backend's list):
 * the names in `os`'s backend signal table.
 */
export function defaultPluginSignals(os: PlatformName): readonly SignalName[] {
  return [...signalTableOf(os).numbers.keys()];
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

const EXPECTED = 'expected nothing, { skip: "reason" }, { signal: "SIGINT" } or { handled: true }';

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
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidReplyError(`invalid reply ${describe(value)}: ${EXPECTED}`);
  }
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    throw new InvalidReplyError(`invalid reply ${describe(value)}: ${EXPECTED}`);
  }
  const record = value as Record<string, unknown>;
  switch (keys[0]) {
    case "skip": {
      const reason = record.skip;
      if (typeof reason !== "string" || reason.trim() === "") {
        throw new InvalidReplyError(
          `invalid reply ${describe(value)}: skip needs a reason, a non-empty string`,
        );
      }
      return { kind: "skip", reason: reason.trim() };
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
      if (record.handled !== true) {
        throw new InvalidReplyError(`invalid reply ${describe(value)}: handled must be true`);
      }
      return { kind: "handled" };
    default:
      throw new InvalidReplyError(`invalid reply ${describe(value)}: ${EXPECTED}`);
  }
}
