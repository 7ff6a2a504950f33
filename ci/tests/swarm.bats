#!/usr/bin/env bats
# deploy/swarm/stack.yaml on a real three-node Docker Swarm on this machine, deployed by
# ci/deploy-swarm, while things change and break under load:
#   - setup_file: three Docker engines (ci/rig/swarm.sh: each in its own network namespace with
#     its own address on a bridge made here, 10.231.23.11-13, own data-root, exec-root, socket),
#     three managers; Debian's docker-registry serving one storage folder on 127.0.0.1:23500 (the
#     shared build engine pushes there: loopback needs no TLS) and on 10.231.23.1:23500 (the
#     nodes pull there, an insecure registry in their daemon.json); the stand-in images of
#     ci/rig/stand-ins/build and the web image of frontend/Dockerfile, built on the shared engine
#     (ci/rig/docker-engine.sh), plus api "v2" (the same app, a new digest) and api "unhealthy"
#     (its health check passes once, then fails), published with ci/publish;
#   - the stack file as shipped, but for one line: the backend network's `encrypted` option is
#     dropped, because this kernel has no ESP (CONFIG_INET_ESP, CONFIG_CRYPTO_GCM unset: the
#     engines log "Failed Adding SA … rfc4106(gcm(aes)): function not implemented" and no packet
#     crosses an encrypted overlay between nodes); docs/SCALING.md has the evidence;
#   - the passwords of postgres/secrets/generate, and a TLS certificate for the nodes' addresses
#     signed by a CA made for this run (the development CA is constrained to loopback).
# Each scenario runs once through `step`; the load is ci/tests/lib/load.mjs (open-loop mixed
# reads and writes through one node's Nginx over HTTPS, every acknowledged write verified
# afterwards). Figures are printed on the terminal as the tests run (# lines).
#
# Cost: 13.5 minutes measured here (29 on a saturated machine, load average 25-35; JVM start-ups
# dominate: every api task is one).
# The engines' folders: /var/tmp/genericapp-swarm (ci/rig/swarm.sh; short paths for their sockets).
# Ports: 127.0.0.1:23500 and 10.231.23.1:23500 (registry); 23080/23443 on each node's address.
# teardown_file removes the engines, namespaces, bridge and folders, also after a failed set-up.
#
# Run: ci/tests/run swarm [--filter REGEX]

load lib/suite
# shellcheck source=ci/rig/docker-engine.sh
source "$REPO/ci/rig/docker-engine.sh"
# shellcheck source=ci/rig/swarm.sh
source "$REPO/ci/rig/swarm.sh"

T="$BATS_FILE_TMPDIR"
STACK=gaswt
PUSH=127.0.0.1:23500/genericapp-swarmtest
PULL=10.231.23.1:23500/genericapp-swarmtest
HTTP_PORT=23080
HTTPS_PORT=23443
LOAD_NODE=1 # the load enters through node 1's Nginx; the database is pinned to node 1 too
export SWARM_RIG_REGISTRY=10.231.23.1:23500
export DOCKER_BUILDKIT=0
export NODE_EXTRA_CA_CERTS="$T/secrets/ca.pem"

# ── Helpers ──────────────────────────────────────────────────────────────────

ref() { env_value "$T/refs.env" "$1"; } # API1, API2, API_BAD, WEB, POSTGRES → NAME@sha256 as the nodes pull it
base() { echo "https://$(swarm_node_addr "${1:-$LOAD_NODE}"):$HTTPS_PORT"; }
mgr() { swarm_docker 1 "$@"; }
figure() { printf '# %s\n' "$*" >&3; echo "$*" >>"$T/figures"; }

