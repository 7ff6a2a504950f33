# shellcheck shell=bash
# ┌──────────────────────────────────────────────────────────────────────┐
# │ Local Docker engine for the ci/ scripts (source it, do not run it)   │
# └──────────────────────────────────────────────────────────────────────┘
#
# The CI machine has a docker CLI but no engine. Debian's docker.io (engine
# 20.10) and docker-compose (1.29) do run here, so tests that need containers
# install and start them on demand, and stop them at the end — but only an
# engine this helper started: a dockerd that was already running (a developer's
# own, or one another test started) is left alone.
#
# Several scripts may share one engine at the same time (ci/tests/run stack,
# ci/tests/run pipeline): each caller registers itself under $DOCKER_ENGINE_STATE,
# and the engine is stopped by the last caller to leave, and only if this
# helper started it.
#
#   source ci/rig/docker-engine.sh
#   docker_engine_start            # idempotent; installs packages if missing
#   trap docker_engine_stop EXIT   # stops the engine only if we started it
#
# Settings (environment):
#   DOCKER_ENGINE_STATE    state folder          (default /run/genericapp-docker-engine)
#   DOCKER_ENGINE_TIMEOUT  seconds to wait       (default 90)
#   DOCKER_ENGINE_LOG      dockerd's output file (default $DOCKER_ENGINE_STATE/dockerd.log)

# shellcheck source=ci/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

DOCKER_ENGINE_STATE="${DOCKER_ENGINE_STATE:-/run/genericapp-docker-engine}"
DOCKER_ENGINE_TIMEOUT="${DOCKER_ENGINE_TIMEOUT:-90}"
DOCKER_ENGINE_LOG="${DOCKER_ENGINE_LOG:-$DOCKER_ENGINE_STATE/dockerd.log}"
# The pid that registered as a user of the engine (the sourcing script).
DOCKER_ENGINE_USER_PID="${DOCKER_ENGINE_USER_PID:-$$}"

_docker_engine_say() { printf 'docker-engine: %s\n' "$*" >&2; }

# Installs what is missing: the engine, the v1 compose client, debootstrap
# (the stand-in base image) — all Debian packages.
_docker_engine_install() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
}

# The docker CLI here may be newer than the engine (CLI 28, engine API 1.41):
# the CLI negotiates the API version down by itself, so no DOCKER_API_VERSION.
_docker_engine_ready() { docker info >/dev/null 2>&1; }

# Drops registrations of callers that have exited without leaving.
_docker_engine_prune_users() {
  local f
  for f in "$DOCKER_ENGINE_STATE"/users/*; do
    [[ -e "$f" ]] || continue
    kill -0 "${f##*/}" 2>/dev/null || rm -f -- "$f"
  done
}

docker_engine_start() {
  mkdir -p "$DOCKER_ENGINE_STATE/users"
  _docker_engine_install || { _docker_engine_say "could not install docker.io/docker-compose/debootstrap"; return 1; }
  # One caller at a time decides whether to start the engine.
  exec {_docker_engine_lock}>"$DOCKER_ENGINE_STATE/lock"
  flock -w "$DOCKER_ENGINE_TIMEOUT" "$_docker_engine_lock" || { _docker_engine_say "state lock busy"; return 1; }
  _docker_engine_prune_users
  touch "$DOCKER_ENGINE_STATE/users/$DOCKER_ENGINE_USER_PID"
  if _docker_engine_ready; then
    _docker_engine_say "using the running engine ($(docker version -f '{{.Server.Version}}' 2>/dev/null))"
  else
    _docker_engine_say "starting dockerd (log: $DOCKER_ENGINE_LOG)"
    # setsid: the engine must not die with the caller's process group on ^C,
    # it is stopped explicitly by docker_engine_stop.
    setsid dockerd --pidfile "$DOCKER_ENGINE_STATE/dockerd.pid" >>"$DOCKER_ENGINE_LOG" 2>&1 </dev/null {_docker_engine_lock}>&- &
    echo $! >"$DOCKER_ENGINE_STATE/started-by-helper"
    local waited=0
    until _docker_engine_ready; do
      if ((waited >= DOCKER_ENGINE_TIMEOUT)) || ! kill -0 "$(cat "$DOCKER_ENGINE_STATE/started-by-helper")" 2>/dev/null; then
        _docker_engine_say "dockerd did not become ready within ${DOCKER_ENGINE_TIMEOUT}s; last log lines:"
        tail -n 20 "$DOCKER_ENGINE_LOG" >&2
        exec {_docker_engine_lock}>&-
        return 1
      fi
      sleep 1
      waited=$((waited + 1))
    done
    _docker_engine_say "dockerd ready after ${waited}s ($(docker version -f '{{.Server.Version}}'))"
  fi
  exec {_docker_engine_lock}>&-
}

docker_engine_stop() {
  [[ -d "$DOCKER_ENGINE_STATE/users" ]] || return 0
  local lock
  exec {lock}>"$DOCKER_ENGINE_STATE/lock"
  flock -w "$DOCKER_ENGINE_TIMEOUT" "$lock" || { _docker_engine_say "state lock busy; leaving the engine running"; return 0; }
  rm -f -- "$DOCKER_ENGINE_STATE/users/$DOCKER_ENGINE_USER_PID"
  _docker_engine_prune_users
  local pid_file="$DOCKER_ENGINE_STATE/started-by-helper"
  if [[ ! -f "$pid_file" ]]; then
    : # not ours: leave it alone
  elif compgen -G "$DOCKER_ENGINE_STATE/users/*" >/dev/null; then
    _docker_engine_say "engine still used by pid(s) $(cd "$DOCKER_ENGINE_STATE/users" && echo *) — leaving it running"
  else
    local pid
    pid="$(cat "$pid_file")"
    if kill -0 "$pid" 2>/dev/null; then
      _docker_engine_say "stopping the dockerd this helper started (pid $pid)"
      kill -TERM "$pid"
      local waited=0
      while kill -0 "$pid" 2>/dev/null && ((waited < 30)); do sleep 1; waited=$((waited + 1)); done
      kill -0 "$pid" 2>/dev/null && { _docker_engine_say "dockerd ignored TERM for 30s, killing it"; kill -KILL "$pid"; }
    fi
    rm -f -- "$pid_file"
  fi
  exec {lock}>&-
  return 0
}
