/**
 * Runs `src/cli/plugins.ts` as `portctl plugins ...` with the real CLI context, for
 * `plugins_cli_test.ts`, independent of how `src/cli/app.ts` routes it.
 *
 * @module
 */

import { buildApplication, buildRouteMap, run, text_en } from "@stricli/core";
import { createContext } from "../../src/cli/context.ts";
import { pluginsRoutes } from "../../src/cli/plugins.ts";
import { UsageError } from "../../src/core/errors.ts";

const app = buildApplication(
  buildRouteMap({ routes: { plugins: pluginsRoutes }, docs: { brief: "portctl" } }),
  {
    name: "portctl",
    determineExitCode: (error) => error instanceof UsageError ? 2 : 4,
    localization: {
      text: {
        ...text_en,
        exceptionWhileRunningCommand: (error) => `portctl: ${(error as Error).message}`,
      },
    },
  },
);
const context = createContext();
await run(app, Deno.args, context);
Deno.exit(Number(context.process.exitCode ?? 0) || context.exit);