# deploy API_REF [more ci/deploy-swarm options]: through a cosign that passes (see setup_file).
# deploy API_REF [ARGS]: ci/deploy-swarm with the run's images and secrets. The smoke check goes
# through every node's published port: converged services are not yet a cluster that answers
# everywhere (each node's Nginx learns the api tasks from Docker's DNS, which spreads between
# nodes by gossip, and looks again every 10 s); under load, nodes 2 and 3 once answered /status
# with 502 just after a deploy that node 1's check had passed.
deploy() {
  local api="$1"
  shift
  DOCKER_HOST="unix://$(swarm_node_dir 1)/docker.sock" PATH="$T/cosign-pass:$PATH" timeout 1000 \
    "$REPO/ci/deploy-swarm" --stack-file "$T/stack.yaml" --stack-name "$STACK" --env-file "$T/app.env" \
    --secrets-dir "$T/secrets" --state-file "$T/deploy-state.env" --repository genericapp/generic-app \
    --smoke-ca "$T/secrets/ca.pem" --smoke-url "http://$(swarm_node_addr 1):$HTTP_PORT/healthz" \
    --smoke-url "$(base 1)/status" --smoke-url "$(base 2)/status" --smoke-url "$(base 3)/status" \
    --wait-timeout 420 --smoke-timeout 60 \
    --image "API_IMAGE=$api" --image "WEB_IMAGE=$(ref WEB)" --image "POSTGRES_IMAGE=$(ref POSTGRES)" "$@" 2>&1
}

# sign_in: a session for the first admin (password from its file, never on a command line);
# exports E2E_COOKIE and E2E_CSRF for load.mjs, keeps $T/cookies for curl.
sign_in() {
  local body="$T/sign-in.json" code
  (umask 077 && python3 -c 'import json, sys; print(json.dumps({"username": "admin", "password": open(sys.argv[1]).read().strip()}))' \
    "$T/secrets/admin_password.txt" >"$body")
  code="$(curl -sS --cacert "$T/secrets/ca.pem" -o /dev/null -w '%{http_code}' --max-time 20 -c "$T/cookies" \
    -H 'Content-Type: application/json' --data "@$body" "$(base)/api/session" 2>/dev/null || true)"
  rm -f -- "$body"
  [[ "$code" == 200 ]] || { echo "sign-in answered ${code:-nothing}"; return 1; }
  E2E_CSRF="$(awk -F'\t' '$6 == "XSRF-TOKEN" { print $7 }' "$T/cookies")"
  E2E_COOKIE="SESSION=$(awk -F'\t' '$6 == "SESSION" { print $7 }' "$T/cookies"); XSRF-TOKEN=$E2E_CSRF"
  export E2E_CSRF E2E_COOKIE
}
api() { # METHOD PATH [JSON]: through node 1, signed in
  curl -sS --cacert "$T/secrets/ca.pem" --max-time 10 -b "$T/cookies" -H "X-XSRF-TOKEN: ${E2E_CSRF:-}" \
    -H 'Content-Type: application/json' -X "$1" ${3:+--data "$3"} "$(base)$2"
}

# start_load NAME: mixed load through node 1 until stop_load; stop_load NAME waits for its verification.
start_load() {
  sign_in || return 1
  node "$REPO/ci/tests/lib/load.mjs" mixed --base "$(base)" --duration 1200 --rate 10 --write-rate 1 \
    --concurrency 16 --timeout 10000 --out "$T/load-$1.json" --log "$T/load-$1.log" 2>"$T/load-$1.err" 3>&- &
  echo "$!" >"$T/load-$1.pid"
  sleep 3
}
stop_load() {
  local pid
  pid="$(cat "$T/load-$1.pid")"
  kill -TERM "$pid" 2>/dev/null || true
  timeout 60 tail --pid="$pid" -f /dev/null || true
  [[ -s "$T/load-$1.json" ]] || { cat "$T/load-$1.err"; echo "load $1 wrote no summary"; return 1; }
  cat "$T/load-$1.err"
}
# load_value NAME EXPR: a value of the summary (a JavaScript expression over `s`)
load_value() { node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1])); console.log(eval(process.argv[2]))' "$T/load-$1.json" "$2"; }
lost_writes() { load_value "$1" 's.verification.missing.length + s.verification.wrong_version.length + s.verification.resurrected.length'; }

api_running() { mgr service ps "${STACK}_api" --filter desired-state=running --format '{{.Node}} {{.CurrentState}}' | grep -c ' Running' || true; }
api_converged_at() { # N: N api tasks running and healthy
  [[ "$(mgr service ls --filter "name=${STACK}_api" --format '{{.Replicas}}' | cut -d' ' -f1)" == "$1/$1" ]]
}

