#!/usr/bin/env bash
# Installs and starts what portctl's real-service tests use, on Debian 12 or Ubuntu, as root:
#   apt:  python3, util-linux (runuser), zsh, fish, tmux, supervisor, runit, busybox-static,
#         docker.io (only when no dockerd is installed: a Docker CE install is used as it is)
#   npm:  pm2 and nodemon, global (`npm install -g`, on PATH for every user)
#   Docker: a daemon answering on /var/run/docker.sock (when none does, this script starts its own
#         dockerd with --storage-driver=vfs and its own data and exec roots) and the test image
#         portctl-test-busybox, made here from busybox-static with no registry
# Idempotent: what is there already is kept; a warm run takes a few seconds. supervisord, runsv
# and pm2 are installed, not started: the tests start their own instances. The Wine harness is
# set up by the Windows suite itself (tests/windows/run.sh).
#   scripts/test-env.sh              install, start, check; exit 1 if anything is missing
#   scripts/test-env.sh --stop-docker  stop the dockerd this script started (if any)
#   scripts/test-env.sh --if-root  as root, as above; as another user, one line and exit 0 (what
#                                  `deno task ci` runs first: suites that need services then skip)
set -uo pipefail

DOCKER_SOCKET=/var/run/docker.sock
DOCKER_EXEC_ROOT=/run/portctl-docker
DOCKER_PIDFILE="$DOCKER_EXEC_ROOT/dockerd.pid"
DOCKER_DATA_ROOT=/var/lib/portctl-docker
DOCKER_LOG=/var/log/portctl-dockerd.log
TEST_IMAGE=portctl-test-busybox
# Commands the image links to /bin/busybox: what a test container may run.
IMAGE_COMMANDS=(sh cat echo env false httpd kill ls nc ps sleep true wget)
PM2_VERSION=7.0.4
NODEMON_VERSION=3.1.14

start=$(date +%s)
failures=()
step() { echo "== $* ($(($(date +%s) - start)) s)"; }
fail() { # fail WHAT: one clear line now, and again in the summary
  echo "test-env: FAILED: $*" >&2
  failures+=("$*")
}
have() { command -v "$1" >/dev/null 2>&1; }
# The daemon answers (as this user) on the default socket.
docker_answers() { DOCKER_HOST="unix://$DOCKER_SOCKET" timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
our_dockerd() { # the PID of the dockerd this script started, if it still runs
  local pid
  pid="$(cat "$DOCKER_PIDFILE" 2>/dev/null)" || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] && echo "$pid"
}

if_root=0
if [ "${1:-}" = --if-root ]; then
  if_root=1
  shift
fi
if [ "$(id -u)" != 0 ]; then
  if [ "$if_root" = 1 ]; then
    echo "test-env: not root, so nothing was installed or started; suites that need services say so"
    exit 0
  fi
  echo "test-env: needs root (apt-get, npm -g, dockerd): run sudo scripts/test-env.sh" >&2
  exit 1
fi

if [ "${1:-}" = --stop-docker ]; then
  if pid="$(our_dockerd)"; then
    kill "$pid" && for _ in $(seq 1 100); do [ -e "/proc/$pid" ] || break; sleep 0.1; done
    echo "stopped dockerd $pid"
  else
    echo "no dockerd started by this script is running"
  fi
  exit 0
