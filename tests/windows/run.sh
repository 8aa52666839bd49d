#!/usr/bin/env bash
# `deno task test:windows`: portctl's Windows backend and CLI under the real Windows deno.exe,
# run by Wine (the harness in tests/windows/wine/). Sets the harness up (idempotent; about a minute
# and ~1.3 GB the first time, seconds after), then runs tests/windows/*_test.ts with Windows deno
# (--no-config: deno.json keeps tests/windows/ out of the host `deno test`). Whether it runs here
# (root on Linux) is decided by tests/support/requirements.ts, like every suite needing services.
# Last line: `N passed, N failed`; exit 1 on any failure, set-up failures included.
#   PORTCTL_WINE_DIR   another copy of the harness (default: tests/windows/wine)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT" || exit 1
WINE_DIR="${PORTCTL_WINE_DIR:-$ROOT/tests/windows/wine}"
start=$(date +%s)
TESTS=(tests/windows/cli_test.ts tests/windows/backend_test.ts)

fail_setup() {
  echo "FAIL $*" >&2
  echo "FAIL $*"
  echo "0 passed, 1 failed"
  exit 1
}

report() { # report OUTPUT_FILE EXIT_CODE: the `N passed, N failed` line from deno test's summary
  local passed failed
  # deno test ends with `ok | 12 passed | 0 failed (40s)` or `FAILED | 10 passed | 2 failed (..)`.
  passed="$(grep -oE '[0-9]+ passed' "$1" | tail -n1 | cut -d' ' -f1)"
  failed="$(grep -oE '[0-9]+ failed' "$1" | tail -n1 | cut -d' ' -f1)"
  passed="${passed:-0}"
  failed="${failed:-0}"
  if [ "$2" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi # crashed before a summary
  if [ "$passed" = 0 ] && [ "$failed" = 0 ]; then failed=1; fi # nothing ran: not a pass
  echo "took $(($(date +%s) - start)) s"
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]
}

case "$(uname -s)" in
  MINGW* | MSYS* | CYGWIN*) # on Windows itself (Git Bash on a CI runner): no Wine needed
    out="$(mktemp)"
    trap 'rm -f "$out"' EXIT
    echo "== native Windows deno: ${TESTS[*]}"
    NO_COLOR=1 deno test -A --unstable-net --no-config "${TESTS[@]}" 2>&1 | tee "$out"
    report "$out" "${PIPESTATUS[0]}"
    exit
    ;;
  Linux) ;;
  *)
    echo "SKIP the Wine harness runs on Linux only ($(uname -s)): Windows was NOT tested here"
    echo "0 passed, 0 failed"
    exit 0
    ;;
esac

# Without root (a developer without sudo, GitHub's Linux runner, which tests Windows natively on
# windows-latest instead) this is a loud skip; where services are required (CI=true, .ci/run) a
# failure. requirements.ts prints why and what would enable it.
verdict="$(deno run --allow-all --quiet tests/support/requirements.ts "the Windows suite under Wine" wine)"
case $? in
  0) ;;
  3)
    echo "$verdict"
    echo "Windows was NOT tested here"
    echo "0 passed, 0 failed"
    exit 0
    ;;
  *)
    verdict="${verdict:-tests/support/requirements.ts could not decide whether it runs here}"
    fail_setup "${verdict#FAIL }"
    ;;
esac
if [ ! -x "$WINE_DIR/setup.sh" ] || [ ! -x "$WINE_DIR/wdeno" ]; then
  fail_setup "no Wine harness at $WINE_DIR (PORTCTL_WINE_DIR): Windows was NOT tested"
fi
# shellcheck source=/dev/null
. "$WINE_DIR/common.sh"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "== setting up the Wine harness ($WINE_DIR/setup.sh)"
if ! "$WINE_DIR/setup.sh" >"$log" 2>&1; then
  cat "$log"
  if grep -qiE 'could not resolve|failed to fetch|temporary failure|network is unreachable|connection (refused|timed out)|npm (ERR|error)' "$log"; then
    fail_setup "Wine set-up failed for lack of network (see the log above): Windows was NOT tested"
  fi
  fail_setup "Wine set-up failed (see the log above): Windows was NOT tested"
fi
tail -n 2 "$log"

# Stop the wineserver at the end only if this run started it: another wdeno may be in use.
own_mounts=0
mountpoint -q "$WINE_CHROOT/proc" || own_mounts=1

out="$(mktemp)"
# Otherwise only this checkout's bind mount goes: a clone that is later deleted must not leave a
# stale mount behind, on which the next wdeno from a folder of that name would fail.
trap 'rm -f "$log" "$out"; if [ "$own_mounts" = 1 ]; then "$WINE_DIR/wdeno" --shutdown;
  else umount -l "$WINE_CHROOT$ROOT" 2>/dev/null; fi' EXIT
echo "== Windows deno under Wine: ${TESTS[*]}"
NO_COLOR=1 DENO_NO_UPDATE_CHECK=1 "$WINE_DIR/wdeno" test -A --unstable-net --no-config "${TESTS[@]}" \
  2>&1 | tee "$out"
report "$out" "${PIPESTATUS[0]}"
