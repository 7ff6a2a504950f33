#!/usr/bin/env bats
# ┌──────────────────────────────────────────────────────────────────────┐
# │ The monitoring profile, proved on real parts (issue 13 §5)           │
# └──────────────────────────────────────────────────────────────────────┘
#
# Usage: ci/tests/run monitoring [--filter REGEX]
#
# Static (no rig): promtool check rules / check config, promtool test rules (every alert of
# monitoring/prometheus/rules fires and stays silent in monitoring/prometheus/tests, and the
# suite checks that each alert has both kinds of test), amtool check-config, the blackbox
# exporter's configuration, the dashboards as Grafana dashboard JSON (ci/tests/lib/grafana-check.mjs:
# @grafana/schema's types through tsc, and a subset check).
#
# Live (the rig, setup_file): PostgreSQL 17 (127.0.0.1:21432) with the role `monitor` that
# postgres/initdb/10-roles.sh makes, the API jar (127.0.0.1:21081), nginx from the real
# frontend/nginx templates (https://127.0.0.1:21443, stub_status on 127.0.0.1:21082, dnsmasq on
# 21053 naming api.rig), Debian's exporters (postgres 21187 as `monitor`, nginx 21113, node 21100
# watching the data folder's filesystem, blackbox 21115 with monitoring/blackbox/blackbox.yml),
# Debian's Alertmanager (21093, the committed alertmanager.yml) and Prometheus (21090) with the
# committed rule files and the committed prometheus.yml turned to loopback targets by
# ci/tests/lib/monitoring-config.mjs (2 s scrapes). Load goes through nginx in the background
# (ci/tests/lib/load.mjs: mixed reads and writes, two SSE subscribers, NDJSON exports). Then every
# target is up, every rule is loaded and healthy, and EVERY dashboard panel's PromQL, its
# variables substituted as Grafana would, returns data: one test per dashboard, naming the empty
# panels.
#
# Environment:
#   MONITORING_TEST_SCREENSHOT=FILE.png  also takes a screenshot of Prometheus' targets page with
#                                        headless Chromium (README's docs/monitoring-prometheus-targets.png)
#
# Docker's DNS (one test, on a Docker engine: ci/rig/docker-engine.sh starts one if none runs, and
# stops it after if it did): a real Prometheus in a container with the committed `api` job
# (dns_sd_configs on the name api) finds one target per container of three stand-in replicas that
# share the network alias api, as `docker compose up --scale api=3` makes them. The image is built
# FROM scratch out of the rig's Prometheus and this machine's busybox: no registry needed.
#
# Cost: about 1–2 minutes (the API's start-up is most of it). Needs Prometheus and promtool 3.x
# (Debian testing's, fetched once by ci/rig/binaries.sh as compose.yaml runs 3.5), Debian's
# prometheus-alertmanager, prometheus-postgres-exporter, prometheus-nginx-exporter,
# prometheus-node-exporter and prometheus-blackbox-exporter (ci/install-prerequisites), plus what
# the fault rig needs (dnsmasq, PostgreSQL's client tools, Node, curl, jq, Java). Everything it
# starts is stopped at the end; when something failed, the logs stay in the folder it names.
load lib/suite
export E2E_DB_PORT=21432 E2E_API_PORT=21081
# shellcheck source=ci/rig/nginx.sh
source "$REPO/ci/rig/nginx.sh"
# shellcheck source=ci/rig/services.sh
source "$REPO/ci/rig/services.sh"
# shellcheck source=ci/rig/docker-engine.sh
source "$REPO/ci/rig/docker-engine.sh"