elif [ $# -gt 0 ]; then
  echo "usage: scripts/test-env.sh [--if-root | --stop-docker]" >&2
  exit 2
fi

# 1. Debian packages, each installed only when what the tests use of it is missing.
wanted=() # "package:check" pairs; check is a command name or an absolute path
wanted+=(python3:/usr/bin/python3 util-linux:runuser zsh:zsh fish:fish tmux:tmux)
wanted+=(supervisor:supervisord runit:runsv busybox-static:/bin/busybox)
have dockerd || wanted+=(docker.io:dockerd)
missing=()
for pair in "${wanted[@]}"; do
  package="${pair%%:*}"
  check="${pair#*:}"
  if [ "${check:0:1}" = / ]; then [ -x "$check" ] || missing+=("$package"); else have "$check" || missing+=("$package"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  step "apt-get install ${missing[*]}"
  apt_log="$(mktemp)"
  # --no-install-recommends: runit recommends runit-init, which would replace the init system.
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1; then
    tail -n 20 "$apt_log" >&2
    fail "apt-get install ${missing[*]} (see the lines above)"
  fi
  rm -f "$apt_log"
else
  step "Debian packages already installed"
fi
# busybox-static's /bin/busybox goes into the image: it must not need a dynamic loader.
if [ -x /bin/busybox ] && ldd /bin/busybox >/dev/null 2>&1; then
  fail "/bin/busybox is dynamically linked (the busybox package?): install busybox-static"
fi

# 2. npm packages, global so that every user (and every test's runuser) finds them on PATH.
npm_missing=()
have pm2 || npm_missing+=("pm2@$PM2_VERSION")
have nodemon || npm_missing+=("nodemon@$NODEMON_VERSION")
if [ ${#npm_missing[@]} -gt 0 ]; then
  if ! have npm; then
    fail "npm is not installed (apt-get install nodejs npm), so ${npm_missing[*]} cannot be"
  else
    step "npm install -g ${npm_missing[*]} (into $(npm prefix -g))"
    npm install -g --silent --no-audit --no-fund "${npm_missing[@]}" >/dev/null ||
      fail "npm install -g ${npm_missing[*]}"
  fi
else
  step "pm2 and nodemon already installed"
fi

# 3. A Docker daemon: the machine's own if one answers, otherwise ours (vfs needs no kernel
#    overlay support; its own roots keep it apart from any system Docker's state).
if docker_answers; then
  if pid="$(our_dockerd)"; then
    step "dockerd $pid (started earlier by this script) answers on $DOCKER_SOCKET"
  else
    step "a Docker daemon answers on $DOCKER_SOCKET"
  fi
elif ! have docker || ! have dockerd; then
  fail "docker and dockerd are not both installed (apt-get install docker.io)"
else
  if ! pid="$(our_dockerd)"; then
    step "starting dockerd --storage-driver=vfs (data $DOCKER_DATA_ROOT, log $DOCKER_LOG)"
    mkdir -p "$DOCKER_EXEC_ROOT" "$DOCKER_DATA_ROOT"
    # The daemon outlives this script, so it must not keep the caller's other descriptors: run
    # under `flock LOCK bash .ci/run` it would hold that lock for as long as it runs.
    (
      for fd in /proc/"$BASHPID"/fd/*; do
        fd="${fd##*/}"
        if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null; fi
      done
      exec setsid dockerd --storage-driver=vfs --data-root "$DOCKER_DATA_ROOT" \
        --exec-root "$DOCKER_EXEC_ROOT" --pidfile "$DOCKER_PIDFILE" -H "unix://$DOCKER_SOCKET" \
        >>"$DOCKER_LOG" 2>&1 </dev/null
    ) &
    pid=$!
  fi
  for _ in $(seq 1 600); do # up to 60 s
    docker_answers && break
    [ -e "/proc/$pid" ] || break
    sleep 0.1
  done
  if docker_answers; then
    step "dockerd $pid answers on $DOCKER_SOCKET"
  else
    tail -n 15 "$DOCKER_LOG" >&2
    fail "dockerd did not answer on $DOCKER_SOCKET (its log, $DOCKER_LOG, ends above)"
  fi
fi

# 4. The test image, from busybox-static, imported with no registry.
if docker_answers; then
  if docker image inspect "$TEST_IMAGE" >/dev/null 2>&1; then
    step "image $TEST_IMAGE present"
  elif [ ! -x /bin/busybox ]; then
    fail "image $TEST_IMAGE needs /bin/busybox (busybox-static)"
  else
    step "importing image $TEST_IMAGE (busybox $(/bin/busybox | head -n1 | cut -d' ' -f2))"
    rootfs="$(mktemp -d)"
    mkdir -p "$rootfs"/{bin,etc,tmp,proc,sys,dev}
    cp /bin/busybox "$rootfs/bin/busybox"
    for c in "${IMAGE_COMMANDS[@]}"; do ln -s busybox "$rootfs/bin/$c"; done
    echo 'root:x:0:0:root:/:/bin/sh' >"$rootfs/etc/passwd"
    echo 'root:x:0:' >"$rootfs/etc/group"
    # What `httpd` serves from / (a container's default directory): a known answer for tests.
    echo "$TEST_IMAGE" >"$rootfs/index.html"
    chmod 1777 "$rootfs/tmp"
    tar -C "$rootfs" -c . | docker import --change 'CMD ["sh"]' - "$TEST_IMAGE" >/dev/null ||
      fail "docker import of $TEST_IMAGE"
    rm -rf "$rootfs"
  fi
fi

# 5. Proof that containers run here: a published port answers, and `docker stop` ends the
#    container gracefully (exit 0 from its TERM trap, not 137 from SIGKILL). Only this container.
if docker image inspect "$TEST_IMAGE" >/dev/null 2>&1; then
  step "checking a container: published port answers, docker stop ends it gracefully"
  id="$(docker run -d -p 127.0.0.1::8080 "$TEST_IMAGE" \
    sh -c 'trap "exit 0" TERM; httpd -f -p 8080 & wait')" || id=""
  if [ -z "$id" ]; then
    fail "docker run $TEST_IMAGE"
  else
    port="$(docker port "$id" 8080/tcp | head -n1 | sed 's/.*://')"
    body=""
    for _ in $(seq 1 50); do
      # timeout(1), not wget -T: busybox-static 1.35's wget crashes (SIGSEGV) with -T.
      body="$(timeout 5 /bin/busybox wget -q -O - "http://127.0.0.1:$port/" 2>/dev/null)" && break
      sleep 0.1
    done
    [ "$body" = "$TEST_IMAGE" ] || fail "container $id: http://127.0.0.1:$port/ did not answer"
    docker stop -t 10 "$id" >/dev/null
    code="$(docker inspect -f '{{.State.ExitCode}}' "$id")"
    [ "$code" = 0 ] || fail "container $id: docker stop gave exit code $code, not 0 (graceful)"
    docker rm -f "$id" >/dev/null
  fi
fi

# 6. Summary.
for c in tmux supervisord supervisorctl runsv runsvdir sv pm2 nodemon docker busybox; do
  have "$c" || fail "$c is not on PATH"
done
if [ ${#failures[@]} -gt 0 ]; then
  echo "test-env: ${#failures[@]} problem(s), the tests that need them will fail under CI=true:" >&2
  printf '  - %s\n' "${failures[@]}" >&2
  echo "took $(($(date +%s) - start)) s"
  exit 1
fi
echo "ready: tmux $(tmux -V | cut -d' ' -f2), supervisord $(supervisord --version)," \
  "runit, pm2 $(npm ls -g --depth=0 pm2 2>/dev/null | grep -o 'pm2@[0-9.]*' | cut -d@ -f2)," \
  "nodemon $(nodemon --version), Docker $(docker version --format '{{.Server.Version}}'), image $TEST_IMAGE"
echo "took $(($(date +%s) - start)) s"
