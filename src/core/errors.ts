/**
 * Bad input, as core reports it: the CLI maps it to exit code 2.
 *
 * @module
 */

/** Bad input from the user: shown as one line, exit code 2, nothing signalled. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
