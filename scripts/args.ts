/**
 * The flag reader the build scripts share: `--flag value` and `--flag=value`, one at a time.
 *
 * @module
 */

/** One argument: its flag name and, on request, its value. */
export interface ScriptArg {
  /** The argument as given. */
  readonly arg: string;
  /** The flag, without any `=value`. */
  readonly flag: string;
  /** The flag's value: after `=`, else the next argument (consumed). */
  value(): string;
}

/**
 * Walks `args`; `missing` builds the error thrown when a flag has no value.
 *
 * @example
 * ```ts
 * for (const { flag, value } of scriptArgs(["--target", "x"], (m) => new Error(m))) {
 *   if (flag === "--target") console.log(value()); // "x"
 * }
 * ```
 */
export function* scriptArgs(
  args: readonly string[],
  missing: (message: string) => Error,
): Generator<ScriptArg> {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq !== -1 ? arg.slice(0, eq) : arg;
    yield {
      arg,
      flag,
      value: () => {
        if (eq !== -1) return arg.slice(eq + 1);
        const next = args[++i];
        if (next === undefined || next === "") throw missing(`${flag} needs a value`);
        return next;
      },
    };
  }
}
