#!/usr/bin/env bats
# ┌──────────────────────────────────────────────────────────────────────┐
# │ Tracing through Nginx: one trace id from the client to the SQL      │
# └──────────────────────────────────────────────────────────────────────┘
#
# Usage: ci/tests/run tracing [--filter REGEX]
#
# The rig (setup_file): PostgreSQL 17 (127.0.0.1:22432); an OTLP/HTTP receiver
# (127.0.0.1:22318: backend/src/test/.../testsupport/OtlpReceiver run as a program, which decodes
# the protobuf export with the opentelemetry-proto classes and writes each span as a JSON line);
# the API jar (127.0.0.1:22081) under the prod profile, so its log lines are the JSON ones
# production writes, with OTEL_EXPORTER_OTLP_ENDPOINT naming the receiver and spans flushed
# every 200 ms; nginx 1.27.3+ (Debian testing's, ci/rig/binaries.sh; https://127.0.0.1:22443)
# from the real frontend/nginx template with TRACING_SAMPLING_PERCENT=100, finding the API as
# api.rig through a dnsmasq of the rig's (127.0.0.1:22053).
#
# What it proves (issue 13 §3): a request through Nginx gets one trace id, which is in the
# response (X-Trace-Id), in Nginx's JSON access log beside the request id, in the API's JSON log
# line with the span id, and on the spans the API exported for the HTTP request and for each SQL
# query under it; a client's valid traceparent is continued, an invalid one replaced; Nginx's own
# problems and the API's carry the trace id. About 1 minute (40-55 s measured here under load),
# most of it the API's start-up.
#
# Needs dnsmasq, PostgreSQL's client tools, curl, jq, Java 17+; the jar and the test classes are
# built when missing or stale; nginx and the PostgreSQL 17 server are fetched once into
# /var/cache/genericapp-rig (ci/rig/binaries.sh). Everything it starts is stopped at the end;
# when a test or the set-up failed, the logs stay in the folder it names (api.log, spans.jsonl,
# receiver.log, nginx/, pg/postgres.log).

load lib/suite
export E2E_DB_PORT=22432 E2E_API_PORT=22081
# the prod profile refuses the example database password (test-only, like the rig's admin one)
export E2E_DB_PASSWORD="tracing-rig-database-password"
# shellcheck source=ci/rig/nginx.sh
source "$REPO/ci/rig/nginx.sh"
# shellcheck source=ci/rig/services.sh
source "$REPO/ci/rig/services.sh"

web=https://127.0.0.1:22443
receiver_port=22318

port_in_use() { (exec 9<>"/dev/tcp/$1/$2") 2>/dev/null; }