# ── Scenarios ────────────────────────────────────────────────────────────────

scenario_deploy() { deploy "$(ref API1)"; }

scenario_refused() {
  step deploy scenario_deploy >/dev/null || true
  DOCKER_HOST="unix://$(swarm_node_dir 1)/docker.sock" PATH="$T/cosign-fail:$PATH" timeout 120 \
    "$REPO/ci/deploy-swarm" --stack-file "$T/stack.yaml" --stack-name "$STACK" --env-file "$T/app.env" \
    --secrets-dir "$T/secrets" --state-file "$T/deploy-state.env" --repository genericapp/generic-app \
    --image "API_IMAGE=$(ref API2)" --image "WEB_IMAGE=$(ref WEB)" --image "POSTGRES_IMAGE=$(ref POSTGRES)" 2>&1
}

# An item written, the whole stack removed and deployed again: the item is still there.
scenario_redeploy() {
  step deploy scenario_deploy >/dev/null || return 1
  sign_in || return 1
  api POST /api/items '{"name":"survives a redeploy","description":"swarm suite"}' >"$T/persist-item.json" || return 1
  echo "written: $(cat "$T/persist-item.json")"
  mgr stack rm "$STACK" >/dev/null
  wait_until 120 bash -c "[[ -z \"\$(docker -H unix://$(swarm_node_dir 1)/docker.sock ps -q --filter label=com.docker.stack.namespace=$STACK)\" ]]" ||
    { echo "the stack's containers did not go away"; return 1; }
  # the networks go last, asynchronously
  wait_until 60 bash -c "[[ -z \"\$(docker -H unix://$(swarm_node_dir 1)/docker.sock network ls -q --filter label=com.docker.stack.namespace=$STACK)\" ]]" || true
  deploy "$(ref API1)" || return 1
  sign_in || return 1
  api GET "/api/items/$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1])).id' "$T/persist-item.json")" >"$T/persist-after.json"
  echo "read back: $(cat "$T/persist-after.json")"
}

scenario_rolling() {
  step redeploy scenario_redeploy >/dev/null || step deploy scenario_deploy >/dev/null || return 1
  start_load rolling || return 1
  local started=$SECONDS rc=0
  deploy "$(ref API2)" || rc=$?
  echo "rolling update took $((SECONDS - started)) s"
  stop_load rolling || return 1
  return "$rc"
}

scenario_bad_update() {
  step rolling scenario_rolling >/dev/null || true
  start_load bad || return 1
  local started=$SECONDS rc=0
  deploy "$(ref API_BAD)" || rc=$?
  echo "failed update and rollback took $((SECONDS - started)) s; ci/deploy-swarm exit $rc"
  stop_load bad || return 1
  return "$rc"
}

scenario_scale() {
  step bad_update scenario_bad_update >/dev/null || true
  start_load scale || return 1
  local t=$SECONDS rc=0
  mgr service scale --detach=false "${STACK}_api=6" >/dev/null 2>&1 || rc=1
  wait_until 300 api_converged_at 6 || rc=1
  echo "3 → 6 in $((SECONDS - t)) s"
  t=$SECONDS
  mgr service scale --detach=false "${STACK}_api=2" >/dev/null 2>&1 || rc=1
  wait_until 120 api_converged_at 2 || rc=1
  echo "6 → 2 in $((SECONDS - t)) s"
  sleep 5
  stop_load scale || return 1
  return "$rc"
}

