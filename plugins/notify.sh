#!/bin/sh
# portctl executable plugin: tells you what each kill did.
#
# portctl runs it as `notify.sh before-kill`, `notify.sh stop` and `notify.sh after-kill`, with the
# hook context as one line of JSON on stdin (see ExecHookInput in portctl.d.ts). After a kill it prints one line
# on stderr (portctl shows it as `[notify] ended 4242 node (port 3000) in 0.12 s`) and, when it
# can, shows a desktop notification (notify-send on Linux, osascript on macOS). Set
# PORTCTL_NOTIFY_DESKTOP=0 for the stderr line only. It never vetoes anything: it prints nothing
# on stdout and exits 0.
#
# Install: copy into ~/.config/portctl/plugins/ and `chmod +x` it. Needs only sh and sed.

input=$(cat)
[ "$1" = "after-kill" ] || exit 0

# portctl writes the keys in a fixed order (hook, process{pid, name, user, command}, sockets,
# signal, dryRun, platform, timeout, outcome, elapsedMs), so the fields below are read from the
# start or the end of the line and never from inside the free-text command.
pid=$(printf '%s\n' "$input" | sed -n 's/^{"hook":"[a-z-]*","process":{"pid":\([0-9]*\),.*/\1/p')
name=$(printf '%s\n' "$input" | sed -n 's/^{"hook":"[a-z-]*","process":{"pid":[0-9]*,"name":"\([^"]*\)".*/\1/p')
port=$(printf '%s\n' "$input" | sed -n 's/.*"sockets":\[{"protocol":"[a-z]*","family":[46],"address":"[^"]*","port":\([0-9]*\).*/\1/p')
outcome=$(printf '%s\n' "$input" | sed -n 's/.*"outcome":"\([a-z-]*\)","elapsedMs":[0-9.]*}$/\1/p')
ms=$(printf '%s\n' "$input" | sed -n 's/.*"elapsedMs":\([0-9]*\)[0-9.]*}$/\1/p')

seconds=$(awk "BEGIN { printf \"%.2f\", ${ms:-0} / 1000 }")
case "$outcome" in
  dry-run) message="dry run: would end $pid $name (port $port)" ;;
  *) message="$outcome $pid $name (port $port) in $seconds s" ;;
esac

echo "$message" >&2
if [ "${PORTCTL_NOTIFY_DESKTOP:-1}" != "0" ]; then
  if command -v notify-send >/dev/null 2>&1; then
    notify-send "portctl" "$message" >/dev/null 2>&1 || true
  elif command -v osascript >/dev/null 2>&1; then
    osascript -e "display notification \"$message\" with title \"portctl\"" >/dev/null 2>&1 || true
  fi
fi
exit 0
