/**
 * The plugin API: `src/plugins/api.ts` is what portctl is built against, `plugins/portctl.d.ts`
 * the authors' copy beside the examples; the two must be the same file. And the API stays
 * consistent with `src/core/hooks.ts` (what the engine passes): these checks are types, which
 * `deno test` type-checks.
 */

import type * as Api from "../../src/plugins/api.ts";
import type * as Core from "../../src/core/hooks.ts";
import type { HookInput } from "../../src/plugins/plugin_protocol.ts";
import type { PlatformName, SocketState } from "../../src/platform/types.ts";
import type { HOOK_NAMES } from "../../src/plugins/plugin_shape.ts";
import { assertEquals } from "../support/assert.ts";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** What the worker adds to the data a hook is sent. */
interface Extra {
  log(message: string): void;
  readonly abortSignal: AbortSignal;
}

Deno.test("api: plugins/portctl.d.ts is the same file as src/plugins/api.ts", async () => {
  const root = new URL("../../", import.meta.url);
  const api = await Deno.readTextFile(new URL("src/plugins/api.ts", root));
  const copy = await Deno.readTextFile(new URL("plugins/portctl.d.ts", root));
  assertEquals(copy, api, "copy src/plugins/api.ts over plugins/portctl.d.ts");
});

Deno.test("api: plugin context types match the engine's", () => {
  const outcomes: Same<Api.KillOutcome, Core.KillOutcome> = true;
  const platforms: Same<Api.Platform, PlatformName> = true;
  const states: Same<Api.SocketState, SocketState> = true;
  const process: Same<Api.PluginProcess, Core.HookProcess> = true;
  const socket: Same<Api.PluginSocket, Core.SocketSummary> = true;
  const hooks: Same<typeof HOOK_NAMES[number], Exclude<keyof Api.PortctlPlugin, "name">> = true;
  // The data a hook is sent, plus log/abortSignal, is a plugin context; nothing more is needed.
  const before = (c: Required<HookInput> & Extra): Api.BeforeKillContext => c;
  const after = (c: Required<HookInput> & Extra): Api.AfterKillContext => c;
  const engine = (c: Core.AfterKillContext, env: Record<string, string>): HookInput => ({
    ...c,
    env,
  });
  assertEquals([outcomes, platforms, states, process, socket, hooks], [
    true,
    true,
    true,
    true,
    true,
    true,
  ]);
  assertEquals([typeof before, typeof after, typeof engine], ["function", "function", "function"]);
});

Deno.test("api: the replies of the API are the ones the runner accepts", () => {
  const replies: Api.BeforeKillReply[] = [undefined, { skip: "reason" }, { signal: "SIGINT" }];
  const stops: Api.StopReply[] = [undefined, { handled: true }];
  const plugin: Api.PortctlPlugin = {
    name: "x",
    beforeKill: (ctx) => (ctx.dryRun ? undefined : { skip: "x" }),
    stop: (ctx) => (ctx.dryRun ? undefined : { handled: true }),
    afterKill: async (ctx) => {
      await Promise.resolve(ctx.outcome);
    },
  };
  assertEquals([replies.length, stops.length], [3, 2]);
  assertEquals(typeof plugin.stop, "function");
});
