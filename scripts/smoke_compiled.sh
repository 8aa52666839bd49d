#!/usr/bin/env bash
# Smoke test of a compiled portctl binary (Linux): the one place where loading plugins from disk
# by a `deno compile`d binary is proven (Deno >= 2.8.2, see scripts/build_plan.ts).
#
#   bash scripts/smoke_compiled.sh dist/x86_64-unknown-linux-gnu/portctl
#
# It starts a TCP listener on a free loopback port, then checks, with the binary:
#   1. --version names the version and the target;
#   2. `who <port>` finds the listener's PID (table and --json);
#   3. `kill <port> --dry-run` runs a .ts plugin given with --plugin, which imports a second file
#      by a relative path and has type annotations, and an executable shell plugin found through
#      PORTCTL_PLUGIN_PATH, which gets the hook context as JSON on stdin; both leave proof files;
#   3b. a trusted project plugin (with a helper module) runs from its private snapshot;
#   4. the .ts plugin's `{ skip }` reply is honoured: `kill` exits 3 and the listener lives;
#   5. `kill --no-plugins` ends the listener and `who` then finds nothing (exit 1).
# Exits non-zero with a message at the first failed check.
set -euo pipefail

bin=${1:?usage: smoke_compiled.sh PATH_TO_PORTCTL}
[[ "$bin" == /* ]] || bin="$PWD/$bin"
[[ -x "$bin" ]] || { echo "smoke: $bin is not an executable" >&2; exit 1; }

work=$(mktemp -d)
listener_pid=""
port=""
cleanup() {
  if [[ -n "$listener_pid" ]]; then kill -KILL "$listener_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "smoke: FAIL: $*" >&2
  exit 1
}
pass() { echo "smoke: ok: $*"; }

# --- a listener on a free port ---------------------------------------------------------------
# Started from a subshell that exits at once, so the listener is not our child: once killed it
# is reaped by init instead of lingering as our zombie (kill -0 would still find a zombie).
(python3 -c '
import os, socket, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
print(s.getsockname()[1], os.getpid(), flush=True)
time.sleep(300)
' >"$work/listener" </dev/null &)
for _ in $(seq 50); do [[ -s "$work/listener" ]] && break; sleep 0.1; done
read -r port listener_pid <"$work/listener" || true
[[ "${port:-}" =~ ^[0-9]+$ && "${listener_pid:-}" =~ ^[0-9]+$ ]] || fail "the listener did not start"
echo "smoke: listener pid $listener_pid on 127.0.0.1:$port"

# --- 1. version -----------------------------------------------------------------------------
version=$("$bin" --version)
[[ "$version" =~ ^portctl\ [0-9]+\.[0-9]+\.[0-9]+.*\ \(x86_64-unknown-linux-gnu\)$ ]] ||
  fail "--version printed \"$version\""
pass "--version: $version"

# --- 2. who ---------------------------------------------------------------------------------
out=$("$bin" who "$port") || fail "who $port exited $?"
grep -qw "$listener_pid" <<<"$out" || fail "who $port does not name pid $listener_pid: $out"
json=$("$bin" who "$port" --json) || fail "who --json exited $?"
python3 -c '
import json, sys
rows = json.loads(sys.argv[1])
assert any(r["pid"] == int(sys.argv[2]) and r["port"] == int(sys.argv[3]) for r in rows), rows
' "$json" "$listener_pid" "$port" || fail "who --json: $json"
pass "who finds pid $listener_pid"

# --- 3. plugins from a temp folder ----------------------------------------------------------
mkdir -p "$work/ts/lib" "$work/exec" "$work/proof"
cat >"$work/ts/lib/describe.ts" <<'TS'
export interface Described {
  readonly pid: number;
  readonly dryRun: boolean;
}
export function describe(pid: number, dryRun: boolean): string {
  const d: Described = { pid, dryRun };
  return `ts-plugin pid=${d.pid} dryRun=${d.dryRun}`;
}
TS
cat >"$work/ts/smoke.ts" <<'TS'
import { describe } from "./lib/describe.ts";

interface Ctx {
  process: { pid: number };
  dryRun: boolean;
  env: Record<string, string>;
}

export default {
  name: "smoke-ts",
  beforeKill(ctx: Ctx): { skip: string } | undefined {
    const proof = `${ctx.env.SMOKE_PROOF}/ts-before-kill`;
    Deno.writeTextFileSync(proof, describe(ctx.process.pid, ctx.dryRun) + "\n", { append: true });
    return ctx.env.SMOKE_VETO === "1" ? { skip: "vetoed by the smoke test" } : undefined;
  },
};
TS
cat >"$work/exec/smoke-exec" <<'SH'
#!/bin/sh
cat >"$SMOKE_PROOF/exec-$1.json"
SH
chmod +x "$work/exec/smoke-exec"

export SMOKE_PROOF="$work/proof"
PORTCTL_PLUGIN_PATH="$work/exec" "$bin" kill "$port" --dry-run --plugin "$work/ts/smoke.ts" ||
  fail "kill --dry-run with plugins exited $?"
grep -qx "ts-plugin pid=$listener_pid dryRun=true" "$work/proof/ts-before-kill" ||
  fail ".ts plugin did not run: $(cat "$work/proof/ts-before-kill" 2>/dev/null || echo 'no proof file')"
pass ".ts plugin with a relative import ran in the compiled binary"
[[ -s "$work/proof/exec-before-kill.json" ]] || fail "executable plugin did not run"
python3 -c '
import json, sys
ctx = json.load(open(sys.argv[1]))
assert ctx["process"]["pid"] == int(sys.argv[2]) and ctx["dryRun"] is True, ctx
' "$work/proof/exec-before-kill.json" "$listener_pid" || fail "executable plugin got bad JSON"
pass "executable plugin from PORTCTL_PLUGIN_PATH ran and got the context as JSON"
kill -0 "$listener_pid" || fail "--dry-run ended the listener"

# --- 3b. a trusted project plugin runs in its own process, from its snapshot -------------------
mkdir -p "$work/app/.portctl/plugins/lib"
cat >"$work/app/.portctl/plugins/lib/where.ts" <<'TS'
export const where = (url: string) => `project-plugin ran from ${url}`;
TS
cat >"$work/app/.portctl/plugins/proj.ts" <<'TS'
import { where } from "./lib/where.ts";
export default {
  beforeKill(ctx: { env: Record<string, string> }) {
    Deno.writeTextFileSync(`${ctx.env.SMOKE_PROOF}/project`, where(import.meta.url) + "\n");
  },
};
TS
export XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache"
(cd "$work/app" && "$bin" plugins trust) || fail "plugins trust exited $?"
(cd "$work/app" && "$bin" kill "$port" --dry-run) || fail "kill --dry-run in the project exited $?"
grep -q "^project-plugin ran from file://$work/cache/portctl/trusted-plugins/" "$work/proof/project" ||
  fail "trusted project plugin did not run from its snapshot: $(cat "$work/proof/project" 2>/dev/null)"
pass "a trusted project plugin ran in its own process, from its snapshot, in the compiled binary"

# --- 4. a plugin's veto is honoured -----------------------------------------------------------
set +e
SMOKE_VETO=1 "$bin" kill "$port" --plugin "$work/ts/smoke.ts"
code=$?
set -e
[[ $code -eq 3 ]] || fail "kill with a vetoing plugin exited $code, want 3"
kill -0 "$listener_pid" || fail "the vetoed listener was ended"
pass "a plugin's skip reply leaves the listener alive (exit 3)"

# --- 5. kill without plugins ------------------------------------------------------------------
"$bin" kill "$port" --no-plugins || fail "kill --no-plugins exited $?"
for _ in $(seq 50); do kill -0 "$listener_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$listener_pid" 2>/dev/null; then fail "listener $listener_pid still alive"; fi
listener_pid=""
set +e
"$bin" who "$port" >/dev/null 2>&1
code=$?
set -e
[[ $code -eq 1 ]] || fail "who on the freed port exited $code, want 1"
pass "kill ended the listener and the port is free"
echo "smoke: all checks passed"
