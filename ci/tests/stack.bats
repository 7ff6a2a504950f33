#!/usr/bin/env bats
# compose.yaml on a real Docker engine: brings the stack up with local stand-ins for the public
# images (ci/rig/stand-ins; no registry is reachable here), the real frontend/Dockerfile and
# postgres/ files, and checks what the stack promises, talking only to the published port on
# 127.0.0.1 and through docker exec/inspect/logs: the start-up order, the UI and the API through
# Nginx, persistence over down/up, the containers' hardening, network isolation, the database
# roles, postgres/backup and postgres/restore (refusals, the fresh-volume procedure, --force),
# Nginx finding a recreated and scaled api, and the prod profile refusing the example password.
# API calls sign in through Nginx as the first admin (the admin_password secret), as a user would.
#
# Run it with ci/tests/run stack (TAP, a JUnit report in test-reports/stack.xml); one test, or a
# few, with ci/tests/run stack --filter 'REGEX' (e.g. --filter 'restore --force'): set-up still
# brings the stack up, and a test that needs a scenario (down/up, a backup, a restore, the api
# scaled) runs it itself, once per run, so it passes or fails on its own.
#
# setup_file installs and starts a Docker engine if none runs (ci/rig/docker-engine.sh), rebuilds
# the backend jar when stale, builds the stand-in images and the web image, and brings the stack
# up while recording the engine's events (for the start-up order). Compose project
# `genericapp-stacktest`, web on https://127.0.0.1:28443 and http://127.0.0.1:28080 (docs/CONTRACTS.md). teardown_file removes
# everything the run created (down -v: containers, networks, volumes) and stops the engine if it
# started it, whatever happened, also after a set-up that failed half-way; when a test failed it
# first prints `ps` and the last log lines of the stack as TAP comments.
#
# Environment:
#   STACK_TEST_PORT      published plain HTTP port (default 28080, see docs/CONTRACTS.md)
#   STACK_TEST_TLS_PORT  published HTTPS port (default 28443)
#   STACK_TEST_KEEP      1: leave the stack (and the engine) running at the end, for a look around
#   STANDIN_BACKEND_JAR  another jar for the backend stand-in (default: backend/target's, rebuilt if stale)

load lib/suite
# shellcheck source=ci/rig/docker-engine.sh
source "$REPO/ci/rig/docker-engine.sh"

PROJECT=genericapp-stacktest
PORT="${STACK_TEST_PORT:-28080}"
TLS_PORT="${STACK_TEST_TLS_PORT:-28443}"
BASE="https://127.0.0.1:$TLS_PORT"
HTTP_BASE="http://127.0.0.1:$PORT"
# The development CA postgres/secrets/generate makes; curl trusts it, as a developer's would.
CA="$REPO/postgres/secrets/dev-ca.pem"
ENV_FILE="$BATS_FILE_TMPDIR/stack.env"
STATE="$BATS_FILE_TMPDIR/state"
# What postgres/backup and postgres/restore need to find this stack.
STACK=(--project-name "$PROJECT" --env-file "$ENV_FILE" --file "$REPO/compose.yaml")

# ── Helpers ──────────────────────────────────────────────────────────────────

# testssl.sh (Debian) on the HTTPS port, trusting the development CA; its JSON in $STATE.
run_testssl() {
  rm -f -- "$STATE/testssl.json"
  timeout 300 testssl --quiet --color 0 --warnings off --add-ca "$CA" --jsonfile-pretty "$STATE/testssl.json" \
    "127.0.0.1:$TLS_PORT" >"$STATE/testssl.txt" 2>&1 || true
  [[ -s "$STATE/testssl.json" ]] || { tail -n 20 "$STATE/testssl.txt"; return 1; }
}
# The MDN HTTP Observatory (ci/tests/observatory) on the HTTPS port. Its wrapper script replaces
# NODE_EXTRA_CA_CERTS with its own bundle, so its scanner runs directly, trusting the dev CA.
run_observatory() {
  local scan="$REPO/ci/tests/observatory/node_modules/@mdn/mdn-http-observatory/src/scan.js"
  [[ -f "$scan" ]] || { echo "the Observatory is not installed: run ci/install-prerequisites"; return 1; }
  NODE_EXTRA_CA_CERTS="$CA" timeout 120 node "$scan" "127.0.0.1:$TLS_PORT" >"$STATE/observatory.json"
  jq -r '.tests | to_entries[] | "\(.key): \(.value.result) (\(.value.scoreModifier))"' "$STATE/observatory.json"
}

# api_logs_hold TEXT: whether the log of an api container holds TEXT.
api_logs_hold() {
  local c
  for c in $(compose_containers "$PROJECT" api); do docker logs "$c" 2>&1; done | grep -qF -- "$1"
}

# The item the post_item step created answers 200 through Nginx, with its name.
assert_item_served() {
  assert_equal "$(http GET "/api/items/$(state item.id)")" 200
  assert_equal "$(grep -cF "$(state item.name)" "$BATS_TEST_TMPDIR/body")" 1
}

compose() { timeout 600 docker-compose "${STACK[@]}" "$@"; }
keep() { [[ "${STACK_TEST_KEEP:-0}" == 1 ]]; }

# What a scenario found, for the tests that assert on it: save KEY VALUE, state KEY.
save() { printf '%s' "$2" >"$STATE/$1"; }
state() { cat -- "$STATE/$1" 2>/dev/null; }