# The node to lose: one that runs an api task, and neither the database (node 1) nor the load's
# entry (node 1).
scenario_node_lost() {
  step scale scenario_scale >/dev/null || true
  mgr service scale --detach=false "${STACK}_api=3" >/dev/null 2>&1 || true
  wait_until 300 api_converged_at 3 || { echo "api did not come back to 3 replicas"; return 1; }
  local victim
  victim="$(mgr service ps "${STACK}_api" --filter desired-state=running --format '{{.Node}}' | grep -v swarm-n1 | head -n 1)"
  victim="${victim#swarm-n}"
  [[ -n "$victim" ]] || { echo "no api task outside node 1"; return 1; }
  echo "victim=$victim" >"$T/node-lost.env"
  start_load node_lost || return 1
  sleep 5
  local cut_ms
  cut_ms="$(date +%s%3N)"
  swarm_cut_link "$victim"
  echo "cut_ms=$cut_ms" >>"$T/node-lost.env"
  echo "link of node $victim cut"
  # the managers mark it down, and its api tasks are started elsewhere
  local t=$SECONDS
  wait_until 90 bash -c "[[ \"\$(docker -H unix://$(swarm_node_dir 1)/docker.sock node inspect swarm-n$victim --format '{{.Status.State}}')\" == down ]]" ||
    echo "node $victim not marked down after 90 s"
  echo "node marked down after $((SECONDS - t)) s"
  wait_until 240 bash -c "[[ \$(docker -H unix://$(swarm_node_dir 1)/docker.sock service ps ${STACK}_api --filter desired-state=running --format '{{.Node}} {{.CurrentState}}' | grep -v swarm-n$victim | grep -c ' Running') -ge 3 ]]" ||
    echo "api not rescheduled to 3 running tasks after 240 s"
  echo "api running elsewhere after $((SECONDS - t)) s"
  mgr service ps "${STACK}_api" --filter desired-state=running --format '{{.Node}} {{.CurrentState}}' >"$T/node-lost-tasks"
  sleep 20
  stop_load node_lost || true
  swarm_restore_link "$victim"
  wait_until 120 bash -c "[[ \"\$(docker -H unix://$(swarm_node_dir 1)/docker.sock node inspect swarm-n$victim --format '{{.Status.State}} {{.ManagerStatus.Reachability}}')\" == 'ready reachable' ]]" ||
    echo "node $victim not back after 120 s"
}

# Seconds from the cut to the end of the last failed read (or write); 0 when none failed after it.
recovery() { # reads|writes
  python3 - "$T/load-node_lost.log" "$T/load-node_lost.json" "$(env_value "$T/node-lost.env" cut_ms)" "$1" <<'EOF'
import json, sys
log, summary, cut, kind = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
start = json.load(open(summary))["started_at_ms"]
cut_rel = cut - start
ops = {"reads": ("list", "get"), "writes": ("create", "update", "delete")}[kind]
last = None
for line in open(log):
    r = json.loads(line)
    # failed: no answer, or a gateway error; a 503 problem is the API's own answer (database slow)
    if r["op"] in ops and r["outcome"] == "failed" and r["t_ms"] >= cut_rel - 1000:
        last = r["t_ms"]  # load.mjs stamps a request when its answer (or time-out) came
print(0 if last is None else round(max(0, last - cut_rel) / 1000, 1))
EOF
}

scenario_manager_lost() {
  step node_lost scenario_node_lost >/dev/null || true
  local leader victim
  leader="$(mgr node ls --format '{{.Hostname}} {{.ManagerStatus}}' | awk '$2 == "Leader" { print $1 }')"
  victim=2
  [[ "$leader" == swarm-n1 || -z "$leader" ]] || victim="${leader#swarm-n}"
  echo "leader was $leader; stopping the engine of node $victim"
  swarm_stop_engine "$victim"
  local t=$SECONDS rc=0
  # a spec change goes through Raft: it needs a quorum (2 of 3 managers) and a leader
  wait_until 60 mgr service update --detach --label-add "genericapp.proof=manager-lost" "${STACK}_api" >/dev/null 2>&1 || rc=1
  echo "service update accepted $((SECONDS - t)) s after the manager was lost"
  mgr service inspect --format '{{index .Spec.Labels "genericapp.proof"}}' "${STACK}_api"
  mgr node ls --format '{{.Hostname}} {{.Status}} {{.ManagerStatus}}'
  swarm_start_engine "$victim" || echo "engine $victim did not start again"
  return "$rc"
}

