/**
 * `runCli`: from argv to an exit code. A plain command line runs on the fast path; anything else
 * goes through the stricli application, which is imported only then.
 *
 * @module
 */

import { importLazy } from "../lazy_modules.ts";
import { createContext } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";
import { readPlainCommandLine, runPlainCommandLine } from "./fast_path.ts";

/** Runs portctl with `args` and returns the exit code. */
export async function runCli(args: readonly string[]): Promise<number> {
  const context = createContext();
  // `portctl` alone opens the picker on a terminal; elsewhere (a script, a pipe) it prints help.
  if (args.length === 0 && Deno.stdin.isTerminal() && Deno.stdout.isTerminal()) args = ["pick"];
  const plain = await readPlainCommandLine(args, context);
  let code = plain ? await runPlainCommandLine(plain, context) : null;
  if (code === null) code = await (await importLazy("app")).runApp(args, context);
  // Lost output is a failure of portctl's own, unless the run already failed for a clearer reason.
  return context.outputFailed && code === ExitCode.Ok ? ExitCode.Internal : code;
}