health_of() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$1" 2>/dev/null || echo gone; }
# wait_healthy CONTAINER SECONDS: fails at once when it turns unhealthy or disappears.
wait_healthy() {
  local c="$1" limit="$2" waited=0 status
  while status="$(health_of "$c")"; [[ "$status" != healthy ]]; do
    if [[ -z "$c" || "$status" == unhealthy || "$status" == gone ]] || ((waited >= limit)); then
      echo "${c:-(no container)} is $status after ${waited}s" >&2
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
}
ips_of() { docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$1"; }
networks_of() { docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{println $k}}{{end}}' "$1" | grep . | sort; }

# http METHOD PATH [curl args…]: the status code on stdout (000: no answer), the body in
# $BATS_TEST_TMPDIR/body, the headers in $BATS_TEST_TMPDIR/headers. Requests carry the admin's
# session (sign_in), with the CSRF header the API wants on a change; anon_http sends none.
http() {
  local method="$1" path="$2"
  shift 2
  anon_http "$method" "$path" -b "$STATE/cookies" -H "X-XSRF-TOKEN: $(csrf_token)" "$@"
}
anon_http() {
  local method="$1" path="$2" code
  shift 2
  code="$(curl -sS --cacert "$CA" -X "$method" -o "$BATS_TEST_TMPDIR/body" -D "$BATS_TEST_TMPDIR/headers" -w '%{http_code}' \
    --max-time 10 "$@" "$BASE$path" 2>/dev/null || true)"
  echo "${code:-000}"
}
# the XSRF-TOKEN cookie of the session (curl's cookie jar: the name in field 6, the value in 7)
csrf_token() { awk -F'\t' '$6 == "XSRF-TOKEN" { print $7 }' "$STATE/cookies" 2>/dev/null; }
# sign_in: signs in through Nginx as the first admin, whose password is the secret that
# postgres/secrets/generate wrote (as a person following the quick start would), and keeps the
# cookies in $STATE/cookies. The password goes in a file, never on a command line.
sign_in() {
  local body="$STATE/sign-in.json" code
  (umask 077 && python3 -c 'import json, sys; print(json.dumps({"username": "admin", "password": open(sys.argv[1]).read().strip()}))' \
    "$REPO/postgres/secrets/admin_password.txt" >"$body")
  code="$(curl -sS --cacert "$CA" -o "$STATE/sign-in.out" -D "$STATE/sign-in.headers" -w '%{http_code}' --max-time 20 -c "$STATE/cookies" \
    -H 'Content-Type: application/json' --data "@$body" "$BASE/api/session" 2>/dev/null || true)"
  rm -f -- "$body"
  [[ "$code" == 200 ]] || { echo "signing in as admin through Nginx: ${code:-000} $(cat "$STATE/sign-in.out" 2>/dev/null)"; return 1; }
}
# json PYTHON: runs PYTHON with d = the last response body, parsed.
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $1" "$BATS_TEST_TMPDIR/body"; }
# new_item NAME: POSTs it, prints "CODE ID".
new_item() {
  local code
  code="$(http POST /api/items -H 'Content-Type: application/json' --data "{\"name\":\"$1\"}")"
  echo "$code $(json 'print(d["id"])' 2>/dev/null || echo none)"
}

psql_as() { docker exec "$(compose_container "$PROJECT" db)" psql -v ON_ERROR_STOP=1 --no-psqlrc -U "$1" -d app -Atc "$2" 2>&1; }
# count and md5 of every row, every column: what a round trip must give back exactly.
rows_of() { psql_as postgres "SELECT count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY id)) FROM items t"; }

# running SERVICE: the oldest running container of the service; fails the test when there is none.
running() {
  local c
  c="$(compose_container "$PROJECT" "$1")"
  if [[ -z "$c" ]]; then
    fail "no running $1 container"
    return 1
  fi
  echo "$c"
}

# first_event ACTION SERVICE [FIELD]: a field (1: time in ns, 4: exit code) of the first such event
# recorded while the stack came up, or empty.
first_event() { awk -F'|' -v a="$1" -v s="$2" -v f="${3:-1}" '$2 == a && $3 == s { print $f; exit }' "$BATS_FILE_TMPDIR/events"; }
# in_order NAME=TIME...: each time is there and later than the one before.
in_order() {
  local previous=0 pair
  for pair in "$@"; do
    [[ -n "${pair#*=}" ]] || fail "no ${pair%%=*} event recorded"
    ((${pair#*=} > previous)) || fail "${pair%%=*} came too early: $*"
    previous="${pair#*=}"
  done
}

# ── Set-up and teardown ──────────────────────────────────────────────────────

setup_file() {
  mkdir -p "$STATE"
  suite_log "Docker engine (ci/rig/docker-engine.sh)"
  # fd 3 closed: a dockerd started here outlives this process and must not hold bats' output open.
  docker_engine_start 3>&-

  local jar="${STANDIN_BACKEND_JAR:-}"
  [[ -n "$jar" ]] || jar="$(backend_jar)"
  suite_log "building the stand-in images (ci/rig/stand-ins/build)"
  STANDIN_BACKEND_JAR="$jar" "$REPO/ci/rig/stand-ins/build" >"$ENV_FILE"
  # Only image variables and the published address differ from a plain `docker compose up`.
  cat >>"$ENV_FILE" <<EOF
WEB_IMAGE=$PROJECT/web:local
HTTP_BIND_ADDRESS=127.0.0.1
HTTP_PORT=$PORT
HTTPS_PORT=$TLS_PORT
DEMO_DATA=true
EOF
  cat -- "$ENV_FILE"

  # dev secrets, as in the quick start
  "$REPO/postgres/secrets/generate"
  # A stack left over by an interrupted run would hide the fresh-volume path.
  compose down -v --remove-orphans --timeout 10 >/dev/null 2>&1 || true

  suite_log "building the web image from frontend/Dockerfile on the stand-in bases"
  compose build web >"$BATS_FILE_TMPDIR/build.log" 2>&1 || { tail -n 40 "$BATS_FILE_TMPDIR/build.log"; return 1; }

  suite_log "docker-compose up -d (events recorded for the start-up order)"
  docker events --filter "label=com.docker.compose.project=$PROJECT" --filter type=container \
    --format '{{.TimeNano}}|{{.Action}}|{{index .Actor.Attributes "com.docker.compose.service"}}|{{index .Actor.Attributes "exitCode"}}' \
    >"$BATS_FILE_TMPDIR/events" 2>/dev/null 3>&- &
  echo "$!" >"$BATS_FILE_TMPDIR/events.pid"
  sleep 1
  local started=$SECONDS
  compose up -d
  wait_healthy "$(compose_container "$PROJECT" web)" 120
  suite_log "stack healthy in $((SECONDS - started))s"
  sign_in
  sleep 1
  kill "$(cat "$BATS_FILE_TMPDIR/events.pid")"
  rm -f -- "$BATS_FILE_TMPDIR/events.pid"
  touch "$BATS_FILE_TMPDIR/setup-done"
}

teardown() {
  [[ -n "${BATS_TEST_COMPLETED:-}" ]] || touch "$BATS_FILE_TMPDIR/a-test-failed"
}

teardown_file() {
  if [[ -f "$BATS_FILE_TMPDIR/events.pid" ]]; then
    kill "$(cat "$BATS_FILE_TMPDIR/events.pid")" 2>/dev/null || true
  fi
  if [[ -s "$ENV_FILE" ]]; then
    if [[ -e "$BATS_FILE_TMPDIR/a-test-failed" || ! -e "$BATS_FILE_TMPDIR/setup-done" ]]; then
      suite_log "state at the end (for the failures above):"
      { compose ps; compose logs --no-color --tail 40; } 2>&1 | sed 's/^/# /' >&3 || true
    fi
    if keep; then
      suite_log "STACK_TEST_KEEP=1: the stack stays up on $BASE (docker-compose -p $PROJECT --env-file … down -v)"
    else
      compose down -v --remove-orphans --timeout 20 >/dev/null 2>&1 || true
    fi
  fi
  keep || docker_engine_stop
}

# ── Scenarios (each run once per suite run, through step, by every test that needs it) ──

post_item() {
  local name="stack-test item $RANDOM$RANDOM" code
  code="$(http POST /api/items -H 'Content-Type: application/json' --data "{\"name\":\"$name\",\"description\":\"must survive down/up\"}")"
  save item.name "$name"
  save item.code "$code"
  save item.location "$(tr -d '\r' <"$BATS_TEST_TMPDIR/headers" | awk 'tolower($1) == "location:" { print $2 }')"
  save item.id "$(json 'print(d["id"])' 2>/dev/null || true)"
  echo "POST /api/items: $code, Location $(state item.location), id $(state item.id)"
  [[ -n "$(state item.id)" ]]
}

# down with the volumes kept (the item posted first), then up again
stack_down() {
  step post_item post_item || return 1
  compose down --timeout 20 || return 1
  docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" >"$STATE/after-down"
}
stack_up_again() {
  step stack_down stack_down || return 1
  compose up -d || return 1
  wait_healthy "$(compose_container "$PROJECT" web)" 120
}

# Rows that must come back byte for byte: quotes, a backslash, a tab and a newline, non-ASCII
# (2,000 two-byte characters, the longest description), and an item updated to version 1.
backup_rows() {
  step post_item post_item || return 1
  local long codes updated_id
  printf -v long '%*s' 2000 ''
  long="${long// /é}"
  codes="$(http POST /api/items -H 'Content-Type: application/json' \
    --data '{"name":"backup: quotes '\'' and \" and a backslash \\","description":"line one\nline two\tafter a tab"}')"
  codes+=" $(http POST /api/items -H 'Content-Type: application/json' \
    --data "{\"name\":\"backup: é ü 漢字 🙂\",\"description\":\"$long\"}")"
  updated_id="$(json 'print(d["id"])' 2>/dev/null || echo none)"
  codes+=" $(http PUT "/api/items/$updated_id" -H 'Content-Type: application/json' --data '{"name":"backup: updated once"}')"
  save backup.codes "$codes"
  rows_of >"$STATE/before" || { cat "$STATE/before"; return 1; }
  echo "created and updated: $codes; rows before the backup: $(state before)"
}

# postgres/backup as an operator runs it on this stack, while the API serves
take_backup() {
  step backup_rows backup_rows || return 1
  local dump status=0
  dump="$("$REPO/postgres/backup" "${STACK[@]}" --output "$BATS_FILE_TMPDIR/backups" 2>"$STATE/backup.log")" || status=$?
  save dump "$dump"
  cat -- "$STATE/backup.log"
  return "$status"
}

# run_restore NAME [ARGS...]: postgres/restore ARGS on this stack with the dump the backup step
# took; its exit status saved as NAME.status, its output kept in NAME.log and printed.
run_restore() {
  local name="$1" status=0
  shift
  "$REPO/postgres/restore" "${STACK[@]}" "$@" "$(state dump)" >"$STATE/$name.log" 2>&1 || status=$?
  save "$name.status" "$status"
  cat -- "$STATE/$name.log"
}

restore_refused() {
  step backup take_backup || return 1
  run_restore refused
}

# the fresh-volume procedure of README "Backups": down -v, up db, restore, up
fresh_restore() {
  step backup take_backup || return 1
  compose down -v --timeout 20 || return 1
  compose up -d db || return 1
  wait_healthy "$(compose_container "$PROJECT" db)" 90 || return 1
  run_restore fresh
}
fresh_up() {
  step fresh_restore fresh_restore || return 1
  compose up -d || return 1
  wait_healthy "$(compose_container "$PROJECT" web)" 180
}
item_after_restore() {
  step fresh_up fresh_up || return 1
  local code id
  save max_id "$(psql_as postgres 'SELECT max(id) FROM items')"
  read -r code id <<<"$(new_item "created after the restore")"
  save new.code "$code"
  save new.id "$id"
  echo "restored up to id $(state max_id); POST after the restore: $code, id $id"
}

# restore --force into the running stack (an item created since the dump, to be dropped)
force_restore() {
  step item_after_restore item_after_restore || return 1
  local api
  api="$(compose_container "$PROJECT" api)"
  save force.api-before "$api $(docker inspect -f '{{.State.StartedAt}}' "$api")"
  run_restore force --force
}

# One start-up serves the scaling tests (a JVM start is the slow part here): the api container is
# recreated and a second replica added at once; Nginx must find the new addresses by itself.
api_scaled() {
  local api
  api="$(compose_container "$PROJECT" api)"
  [[ -n "$api" ]] || { echo "no api container to recreate"; return 1; }
  save scale.old-api "$api"
  save scale.old-ips "$(ips_of "$api")"
  compose up -d --no-deps --force-recreate --scale api=2 api || return 1
  compose_containers "$PROJECT" api >"$STATE/replicas"
  echo "api ${api:0:12} ($(state scale.old-ips)) recreated and scaled: $(tr '\n' ' ' <"$STATE/replicas")"
}
api_healthy() {
  step api_scaled api_scaled || return 1
  local c all=0 replicas
  mapfile -t replicas <"$STATE/replicas"
  for c in "${replicas[@]}"; do
    wait_healthy "$c" 180 || all=1
    save "ips.$c" "$(ips_of "$c")"
    echo "replica ${c:0:12}: $(state "ips.$c")"
  done
  return "$all"
}

prod_refusal() {
  local status=0
  timeout 90 docker run --rm --network none --read-only --tmpfs /tmp \
    -e SPRING_PROFILES_ACTIVE=prod -e DB_PASSWORD=change-me-dev-only -e DB_HOST=db \
    "$(env_value "$ENV_FILE" API_IMAGE)" >"$STATE/prod.log" 2>&1 || status=$?
  save prod.status "$status"
  tail -n 20 "$STATE/prod.log"
}

# ── Start-up order ───────────────────────────────────────────────────────────

@test "start order: db healthy → migrate starts" {
  in_order "db healthy=$(first_event "health_status: healthy" db)" "migrate start=$(first_event start migrate)"
}

@test "migrate exits 0" {
  assert_equal "$(first_event die migrate 4)" 0
}

@test "start order: migrate exited → api starts" {
  in_order "migrate die=$(first_event die migrate)" "api start=$(first_event start api)"
}

@test "start order: api healthy → web starts → web healthy" {
  in_order "api healthy=$(first_event "health_status: healthy" api)" \
    "web start=$(first_event start web)" "web healthy=$(first_event "health_status: healthy" web)"
}

@test "db, api and web report healthy" {
  local db api web
  db="$(compose_container "$PROJECT" db)"
  api="$(compose_container "$PROJECT" api)"
  web="$(compose_container "$PROJECT" web)"
  assert_equal "$(health_of "$db") $(health_of "$api") $(health_of "$web")" "healthy healthy healthy"
}

# ── The UI and the API through Nginx ─────────────────────────────────────────

@test "GET / → 200 with the UI's HTML" {
  assert_equal "$(http GET /)" 200
  assert_equal "$(grep -ci '<title>' "$BATS_TEST_TMPDIR/body")" 1
}

@test "GET the script index.html loads → 200" {
  assert_equal "$(http GET /)" 200
  local asset
  asset="$(grep -oE '/assets/[^"]+\.js' "$BATS_TEST_TMPDIR/body" | head -n 1 || true)"
  [[ -n "$asset" ]] || fail "no /assets/….js script in index.html"
  assert_equal "$(http GET "$asset")" 200
}

@test "GET /healthz → 200" {
  assert_equal "$(http GET /healthz)" 200
}

@test "GET /api/items → 200, a JSON array with the demo items" {
  assert_equal "$(http GET /api/items)" 200
  run json 'print(len(d) if isinstance(d, list) else "not-a-list")'
  assert_success
  assert_output --regexp '^[1-9][0-9]*$'
}

@test "GET /api/items without a session → 401 problem+json, through Nginx" {
  assert_equal "$(anon_http GET /api/items)" 401
  run grep -i '^content-type:' "$BATS_TEST_TMPDIR/headers"
  assert_output --partial 'application/problem+json'
  run json 'print(d["status"], d["detail"])'
  assert_output --partial '401 Sign in first'
}

@test "sign-in through Nginx: the first admin from the admin_password secret; cookies HttpOnly, SameSite=Strict and Secure over HTTPS" {
  assert_equal "$(http GET /api/session)" 200
  run json 'print(d["username"], d["role"])'
  assert_output 'admin admin'
  # the jar marks an HttpOnly cookie with #HttpOnly_ (session), the CSRF cookie is readable
  run grep -c '^#HttpOnly_127.0.0.1.*SESSION' "$STATE/cookies"
  assert_output 1
  [[ -n "$(csrf_token)" ]] || fail "no XSRF-TOKEN cookie"
  # the secure flag (field 4): the API believed Nginx's X-Forwarded-Proto https
  run grep -cP '\tTRUE\t[0-9]+\t(SESSION|XSRF-TOKEN)\t' "$STATE/cookies"
  assert_output 2
  run grep -ci '^set-cookie: SESSION=.*; Secure; HttpOnly; SameSite=Strict' "$STATE/sign-in.headers"
  assert_output 1
}

# ── TLS at the edge (docs/TLS.md) ────────────────────────────────────────────

@test "plain HTTP on the published port → 301 to the HTTPS port, path and query kept; /healthz stays" {
  run curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 10 "$HTTP_BASE/api/items?limit=2"
  assert_output "301 $BASE/api/items?limit=2"
  run curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$HTTP_BASE/healthz"
  assert_output 200
}

@test "HTTPS: HTTP/2, TLS 1.3, HSTS for two years" {
  run curl -sS --cacert "$CA" -o /dev/null -D - -w '%{http_version} %{ssl_verify_result}\n' --max-time 10 "$BASE/"
  assert_line --regexp '^strict-transport-security: max-age=63072000; includeSubDomains'
  assert_line '2 0'
  run openssl s_client -connect "127.0.0.1:$TLS_PORT" -CAfile "$CA" -brief </dev/null
  assert_output --partial 'Protocol version: TLSv1.3'
  assert_output --partial 'Verification: OK'
  run openssl s_client -connect "127.0.0.1:$TLS_PORT" -tls1_1 </dev/null
  assert_failure
}

@test "testssl.sh against the stack: nothing HIGH or CRITICAL" {
  step testssl run_testssl
  run jq -r '.scanResult[] | to_entries[] | select(.value | type == "array") | .value[]
             | select(.severity == "HIGH" or .severity == "CRITICAL") | "\(.severity) \(.id): \(.finding)"' \
    "$STATE/testssl.json"
  assert_success
  assert_output ''
  suite_log "testssl.sh findings by severity: $(jq -r '[.scanResult[] | to_entries[] | select(.value | type == "array") | .value[] | .severity] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' "$STATE/testssl.json")"
  # it did test something: protocols, ciphers and the certificate's chain of trust
  run jq -r '[.scanResult[] | to_entries[] | select(.value | type == "array") | .value[] | .id] | join(" ")' "$STATE/testssl.json"
  assert_output --regexp 'TLS1_3.*cert_chain_of_trust'
}

@test "MDN HTTP Observatory grades the stack A+" {
  step observatory run_observatory
  run jq -r '"\(.scan.grade) \(.scan.score) \(.scan.testsFailed)"' "$STATE/observatory.json"
  suite_log "Observatory: grade, score, tests failed: $output"
  assert_output --regexp '^A\+ [0-9]+ 0$'
}

@test "a change without the CSRF header → 403, even with the session cookie" {
  assert_equal "$(anon_http POST /api/items -b "$STATE/cookies" -H 'Content-Type: application/json' --data '{"name":"no csrf"}')" 403
  run json 'print(d["status"])'
  assert_output 403
}

@test "api logs JSON under the prod profile: the request log line carries the request id" {
  local id="stacktest-$RANDOM$RANDOM" c logs
  assert_equal "$(http GET "/api/items?limit=1" -H "X-Request-ID: $id")" 200
  # the line is written when the exchange ends, just after the answer; any replica may hold it
  wait_until 10 api_logs_hold "$id" || fail "no api log line holds the request id $id"
  logs="$BATS_TEST_TMPDIR/api.log"
  for c in $(compose_containers "$PROJECT" api); do docker logs "$c" >>"$logs" 2>&1; done
  run jq -er --arg id "$id" 'select(.http.request.id? == $id) | .log.logger + " " + .message' < <(grep -F "$id" "$logs")
  assert_success
  assert_output --partial "com.genericapp.requests GET /api/items 200"
  # Spring Boot's text format (date, level, pid, ---) never appears: every log line is JSON
  run grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.+-]+ +(TRACE|DEBUG|INFO|WARN|ERROR) ' "$logs"
  assert_output 0
  run grep -c '^{"@timestamp"' "$logs"
  ((output > 5)) || fail "only $output JSON log lines"
}

@test "GET /actuator/health through Nginx → 404, management stays internal" {
  assert_equal "$(http GET /actuator/health)" 404
}

@test "POST /api/items → 201 + Location" {
  step post_item post_item
  assert_equal "$(state item.code)" 201
  [[ -n "$(state item.location)" ]] || fail "no Location header"
  [[ -n "$(state item.id)" ]] || fail "no id in the body"
}

@test "GET /api/items/ID → 200 with the new item" {
  step post_item post_item
  assert_item_served
}

# ── Persistence ──────────────────────────────────────────────────────────────

@test "down removed every container" {
  step stack_down stack_down
  assert_equal "$(state after-down)" ""
}

@test "after down/up, GET /api/items/ID → 200, same name" {
  step stack_up_again stack_up_again
  assert_item_served
}

# ── Hardening: every long-running container is non-root, read-only, without capabilities ──

@test "the long-running containers are db, api and web, each checked below" {
  run docker ps --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Label "com.docker.compose.service"}}'
  assert_success
  assert_equal "$(sort -u <<<"$output" | tr '\n' ' ')" "api db web "
}

