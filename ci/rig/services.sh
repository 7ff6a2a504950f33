# shellcheck shell=bash
# ┌──────────────────────────────────────────────────────────────────────┐
# │ The services behind the browser tests: PostgreSQL and the API jar   │
# └──────────────────────────────────────────────────────────────────────┘
#
# Source it (ci/tests/e2e-test does), or run it, so that the browser tests can
# stop and restart a service mid-test and the calling script still knows
# what to clean up:
#
#   bash ci/rig/services.sh api-stop|api-start|db-stop|db-start
#
# Everything lives under $E2E_TMP (pid files, data, logs). Every wait is
# bounded; a service that does not come up prints the tail of its log.
#
# Settings (environment): E2E_TMP (required), E2E_REPO (the checkout),
# E2E_DB_PORT (18432), E2E_API_PORT (18081), E2E_API_TIMEOUT (120 s), E2E_DB_PASSWORD (the
# example one; the prod profile refuses it, so a rig that runs it sets another).
# PostgreSQL is 17, as production: the server binaries the backend tests
# run (ci/rig/binaries.sh), with Debian's client tools from E2E_PG_BIN
# (/usr/lib/postgresql/15/bin: psql, pg_isready).
# Several API instances (ci/tests/faults.bats runs two replicas) differ by
#   E2E_API_NAME     instance name: its files are $E2E_TMP/<name>.pid and <name>.log (api)
#   E2E_API_ADDRESS  the loopback address it listens on (127.0.0.1)
#   E2E_API_JAVA     the java binary (java), E2E_API_JVM_OPTS its flags (a quick-start set)
# set for one call: E2E_API_NAME=api2 E2E_API_ADDRESS=127.0.0.3 e2e_api_start

E2E_DB_PORT="${E2E_DB_PORT:-18432}"
E2E_API_PORT="${E2E_API_PORT:-18081}"
E2E_API_NAME="${E2E_API_NAME:-api}"
E2E_API_ADDRESS="${E2E_API_ADDRESS:-127.0.0.1}"
E2E_API_JAVA="${E2E_API_JAVA:-java}"
E2E_API_JVM_OPTS="${E2E_API_JVM_OPTS:--XX:TieredStopAtLevel=1 -Xss512k}"
E2E_API_TIMEOUT="${E2E_API_TIMEOUT:-120}"
E2E_PG_BIN="${E2E_PG_BIN:-/usr/lib/postgresql/15/bin}"
# shellcheck source=ci/rig/binaries.sh
source "$(dirname "${BASH_SOURCE[0]}")/binaries.sh"
E2E_DB_PASSWORD="${E2E_DB_PASSWORD:-change-me-dev-only}"
# The first admin's password (ADMIN_PASSWORD; no prod profile here), for e2e_sign_in and the
# browser tests. Test-only, like the database's.
E2E_ADMIN_PASSWORD="${E2E_ADMIN_PASSWORD:-rig-admin-password-only}"

_e2e_say() { printf 'e2e: %s\n' "$*" >&2; }