setup_file() {
  local missing=() port jar started=$SECONDS
  command -v dnsmasq >/dev/null || missing+=("dnsmasq: apt-get install -y dnsmasq-base")
  command -v dpkg-deb >/dev/null || missing+=("dpkg-deb (fetches nginx from Debian testing): a Debian machine")
  command -v envsubst >/dev/null || missing+=("envsubst: apt-get install -y gettext-base")
  command -v curl >/dev/null || missing+=("curl: apt-get install -y curl")
  command -v jq >/dev/null || missing+=("jq: apt-get install -y jq")
  command -v java >/dev/null || missing+=("java 17+: apt-get install -y openjdk-17-jdk-headless")
  [[ -x "$E2E_PG_BIN/psql" ]] || missing+=("PostgreSQL client tools in $E2E_PG_BIN: apt-get install -y postgresql-15")
  ((${#missing[@]} == 0)) || fail "$(printf 'missing prerequisite: %s\n' "${missing[@]}")"
  for port in 22080 22443 22432 22081 22318 22053; do
    if port_in_use 127.0.0.1 "$port"; then fail "127.0.0.1:$port is in use (another tracing run?): stop it first"; fi
  done
  jar="$(backend_jar)" || fail "no backend jar (see above)"

  E2E_TMP="$(mktemp -d -t genericapp-tracing.XXXXXX)"
  chmod 0755 "$E2E_TMP"
  export E2E_TMP E2E_REPO="$REPO"
  suite_log "logs: $E2E_TMP"
  cp "$jar" "$E2E_TMP/api.jar" # e2e_api_start runs this private copy

  # The receiver: the backend's test class and its test classpath (opentelemetry-proto, Jackson).
  (cd "$REPO" && ./mvnw -B -q -ntp -pl backend test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$E2E_TMP/classpath.txt") >"$E2E_TMP/mvn.log" 2>&1 ||
    fail "the receiver's classes did not build: $(tail -20 "$E2E_TMP/mvn.log")"
  mkdir -p "$E2E_TMP/receiver/com/genericapp/testsupport"
  cp "$REPO"/backend/target/test-classes/com/genericapp/testsupport/OtlpReceiver*.class "$E2E_TMP/receiver/com/genericapp/testsupport/"
  java -cp "$E2E_TMP/receiver:$(cat "$E2E_TMP/classpath.txt")" com.genericapp.testsupport.OtlpReceiver \
    127.0.0.1 "$receiver_port" >"$E2E_TMP/spans.jsonl" 2>"$E2E_TMP/receiver.log" 3>&- &
  echo $! >"$E2E_TMP/receiver.pid"
  wait_until 30 grep -q 'listening' "$E2E_TMP/receiver.log" || fail "the OTLP receiver did not start: $(cat "$E2E_TMP/receiver.log")"

  suite_log "starting PostgreSQL 17 on 127.0.0.1:$E2E_DB_PORT"
  e2e_db_init 3>&- || fail "PostgreSQL did not start"
  suite_log "starting the API (prod profile, spans to 127.0.0.1:$receiver_port) on 127.0.0.1:$E2E_API_PORT"
  SPRING_PROFILES_ACTIVE=prod OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$receiver_port" \
    MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_SCHEDULEDELAY=200ms e2e_api_start 3>&- || fail "the API did not start"

  mkdir -p "$E2E_TMP/www"
  echo '<!doctype html><title>tracing rig</title>' >"$E2E_TMP/www/index.html"
  e2e_dns_start "$E2E_TMP/dns" 22053 api.rig 127.0.0.1 3>&- || fail "dnsmasq did not start on 127.0.0.1:22053"
  export LISTEN_PORT=127.0.0.1:22080 TLS_LISTEN_PORT=127.0.0.1:22443 API_UPSTREAM=api.rig:22081 \
    DNS_RESOLVER=127.0.0.1:22053 WEB_ROOT="$E2E_TMP/www" TRACING_SAMPLING_PERCENT=100
  e2e_nginx_up "$E2E_TMP/nginx" "$REPO/frontend" http://127.0.0.1:22080 3>&- || fail "nginx did not come up (see above)"
  export CURL_CA_BUNDLE="$E2E_TLS_CA"
  e2e_sign_in "$web" 3>&- || fail "could not sign in through nginx (see above)"
  suite_log "rig up in $((SECONDS - started)) s"
  touch "$BATS_FILE_TMPDIR/rig-up"
}

teardown() {
  [[ -n "${BATS_TEST_COMPLETED:-}" ]] || touch "$BATS_FILE_TMPDIR/failed"
}

teardown_file() {
  [[ -n "${E2E_TMP:-}" ]] || return 0
  local pid
  e2e_nginx_stop "$E2E_TMP/nginx" || true
  e2e_dns_stop || true
  e2e_api_stop || true
  e2e_db_stop || true
  if [[ -f "$E2E_TMP/receiver.pid" ]]; then
    pid="$(cat "$E2E_TMP/receiver.pid")"
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [[ -f "$BATS_FILE_TMPDIR/failed" || ! -f "$BATS_FILE_TMPDIR/rig-up" ]]; then
    suite_log "tracing: logs kept in $E2E_TMP (api.log, spans.jsonl, receiver.log, nginx/, pg/postgres.log)"
  else
    rm -rf -- "$E2E_TMP"
  fi
}

# --- helpers ----------------------------------------------------------------------------
# get NAME PATH [curl args…]: GET through nginx as the signed-in admin; keeps the headers in
# $E2E_TMP/NAME.headers and the body in NAME.body
get() {
  local name="$1" path="$2"
  shift 2
  curl -sS --max-time 20 -H "Cookie: $E2E_COOKIE" -D "$E2E_TMP/$name.headers" -o "$E2E_TMP/$name.body" "$@" "$web$path"
}
# header NAME FIELD: the field's values in NAME's response, one per line
header() { tr -d '\r' <"$E2E_TMP/$1.headers" | sed -n "s/^$2: //Ip"; }
# access_log REQUEST_ID: nginx's JSON access log line of that request
access_log() { jq -c --arg id "$1" 'select(.request_id == $id)' "$E2E_TMP/nginx/access.log"; }
# api_log REQUEST_ID: the API's JSON request log line of that request (other lines are skipped)
api_log() { jq -R -c --arg id "$1" 'fromjson? | select((.message // "") | endswith("id=" + $id))' "$E2E_TMP/api.log"; }
# spans TRACE_ID: the spans received for that trace, one JSON object a line
spans() { jq -c --arg t "$1" 'select(.traceId == $t)' "$E2E_TMP/spans.jsonl"; }
server_span() { spans "$1" | jq -c 'select(.kind == "SPAN_KIND_SERVER")' | head -n 1; }
query_spans() { spans "$1" | jq -c 'select(.attributes["r2dbc.query[0]"] != null)'; }
# the request log and the spans are written just after the response: bounded waits
has_api_log() { [[ -n "$(api_log "$1")" ]]; }
has_spans() { [[ -n "$(server_span "$1")" && -n "$(query_spans "$1")" ]]; }

# The one request the first checks look at: no traceparent, so nginx starts the trace.
one_request() {
  get one "/api/items?limit=1" -H "X-Request-ID: tracing-one-1"
  [[ "$(tr -d '\r' <"$E2E_TMP/one.headers" | head -n 1)" == HTTP/2\ 200* ]] || { cat "$E2E_TMP/one.headers"; return 1; }
  wait_until 15 has_api_log tracing-one-1 || { echo "no request log line in the API's log"; return 1; }
  wait_until 15 has_spans "$(header one x-trace-id)" || { echo "no spans received for trace $(header one x-trace-id)"; return 1; }
}

# --- checks ----------------------------------------------------------------------------------
@test "one request: the response names its trace once, in X-Trace-Id" {
  step one one_request
  run header one x-trace-id
  assert_output --regexp '^[0-9a-f]{32}$'
}

@test "one request: nginx's JSON access log has the trace id beside the request id" {
  step one one_request
  local line
  line="$(access_log tracing-one-1)"
  [[ -n "$line" ]] || fail "no access log line with request_id tracing-one-1: $(tail -n 3 "$E2E_TMP/nginx/access.log")"
  assert_equal "$(jq -r .trace_id <<<"$line")" "$(header one x-trace-id)"
  assert_equal "$(jq -r .trace_sampled <<<"$line")" "01"
}

@test "one request: the API's JSON log line (prod profile) has the traceId and a spanId" {
  step one one_request
  local line
  line="$(api_log tracing-one-1)"
  echo "$line"
  assert_equal "$(jq -r .traceId <<<"$line")" "$(header one x-trace-id)"
  [[ "$(jq -r .spanId <<<"$line")" =~ ^[0-9a-f]{16}$ ]] || fail "no spanId in the line"
}

@test "one request: spans for HTTP and for SQL arrive with that trace id, SQL under the HTTP span" {
  step one one_request
  local trace server query parent
  trace="$(header one x-trace-id)"
  server="$(server_span "$trace")"
  echo "server span: $server"
  # the server span is the one the log line names, and its parent is nginx's hop (the trace
  # was started there: the parent id is the first 16 hex digits of $request_id = the trace id)
  assert_equal "$(jq -r .spanId <<<"$server")" "$(api_log tracing-one-1 | jq -r .spanId)"
  assert_equal "$(jq -r .parentSpanId <<<"$server")" "${trace:0:16}"
  assert_equal "$(jq -r '.attributes.uri' <<<"$server")" "/api/items"
  while read -r query; do
    echo "query span: $query"
    # each query span's ancestors, within the trace, reach the server span (between them:
    # Spring Security's spans)
    parent="$(jq -r .parentSpanId <<<"$query")"
    local i
    for ((i = 0; i < 10; i++)); do
      [[ "$parent" != "$(jq -r .spanId <<<"$server")" ]] || break
      parent="$(spans "$trace" | jq -r --arg id "$parent" 'select(.spanId == $id) | .parentSpanId' | head -n 1)"
      [[ -n "$parent" ]] || fail "a query span's ancestors do not reach the server span"
    done
    assert_equal "$parent" "$(jq -r .spanId <<<"$server")"
    [[ "$(jq -r '.attributes | to_entries | map(select(.key | startswith("r2dbc.params"))) | length' <<<"$query")" == 0 ]] ||
      fail "a query span carries parameter values"
  done < <(query_spans "$trace")
  query_spans "$trace" | jq -e -s 'map(.attributes["r2dbc.query[0]"]) | any(contains("FROM items"))' >/dev/null ||
    fail "no span for the items query"
}

@test "client traceparent: a valid one is continued, sampled by nginx's decision, not the client's" {
  local trace=0af7651916cd43dd8448eb211c80319c parent=b7ad6b7169203331 server
  # the client says "not sampled" (00): nginx, at 100 % here, samples it all the same
  get continued "/api/items?limit=1" -H "traceparent: 00-$trace-$parent-00" -H "tracestate: vendor=1"
  assert_equal "$(header continued x-trace-id)" "$trace"
  wait_until 15 has_spans "$trace" || fail "no spans received for the client's trace"
  server="$(server_span "$trace")"
  assert_equal "$(jq -r .parentSpanId <<<"$server")" "$parent"
  assert_equal "$(access_log "$(header continued x-request-id)" | jq -r .trace_id)" "$trace"
}

@test "client traceparent: an invalid one is replaced by a trace nginx starts" {
  local bad
  for bad in "00-00000000000000000000000000000000-b7ad6b7169203331-01" \
    "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01" "garbage"; do
    get replaced "/api/items?limit=1" -H "traceparent: $bad"
    # nginx's own id: its $request_id, which is also the request id when the client sent none
    assert_equal "$(header replaced x-trace-id)" "$(header replaced x-request-id)"
    [[ "$(header replaced x-trace-id)" =~ ^[0-9a-f]{32}$ ]] || fail "not a trace id: $(header replaced x-trace-id)"
  done
}

@test "problems: nginx's own and the API's carry the trace id of their response" {
  get nginx404 /no-such-page
  assert_equal "$(jq -r .status "$E2E_TMP/nginx404.body")" 404
  assert_equal "$(jq -r .traceId "$E2E_TMP/nginx404.body")" "$(header nginx404 x-trace-id)"
  get api404 /api/items/999999999
  assert_equal "$(jq -r .title "$E2E_TMP/api404.body")" "Item not found"
  assert_equal "$(jq -r .traceId "$E2E_TMP/api404.body")" "$(header api404 x-trace-id)"
  assert_equal "$(header api404 x-trace-id | wc -l)" 1
}

@test "metrics: the API pushes none over OTLP (Prometheus scrapes them; OTLP carries spans)" {
  run grep -c 'OtlpMeterRegistry' "$E2E_TMP/api.log"
  assert_output 0
}