no_process_as_root() {
  local c uids
  c="$(running "$1")"
  uids="$(docker top "$c" -eo pid,uid | awk 'NR > 1 { print $2 }' | sort -u | tr '\n' ' ')"
  [[ -n "$uids" ]] || fail "no process listed in $1"
  [[ " $uids" != *" 0 "* ]] || fail "$1 runs processes as uid(s) $uids: 0 is root"
}
read_only_root() {
  local c
  c="$(running "$1")"
  assert_equal "$(docker inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$c")" true
}
no_capabilities() {
  local c
  c="$(running "$1")"
  assert_equal "$(docker inspect -f '{{.HostConfig.CapDrop}} {{.HostConfig.SecurityOpt}}' "$c")" "[ALL] [no-new-privileges:true]"
}
no_password_in_env() {
  local c
  c="$(running "$1")"
  run docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$c"
  assert_success
  refute_line --regexp '^[A-Z_]*PASSWORD='
}

@test "db: no process runs as root" {
  no_process_as_root db
}

@test "db: read-only root filesystem" {
  read_only_root db
}

@test "db: cap_drop ALL, no-new-privileges" {
  no_capabilities db
}

@test "db: no password in the environment (files under /run/secrets only)" {
  no_password_in_env db
}

@test "api: no process runs as root" {
  no_process_as_root api
}

