/**
 * `plugins/portctl.d.ts` (what plugin authors see) stays consistent with `src/core/hooks.ts`
 * (what the engine passes). These checks are types: `deno test` type-checks them.
 */

import type * as Api from "../../plugins/portctl.d.ts";
import type * as Core from "../../src/core/hooks.ts";
import type { PlatformName, SocketState } from "../../src/platform/types.ts";
import { assertEquals } from "../support/assert.ts";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** What the runner adds to the engine's context. */
interface Extra {
  readonly env: Readonly<Record<string, string>>;
  log(message: string): void;
  readonly abortSignal: AbortSignal;
}

Deno.test("api: plugin context types match the engine's", () => {
  const outcomes: Same<Api.KillOutcome, Core.KillOutcome> = true;
  const platforms: Same<Api.Platform, PlatformName> = true;
  const states: Same<Api.SocketState, SocketState> = true;
  const process: Same<Api.PluginProcess, Core.HookProcess> = true;
  const socket: Same<Api.PluginSocket, Core.SocketSummary> = true;
  // The engine's context plus env/log/abortSignal is a plugin context, and nothing more is needed.
  const before = (c: Core.BeforeKillContext & Extra): Api.BeforeKillContext => c;
  const after = (c: Core.AfterKillContext & Extra): Api.AfterKillContext => c;
  assertEquals([outcomes, platforms, states, process, socket], [true, true, true, true, true]);
  assertEquals([typeof before, typeof after], ["function", "function"]);
});

Deno.test("api: the replies of the d.ts are the ones the runner accepts", () => {
  const replies: Api.BeforeKillReply[] = [
    undefined,
    { skip: "reason" },
    { signal: "SIGINT" },
    { handled: true },
  ];
  const plugin: Api.PortctlPlugin = {
    name: "x",
    beforeKill: (ctx) => (ctx.dryRun ? undefined : { skip: "x" }),
    afterKill: async (ctx) => {
      await Promise.resolve(ctx.outcome);
    },
  };
  assertEquals(replies.length, 4);
  assertEquals(typeof plugin.beforeKill, "function");
});
