#!/usr/bin/env bats
# ┌──────────────────────────────────────────────────────────────────────┐
# │ Fault tests: load through Nginx while the stack is being broken      │
# └──────────────────────────────────────────────────────────────────────┘
#
# Usage: ci/tests/run faults [--filter REGEX] [--list]
#
# The rig (setup_file): PostgreSQL 17 (127.0.0.1:19432), two API replicas from the built jar
# (127.0.0.2:19081 and 127.0.0.3:19081, with the image's JVM flags; the soak restarts them with
# Netty's paranoid leak detector added, which costs too much CPU to measure latency under) and
# nginx 1.27.3+ (Debian testing's, ci/rig/binaries.sh; https://127.0.0.1:19443) from the real
# frontend/nginx template. Its resolver is a dnsmasq of the rig's (127.0.0.1:19053) in which
# api.rig names both replicas, so the template's one `server ${API_UPSTREAM} resolve` line gives it
# two upstream servers, as compose's `api` does with --scale api=2. Load from ci/tests/lib/load.mjs.
#
# Scenarios (issue 10 §3), in this order. Each runs once (a `step`), when the first of its tests
# needs it, and each of its checks is a test of its own on what it recorded; a test's name starts
# with its scenario's:
#   rig      nginx sends requests to both replicas through one upstream name
#   restart  PostgreSQL restarted 3x under mixed load: only 200/201/204 or 503 problem+json, no
#            request over 5 s, both replicas answer within 5 s of pg_isready, every acknowledged
#            write present, every live-stream subscriber gets events again
#   kill     one replica SIGKILLed under load: no GET fails, writes fail only if in flight
#   term     one replica stopped with SIGTERM (graceful drain), restarted, and nginx reloaded,
#            under load: no request fails
#   readers  500 slow NDJSON readers at once: other requests p99 under 1 s, no 500
#   soak     at half the measured capacity: no errors, RSS and open files of each replica do not
#            grow (medians of the first and last minute, 10 % at most), no "LEAK:" from Netty's
#            paranoid leak detector (2 minutes; 30 with FAULT_TEST_LONG=1)
#
# One scenario: ci/tests/run faults --filter '^restart' (the rig is always set up; a scenario's
# tests pass or fail alone as in the full run). Several: --filter '^(kill|term):'.
#
# Environment:
#   FAULT_TEST_LONG=1  the long versions (10 restarts, 2-minute loads, 30-minute soak); bench/faults
#   JAVA25_HOME        the JDK the replicas run (default /usr/lib/jvm/temurin-25-jdk-amd64)
#
# Needs dnsmasq, PostgreSQL's client tools, Node 20+, curl, jq, Java 25; the jar is built when
# missing or stale (backend_jar); nginx and the PostgreSQL 17 server are fetched once into
# /var/cache/genericapp-rig (ci/rig/binaries.sh). Measured values are printed as `#` lines as the
# tests pass. Everything it starts is stopped at the end; when a test or the set-up failed, the logs
# stay in the folder it names (api1.log, api2.log, nginx/, pg/postgres.log, *.json).

load lib/suite
export E2E_DB_PORT=19432 E2E_API_PORT=19081
# shellcheck source=ci/rig/nginx.sh
source "$REPO/ci/rig/nginx.sh"
# shellcheck source=ci/rig/services.sh
source "$REPO/ci/rig/services.sh"

# Durations (s): short for ci/test (the stage stays under 6 minutes), long for bench/faults.
if [[ "${FAULT_TEST_LONG:-0}" == 1 ]]; then
  restart_load=300 restarts=10 kill_load=120 term_load=120 readers_load=120 readers_warmup=20 soak=1800 soak_warmup=300
else
  restart_load=48 restarts=3 kill_load=25 term_load=40 readers_load=15 readers_warmup=10 soak=120 soak_warmup=30
fi
load_rate=100 write_rate=5 concurrency=32 # writes stay under the template's limit_req (10 r/s per client)

# HTTPS, as production serves it (docs/TLS.md); the rig's nginx also listens on 19080, the
# plain port that only redirects. curl and Node trust the rig's own development CA.
web=https://127.0.0.1:19443
api_addresses=(127.0.0.2 127.0.0.3)
java25="${JAVA25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
load_js="$REPO/ci/tests/lib/load.mjs"

# --- the rig -------------------------------------------------------------------------
port_in_use() { (exec 9<>"/dev/tcp/$1/$2") 2>/dev/null; }