# PostgreSQL refuses to run as root: as root, run its binaries as the `postgres` system user.
_e2e_pg() {
  if ((EUID == 0)); then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Creates a fresh cluster with role `app` (password auth over TCP) owning database `app`.
e2e_db_init() {
  # One folder the server's user owns: data, socket and log.
  mkdir -p "$E2E_TMP/pg/data" "$E2E_TMP/pg/sock"
  if ((EUID == 0)); then chown -R postgres "$E2E_TMP/pg"; fi
  rig_postgres_install || return 1
  _e2e_pg "$RIG_PG_BIN/initdb" -D "$E2E_TMP/pg/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$E2E_TMP/initdb.log" 2>&1 || {
    _e2e_say "initdb failed:"
    tail -20 "$E2E_TMP/initdb.log" >&2
    return 1
  }
  e2e_db_start || return 1
  _e2e_pg "$E2E_PG_BIN/psql" -h "$E2E_TMP/pg/sock" -p "$E2E_DB_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE app LOGIN PASSWORD '$E2E_DB_PASSWORD'" \
    -c "CREATE DATABASE app OWNER app" >/dev/null
}

e2e_db_start() {
  rig_postgres_install || return 1
  _e2e_pg "$RIG_PG_BIN/pg_ctl" -D "$E2E_TMP/pg/data" -l "$E2E_TMP/pg/postgres.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $E2E_DB_PORT -k $E2E_TMP/pg/sock -c fsync=off" start >/dev/null || {
    _e2e_say "PostgreSQL did not start (or not within 30 s):"
    tail -20 "$E2E_TMP/pg/postgres.log" >&2
    return 1
  }
}

e2e_db_stop() {
  [[ -f "$E2E_TMP/pg/data/postmaster.pid" ]] || return 0
  rig_postgres_install || return 1
  _e2e_pg "$RIG_PG_BIN/pg_ctl" -D "$E2E_TMP/pg/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

# e2e_sign_in URL: signs in at URL (the API or nginx) as the first admin and keeps the session:
# the cookie jar $E2E_TMP/cookies for curl, and E2E_COOKIE (the Cookie header) and E2E_CSRF (the
# X-XSRF-TOKEN header a change needs) exported for node clients. The password goes in a file.
e2e_sign_in() {
  local url="$1" body="$E2E_TMP/sign-in.json" code
  (umask 077 && printf '{"username":"admin","password":"%s"}' "$E2E_ADMIN_PASSWORD" >"$body")
  code="$(curl -sS -o "$E2E_TMP/sign-in.out" -w '%{http_code}' --max-time 20 -c "$E2E_TMP/cookies" \
    -H 'Content-Type: application/json' --data "@$body" "$url/api/session" 2>/dev/null || true)"
  rm -f -- "$body"
  if [[ "$code" != 200 ]]; then
    _e2e_say "signing in as admin at $url answered ${code:-nothing}: $(cat "$E2E_TMP/sign-in.out" 2>/dev/null)"
    return 1
  fi
  E2E_CSRF="$(awk -F'\t' '$6 == "XSRF-TOKEN" { print $7 }' "$E2E_TMP/cookies")"
  E2E_COOKIE="SESSION=$(awk -F'\t' '$6 == "SESSION" { print $7 }' "$E2E_TMP/cookies"); XSRF-TOKEN=$E2E_CSRF"
  export E2E_CSRF E2E_COOKIE
}

# Starts the jar in the background (its own session, so it outlives a caller that exits) and waits for readiness.
e2e_api_start() {
  local jar="$E2E_TMP/api.jar" pid_file="$E2E_TMP/$E2E_API_NAME.pid" log="$E2E_TMP/$E2E_API_NAME.log" deadline
  local jvm_opts
  read -r -a jvm_opts <<<"$E2E_API_JVM_OPTS"
  # Run a private copy: a Maven build in the same checkout rewrites target/*.jar, and a JVM
  # whose jar changes under it fails to load its next class (seen: NoClassDefFoundError).
  [[ -f "$jar" ]] || cp "$E2E_REPO/backend/target/generic-app-backend.jar" "$jar"
  env API_PORT="$E2E_API_PORT" SERVER_ADDRESS="$E2E_API_ADDRESS" DB_HOST=127.0.0.1 DB_PORT="$E2E_DB_PORT" \
    DB_NAME=app DB_USER=app DB_PASSWORD="$E2E_DB_PASSWORD" DEMO_DATA=true ADMIN_PASSWORD="$E2E_ADMIN_PASSWORD" \
    setsid "$E2E_API_JAVA" "${jvm_opts[@]}" -jar "$jar" </dev/null >>"$log" 2>&1 &
  echo $! >"$pid_file"
  deadline=$((SECONDS + E2E_API_TIMEOUT))
  until curl -fsS -o /dev/null "http://$E2E_API_ADDRESS:$E2E_API_PORT/actuator/health/readiness" 2>/dev/null; do
    if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      _e2e_say "the API ($E2E_API_NAME) exited during start-up; the end of its log:"
      tail -30 "$log" >&2
      return 1
    fi
    if ((SECONDS >= deadline)); then
      _e2e_say "the API ($E2E_API_NAME) was not ready within ${E2E_API_TIMEOUT} s; the end of its log:"
      tail -30 "$log" >&2
      return 1
    fi
    sleep 0.5
  done
}

# The process id of the running instance (none: prints nothing, fails).
e2e_api_pid() {
  local pid
  [[ -f "$E2E_TMP/$E2E_API_NAME.pid" ]] || return 1
  pid="$(cat "$E2E_TMP/$E2E_API_NAME.pid")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# Stops the instance: SIGTERM, then SIGKILL after E2E_API_STOP_WAIT tenths of a second (100).
e2e_api_stop() {
  local pid i wait="${E2E_API_STOP_WAIT:-100}"
  [[ -f "$E2E_TMP/$E2E_API_NAME.pid" ]] || return 0
  pid="$(cat "$E2E_TMP/$E2E_API_NAME.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    # Graceful shutdown waits for open SSE streams up to its phase timeout: do not wait that long.
    for ((i = 0; i < wait; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$E2E_TMP/$E2E_API_NAME.pid"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  : "${E2E_TMP:?E2E_TMP must name the e2e state folder}"
  E2E_REPO="${E2E_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
  case "${1:-}" in
    api-start) e2e_api_start ;;
    api-stop) e2e_api_stop ;;
    db-start) e2e_db_start ;;
    db-stop) e2e_db_stop ;;
    *)
      echo "usage: $0 api-start|api-stop|db-start|db-stop" >&2
      exit 2
      ;;
  esac
fi