# ── Set-up and teardown ──────────────────────────────────────────────────────

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# make_secrets: the passwords, and a certificate for the nodes' addresses from a CA of this run
make_secrets() {
  "$REPO/postgres/secrets/generate" >/dev/null 2>&1 || return 1
  mkdir -p "$T/secrets"
  cp "$REPO"/postgres/secrets/*_password.txt "$T/secrets/"
  (
    cd "$T/secrets" || exit 1
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=genericapp-swarm-test-ca \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
      -keyout ca-key.pem -out ca.pem 2>/dev/null &&
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=genericapp-swarm-nodes \
        -keyout tls_certificate_key.pem -out node.csr 2>/dev/null &&
      printf 'subjectAltName=IP:%s,IP:%s,IP:%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' \
        "$(swarm_node_addr 1)" "$(swarm_node_addr 2)" "$(swarm_node_addr 3)" >ext.cnf &&
      openssl x509 -req -in node.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile ext.cnf \
        -out tls_certificate.pem 2>/dev/null
  )
}

start_registry() { # ADDR
  cat >"$T/registry-$1.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $T/registry
http:
  addr: $1:23500
EOF
  docker-registry serve "$T/registry-$1.yml" >"$T/registry-$1.log" 2>&1 3>&- &
  echo "$!" >>"$T/registry.pids"
  wait_until 30 curl -fsS -o /dev/null "http://$1:23500/v2/" || { cat "$T/registry-$1.log"; return 1; }
}

build_images() {
  local standins="$T/standins.env" jar="${STANDIN_BACKEND_JAR:-}"
  [[ -n "$jar" ]] || jar="$(backend_jar)" || { echo "the backend jar could not be built"; return 1; }
  STANDIN_BACKEND_JAR="$jar" "$REPO/ci/rig/stand-ins/build" >"$standins" 2>"$T/standins.log" ||
    { tail -n 30 "$T/standins.log"; return 1; }
  docker build -q --build-arg "NODE_IMAGE=$(env_value "$standins" NODE_IMAGE)" \
    --build-arg "NGINX_IMAGE=$(env_value "$standins" NGINX_IMAGE)" -t "$PUSH/web:1" "$REPO/frontend" >"$T/web-build.log" 2>&1 ||
    { tail -n 30 "$T/web-build.log"; return 1; }
  docker tag "$(env_value "$standins" API_IMAGE)" "$PUSH/api:1"
  docker tag "$(env_value "$standins" POSTGRES_IMAGE)" "$PUSH/postgres:1"
  mkdir -p "$T/api2" "$T/api-bad"
  printf 'FROM %s\nLABEL org.opencontainers.image.version=2\n' "$PUSH/api:1" >"$T/api2/Dockerfile"
  # Healthy once (so the update starts it and moves on), then failing: Swarm must notice within
  # update_config.monitor and roll back by itself.
  cat >"$T/api-bad/health-check" <<'EOF'
#!/usr/bin/env bash
if [[ -e /tmp/.was-healthy ]]; then echo "health-check: failing on purpose (swarm suite)" >&2; exit 1; fi
/workspace/health-check.real && touch /tmp/.was-healthy
EOF
  chmod +x "$T/api-bad/health-check"
  printf 'FROM %s\nUSER root\nRUN mv /workspace/health-check /workspace/health-check.real\nCOPY health-check /workspace/health-check\nUSER 1002:1000\n' \
    "$PUSH/api:1" >"$T/api-bad/Dockerfile"
  docker build -q -t "$PUSH/api:2" "$T/api2" >/dev/null && docker build -q -t "$PUSH/api:bad" "$T/api-bad" >/dev/null || return 1
  printf '%s\n' "$PUSH/web:1" "$PUSH/api:1" "$PUSH/postgres:1" "$PUSH/api:2" "$PUSH/api:bad" >"$T/untag"
  "$REPO/ci/publish" "$PUSH/api:1" "$PUSH/api:2" "$PUSH/api:bad" "$PUSH/web:1" "$PUSH/postgres:1" >"$T/digests.txt" 2>"$T/publish.log" ||
    { cat "$T/publish.log"; return 1; }
  local tag key digest
  : >"$T/refs.env"
  for key in API1:api:1 API2:api:2 API_BAD:api:bad WEB:web:1 POSTGRES:postgres:1; do
    IFS=: read -r var name tag <<<"$key"
    digest="$(curl -fsSI -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
      "http://127.0.0.1:23500/v2/genericapp-swarmtest/$name/manifests/$tag" | tr -d '\r' |
      awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }')"
    grep -qx "$PUSH/$name@$digest" "$T/digests.txt" || { echo "ci/publish did not print $name:$tag's digest $digest"; return 1; }
    echo "$var=$PULL/$name@$digest" >>"$T/refs.env"
  done
}

setup_file() {
  command -v docker-registry >/dev/null || apt_install docker-registry
  command -v openssl >/dev/null || apt_install openssl
  port_free 23500 || { echo "127.0.0.1:23500 is in use: the swarm suite's registry port"; return 1; }
  touch "$T/rig-used"
  suite_log "three engines, three managers (ci/rig/swarm.sh)"
  swarm_rig_up 3>&- || { echo "the swarm rig did not come up"; return 1; }
  mgr node update --label-add genericapp.db=true swarm-n1 >/dev/null

  mkdir -p "$T/registry"
  start_registry 127.0.0.1 || { echo "the registry did not start on 127.0.0.1"; return 1; }
  start_registry "$SWARM_HOST_ADDR" || { echo "the registry did not start on $SWARM_HOST_ADDR"; return 1; }
  suite_log "images: stand-ins and web on the shared engine, pushed to the registry"
  docker_engine_start 3>&-
  touch "$T/engine-used"
  build_images || { echo "the images could not be built or published"; return 1; }
  make_secrets || { echo "the secrets could not be made"; return 1; }
  # the stack file as shipped, less the backend network's encryption (no ESP in this kernel), and
  # the roles script by absolute path (the copy lives in the run's folder)
  sed -e '/driver_opts:/{N;/encrypted: "true"/d}' \
    -e "s#file: ../../postgres/initdb/10-roles.sh#file: $REPO/postgres/initdb/10-roles.sh#" \
    "$REPO/deploy/swarm/stack.yaml" >"$T/stack.yaml"
  printf 'HTTP_PORT=%s\nHTTPS_PORT=%s\nDEMO_DATA=true\n' "$HTTP_PORT" "$HTTPS_PORT" >"$T/app.env"
  mkdir -p "$T/cosign-pass" "$T/cosign-fail"
  printf '#!/usr/bin/env bash\nprintf "%%s\\n" "$*" >>"%s/cosign.log"\n' "$T" >"$T/cosign-pass/cosign"
  printf '#!/usr/bin/env bash\necho "Error: no matching signatures" >&2\nexit 1\n' >"$T/cosign-fail/cosign"
  chmod +x "$T/cosign-pass/cosign" "$T/cosign-fail/cosign"
  touch "$T/setup-done"
}

teardown_file() {
  local pid
  local f
  for f in "$T"/load-*.pid "$T/registry.pids"; do
    [[ -f "$f" ]] || continue
    while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$f"
  done
  [[ -e "$T/rig-used" ]] || return 0
  swarm_rig_down
  if [[ -e "$T/engine-used" ]]; then
    [[ ! -s "$T/untag" ]] || xargs -r docker image rm <"$T/untag" >/dev/null 2>&1 || true
    docker_engine_stop
  fi
  rm -rf -- "$T/secrets" "$T/registry"
}

# ── The stack converges ──────────────────────────────────────────────────────

@test "deployed by digest on three managers (ci/deploy-swarm exit 0)" {
  run step deploy scenario_deploy
  assert_success
  assert_output --partial "every service of '$STACK' has converged"
  figure "nodes: $(mgr node ls --format '{{.Hostname}}={{.ManagerStatus}}' | paste -sd' ')"
  figure "api tasks on: $(mgr service ps "${STACK}_api" --filter desired-state=running --format '{{.Node}}' | sort | paste -sd' ')"
}

@test "cosign verify got the issuer and the images by digest" {
  step deploy scenario_deploy >/dev/null || true
  run grep -F -- "--certificate-oidc-issuer https://token.actions.githubusercontent.com $(ref API1)" "$T/cosign.log"
  assert_success
}

@test "a failing signature is refused (exit 4) and nothing changes" {
  run step refused scenario_refused
  assert_equal "$status" 4
  assert_output --partial "REFUSING to deploy"
  assert_equal "$(mgr service inspect --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}' "${STACK}_api")" "$(ref API1)"
}

@test "the UI answers through each node's published port" {
  step deploy scenario_deploy >/dev/null || true
  local n out=""
  for n in 1 2 3; do
    out+="n$n=$(curl -sS --cacert "$T/secrets/ca.pem" --max-time 10 "$(base "$n")/" | grep -c '<html' || true) "
  done
  figure "UI pages: $out"
  assert_equal "$out" "n1=1 n2=1 n3=1 "
}

@test "the API answers through each node's published port" {
  step deploy scenario_deploy >/dev/null || true
  local n out=""
  for n in 1 2 3; do
    out+="n$n=$(curl -sS --cacert "$T/secrets/ca.pem" --max-time 10 -o /dev/null -w '%{http_code}' "$(base "$n")/status") "
  done
  figure "/status: $out"
  assert_equal "$out" "n1=200 n2=200 n3=200 "
}

@test "every api task runs Netty's native epoll transport, as bench/run measures" {
  step deploy scenario_deploy >/dev/null || true
  local transports
  # each task logs its transport once it listens (system/StartupReport)
  transports="$(mgr service logs --raw "${STACK}_api" 2>&1 | grep -o 'Netty transport: [a-z]*' | sort | uniq -c | xargs)"
  figure "api tasks' transports: $transports"
  [[ "$transports" =~ ^[0-9]+\ Netty\ transport:\ epoll$ ]] ||
    fail "not every task runs epoll: $(mgr service logs --raw "${STACK}_api" 2>&1 | grep -F 'Netty transport: nio' | head -n 1)"
  [[ "${transports%% *}" -ge 3 ]] || fail "fewer than 3 tasks said which transport they run: $transports"
}

@test "data persists across a redeploy (stack rm, then deploy)" {
  run step redeploy scenario_redeploy
  assert_success
  assert_output --partial '"name":"survives a redeploy"'
  assert_equal "$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1])).name' "$T/persist-after.json")" "survives a redeploy"
}

# ── Changes under load ───────────────────────────────────────────────────────

@test "rolling update of api to a new image under load: deployed (exit 0)" {
  run step rolling scenario_rolling
  assert_success
  figure "rolling update: $(grep -o 'took [0-9]* s' <<<"$output"); $(grep '^load:' <<<"$output")"
  assert_equal "$(mgr service inspect --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}' "${STACK}_api")" "$(ref API2)"
}

@test "rolling update under load: 0 failed requests" {
  step rolling scenario_rolling >/dev/null || true
  assert_equal "$(load_value rolling s.failed)" 0
}

@test "rolling update under load: nothing acknowledged lost" {
  step rolling scenario_rolling >/dev/null || true
  assert_equal "$(lost_writes rolling)" 0
}

@test "an update whose health check fails: Swarm rolls back by itself (exit 5)" {
  run step bad_update scenario_bad_update
  figure "bad update: $(grep -o 'took [0-9]* s' <<<"$output"); $(grep '^load:' <<<"$output")"
  assert_equal "$status" 5
  assert_output --partial "Swarm rolled it back"
  assert_equal "$(mgr service inspect --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}' "${STACK}_api")" "$(ref API2)"
  # Swarm's own rollback is what "rolled it back" reports (the spec had gone back before
  # ci/deploy-swarm redeployed the last good digests, which clears the update status)
  local unhealthy
  unhealthy="$(mgr service ps "${STACK}_api" --no-trunc --format '{{.Image}} {{.Error}}' | grep -F "$(ref API_BAD) " | grep -c 'unhealthy container' || true)"
  figure "bad update: $unhealthy task(s) of the failing release killed as unhealthy before Swarm rolled back"
  [[ "$unhealthy" -ge 1 ]] || fail "no task of the failing release was found unhealthy"
}

@test "an update whose health check fails: service continues (0 failed, nothing lost)" {
  step bad_update scenario_bad_update >/dev/null || true
  assert_equal "$(load_value bad s.failed)" 0
  assert_equal "$(lost_writes bad)" 0
}

@test "api scaled 3 → 6 → 2 under load: 0 failed requests" {
  run step scale scenario_scale
  figure "scaling: $(grep -E '→' <<<"$output" | paste -sd';'); $(grep '^load:' <<<"$output")"
  assert_success
  assert_equal "$(load_value scale s.failed)" 0
  assert_equal "$(lost_writes scale)" 0
}

# ── Losing nodes ─────────────────────────────────────────────────────────────

@test "a node lost under load: its api tasks are rescheduled" {
  run step node_lost scenario_node_lost
  figure "node lost: $(grep -E 'marked down|running elsewhere' <<<"$output" | paste -sd';')"
  assert_success
  local victim
  victim="$(env_value "$T/node-lost.env" victim)"
  run grep -c ' Running' "$T/node-lost-tasks"
  assert_output 3
  run grep -c "swarm-n$victim" "$T/node-lost-tasks"
  assert_output 0
}

@test "a node lost under load: reads recover within 15 s" {
  step node_lost scenario_node_lost >/dev/null || true
  local s
  s="$(recovery reads)"
  figure "node lost: $(load_value node_lost s.failed) failed requests ($(load_value node_lost s.reads.failed) reads, $(load_value node_lost s.writes.failed) writes), $(load_value node_lost 's.reads.unavailable + s.writes.unavailable') answered 503; reads recovered after $s s"
  python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= 15 else 1)" "$s" || fail "reads failed until $s s after the cut"
}

@test "a node lost under load: writes recover (the database's node is up)" {
  step node_lost scenario_node_lost >/dev/null || true
  local s
  s="$(recovery writes)"
  figure "node lost: writes recovered after $s s"
  # the load ran 20 s past the rescheduling: the last failure must be well before its end
  python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) - 15 else 1)" "$s" "$(load_value node_lost s.load_s)" ||
    fail "writes still failed at the end of the load ($s s after the cut)"
}

@test "a node lost under load: nothing acknowledged lost" {
  step node_lost scenario_node_lost >/dev/null || true
  assert_equal "$(lost_writes node_lost)" 0
  assert_equal "$(load_value node_lost s.verification.errors.length)" 0
}

@test "a manager lost: the cluster still accepts docker service update" {
  run step manager_lost scenario_manager_lost
  figure "manager lost: $(grep -E 'leader was|accepted' <<<"$output" | paste -sd';')"
  assert_success
  assert_output --partial manager-lost
}

# ── Secrets ──────────────────────────────────────────────────────────────────

@test "no password in docker service inspect or in any container's environment" {
  step deploy scenario_deploy >/dev/null || true
  local f n leaks=0 looked=0 dump="$T/inspect-dump"
  : >"$dump"
  local services
  mapfile -t services < <(mgr service ls -q --filter "label=com.docker.stack.namespace=$STACK")
  mgr service inspect "${services[@]}" >>"$dump"
  for n in 1 2 3; do
    swarm_docker "$n" info >/dev/null 2>&1 || continue
    swarm_docker "$n" ps -aq | xargs -r docker -H "unix://$(swarm_node_dir "$n")/docker.sock" inspect --format '{{json .Config.Env}}' >>"$dump"
  done
  [[ -s "$dump" ]] || fail "nothing was inspected"
  for f in "$T"/secrets/*_password.txt; do
    looked=$((looked + 1))
    if grep -qF -- "$(cat "$f")" "$dump"; then
      echo "the password of $(basename "$f") is in the inspect output"
      leaks=$((leaks + 1))
    fi
  done
  figure "passwords looked for: $looked in $(wc -c <"$dump") bytes of inspect output; found: $leaks"
  assert_equal "$leaks" 0
  run grep -c '_FILE=/run/secrets/' "$dump"
  refute_output 0
}