@test "api: read-only root filesystem" {
  read_only_root api
}

@test "api: cap_drop ALL, no-new-privileges" {
  no_capabilities api
}

@test "api: no password in the environment (files under /run/secrets only)" {
  no_password_in_env api
}

@test "api: Netty runs its native epoll transport in the read-only, noexec-/tmp layout (what bench/run measures)" {
  # The image unpacks Netty's library into a tmpfs that allows exec (compose.yaml); on the
  # noexec /tmp it would fall back to NIO, which the API then logs instead (system/StartupReport).
  api_logs_hold 'Netty transport: ' || fail "no api log line names the Netty transport"
  api_logs_hold 'Netty transport: epoll' || fail "the api runs NIO: $(for c in $(compose_containers "$PROJECT" api); do docker logs "$c" 2>&1; done | grep -F 'Netty transport: ' | head -n 1)"
}

@test "web: no process runs as root" {
  no_process_as_root web
}

@test "web: read-only root filesystem" {
  read_only_root web
}

@test "web: cap_drop ALL, no-new-privileges" {
  no_capabilities web
}

@test "web: no password in the environment (files under /run/secrets only)" {
  no_password_in_env web
}

@test "a write to / in web fails (read-only)" {
  local web
  web="$(running web)"
  run docker exec "$web" sh -c 'echo x > /probe'
  assert_failure
  assert_output --partial "Read-only file system"
}