setup_file() {
  [[ "${FAULT_TEST_LONG:-0}" =~ ^[01]$ ]] || fail "FAULT_TEST_LONG must be 0 or 1 (got '$FAULT_TEST_LONG')"
  local missing=() address jar started=$SECONDS
  command -v dnsmasq >/dev/null || missing+=("dnsmasq: apt-get install -y dnsmasq-base")
  command -v dpkg-deb >/dev/null || missing+=("dpkg-deb (fetches nginx from Debian testing): a Debian machine")
  command -v envsubst >/dev/null || missing+=("envsubst: apt-get install -y gettext-base")
  command -v curl >/dev/null || missing+=("curl: apt-get install -y curl")
  command -v jq >/dev/null || missing+=("jq: apt-get install -y jq")
  command -v node >/dev/null || missing+=("node 20+: install Node.js")
  [[ -x "$E2E_PG_BIN/psql" ]] || missing+=("PostgreSQL client tools in $E2E_PG_BIN: apt-get install -y postgresql-15")
  [[ -x "$java25" ]] || missing+=("$java25: install Temurin 25 or set JAVA25_HOME")
  ((${#missing[@]} == 0)) || fail "$(printf 'missing prerequisite: %s\n' "${missing[@]}")"
  if port_in_use 127.0.0.1 19080 || port_in_use 127.0.0.1 19443 || port_in_use 127.0.0.1 19432; then
    fail "127.0.0.1:19080, :19443 or :19432 is in use (another faults run?): stop it first"
  fi
  for address in "${api_addresses[@]}"; do
    if port_in_use "$address" 19081; then fail "$address:19081 is in use: stop it first"; fi
  done
  # 500 readers are 1,000+ sockets for nginx and the tests' children (they inherit this limit).
  ulimit -n 8192 2>/dev/null || fail "cannot raise the open-files limit to 8192 (ulimit -n)"
  jar="$(backend_jar)" || fail "no backend jar (see above)"

  E2E_TMP="$(mktemp -d -t genericapp-faults.XXXXXX)"
  chmod 0755 "$E2E_TMP"
  export E2E_TMP E2E_REPO="$REPO" E2E_API_JAVA="$java25"
  suite_log "logs and summaries: $E2E_TMP"
  cp "$jar" "$E2E_TMP/api.jar" # e2e_api_start runs this private copy
  # The image's JVM flags, from where the image gets them: the latency checks measure what
  # production runs. Only the soak adds the leak detector at its most thorough
  # (run_scenario_soak): at `paranoid` Netty records a stack trace on every buffer access, which
  # made the readers test measure the detector (p50 1.5 s, 503s from queries starved of CPU,
  # against p50 6 ms without it).
  E2E_API_JVM_OPTS="$(image_jvm_opts)" || fail "no image.java-tool-options in backend/pom.xml"
  export E2E_API_JVM_OPTS

  # Every process started here closes fd 3 (bats' output) so that it cannot hold the run open.
  suite_log "starting PostgreSQL 17 on 127.0.0.1:$E2E_DB_PORT"
  e2e_db_init 3>&- || fail "PostgreSQL did not start"
  # One after the other: each replica runs Flyway at start-up, and two at once would race.
  local n
  for n in 1 2; do
    suite_log "starting API replica $n on ${api_addresses[n - 1]}:$E2E_API_PORT ($java25 $E2E_API_JVM_OPTS)"
    replica "$n" e2e_api_start || fail "API replica $n did not start"
  done
  mkdir -p "$E2E_TMP/www"
  echo '<!doctype html><title>fault rig</title>' >"$E2E_TMP/www/index.html"
  e2e_dns_start "$E2E_TMP/dns" 19053 api.rig "${api_addresses[@]}" 3>&- ||
    fail "dnsmasq did not start on 127.0.0.1:19053"
  export LISTEN_PORT=127.0.0.1:19080 TLS_LISTEN_PORT=127.0.0.1:19443 API_UPSTREAM=api.rig:19081 DNS_RESOLVER=127.0.0.1:19053 WEB_ROOT="$E2E_TMP/www"
  rig_nginx_install || fail "no nginx 1.27.3+ (see above)"
  suite_log "starting nginx $RIG_NGINX_VERSION on $LISTEN_PORT, upstream $API_UPSTREAM (api.rig: ${api_addresses[*]}, from dnsmasq on $DNS_RESOLVER)"
  # render (invalid: fails), start, and wait up to 15 s for /healthz; its messages say which
  e2e_nginx_up "$E2E_TMP/nginx" "$REPO/frontend" http://127.0.0.1:19080 3>&- || fail "nginx did not come up (see above)"
  export CURL_CA_BUNDLE="$E2E_TLS_CA" NODE_EXTRA_CA_CERTS="$E2E_TLS_CA"
  export E2E_NGINX_PID # the term scenario reloads it
  # everything under /api wants a signed-in user: one session, in the shared database, for the
  # checks' curl (acurl) and the load clients (E2E_COOKIE, E2E_CSRF), on both replicas
  e2e_sign_in "$web" 3>&- || fail "could not sign in through nginx (see above)"
  suite_log "rig up in $((SECONDS - started)) s"
  touch "$BATS_FILE_TMPDIR/rig-up"
}

# acurl ARGS…: curl with the session (e2e_sign_in) and the CSRF header a change needs.
# (The Cookie header, not the jar: the jar would send the cookies only to the address that set
# them, and the checks also ask each replica at its own address.)
acurl() { curl -H "Cookie: $E2E_COOKIE" -H "X-XSRF-TOKEN: $E2E_CSRF" "$@"; }

teardown() {
  # A failed test keeps the logs (teardown_file).
  [[ -n "${BATS_TEST_COMPLETED:-}" ]] || touch "$BATS_FILE_TMPDIR/failed"
}

# Stops everything setup_file and the scenarios started, and nothing else; runs after a failed
# set-up too.
teardown_file() {
  [[ -n "${E2E_TMP:-}" ]] || return 0
  local pid
  if [[ -s "$BATS_FILE_TMPDIR/background.pids" ]]; then
    # What an interrupted scenario left running (a completed one stops its own).
    while read -r pid; do stop_pid "$pid"; done <"$BATS_FILE_TMPDIR/background.pids"
  fi
  e2e_nginx_stop "$E2E_TMP/nginx" || true
  e2e_dns_stop || true
  E2E_API_NAME=api1 e2e_api_stop || true
  E2E_API_NAME=api2 e2e_api_stop || true
  e2e_db_stop || true
  if [[ -f "$BATS_FILE_TMPDIR/failed" || ! -f "$BATS_FILE_TMPDIR/rig-up" ]]; then
    suite_log "faults: logs kept in $E2E_TMP (api1.log, api2.log, nginx/, pg/postgres.log, *.json)"
  else
    rm -rf -- "$E2E_TMP"
  fi
}

# --- helpers ----------------------------------------------------------------------------
# Progress, live on the terminal and in the scenario's output (which a failing test shows).
say() {
  printf '%s\n' "$*"
  suite_log "$*"
}
now_ms() { date +%s%3N; }
# replica <n> <function>: runs an e2e_api_* function for replica n (1 or 2); the JVM it may
# start gets no fd 3.
replica() {
  E2E_API_NAME="api$1" E2E_API_ADDRESS="${api_addresses[$1 - 1]}" "$2" 3>&-
}

# Background processes of a scenario: tracked in a file, so that teardown_file stops what an
# interrupted test left behind.
bg_track() { echo "$1" >>"$BATS_FILE_TMPDIR/background.pids"; }
bg_untrack() { sed -i "/^$1\$/d" "$BATS_FILE_TMPDIR/background.pids"; }
stop_pid() { # SIGTERM, at most 5 s, SIGKILL
  local i
  kill -TERM "$1" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null || true
}
bg_stop() { # bg_stop <pid>...: stops them and waits for them
  local pid
  for pid in "$@"; do
    stop_pid "$pid"
    wait "$pid" 2>/dev/null || true
    bg_untrack "$pid"
  done
}

# start_load <name> <seconds> [more load.mjs options]: mixed load in the background; sets load_pid
start_load() {
  local name="$1" seconds="$2"
  shift 2
  node "$load_js" mixed --base "$web" --duration "$seconds" --rate "$load_rate" --write-rate "$write_rate" \
    --concurrency "$concurrency" --out "$E2E_TMP/$name.json" --log "$E2E_TMP/$name.requests.ndjson" "$@" \
    2>"$E2E_TMP/$name.load.txt" 3>&- &
  load_pid=$!
  bg_track "$load_pid"
}
finish_load() { # finish_load <name>: waits for it and prints its one-line summary
  local status=0
  wait "$load_pid" || status=$?
  bg_untrack "$load_pid"
  if ((status != 0)); then
    say "the load driver failed: $(cat "$E2E_TMP/$1.load.txt")"
  else
    say "$(cat "$E2E_TMP/$1.load.txt")"
  fi
}

# run_shown <command…>: bats' run, with the output shown on the terminal even when the check
# passes (the measured values: margins are worth seeing before they are gone).
run_shown() {
  run "$@"
  local line
  [[ -z "$output" ]] || while IFS= read -r line; do suite_log "  $line"; done <<<"$output"
}

# Asserts a jq expression over a summary; prints the expression's inputs either way.
jq_true() { # jq_true <file> [--argjson name value] <expression> [explanation expression]
  local file="$1" args=()
  shift
  if [[ "$1" == --argjson ]]; then
    args=("$1" "$2" "$3")
    shift 3
  fi
  local expression="$1" explain="${2:-.}"
  if [[ "$(jq -r "${args[@]}" "$expression" "$file" 2>/dev/null)" == true ]]; then
    jq -c "${args[@]}" "$explain" "$file"
  else
    jq -c "${args[@]}" "$explain" "$file" 2>/dev/null || echo "no summary in $file"
    return 1
  fi
}
acknowledged_present() { # every acknowledged write is there afterwards
  jq_true "$1" '.verification != null and .verification.checked == .acknowledged.items and
      (.verification | (.missing + .wrong_version + .resurrected + .errors) | length) == 0' \
    '{acknowledged, verification: (.verification | {checked, uncertain, missing: .missing[:5], wrong_version: .wrong_version[:5], resurrected: .resurrected[:5], errors: .errors[:5]})}'
}
no_failures() { # no_failures <file> [allow-503]: only the expected statuses, nothing left in flight
  local allowed='(.reads.unavailable + .writes.unavailable) == 0'
  [[ "${2:-}" == allow-503 ]] && allowed=true
  jq_true "$1" "(.sent > 0) and .failed == 0 and .still_in_flight == 0 and $allowed" \
    '{sent, skipped, by_status, unavailable: (.reads.unavailable + .writes.unavailable), failed, failures: .failures[:5]}'
}

# --- rig ------------------------------------------------------------------------------------
both_replicas_serve() { # nginx has two upstream servers and sends traffic to both
  local i counts
  for ((i = 0; i < 20; i++)); do acurl -fsS -o /dev/null "$web/api/items?limit=1" || return 1; done
  counts="$(jq -R -r 'fromjson? | select(.request | startswith("GET /api/items?limit=1 ")) | .upstream_addr' \
    "$E2E_TMP/nginx/access.log" | sort | uniq -c)"
  echo "$counts"
  for i in "${api_addresses[@]}"; do
    grep -q " $i:19081\$" <<<"$counts" || return 1
  done
}

@test "rig: nginx sends requests to both replicas through one upstream name" {
  run_shown both_replicas_serve
  assert_success
}

# --- 1. PostgreSQL restarts ---------------------------------------------------------
# Waits (at most 15 s) until a GET of /api/items?limit=1 answers 200 at <url>; prints the time it did.
first_success_ms() {
  local url="$1" deadline=$((SECONDS + 15))
  until acurl -fsS -o /dev/null --max-time 2 "$url/api/items?limit=1" 2>/dev/null; do
    ((SECONDS < deadline)) || { echo never; return 0; }
    sleep 0.05
  done
  now_ms
}

# Records restart.json (the load), restart.recoveries (ms from pg_isready until both replicas and
# nginx served a GET, or "never", one line per restart), events.ndjson (three live-stream
# subscribers) and restart.new-item (the item created after the restarts).
run_scenario_restart() {
  local i t_db t_ok api_ok sse_pid id
  : >"$E2E_TMP/events.ndjson"
  : >"$E2E_TMP/restart.recoveries"
  node "$load_js" sse --base "$web" --count 3 --duration $((restart_load + 60)) --out "$E2E_TMP/events.ndjson" 3>&- &
  sse_pid=$!
  bg_track "$sse_pid"
  start_load restart "$restart_load"
  local gap=$(((restart_load - 8) / restarts))
  for ((i = 1; i <= restarts; i++)); do
    sleep $((gap - 3))
    say "restart $i: pg_ctl stop -m fast, 3 s down, start"
    e2e_db_stop
    sleep 3
    e2e_db_start 3>&- || { say "PostgreSQL did not start again"; bg_stop "$load_pid" "$sse_pid"; return 1; }
    until _e2e_pg "$E2E_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$E2E_DB_PORT"; do sleep 0.05; done
    t_db=$(now_ms)
    # Back means both replicas answer a GET themselves, and so does nginx.
    t_ok=0
    for api_ok in "$(first_success_ms "http://${api_addresses[0]}:19081")" \
      "$(first_success_ms "http://${api_addresses[1]}:19081")" "$(first_success_ms "$web")"; do
      if [[ "$api_ok" == never ]]; then t_ok=never; break; fi
      ((api_ok > t_ok)) && t_ok=$api_ok
    done
    if [[ "$t_ok" == never ]]; then
      echo never >>"$E2E_TMP/restart.recoveries"
    else
      echo "$((t_ok - t_db))" >>"$E2E_TMP/restart.recoveries"
    fi
    say "restart $i: accepting connections at $t_db, service back after $(tail -n 1 "$E2E_TMP/restart.recoveries") ms"
  done
  finish_load restart
  # One change after the restarts: each subscriber has 5 s to see it.
  id="$(acurl -fsS --max-time 5 -H 'Content-Type: application/json' -d '{"name":"after the restarts"}' \
    "$web/api/items" | jq -r .id)" || id=""
  echo "$id" >"$E2E_TMP/restart.new-item"
  [[ -z "$id" ]] || wait_until 5 subscribers_saw "$id" >/dev/null || true
  bg_stop "$sse_pid"
}
subscribers_saw() { # subscribers_saw <item id>: all three subscribers got its created event
  local id="$1" seen
  [[ -n "$id" ]] || { echo "POST /api/items failed after the restarts"; return 1; }
  seen="$(jq -r --argjson id "$id" 'select(.event == "created" and .id == $id) | .sub' "$E2E_TMP/events.ndjson" | sort -u | wc -l)"
  if ((seen != 3)); then
    echo "within 5 s, $seen of 3 subscribers saw the created event of item $id"
    jq -c 'select(.event | startswith("_") or . == "resync")' "$E2E_TMP/events.ndjson" | tail -12
    return 1
  fi
  echo "3 subscribers saw item $id created; per subscriber:" \
    "$(jq -r '.event' "$E2E_TMP/events.ndjson" | sort | uniq -c | tr -s ' \n' ' ')"
}
recovered_within() { # recovered_within <ms>: after every restart, service back within <ms>
  local ms count=0 worst=0
  while read -r ms; do
    count=$((count + 1))
    [[ "$ms" == never ]] && worst=never
    [[ "$worst" == never ]] || ((ms <= worst)) || worst=$ms
  done <"$E2E_TMP/restart.recoveries"
  echo "$count restarts; service back after (ms): $(tr '\n' ' ' <"$E2E_TMP/restart.recoveries")"
  ((count == restarts)) && [[ "$worst" != never ]] && ((worst <= $1))
}

@test "restart: only 200/201/204 or 503 problem+json while PostgreSQL restarts" {
  step scenario_restart run_scenario_restart
  run_shown no_failures "$E2E_TMP/restart.json" allow-503
  assert_success
}

@test "restart: no request took over 5 s" {
  step scenario_restart run_scenario_restart
  run_shown jq_true "$E2E_TMP/restart.json" '.all.max_ms <= 5000' '.all'
  assert_success
}

@test "restart: both replicas and nginx serve a GET within 5 s of pg_isready" {
  step scenario_restart run_scenario_restart
  run_shown recovered_within 5000
  assert_success
}

@test "restart: every acknowledged write is present afterwards" {
  step scenario_restart run_scenario_restart
  run_shown acknowledged_present "$E2E_TMP/restart.json"
  assert_success
}

@test "restart: every live-stream subscriber gets the next change" {
  step scenario_restart run_scenario_restart
  run_shown subscribers_saw "$(cat "$E2E_TMP/restart.new-item")"
  assert_success
}

# --- 2. one replica SIGKILLed -------------------------------------------------------
# Records kill.json (the load) and kill.t_kill (when replica 1 was killed, epoch ms); replica 1
# is started again under the load.
run_scenario_kill() {
  local pid restart_pid status=0
  start_load kill "$kill_load"
  sleep 5
  pid="$(replica 1 e2e_api_pid)" || { say "replica 1 is not running"; bg_stop "$load_pid"; return 1; }
  kill -KILL "$pid"
  now_ms >"$E2E_TMP/kill.t_kill"
  say "replica 1 (pid $pid) SIGKILLed at $(cat "$E2E_TMP/kill.t_kill"); starting it again under load"
  sleep 2
  replica 1 e2e_api_start >/dev/null 2>&1 &
  restart_pid=$!
  bg_track "$restart_pid"
  finish_load kill
  wait "$restart_pid" || status=$?
  bg_untrack "$restart_pid"
  ((status == 0)) || say "replica 1 did not start again: $(tail -5 "$E2E_TMP/api1.log")"
}
writes_failed_in_flight() { # writes_failed_in_flight <summary> <kill time, epoch ms>
  local summary="$1" t_kill="$2" offset
  offset=$((t_kill - $(jq -r '.started_at_ms' "$summary")))
  # shellcheck disable=SC2016 # $kill is jq's
  jq_true "$summary" --argjson kill "$offset" '.writes.unavailable == 0 and
      ([.failures[] | select(.op != "get" and .op != "list") | (.t_ms - .latency_ms) <= $kill] | all)' \
    '{writes: .writes.count, write_failures: .writes.failed, kill_at_ms: $kill,
      failed: [.failures[] | select(.op != "get" and .op != "list") | {op, status, started_ms: (.t_ms - .latency_ms), reason}]}'
}

@test "kill: no GET failed (nginx passed them to the other replica)" {
  step scenario_kill run_scenario_kill
  run_shown jq_true "$E2E_TMP/kill.json" '.reads.count > 0 and .reads.failed == 0 and .reads.unavailable == 0' \
    '{reads: (.reads | {count, ok, failed, unavailable, p99_ms, max_ms}), by_op}'
  assert_success
}

@test "kill: writes failed only while in flight at the kill" {
  step scenario_kill run_scenario_kill
  run_shown writes_failed_in_flight "$E2E_TMP/kill.json" "$(cat "$E2E_TMP/kill.t_kill")"
  assert_success
}

@test "kill: every acknowledged write is present afterwards" {
  step scenario_kill run_scenario_kill
  run_shown acknowledged_present "$E2E_TMP/kill.json"
  assert_success
}

@test "kill: replica 1 serves again after its restart" {
  step scenario_kill run_scenario_kill
  run acurl -fsS -o /dev/null --max-time 2 "http://${api_addresses[0]}:19081/api/items?limit=1"
  assert_success
}

# --- 3. graceful stop and nginx reload ------------------------------------------------
# Records term.json (the load), term.readiness-down (yes or no: did replica 2's readiness fail
# before it exited) and term.drained (seconds from SIGTERM to exit).
run_scenario_term() {
  local pid i t_term readiness_down=no
  start_load term "$term_load"
  sleep 5
  pid="$(replica 2 e2e_api_pid)" || { say "replica 2 is not running"; bg_stop "$load_pid"; return 1; }
  kill -TERM "$pid"
  t_term=$SECONDS
  for ((i = 0; i < 250; i++)); do
    if [[ "$readiness_down" == no ]] &&
      ! curl -fsS -o /dev/null --max-time 1 "http://${api_addresses[1]}:19081/actuator/health/readiness" 2>/dev/null; then
      readiness_down=yes
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$readiness_down" >"$E2E_TMP/term.readiness-down"
  echo "$((SECONDS - t_term))" >"$E2E_TMP/term.drained"
  if kill -0 "$pid" 2>/dev/null; then
    say "replica 2 still running 25 s after SIGTERM"
    bg_stop "$load_pid"
    return 1
  fi
  say "replica 2 (pid $pid) exited $(cat "$E2E_TMP/term.drained") s after SIGTERM (readiness down: $readiness_down); starting it again"
  replica 2 e2e_api_start >/dev/null || say "replica 2 did not start again: $(tail -5 "$E2E_TMP/api2.log")"
  say "replica 2 ready again; nginx reload (SIGHUP, what nginx -s reload sends)"
  kill -HUP "$E2E_NGINX_PID"
  finish_load term
}

@test "term: replica 2 stopped gracefully within 25 s, its readiness went down" {
  step scenario_term run_scenario_term
  local drained
  drained="$(cat "$E2E_TMP/term.drained")"
  suite_log "  replica 2 exited $drained s after SIGTERM"
  [[ "$drained" -le 25 ]] || fail "replica 2 took $drained s to exit after SIGTERM"
  assert_equal "readiness down: $(cat "$E2E_TMP/term.readiness-down")" "readiness down: yes"
}

@test "term: no request failed across the graceful stop, restart and nginx reload" {
  step scenario_term run_scenario_term
  run_shown no_failures "$E2E_TMP/term.json"
  assert_success
}

@test "term: every acknowledged write is present afterwards" {
  step scenario_term run_scenario_term
  run_shown acknowledged_present "$E2E_TMP/term.json"
  assert_success
}

# --- 4. 500 slow NDJSON readers -----------------------------------------------------------
# Records readers-load.json (the other requests, while the readers stream) and readers.json
# (the readers).
run_scenario_readers() {
  local rows=20000 readers_pid n status=0
  say "inserting $rows rows (SQL, triggers off: no 20,000 change notifications)"
  _e2e_pg "$E2E_PG_BIN/psql" -h "$E2E_TMP/pg/sock" -p "$E2E_DB_PORT" -U postgres -d app -v ON_ERROR_STOP=1 -q \
    -c "SET session_replication_role = replica" \
    -c "INSERT INTO items (name, description) SELECT 'bulk row ' || g, repeat('slow reader ', 12) FROM generate_series(1, $rows) g" \
    >/dev/null || { say "the bulk insert failed"; return 1; }
  # A replica in production has run its export and list code many times before a crowd arrives;
  # these have just started. Warm both up first, so what is measured is the crowd, not the JIT.
  say "warm-up: 4 full exports per replica, then ${readers_warmup} s of mixed load"
  for ((n = 0; n < 8; n++)); do
    acurl -fsS -o /dev/null --max-time 30 -H 'Accept: application/x-ndjson' "$web/api/items" ||
      { say "a warm-up export failed"; return 1; }
  done
  start_load readers-warmup "$readers_warmup"
  finish_load readers-warmup
  node "$load_js" readers --base "$web" --count 500 --bytes-per-s 4096 --duration $((readers_load + 10)) \
    --out "$E2E_TMP/readers.json" 2>"$E2E_TMP/readers.txt" 3>&- &
  readers_pid=$!
  bg_track "$readers_pid"
  sleep 5
  start_load readers-load "$readers_load"
  finish_load readers-load
  wait "$readers_pid" || status=$?
  bg_untrack "$readers_pid"
  ((status == 0)) || say "the readers failed: $(cat "$E2E_TMP/readers.txt")"
  say "$(cat "$E2E_TMP/readers.txt")"
}

@test "readers: other requests were all served while 500 readers streamed" {
  step scenario_readers run_scenario_readers
  run_shown no_failures "$E2E_TMP/readers-load.json"
  assert_success
}

@test "readers: other requests p99 under 1 s" {
  step scenario_readers run_scenario_readers
  run_shown jq_true "$E2E_TMP/readers-load.json" '.all.p99_ms < 1000' '.all'
  assert_success
}

@test "readers: no reader got a 500 (or any answer but 200 NDJSON or 503)" {
  step scenario_readers run_scenario_readers
  run_shown jq_true "$E2E_TMP/readers.json" \
    '([.by_status | keys[] | select(. != "200" and . != "503")] | length == 0) and .non_ndjson_200 == 0' '.'
  assert_success
}

# --- 5. soak -------------------------------------------------------------------------------
# Restarts both replicas with the paranoid leak detector, measures capacity, then loads them at
# half of it for $soak s. Records soak.json (the load), soak.rate and soak-samples.csv (RSS and
# open files of each replica every 5 s).
run_scenario_soak() {
  local capacity rate sampler n i pid
  # Netty reports a leak when the buffer is collected, possibly long after it leaked: fresh JVMs,
  # and only what they log, make the soak's verdict about the soak. Leaks from the database
  # restarts before it are reported, not judged here (r2dbc-postgresql, see the README).
  say "leak reports before the soak (database restarts, kills): $(cat "$E2E_TMP"/api[12].log 2>/dev/null | grep -c 'LEAK:' || true)"
  for n in 1 2; do
    replica "$n" e2e_api_stop
    mv "$E2E_TMP/api$n.log" "$E2E_TMP/api$n.before-soak.log"
    E2E_API_JVM_OPTS="$E2E_API_JVM_OPTS -Dio.netty.leakDetection.level=paranoid" replica "$n" e2e_api_start ||
      { say "API replica $n did not start again for the soak"; return 1; }
  done
  node "$load_js" mixed --base "$web" --duration 10 --rate 0 --concurrency "$concurrency" --no-verify \
    --out "$E2E_TMP/capacity.json" 2>"$E2E_TMP/capacity.txt" 3>&- || true
  say "capacity: $(cat "$E2E_TMP/capacity.txt")"
  capacity="$(jq -r '.rps' "$E2E_TMP/capacity.json" 2>/dev/null || echo 0)"
  rate=$((capacity / 2))
  ((rate > 2 * write_rate)) || { say "capacity run gave $capacity requests/s"; return 1; }
  echo "$rate" >"$E2E_TMP/soak.rate"
  say "soak: $soak s at $rate requests/s (half of $capacity), sampling RSS and open files every 5 s"
  echo "t_s,replica,pid,rss_kb,fds" >"$E2E_TMP/soak-samples.csv"
  (
    for ((i = 0; i <= soak / 5 + 2; i++)); do
      for n in 1 2; do
        pid="$(replica "$n" e2e_api_pid)" || continue
        printf '%s,%s,%s,%s,%s\n' "$((i * 5))" "$n" "$pid" \
          "$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)" "$(find "/proc/$pid/fd" -mindepth 1 2>/dev/null | wc -l)"
      done
      sleep 5
    done
  ) >>"$E2E_TMP/soak-samples.csv" 3>&- &
  sampler=$!
  bg_track "$sampler"
  load_rate=$rate start_load soak "$soak"
  finish_load soak
  bg_stop "$sampler"
}
# A leak is a level that keeps rising, so the check compares levels: the median of the first
# minute after warm-up with the median of the last minute (a third of the measured span when
# shorter). One sample is not a level: with TrimNativeHeapInterval the RSS of a replica shows
# short peaks (+15-40 MB for one 5-s sample, back at the next) that a point-to-point check
# mistook for growth at the end of a 30-minute soak that stayed at 229 MB throughout. A fall
# is reported but passes: fewer open files at the end is connections closed, not a leak
# (open files 63 -> 51 over that soak, as the load's keep-alive connections turned over).
flat() { # flat <replica> <column>: first minute after warm-up against the last, medians grow < 10 %
  awk -F, -v r="$1" -v c="$2" -v w="$soak_warmup" -v s="$soak" '
    function median(a, n,   i, j, t) {
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    BEGIN { win = (s - w) / 3; if (win > 60) win = 60 }
    NR > 1 && $2 == r && $1 >= w && $1 <= s {
      n++
      if ($1 < w + win) early[++ne] = $c
      if ($1 > s - win) late[++nl] = $c
      if ($c > peak) peak = $c
    }
    END {
      if (ne == 0 || nl == 0) { print "no samples"; exit 1 }
      first = median(early, ne); last = median(late, nl)
      if (first == 0) { print "no samples"; exit 1 }
      change = (last - first) / first * 100
      printf "median of the first %d s %s, of the last %d s %s (%+.1f %%); peak %s; %d samples\n",
        win, first, win, last, change, peak, n
      exit (change > 10)
    }' "$E2E_TMP/soak-samples.csv"
}
no_leaks() { # no LEAK: in either replica's log, and the detector was on in both
  local n pid
  if grep -q "LEAK:" "$E2E_TMP/api1.log" "$E2E_TMP/api2.log"; then
    grep -n "LEAK:" "$E2E_TMP/api1.log" "$E2E_TMP/api2.log" | head -5
    return 1
  fi
  for n in 1 2; do
    pid="$(replica "$n" e2e_api_pid)" || { echo "replica $n is not running"; return 1; }
    grep -q -- '-Dio.netty.leakDetection.level=paranoid' "/proc/$pid/cmdline" ||
      { echo "replica $n runs without the paranoid leak detector"; return 1; }
  done
  echo "no LEAK: in api1.log or api2.log; paranoid leak detection on in both replicas"
}

@test "soak: no errors at half the measured capacity" {
  step scenario_soak run_scenario_soak
  suite_log "  $(cat "$E2E_TMP/soak.rate") requests/s for $soak s"
  run_shown no_failures "$E2E_TMP/soak.json"
  assert_success
}

@test "soak: every acknowledged write is present afterwards" {
  step scenario_soak run_scenario_soak
  run_shown acknowledged_present "$E2E_TMP/soak.json"
  assert_success
}

@test "soak: replica 1 RSS does not grow (10 % at most) after the warm-up" {
  step scenario_soak run_scenario_soak
  run_shown flat 1 4
  assert_success
}

@test "soak: replica 1 open files do not grow (10 % at most) after the warm-up" {
  step scenario_soak run_scenario_soak
  run_shown flat 1 5
  assert_success
}

@test "soak: replica 2 RSS does not grow (10 % at most) after the warm-up" {
  step scenario_soak run_scenario_soak
  run_shown flat 2 4
  assert_success
}

@test "soak: replica 2 open files do not grow (10 % at most) after the warm-up" {
  step scenario_soak run_scenario_soak
  run_shown flat 2 5
  assert_success
}

@test "soak: no LEAK: from Netty's paranoid leak detector in either replica's log" {
  step scenario_soak run_scenario_soak
  run_shown no_leaks
  assert_success
}