MON="$REPO/monitoring"
CHECK="$BATS_TEST_DIRNAME/lib/grafana-check.mjs"
web=https://127.0.0.1:21443
prom=http://127.0.0.1:21090
load_js="$REPO/ci/tests/lib/load.mjs"
DASHBOARDS=("$MON"/grafana/dashboards/*.json)
DNS_SD=genericapp-monitoring-dnssd # the Docker network, containers and image of the DNS test
MON_MONITOR_PASSWORD="rig-monitor-password-only"

port_in_use() { (exec 9<>"/dev/tcp/$1/$2") 2>/dev/null; }

# bg NAME COMMAND…: a background process of the rig, its output in $E2E_TMP/NAME.log, its pid
# tracked for teardown_file. fd 3 closed: it must not hold bats' output open.
bg() {
  local name="$1"
  shift
  "$@" </dev/null >"$E2E_TMP/$name.log" 2>&1 3>&- &
  echo "$! $name" >>"$E2E_TMP/rig.pids"
}
# up URL: answers 2xx (bounded by wait_until's caller)
up() { curl -fs -o /dev/null --max-time 2 "$1"; }
# promql EXPR: the value of the first sample of an instant query, empty when none
promql() {
  curl -fsS --max-time 5 "$prom/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // empty'
}
# 30 NDJSON exports through nginx, one every 2 s (export rows for the pool dashboard)
exports_now_and_then() {
  local i
  for ((i = 0; i < 30; i++)); do
    curl -fsS -o /dev/null --max-time 10 -H "Cookie: $E2E_COOKIE" -H 'Accept: application/x-ndjson' "$web/api/items"
    sleep 2
  done
}
# the active targets ("job instance health lastError") and the loaded rules ("name health lastError")
targets() { curl -fsS "$prom/api/v1/targets?state=active" | jq -r '.data.activeTargets[] | "\(.labels.job) \(.labels.instance) \(.health) \(.lastError)"'; }
rules() { curl -fsS "$prom/api/v1/rules" | jq -r '.data.groups[].rules[] | "\(.name) \(.health) \(.lastError // "")"'; }
positive() { local v; v="$(promql "$1")"; [[ -n "$v" ]] && awk -v v="$v" 'BEGIN { exit !(v > 0) }'; }

setup_file() {
  local missing=() tool started=$SECONDS
  for tool in amtool prometheus-alertmanager prometheus-postgres-exporter prometheus-nginx-exporter \
    prometheus-node-exporter prometheus-blackbox-exporter; do
    command -v "$tool" >/dev/null || missing+=("$tool: apt-get install -y prometheus-alertmanager prometheus-postgres-exporter prometheus-nginx-exporter prometheus-node-exporter prometheus-blackbox-exporter")
  done
  for tool in dnsmasq envsubst curl jq node java; do command -v "$tool" >/dev/null || missing+=("$tool (ci/install-prerequisites)"); done
  [[ -x "$E2E_PG_BIN/psql" ]] || missing+=("PostgreSQL client tools in $E2E_PG_BIN: apt-get install -y postgresql-15")
  [[ -d "$BATS_TEST_DIRNAME/node_modules/@grafana/schema" ]] || missing+=("@grafana/schema: npm ci --prefix ci/tests")
  ((${#missing[@]} == 0)) || fail "$(printf 'missing prerequisite: %s\n' "${missing[@]}" | sort -u)"
  # Prometheus and promtool 3.x, the major compose.yaml runs (ci/rig/binaries.sh)
  rig_prometheus_install 3>&- || fail "no Prometheus 3 (see above)"
  export RIG_PROMETHEUS RIG_PROMTOOL
  local port
  for port in 21432 21081 21080 21443 21082 21053 21187 21113 21100 21115 21093 21090 21190; do
    if port_in_use 127.0.0.1 "$port"; then fail "127.0.0.1:$port is in use (another monitoring run?): stop it first"; fi
  done
  local jar
  jar="$(backend_jar)" || fail "no backend jar (see above)"
  # For the Docker DNS test; its absence fails that test only. fd 3 closed: a dockerd started
  # here outlives this process and must not hold bats' output open.
  if docker_engine_start 3>&- >"$BATS_FILE_TMPDIR/docker-engine.log" 2>&1; then touch "$BATS_FILE_TMPDIR/docker-engine-up"; fi

  E2E_TMP="$(mktemp -d -t genericapp-monitoring.XXXXXX)"
  chmod 0755 "$E2E_TMP"
  export E2E_TMP E2E_REPO="$REPO"
  : >"$E2E_TMP/rig.pids"
  suite_log "logs: $E2E_TMP"
  cp "$jar" "$E2E_TMP/api.jar"

  suite_log "PostgreSQL 17 on 127.0.0.1:$E2E_DB_PORT, with the role monitor (pg_monitor)"
  e2e_db_init 3>&- || fail "PostgreSQL did not start"
  # the init script's own statement for the role, with the rig's password
  sed -n "/^CREATE ROLE monitor/,/^SQL\$/p" "$REPO/postgres/initdb/10-roles.sh" | sed '$d' >"$E2E_TMP/monitor-role.sql"
  [[ -s "$E2E_TMP/monitor-role.sql" ]] || fail "no CREATE ROLE monitor statement in postgres/initdb/10-roles.sh"
  _e2e_pg "$E2E_PG_BIN/psql" -h "$E2E_TMP/pg/sock" -p "$E2E_DB_PORT" -U postgres -d app -v ON_ERROR_STOP=1 -q \
    -v db=app -v monitor_password="$MON_MONITOR_PASSWORD" <"$E2E_TMP/monitor-role.sql" || fail "the monitor role was not created"

  # Traced as in production (Nginx samples 10 %): the sampled requests' trace ids reach
  # Prometheus as exemplars, which Prometheus 3 stores (Debian 12's 2.42 dropped such scrapes).
  suite_log "the API on 127.0.0.1:$E2E_API_PORT"
  e2e_api_start 3>&- || fail "the API did not start"

  mkdir -p "$E2E_TMP/www"
  echo '<!doctype html><title>monitoring rig</title>' >"$E2E_TMP/www/index.html"
  e2e_dns_start "$E2E_TMP/dns" 21053 api.rig 127.0.0.1 3>&- || fail "dnsmasq did not start on 127.0.0.1:21053"
  export LISTEN_PORT=127.0.0.1:21080 TLS_LISTEN_PORT=127.0.0.1:21443 STATUS_LISTEN_PORT=127.0.0.1:21082 \
    API_UPSTREAM=api.rig:21081 DNS_RESOLVER=127.0.0.1:21053 WEB_ROOT="$E2E_TMP/www"
  suite_log "nginx on $TLS_LISTEN_PORT, stub_status on $STATUS_LISTEN_PORT"
  e2e_nginx_up "$E2E_TMP/nginx" "$REPO/frontend" http://127.0.0.1:21080 3>&- || fail "nginx did not come up (see above)"
  export CURL_CA_BUNDLE="$E2E_TLS_CA" NODE_EXTRA_CA_CERTS="$E2E_TLS_CA"

  suite_log "exporters, Alertmanager and Prometheus (the committed rules, loopback targets)"
  DATA_SOURCE_NAME="postgresql://monitor:$MON_MONITOR_PASSWORD@127.0.0.1:$E2E_DB_PORT/app?sslmode=disable" \
    bg postgres-exporter prometheus-postgres-exporter --web.listen-address=127.0.0.1:21187
  bg nginx-exporter prometheus-nginx-exporter -nginx.scrape-uri "http://$STATUS_LISTEN_PORT/stub_status" -web.listen-address 127.0.0.1:21113
  # Only the filesystem collector, as compose runs it; overlay is allowed (a CI runner's root may be one).
  bg node-exporter prometheus-node-exporter --collector.disable-defaults --collector.filesystem --web.listen-address=127.0.0.1:21100 \
    '--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$'
  bg blackbox-exporter prometheus-blackbox-exporter --config.file="$MON/blackbox/blackbox.yml" --web.listen-address=127.0.0.1:21115
  mkdir -p "$E2E_TMP/alertmanager" "$E2E_TMP/prometheus"
  bg alertmanager prometheus-alertmanager --config.file="$MON/alertmanager/alertmanager.yml" --storage.path="$E2E_TMP/alertmanager" \
    --web.listen-address=127.0.0.1:21093 --cluster.listen-address=
  local mountpoint
  mountpoint="$(df --output=target "$E2E_TMP/pg/data" | tail -n 1)"
  node "$BATS_TEST_DIRNAME/lib/monitoring-config.mjs" --config "$MON/prometheus/prometheus.yml" --rules "$MON/prometheus/rules" \
    --interval 2s --mountpoint "$mountpoint" --map api:8080=127.0.0.1:21081 --map blackbox-exporter:9115=127.0.0.1:21115 \
    --map postgres-exporter:9187=127.0.0.1:21187 --map db-volume-exporter:9100=127.0.0.1:21100 \
    --map nginx-exporter:9113=127.0.0.1:21113 --map alertmanager:9093=127.0.0.1:21093 --map localhost:9090=127.0.0.1:21090 \
    >"$E2E_TMP/prometheus.yml" || fail "the loopback Prometheus configuration was not made"
  bg prometheus "$RIG_PROMETHEUS" --config.file="$E2E_TMP/prometheus.yml" --storage.tsdb.path="$E2E_TMP/prometheus" \
    --web.listen-address=127.0.0.1:21090 --enable-feature=exemplar-storage
  wait_until 30 up "$prom/-/ready" || fail "Prometheus was not ready within 30 s: $(tail -n 5 "$E2E_TMP/prometheus.log")"

  suite_log "load through nginx: mixed reads and writes, SSE subscribers, NDJSON exports (in the background)"
  e2e_sign_in "$web" 3>&- || fail "could not sign in through nginx"
  bg load node "$load_js" mixed --base "$web" --duration 90 --rate 40 --write-rate 4 --concurrency 8 --out "$E2E_TMP/load.json" --no-verify
  bg sse node "$load_js" sse --base "$web" --count 2 --duration 90 --out "$E2E_TMP/events.ndjson"
  bg exports exports_now_and_then
  # Ready when the rates the panels show have two samples under load: API requests, writes seen
  # by NOTIFY, nginx requests and PostgreSQL transactions over the last 30 s.
  local expr
  for expr in 'sum(rate(http_server_requests_seconds_count{job="api", uri!~"/actuator.*"}[30s]))' \
    'sum(rate(items_changes_received_total{job="api"}[30s]))' 'sum(rate(nginx_http_requests_total{job="nginx"}[30s]))' \
    'sum(rate(pg_stat_database_xact_commit{job="postgres", datname="app"}[30s]))'; do
    wait_until 60 positive "$expr" ||
      fail "Prometheus saw no load within 60 s: $expr is '$(promql "$expr")'; targets:
$(targets)
(logs: $E2E_TMP/*.log)"
  done
  suite_log "rig up and under load in $((SECONDS - started)) s"
  touch "$BATS_FILE_TMPDIR/rig-up"
}

teardown() {
  [[ -n "${BATS_TEST_COMPLETED:-}" ]] || touch "$BATS_FILE_TMPDIR/failed"
}

teardown_file() {
  if [[ -f "$BATS_FILE_TMPDIR/docker-engine-up" ]]; then
    dns_sd_cleanup
    docker_engine_stop 3>&- || true
  fi
  [[ -n "${E2E_TMP:-}" ]] || return 0
  local pid name i
  if [[ -s "$E2E_TMP/rig.pids" ]]; then
    while read -r pid name; do kill -TERM "$pid" 2>/dev/null || true; done <"$E2E_TMP/rig.pids"
    while read -r pid name; do
      for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    done <"$E2E_TMP/rig.pids"
  fi
  e2e_nginx_stop "$E2E_TMP/nginx" || true
  e2e_dns_stop || true
  e2e_api_stop || true
  e2e_db_stop || true
  if [[ -f "$BATS_FILE_TMPDIR/failed" || ! -f "$BATS_FILE_TMPDIR/rig-up" ]]; then
    suite_log "monitoring: logs kept in $E2E_TMP (*.log, prometheus.yml, nginx/, pg/postgres.log)"
  else
    rm -rf -- "$E2E_TMP"
  fi
}

# ── Static checks ────────────────────────────────────────────────────────────

@test "promtool check rules: every rule file" {
  run "$RIG_PROMTOOL" check rules "$MON"/prometheus/rules/*.rules.yml
  assert_success
}

@test "promtool check config: the committed prometheus.yml" {
  run "$RIG_PROMTOOL" check config --syntax-only "$MON/prometheus/prometheus.yml"
  assert_success
}

@test "promtool test rules: every alert's unit tests pass" {
  run "$RIG_PROMTOOL" test rules "$MON"/prometheus/tests/*.test.yml
  assert_success
  refute_output --partial FAILED
}

# Every alert has a test in which it fires and one in which it stays silent, and a runbook.
@test "every alert has a firing test, a silent test, a severity and a runbook" {
  run node "$BATS_TEST_DIRNAME/lib/alert-coverage.mjs" "$MON"/prometheus/rules/*.rules.yml -- "$MON"/prometheus/tests/*.test.yml
  assert_success
  suite_log "  $output"
}

@test "every runbook_url names a section that README.md has" {
  local url anchor missing=()
  while read -r url; do
    anchor="${url##*#}"
    # GitHub's anchor of a "#### Name" heading is its lower-cased text
    grep -qiE "^#{2,5} ${anchor}\$" "$REPO/README.md" || missing+=("$url")
  done < <(grep -ho 'runbook_url: "[^"]*"' "$MON"/prometheus/rules/*.rules.yml | sed 's/runbook_url: "\(.*\)"/\1/')
  ((${#missing[@]} == 0)) || fail "$(printf 'no README section for %s\n' "${missing[@]}")"
}

@test "amtool check-config: the committed alertmanager.yml" {
  run amtool check-config "$MON/alertmanager/alertmanager.yml"
  assert_success
}

@test "blackbox exporter: the committed blackbox.yml" {
  run prometheus-blackbox-exporter --config.check --config.file="$MON/blackbox/blackbox.yml"
  assert_success
}

@test "dashboards: @grafana/schema types (tsc), panel options included" {
  run node "$CHECK" fields "${DASHBOARDS[@]}"
  assert_success
  assert_output "${#DASHBOARDS[@]}"
}

@test "dashboards: subset check (uids, data sources, grid, queries, variables)" {
  run node "$CHECK" subset "${DASHBOARDS[@]}"
  assert_success
}

@test "dashboards: the checks fail on a broken dashboard" {
  sed -e 's/"showLegend"/"showLegnd"/' -e 's/"uid": "prometheus"/"uid": "prom"/' -e "s/\\\$instance/\\\$replica/" \
    "$MON/grafana/dashboards/api-jvm.json" >"$BATS_TEST_TMPDIR/broken.json"
  run node "$CHECK" fields "$BATS_TEST_TMPDIR/broken.json"
  assert_failure
  assert_output --partial "'\"showLegnd\"' does not exist"
  run node "$CHECK" subset "$BATS_TEST_TMPDIR/broken.json"
  assert_failure
  assert_output --partial 'panel data source is not the provisioned uid prometheus'
  assert_output --partial "uses \$replica, which the dashboard does not define"
}

@test "grafana provisioning names the data source uids the dashboards use" {
  run grep -E '^\s+uid: (prometheus|jaeger|alertmanager)$' "$MON/grafana/provisioning/datasources/datasources.yaml"
  assert_success
  assert_line --regexp 'uid: prometheus$'
  assert_line --regexp 'uid: jaeger$'
}

# ── Live: the real Prometheus against the rig ───────────────────────────────

@test "live: the loopback configuration passes promtool check config (rule files included)" {
  run "$RIG_PROMTOOL" check config "$E2E_TMP/prometheus.yml"
  assert_success
  assert_output --partial "SUCCESS: 2 rule files found"
}

@test "live: every scrape target is up (api, readiness probe, exporters, Alertmanager, Prometheus)" {
  run targets
  assert_success
  local job
  for job in api api-readiness postgres db-volume nginx alertmanager prometheus; do
    assert_line --regexp "^$job [^ ]+ up $"
  done
  refute_line --regexp ' (down|unknown) '
}

@test "live: the readiness probe reads UP, the exporters reach PostgreSQL and nginx" {
  assert_equal "$(promql 'probe_success{job="api-readiness"}')" 1
  assert_equal "$(promql 'pg_up{job="postgres"}')" 1
  assert_equal "$(promql 'nginx_up{job="nginx"}')" 1
  run promql 'count(node_filesystem_size_bytes{job="db-volume"})'
  assert_output 1
}

@test "live: every alert rule is loaded and evaluates without error; Alertmanager is discovered" {
  run rules
  assert_success
  local expected
  expected="$(cat "$MON"/prometheus/rules/*.rules.yml | grep -c '^ *- alert:')"
  assert_equal "$(grep -c ' ok $' <<<"$output")" "$expected"
  run curl -fsS "$prom/api/v1/alertmanagers"
  assert_output --partial "127.0.0.1:21093"
}

@test "live: the monitor role reads statistics, not rows" {
  run env PGPASSWORD="$MON_MONITOR_PASSWORD" "$E2E_PG_BIN/psql" -h 127.0.0.1 -p "$E2E_DB_PORT" -U monitor -d app -Atc 'SELECT count(*) FROM items'
  assert_failure
  assert_output --partial "permission denied"
  run env PGPASSWORD="$MON_MONITOR_PASSWORD" "$E2E_PG_BIN/psql" -h 127.0.0.1 -p "$E2E_DB_PORT" -U monitor -d app -Atc "SELECT pg_database_size('app') > 0"
  assert_output t
}

# ── Docker's DNS: one target per replica ────────────────────────────────────
dns_sd_cleanup() {
  docker ps -aq --filter "label=$DNS_SD" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker network rm "$DNS_SD" >/dev/null 2>&1 || true
  docker rmi "$DNS_SD:test" >/dev/null 2>&1 || true
}
# Prints "instance health" of the api job's targets in the containerised Prometheus.
dns_sd_targets() {
  curl -fs --max-time 3 http://127.0.0.1:21190/api/v1/targets | jq -r '.data.activeTargets[] | select(.labels.job == "api") | "\(.labels.instance) \(.health)"' | sort
}
three_up() { [[ "$(dns_sd_targets | grep -c ' up$')" == 3 ]]; }
run_dns_sd() {
  [[ -f "$BATS_FILE_TMPDIR/docker-engine-up" ]] || { cat "$BATS_FILE_TMPDIR/docker-engine.log"; echo "no Docker engine"; return 1; }
  local ctx="$BATS_FILE_TMPDIR/dns-sd" lib i
  dns_sd_cleanup
  mkdir -p "$ctx/www/actuator" "$ctx/lib"
  # what a replica's scrape needs to look like, no more
  printf '# TYPE genericapp_standin_up gauge\ngenericapp_standin_up 1\n' >"$ctx/www/actuator/prometheus"
  cp "$RIG_PROMETHEUS" /bin/busybox "$ctx/"
  for lib in $(ldd "$RIG_PROMETHEUS" | grep -o '/[^ ]*'); do cp --parents "$lib" "$ctx/lib/"; done
  node "$BATS_TEST_DIRNAME/lib/monitoring-config.mjs" --config "$MON/prometheus/prometheus.yml" --jobs api --interval 2s \
    --fallback-protocol PrometheusText0.0.4 >"$ctx/prometheus.yml"
  cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY lib/ /
COPY prometheus busybox /bin/
COPY www/ /www/
COPY prometheus.yml /etc/prometheus/prometheus.yml
USER 65534:65534
DOCKERFILE
  docker build -q -t "$DNS_SD:test" "$ctx" >"$ctx/build.log" 2>&1 || { cat "$ctx/build.log"; return 1; }
  docker network create --label "$DNS_SD" "$DNS_SD" >/dev/null || return 1
  # three replicas under one name, as compose's --scale api=3 gives them (the network alias api)
  for i in 1 2 3; do
    docker run -d --label "$DNS_SD" --name "$DNS_SD-api$i" --network "$DNS_SD" --network-alias api --read-only --cap-drop ALL \
      --security-opt no-new-privileges "$DNS_SD:test" /bin/busybox httpd -f -p 8080 -h /www >/dev/null || return 1
  done
  # Prometheus on the same network, asking Docker's DNS as compose's prometheus does
  docker run -d --label "$DNS_SD" --name "$DNS_SD-prometheus" --network "$DNS_SD" -p 127.0.0.1:21190:9090 --read-only \
    --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges "$DNS_SD:test" /bin/prometheus \
    --config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/tmp/data >/dev/null || return 1
  if ! wait_until 40 three_up; then
    echo "the api job's targets after 40 s:"
    dns_sd_targets
    docker logs --tail 20 "$DNS_SD-prometheus" 2>&1
    return 1
  fi
  dns_sd_targets
}

@test "Docker DNS: the committed api job finds three targets for three replicas named api" {
  run step dns-sd run_dns_sd
  assert_success
  local i
  for i in 1 2 3; do
    # each replica's own address is a target of its own, and it is up
    assert_line "$(docker inspect -f "{{(index .NetworkSettings.Networks \"$DNS_SD\").IPAddress}}" "$DNS_SD-api$i"):8080 up"
  done
  assert_equal "${#lines[@]}" 3
}

@test "live: screenshot of Prometheus' targets page (MONITORING_TEST_SCREENSHOT=FILE.png)" {
  [[ -n "${MONITORING_TEST_SCREENSHOT:-}" ]] || skip "MONITORING_TEST_SCREENSHOT is not set"
  command -v chromium >/dev/null || fail "chromium is needed for the screenshot"
  # Debian 12's Prometheus 2.42 shipped the classic UI only; Debian testing's 3.x, which the rig
  # now runs, ships no web UI at all (its React UI is not packaged): nothing to photograph then.
  curl -fsS -o /dev/null "$prom/classic/targets" || skip "this Prometheus ($prom) serves no web UI (Debian's 3.x packages none)"
  run timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking --hide-scrollbars \
    --user-data-dir="$BATS_TEST_TMPDIR/chromium" --window-size=1280,1440 --screenshot="$MONITORING_TEST_SCREENSHOT" "$prom/classic/targets"
  assert_success
  [[ -s "$MONITORING_TEST_SCREENSHOT" ]] || fail "no screenshot was written"
}

@test "live: a panel without data fails the evaluation, by name" {
  jq '.panels[0].title = "Nothing here" | .panels[0].targets[0].expr = "sum(rate(no_such_metric_total{job=\"api\"}[$__rate_interval]))"' \
    "$MON/grafana/dashboards/nginx.json" >"$BATS_TEST_TMPDIR/empty-panel.json"
  run node "$CHECK" evaluate --prometheus "$prom" --rate-interval 30s "$BATS_TEST_TMPDIR/empty-panel.json"
  assert_failure
  assert_output --partial 'empty-panel.json: panel "Nothing here" A: no data (0 series, none with a number): sum(rate(no_such_metric_total{job="api"}[30s]))'
}

# One test per dashboard: every target of every panel returns at least one number.
evaluates() {
  local out rc=0
  out="$(node "$CHECK" evaluate --prometheus "$prom" --rate-interval 30s "$MON/grafana/dashboards/$1")" || rc=$?
  ((rc == 0)) || fail "empty panels in $1:"$'\n'"$out"
  suite_log "  $1: $out queries, each with data"
}
for _dashboard in "$REPO"/monitoring/grafana/dashboards/*.json; do
  bats_test_function --description "live: every panel of $(basename "$_dashboard") returns data" -- evaluates "$(basename "$_dashboard")"
done