# ── Network isolation: web cannot reach db ───────────────────────────────────

# probe_db CONTAINER HOST: pg_isready from a throw-away container sharing CONTAINER's network
# stack (exit 0: accepting, 2: no response).
probe_db() {
  timeout 20 docker run --rm --network "container:$1" "$(env_value "$ENV_FILE" POSTGRES_IMAGE)" pg_isready -h "$2" -p 5432 -t 3
}

@test "web and db share no network" {
  local web db web_networks db_networks
  web="$(running web)"
  db="$(running db)"
  web_networks="$(networks_of "$web")"
  db_networks="$(networks_of "$db")"
  [[ -n "$web_networks" && -n "$db_networks" ]] || fail "web: '$web_networks', db: '$db_networks'"
  assert_equal "$(comm -12 <(echo "$web_networks") <(echo "$db_networks"))" ""
}

@test "from web's network stack, db's address does not answer" {
  local db web db_ip
  db="$(running db)"
  web="$(running web)"
  db_ip="$(ips_of "$db" | awk '{ print $1 }')"
  [[ -n "$db_ip" ]] || fail "db has no address"
  run probe_db "$web" "$db_ip"
  assert_equal "$status" 2
}

@test "from web's network stack, the name db reaches no server" {
  local web
  web="$(running web)"
  run probe_db "$web" db
  assert_equal "$status" 2
}

@test "from api's network stack, db answers (the probe itself works)" {
  local api
  api="$(running api)"
  run probe_db "$api" db
  assert_success
}

# ── Database roles ───────────────────────────────────────────────────────────

@test "role app cannot CREATE TABLE" {
  run psql_as app 'CREATE TABLE stack_test_probe (id int)'
  assert_failure
  assert_output --partial "permission denied"
}

@test "role app can read rows" {
  run psql_as app 'SELECT count(*) FROM items'
  assert_success
  assert_output --regexp '^[0-9]+$'
}

@test "role app cannot create temporary tables either" {
  run psql_as app 'CREATE TEMP TABLE stack_test_probe (id int)'
  assert_failure
  assert_output --partial "permission denied"
}

@test "the items table is owned by app_owner" {
  run psql_as app_owner "SELECT tableowner FROM pg_tables WHERE tablename = 'items'"
  assert_success
  assert_output app_owner
}

# ── Backup and restore ───────────────────────────────────────────────────────
# postgres/backup and postgres/restore as an operator runs them on this stack: a dump taken while
# the API serves, refusals, the fresh-volume procedure of README "Backups" (down -v, up db,
# restore, up), then --force into the running stack.

@test "backup: items with quotes, a backslash, control and non-ASCII characters created and one updated" {
  step backup_rows backup_rows
  assert_equal "$(state backup.codes)" "201 201 200"
}

@test "postgres/backup writes a verified dump named after the database and a UTC time" {
  step backup take_backup
  local dump
  dump="$(state dump)"
  [[ "$dump" =~ /app-[0-9]{8}T[0-9]{6}Z\.dump$ ]] || fail "dump named '$dump'"
  [[ -s "$dump" ]] || fail "$dump is empty or missing"
  assert_equal "$(grep -c 'verified' "$STATE/backup.log")" 1
}

@test "postgres/backup: its report counts the rows the database holds" {
  step backup take_backup
  local before
  before="$(state before)"
  run cat -- "$STATE/backup.log"
  assert_output --partial ", ${before%% *} rows in items"
}

@test "the dump is private to its owner (mode 600)" {
  step backup take_backup
  assert_equal "$(stat -c %a "$(state dump)")" 600
}

@test "postgres/restore without --force refuses a database that is not empty" {
  step restore_refused restore_refused
  assert_equal "$(state refused.status)" 4
  assert_equal "$(grep -c 'is not empty' "$STATE/refused.log")" 1
}

@test "postgres/restore without --force leaves every row as it was" {
  step restore_refused restore_refused
  run rows_of
  assert_success
  assert_output "$(state before)"
}

@test "postgres/restore refuses a file that is not a dump" {
  run "$REPO/postgres/restore" "${STACK[@]}" "$REPO/compose.yaml"
  assert_equal "$status" 3
  assert_equal "$(grep -c 'not a pg_dump' <<<"$output")" 1
}

@test "postgres/restore refuses a dump cut in half before it changes anything" {
  step backup take_backup
  local dump
  dump="$(state dump)"
  head -c "$(($(stat -c %s "$dump") / 2))" "$dump" >"$BATS_TEST_TMPDIR/truncated.dump"
  run "$REPO/postgres/restore" "${STACK[@]}" "$BATS_TEST_TMPDIR/truncated.dump"
  assert_equal "$status" 3
  assert_equal "$(grep -cE 'not a pg_dump|do not read back' <<<"$output")" 1
  run rows_of
  assert_output "$(state before)"
}

@test "postgres/backup of a project with no running database fails" {
  run "$REPO/postgres/backup" --project-name "$PROJECT-absent" --env-file "$ENV_FILE" --file "$REPO/compose.yaml" \
    --output "$BATS_TEST_TMPDIR/backups"
  assert_equal "$status" 3
  assert_equal "$(grep -c "no running 'db' container" <<<"$output")" 1
}

@test "on a fresh volume (down -v, up db), postgres/restore loads the dump before migrate runs" {
  step fresh_restore fresh_restore
  assert_equal "$(state fresh.status)" 0
}

@test "migrate then exits 0 and finds the restored schema up to date" {
  step fresh_up fresh_up
  local migrate
  migrate="$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" --filter label=com.docker.compose.service=migrate | head -n 1)"
  [[ -n "$migrate" ]] || fail "no migrate container"
  assert_equal "$(docker inspect -f '{{.State.ExitCode}}' "$migrate")" 0
  assert_equal "$(docker logs "$migrate" 2>&1 | grep -c 'is up to date')" 1
}

@test "the same rows after the round trip: count and md5 of every row" {
  step fresh_up fresh_up
  run rows_of
  assert_success
  assert_output "$(state before)"
}

@test "the API serves the restored items" {
  step fresh_up fresh_up
  local before
  before="$(state before)"
  assert_equal "$(http GET "/api/items?limit=500")" 200
  assert_equal "$(json 'print(len(d))')" "${before%% *}"
}

@test "GET /api/items/ID → 200, the item created before the backup" {
  step fresh_up fresh_up
  assert_item_served
}

@test "a new item gets a fresh id after the restored ones" {
  step item_after_restore item_after_restore
  assert_equal "$(state new.code)" 201
  [[ "$(state new.id)" =~ ^[0-9]+$ ]] || fail "id '$(state new.id)'"
  (($(state new.id) > $(state max_id))) || fail "id $(state new.id), restored up to $(state max_id)"
}

@test "role app still cannot CREATE TABLE" {
  step fresh_up fresh_up
  run psql_as app 'CREATE TABLE stack_test_probe (id int)'
  assert_failure
  assert_output --partial "permission denied"
}

@test "role app still reads and writes rows" {
  step item_after_restore item_after_restore
  run psql_as app "UPDATE items SET name = name WHERE id = $(state new.id)"
  assert_success
  assert_output "UPDATE 1"
}

@test "flyway_schema_history stays owner-only" {
  step fresh_up fresh_up
  run psql_as app 'SELECT count(*) FROM flyway_schema_history'
  assert_failure
  assert_output --partial "permission denied"
}

@test "the restored tables are owned by app_owner" {
  step fresh_up fresh_up
  run psql_as postgres "SELECT string_agg(DISTINCT tableowner, ' ') FROM pg_tables WHERE schemaname = 'public'"
  assert_success
  assert_output app_owner
}

@test "postgres/restore --force replaces the data of the running stack and says what it drops" {
  step force_restore force_restore
  assert_equal "$(state force.status)" 0
  assert_equal "$(grep -c 'dropping.*TABLE public.items' "$STATE/force.log")" 1
}

@test "after --force, the dump's rows again (the item created since is gone)" {
  step force_restore force_restore
  run rows_of
  assert_success
  assert_output "$(state before)"
}

@test "the API, never restarted, serves and creates again" {
  step force_restore force_restore
  local api code id
  api="$(running api)"
  assert_equal "$api $(docker inspect -f '{{.State.StartedAt}}' "$api")" "$(state force.api-before)"
  assert_equal "$(http GET "/api/items/$(state item.id)")" 200
  read -r code id <<<"$(new_item "created after restore --force")"
  assert_equal "$code" 201
  [[ "$id" =~ ^[0-9]+$ ]] || fail "id '$id'"
  ((id > $(state max_id))) || fail "id $id, restored up to $(state max_id)"
}

# ── The API recreated, then scaled: Nginx finds the new containers ───────────

@test "two api containers run, both new" {
  step api_scaled api_scaled
  local old
  old="$(state scale.old-api)"
  assert_equal "$(wc -l <"$STATE/replicas")" 2
  assert_equal "$(grep -c "^${old:0:12}" "$STATE/replicas" || true)" 0
}

@test "both replicas healthy" {
  step api_healthy api_healthy
  local c replicas
  mapfile -t replicas <"$STATE/replicas"
  for c in "${replicas[@]}"; do
    assert_equal "${c:0:12} $(health_of "$c")" "${c:0:12} healthy"
  done
}

# Docker may give the recreated container its old address again; the second replica's address is
# always new, so reaching it (the next test) shows that Nginx looks the name up again.
@test "Nginx serves /api/items within 10 s of the new api containers being healthy" {
  step api_healthy api_healthy
  local t0=$SECONDS
  until [[ "$(http GET '/api/items?limit=1')" == 200 ]] || ((SECONDS - t0 > 10)); do sleep 0.5; done
  (((SECONDS - t0) <= 10)) || fail "no 200 after $((SECONDS - t0))s"
}

# Nginx logs the upstream address of every request (frontend/nginx json_access): count the
# requests each replica answered from the web container's log.
hits_of() {
  local ip hits=0
  for ip in $(state "ips.$1"); do
    hits=$((hits + $(grep -cF "\"upstream_addr\":\"$ip:8080\"" "$BATS_TEST_TMPDIR/access" || true)))
  done
  echo "$hits"
}

@test "requests through Nginx reached both api replicas" {
  step api_healthy api_healthy
  local web since reached=false t0=$SECONDS c replicas
  mapfile -t replicas <"$STATE/replicas"
  web="$(running web)"
  since="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  while ((SECONDS - t0 < 40)); do
    for _ in $(seq 1 10); do http GET '/api/items?limit=1' >/dev/null; done
    docker logs --since "$since" "$web" 2>/dev/null | grep -F '"request":"GET /api/items?limit=1' >"$BATS_TEST_TMPDIR/access" || true
    reached=true
    for c in "${replicas[@]}"; do (($(hits_of "$c") > 0)) || reached=false; done
    $reached && break
    sleep 2
  done
  for c in "${replicas[@]}"; do
    echo "replica ${c:0:12} ($(state "ips.$c")): $(hits_of "$c") of $(wc -l <"$BATS_TEST_TMPDIR/access") requests"
  done
  assert_equal "$reached" true
}

# ── The prod profile refuses the documented example password ─────────────────

@test "prod profile, example password: the api image exits non-zero instead of serving" {
  step prod_refusal prod_refusal
  local rc
  rc="$(state prod.status)"
  ((rc != 0 && rc != 124)) || fail "exit status $rc (124: still running after 90 s)"
}

@test "prod profile, example password: it says why (mentions the password)" {
  step prod_refusal prod_refusal
  run cat -- "$STATE/prod.log"
  assert_output --partial password
}

prod_admin_refusal() {
  local status=0
  timeout 90 docker run --rm --network none --read-only --tmpfs /tmp \
    -e SPRING_PROFILES_ACTIVE=prod -e DB_PASSWORD=not-the-example-password -e DB_HOST=db \
    "$(env_value "$ENV_FILE" API_IMAGE)" >"$STATE/prod-admin.log" 2>&1 || status=$?
  save prod-admin.status "$status"
  tail -n 20 "$STATE/prod-admin.log"
}

@test "prod profile, no admin password: the api image exits non-zero and says so" {
  step prod_admin_refusal prod_admin_refusal
  local rc
  rc="$(state prod-admin.status)"
  ((rc != 0 && rc != 124)) || fail "exit status $rc (124: still running after 90 s)"
  run cat -- "$STATE/prod-admin.log"
  assert_output --partial "no admin password is set (ADMIN_PASSWORD_FILE)"
}
