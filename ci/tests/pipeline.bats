#!/usr/bin/env bats
# The delivery scripts (ci/publish, ci/sign, ci/verify, ci/scan, ci/build-images, ci/deploy) on a
# real Docker engine and a real registry, with nothing from outside this machine:
#   - setup_file starts the engine through ci/rig/docker-engine.sh (shared; stopped only if this
#     suite started it) and Debian's docker-registry on 127.0.0.1:25000 (config and storage in
#     the suite's temp folder); builds tiny stand-in api/web images (busybox httpd, from Debian's
#     busybox-static, imported with `docker import`), several versions of each: good ones, one
#     whose healthcheck fails, one whose smoke URL answers 404; ci/publish pushes them;
#   - ci/deploy deploys by digest as compose project genericapp-pipelinetest on 127.0.0.1:28090
#     and must: refuse a tag, a broken .env, a missing cosign, a cosign that fails; deploy with a
#     cosign that passes (and pass it the issuer and identity), and with --insecure-skip-verify
#     (loudly); roll back to the previous digests when the new web is unhealthy or the smoke
#     check fails, and the previous digests must run again;
#   - ci/sign, ci/verify, ci/scan, ci/build-images: refusals and dry runs;
#   - with PIPELINE_TEST_REAL_STACK=1 (ci/test sets it), the real compose.yaml (db, migrate, api,
#     web) deployed by digest with the stand-ins of ci/rig/stand-ins/build (Debian-built postgres,
#     the backend from the jar, web from frontend/Dockerfile), and rolled back when the next web
#     image is unhealthy. Without it those tests are skipped, and say so.
#
# Each deploy is a scenario run once through `step` (lib/suite): it records the deploy's output
# and exit code, and what ran right after it (the images, the page, the state file), so each
# check is its own test and asserts on that scenario alone. A scenario that builds on an earlier
# one (v2 after v1, a rollback after v2) runs that one first, so any test passes or fails alone:
#   ci/tests/run pipeline --filter 'rolled back'
#
# Environment:
#   PIPELINE_TEST_REAL_STACK  1 adds the real compose.yaml tests (default 0 here: it builds the
#                             stand-ins and starts Spring Boot; ci/test runs them)
#   STANDIN_BACKEND_JAR       the jar for the backend stand-in (default backend/target's, rebuilt
#                             when missing or older than the sources)
# Ports (docs/CONTRACTS.md): 127.0.0.1:25000 (registry), 127.0.0.1:28090 (web). teardown_file
# removes everything the run created, also after a set-up that failed half-way.
#
# Why stand-ins: no public image (postgres, nginx, the Paketo builder) can be pulled here; the
# deploy logic does not depend on what the images contain.

load lib/suite
# shellcheck source=ci/rig/docker-engine.sh
source "$REPO/ci/rig/docker-engine.sh"

REGISTRY_ADDR=127.0.0.1:25000
REGISTRY="$REGISTRY_ADDR/genericapp-pipelinetest"
WEB_PORT=28090
# the real stack's HTTPS port (the busybox stand-ins serve plain HTTP on WEB_PORT only)
WEB_TLS_PORT=28493
PROJECT=genericapp-pipelinetest
T="$BATS_FILE_TMPDIR"
STATE="$T/deploy-state.env"
AFTER="$T/after"
export DOCKER_BUILDKIT=0 # the classic builder: works offline with local FROM images
# What cosign verify must be given (the workflow's identity).
IDENTITY='^https://github\.com/genericapp/generic-app/\.github/workflows/pipeline\.yml@refs/(heads/main|tags/v.+)$'
ISSUER=https://token.actions.githubusercontent.com

# ── Helpers ──────────────────────────────────────────────────────────────────

# digest NAME: the NAME@sha256 reference ci/publish printed for API1, API2, WEB1 … WEB4.
digest() { env_value "$T/digests.env" "$1"; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
real_stack_wanted() { [[ "${PIPELINE_TEST_REAL_STACK:-0}" == 1 ]]; }

# running SERVICE: the image reference the service's container runs (empty when none runs).
running() {
  local id
  id="$(compose_container "$PROJECT" "$1")"
  [[ -z "$id" ]] || docker inspect --format '{{.Config.Image}}' "$id"
}
page() { curl -fsS --max-time 5 "http://127.0.0.1:$WEB_PORT/" 2>/dev/null || true; }
# api_items_answer: yes when /api/items answers a JSON array through Nginx to the first admin,
# signed in with the admin_password secret (the password in a file, never on a command line).
api_items_answer() {
  local jar="$T/cookies" body="$T/sign-in.json" ok=no
  (umask 077 && python3 -c 'import json, sys; print(json.dumps({"username": "admin", "password": open(sys.argv[1]).read().strip()}))' \
    "$REPO/postgres/secrets/admin_password.txt" >"$body")
  local ca="$REPO/postgres/secrets/dev-ca.pem"
  if curl -fsS --cacert "$ca" --max-time 10 -o /dev/null -c "$jar" -H 'Content-Type: application/json' --data "@$body" \
    "https://127.0.0.1:$WEB_TLS_PORT/api/session" 2>/dev/null; then
    curl -fsS --cacert "$ca" --max-time 5 -b "$jar" "https://127.0.0.1:$WEB_TLS_PORT/api/items?limit=1" 2>/dev/null | grep -q '^\[' && ok=yes
  fi
  rm -f -- "$body" "$jar"
  echo "$ok"
}

# PATH without any folder that holds a cosign: the machine's own, if it has one, must not answer.
path_without_cosign() {
  local dir out=""
  local IFS=:
  for dir in $PATH; do
    [[ -x "$dir/cosign" ]] || out="${out:+$out:}$dir"
  done
  printf '%s' "$out"
}

# deploy ARGS...: ci/deploy against the busybox stack; its output on stdout and its exit code.
deploy() {
  timeout 300 "$REPO/ci/deploy" --compose-file "$T/compose.yaml" --env-file "$T/app.env" --project-name "$PROJECT" \
    --state-file "$STATE" --repository genericapp/generic-app --wait-timeout 60 --smoke-timeout 8 \
    --smoke-url "http://127.0.0.1:$WEB_PORT/healthz" --smoke-url "http://127.0.0.1:$WEB_PORT/status" "$@" 2>&1
}

# look NAME: records what runs right after scenario NAME, for after NAME KEY.
look() {
  mkdir -p "$AFTER"
  {
    echo "api=$(running api)"
    echo "web=$(running web)"
    echo "page=$(page)"
    echo "state_web=$(env_value "$STATE" WEB_IMAGE 2>/dev/null)"
    echo "state_size=$(stat -c %s "$STATE" 2>/dev/null || echo 0)"
  } >"$AFTER/$1"
}
after() { env_value "$AFTER/$1" "$2"; }

# deploy_then_look NAME ARGS...: deploy ARGS, then look NAME; keeps deploy's exit code.
deploy_then_look() {
  local name="$1" rc=0
  shift
  deploy "$@" || rc=$?
  look "$name"
  return "$rc"
}

# ── Scenarios, in the order they build on each other (each runs once, through step) ─────────

scenario_refuse_tag() {
  deploy_then_look refuse_tag --image "API_IMAGE=$REGISTRY/api:v1" --image "WEB_IMAGE=$(digest WEB1)" --insecure-skip-verify
}

scenario_broken_env() {
  local rc=0
  cp "$T/app.env" "$T/app.env.good"
  echo "this is not a variable" >>"$T/app.env"
  deploy_then_look broken_env --image "API_IMAGE=$(digest API1)" --image "WEB_IMAGE=$(digest WEB1)" --insecure-skip-verify || rc=$?
  mv -f "$T/app.env.good" "$T/app.env"
  return "$rc"
}

scenario_no_cosign() {
  PATH="$(path_without_cosign)" deploy_then_look no_cosign --image "API_IMAGE=$(digest API1)" --image "WEB_IMAGE=$(digest WEB1)"
}

scenario_cosign_fails() {
  PATH="$T/cosign-fail:$PATH" deploy_then_look cosign_fails --image "API_IMAGE=$(digest API1)" --image "WEB_IMAGE=$(digest WEB1)"
}

scenario_first_unhealthy() {
  deploy_then_look first_unhealthy --image "API_IMAGE=$(digest API1)" --image "WEB_IMAGE=$(digest WEB3)" --insecure-skip-verify
}

scenario_deploy_v1() {
  PATH="$T/cosign-pass:$PATH" deploy_then_look deploy_v1 --image "API_IMAGE=$(digest API1)" --image "WEB_IMAGE=$(digest WEB1)"
}

scenario_deploy_v2() {
  step deploy_v1 scenario_deploy_v1 >/dev/null || true
  deploy_then_look deploy_v2 --image "API_IMAGE=$(digest API2)" --image "WEB_IMAGE=$(digest WEB2)" --insecure-skip-verify
}

scenario_rollback_unhealthy() {
  step deploy_v2 scenario_deploy_v2 >/dev/null || true
  deploy_then_look rollback_unhealthy --image "API_IMAGE=$(digest API1)" --image "WEB_IMAGE=$(digest WEB3)" --insecure-skip-verify
}

scenario_rollback_smoke() {
  step rollback_unhealthy scenario_rollback_unhealthy >/dev/null || true
  deploy_then_look rollback_smoke --image "API_IMAGE=$(digest API2)" --image "WEB_IMAGE=$(digest WEB4)" --insecure-skip-verify
}

# The real compose.yaml: stand-ins built, web built from frontend/Dockerfile, both published, then
# deployed by digest with a passing cosign. Leaves real.env (for teardown_file) and the digests.
scenario_real_deploy() {
  API_IMAGE=none WEB_IMAGE=none docker-compose -p "$PROJECT" -f "$T/compose.yaml" --env-file "$T/app.env" \
    down -v --remove-orphans --timeout 5 >/dev/null 2>&1 || true
  local jar="${STANDIN_BACKEND_JAR:-}" standins="$T/standins.env" api_ref web_ref rc=0 migrate_id
  [[ -n "$jar" ]] || jar="$(backend_jar)" || { echo "the backend jar could not be built"; return 90; }
  STANDIN_BACKEND_JAR="$jar" "$REPO/ci/rig/stand-ins/build" >"$standins" 2>"$T/standins.log" ||
    { tail -n 30 "$T/standins.log"; echo "ci/rig/stand-ins/build failed"; return 91; }
  local var
  for var in API_IMAGE NODE_IMAGE NGINX_IMAGE POSTGRES_IMAGE; do
    [[ -n "$(env_value "$standins" "$var")" ]] || { echo "ci/rig/stand-ins/build printed no $var"; return 92; }
  done
  docker build --build-arg "NODE_IMAGE=$(env_value "$standins" NODE_IMAGE)" \
    --build-arg "NGINX_IMAGE=$(env_value "$standins" NGINX_IMAGE)" \
    -t "$REGISTRY/web:real" "$REPO/frontend" >"$T/web-build.log" 2>&1 ||
    { tail -n 30 "$T/web-build.log"; echo "the web image did not build"; return 93; }
  docker tag "$(env_value "$standins" API_IMAGE)" "$REGISTRY/api:real"
  printf '%s\n' "$REGISTRY/web:real" "$REGISTRY/api:real" >>"$T/untag"
  "$REPO/ci/publish" "$REGISTRY/api:real" "$REGISTRY/web:real" >"$T/real-digests.txt" 2>"$T/publish-real.log" ||
    { cat "$T/publish-real.log"; echo "ci/publish of the real images failed"; return 94; }
  api_ref="$(grep '/api@' "$T/real-digests.txt")"
  web_ref="$(grep '/web@' "$T/real-digests.txt")"
  printf '%s\n' "$api_ref" "$web_ref" >>"$T/untag"
  printf 'API_REAL=%s\nWEB_REAL=%s\n' "$api_ref" "$web_ref" >>"$T/digests.env"
  {
    echo "# compose.yaml as shipped; only the images and the published address differ"
    echo "HTTP_BIND_ADDRESS=127.0.0.1"
    echo "HTTP_PORT=$WEB_PORT"
    echo "HTTPS_PORT=$WEB_TLS_PORT"
    echo "DEMO_DATA=true"
    echo "POSTGRES_IMAGE=$(env_value "$standins" POSTGRES_IMAGE)"
  } >"$T/real.env"
  "$REPO/postgres/secrets/generate" >/dev/null
  rm -f -- "$STATE"
  PATH="$T/cosign-pass:$PATH" timeout 600 "$REPO/ci/deploy" --env-file "$T/real.env" --project-name "$PROJECT" \
    --state-file "$STATE" --repository genericapp/generic-app --wait-timeout 300 --smoke-timeout 60 \
    --image "API_IMAGE=$api_ref" --image "WEB_IMAGE=$web_ref" 2>&1 || rc=$?
  look real_deploy
  migrate_id="$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" --filter label=com.docker.compose.service=migrate | head -n 1)"
  {
    echo "migrate=$([[ -z "$migrate_id" ]] || docker inspect --format '{{.Config.Image}} {{.State.ExitCode}}' "$migrate_id")"
    echo "items=$(api_items_answer)"
  } >>"$AFTER/real_deploy"
  return "$rc"
}

scenario_real_rollback() {
  step real_deploy scenario_real_deploy >/dev/null || true
  local rc=0
  timeout 600 "$REPO/ci/deploy" --env-file "$T/real.env" --project-name "$PROJECT" --state-file "$STATE" \
    --wait-timeout 120 --smoke-timeout 30 --insecure-skip-verify \
    --image "API_IMAGE=$(digest API_REAL)" --image "WEB_IMAGE=$(digest WEB3)" 2>&1 || rc=$?
  look real_rollback
  echo "items=$(api_items_answer)" >>"$AFTER/real_rollback"
  return "$rc"
}

# ── Set-up and teardown ──────────────────────────────────────────────────────

# build_image NAME:TAG VERSION-TEXT [unhealthy|no-api]: a busybox httpd serving VERSION-TEXT.
build_image() {
  local ref="$1" text="$2" flavour="${3:-}" dir
  dir="$T/build/${ref//[\/:]/_}"
  mkdir -p "$dir/www/api"
  echo "$text" >"$dir/www/index.html"
  echo ok >"$dir/www/healthz"
  [[ "$flavour" == no-api ]] || echo '{"status":"UP"}' >"$dir/www/status"
  local health='["/bin/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]'
  [[ "$flavour" == unhealthy ]] && health='["/bin/busybox", "false"]'
  cat >"$dir/Dockerfile" <<EOF
FROM genericapp-pipelinetest/busybox:base
COPY www /www
USER 65534:65534
HEALTHCHECK --interval=1s --timeout=2s --retries=3 CMD $health
CMD ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]
EOF
  echo "$ref" >>"$T/built"
  docker build -q -t "$ref" "$dir" >"$dir/build.log" 2>&1 || { cat "$dir/build.log"; echo "could not build $ref"; return 1; }
}

setup_file() {
  command -v docker-registry >/dev/null || apt_install docker-registry
  port_free 25000 || { echo "127.0.0.1:25000 is in use: the pipeline suite's registry port (docs/CONTRACTS.md)"; return 1; }
  port_free "$WEB_PORT" || { echo "127.0.0.1:$WEB_PORT is in use: the pipeline suite's web port (docs/CONTRACTS.md)"; return 1; }
  port_free "$WEB_TLS_PORT" || { echo "127.0.0.1:$WEB_TLS_PORT is in use: the pipeline suite's HTTPS port (docs/CONTRACTS.md)"; return 1; }

  # busybox-static, unpacked here (not installed: it conflicts with the busybox package some
  # machines have).
  mkdir -p "$T/deb"
  (cd "$T/deb" && apt-get download busybox-static >/dev/null 2>&1) ||
    { apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null && (cd "$T/deb" && apt-get download busybox-static >/dev/null 2>&1); } ||
    { echo "could not download Debian's busybox-static"; return 1; }
  dpkg-deb -x "$T"/deb/busybox-static_*.deb "$T/deb/x"

  suite_log "Docker engine (ci/rig/docker-engine.sh)"
  touch "$T/engine-used"
  # fd 3 closed: a dockerd or registry started here outlives this function and must not hold
  # bats' output open.
  docker_engine_start 3>&-

  mkdir -p "$T/registry"
  cat >"$T/registry.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $T/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
EOF
  docker-registry serve "$T/registry.yml" >"$T/registry.log" 2>&1 3>&- &
  echo "$!" >"$T/registry.pid"
  wait_until 30 curl -fsS -o /dev/null "http://$REGISTRY_ADDR/v2/" ||
    { cat "$T/registry.log"; echo "the registry does not answer on $REGISTRY_ADDR after 30 s"; return 1; }
  suite_log "registry up on $REGISTRY_ADDR"

  mkdir -p "$T/rootfs/bin"
  cp "$T/deb/x/bin/busybox" "$T/rootfs/bin/busybox"
  ln -s busybox "$T/rootfs/bin/sh"
  echo genericapp-pipelinetest/busybox:base >>"$T/built"
  tar -C "$T/rootfs" -c . | docker import - genericapp-pipelinetest/busybox:base >/dev/null
  suite_log "building the stand-in images"
  build_image "$REGISTRY/api:v1" "api v1"
  build_image "$REGISTRY/api:v2" "api v2"
  build_image "$REGISTRY/web:v1" "web v1"
  build_image "$REGISTRY/web:v2" "web v2"
  build_image "$REGISTRY/web:v3-unhealthy" "web v3" unhealthy
  build_image "$REGISTRY/web:v4-no-api" "web v4" no-api

  suite_log "ci/publish"
  "$REPO/ci/publish" "$REGISTRY/api:v1" "$REGISTRY/api:v2" "$REGISTRY/web:v1" "$REGISTRY/web:v2" \
    "$REGISTRY/web:v3-unhealthy" "$REGISTRY/web:v4-no-api" >"$T/digests.txt" 2>"$T/publish.log" ||
    { cat "$T/publish.log"; echo "ci/publish failed"; return 1; }
  # Each printed line, matched back to its tag through the registry's own answer.
  local line name tag reg key
  declare -A keys=([api:v1]=API1 [api:v2]=API2 [web:v1]=WEB1 [web:v2]=WEB2 [web:v3-unhealthy]=WEB3 [web:v4-no-api]=WEB4)
  : >"$T/digests.env"
  while IFS= read -r line; do
    case "$line" in
      */api@*) name=api ;;
      */web@*) name=web ;;
      *) continue ;;
    esac
    for tag in v1 v2 v3-unhealthy v4-no-api; do
      key="${keys[$name:$tag]:-}"
      [[ -n "$key" ]] || continue
      reg="$(curl -fsSI -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "http://$REGISTRY_ADDR/v2/genericapp-pipelinetest/$name/manifests/$tag" 2>/dev/null |
        tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }' || true)"
      [[ -z "$reg" || "$line" != *"@$reg" ]] || echo "$key=$line" >>"$T/digests.env"
    done
  done <"$T/digests.txt"

  # Two services named like the real stack's app images; web publishes the port and starts once
  # the api is healthy. busybox httpd as pid 1 ignores SIGTERM, hence the short grace period
  # (recreating would wait 10 s each).
  cat >"$T/compose.yaml" <<'EOF'
services:
  api:
    image: ${API_IMAGE:?API_IMAGE must be set}
    read_only: true
    stop_grace_period: 1s
  web:
    image: ${WEB_IMAGE:?WEB_IMAGE must be set}
    read_only: true
    stop_grace_period: 1s
    depends_on:
      api:
        condition: service_healthy
    ports:
      - "127.0.0.1:${HTTP_PORT}:8080"
EOF
  printf '# pipeline test\nHTTP_PORT=%s\n' "$WEB_PORT" >"$T/app.env"

  # cosign fakes: one that records its arguments and passes, one that fails.
  mkdir -p "$T/cosign-pass" "$T/cosign-fail"
  cat >"$T/cosign-pass/cosign" <<EOF
#!/usr/bin/env bash
printf '%s\n' "\$*" >>"$T/cosign.log"
exit 0
EOF
  cat >"$T/cosign-fail/cosign" <<'EOF'
#!/usr/bin/env bash
echo "Error: no matching signatures" >&2
exit 1
EOF
  chmod +x "$T/cosign-pass/cosign" "$T/cosign-fail/cosign"
  touch "$T/setup-done"
}

teardown() {
  [[ -n "${BATS_TEST_COMPLETED:-}" ]] || touch "$T/a-test-failed"
}

teardown_file() {
  [[ -e "$T/engine-used" ]] || return 0
  if [[ -e "$T/a-test-failed" || ! -e "$T/setup-done" ]] && [[ -f "$T/registry.log" ]]; then
    suite_log "registry log (for the failures above):"
    tail -n 20 "$T/registry.log" | sed 's/^/# /' >&3 || true
  fi
  if [[ -f "$T/compose.yaml" ]]; then
    API_IMAGE=none WEB_IMAGE=none docker-compose -p "$PROJECT" -f "$T/compose.yaml" --env-file "$T/app.env" \
      down -v --remove-orphans >/dev/null 2>&1 || true
  fi
  if [[ -f "$T/real.env" ]]; then
    docker-compose -p "$PROJECT" -f "$REPO/compose.yaml" --env-file "$T/real.env" \
      down -v --remove-orphans --timeout 10 >/dev/null 2>&1 || true
  fi
  # references only (tags and @sha256): the stand-in images stay for ci/tests/run stack
  [[ ! -s "$T/untag" ]] || xargs -r docker image rm <"$T/untag" >/dev/null 2>&1 || true
  if [[ -s "$T/built" ]]; then
    # by id: that drops the tags and the @sha256 references the deploys pulled
    xargs -r docker image inspect --format '{{.Id}}' <"$T/built" 2>/dev/null | tac | awk '!seen[$0]++' |
      xargs -r docker image rm -f >/dev/null 2>&1 || true
  fi
  if [[ -f "$T/registry.pid" ]]; then
    kill "$(cat "$T/registry.pid")" 2>/dev/null || true
  fi
  docker_engine_stop
}

# ── ci/publish ───────────────────────────────────────────────────────────────

@test "ci/publish prints 6 NAME@sha256 lines" {
  run grep -cE '^127\.0\.0\.1:25000/genericapp-pipelinetest/(api|web)@sha256:[0-9a-f]{64}$' "$T/digests.txt"
  assert_output 6
}

@test "ci/publish digests are the registry's digests" {
  run cat "$T/digests.env"
  assert_equal "${#lines[@]}" 6
}

@test "ci/publish --no-push reads the same digest" {
  run "$REPO/ci/publish" --no-push "$REGISTRY/web:v1"
  assert_success
  assert_output "$(digest WEB1)"
}

# ── Refusals: nothing may change ─────────────────────────────────────────────

@test "deploy by tag is refused (exit 2)" {
  run step refuse_tag scenario_refuse_tag
  assert_equal "$status" 2
  assert_equal "$(after refuse_tag web)" ""
}

@test "a broken .env is refused (exit 3)" {
  run step broken_env scenario_broken_env
  assert_equal "$status" 3
}

@test "a broken .env: the bad line is named" {
  run step broken_env scenario_broken_env
  assert_output --partial "app.env:3: not a KEY=VALUE line"
}

@test "no cosign: refused (exit 4)" {
  run step no_cosign scenario_no_cosign
  assert_equal "$status" 4
}

@test "no cosign: with a clear message" {
  run step no_cosign scenario_no_cosign
  assert_output --partial "cosign is not installed"
}

@test "no cosign: REFUSING to deploy" {
  run step no_cosign scenario_no_cosign
  assert_output --partial "REFUSING to deploy"
}

@test "a failing signature: refused (exit 4)" {
  run step cosign_fails scenario_cosign_fails
  assert_equal "$status" 4
}

@test "a failing signature: names the image that failed" {
  run step cosign_fails scenario_cosign_fails
  assert_output --partial "signature FAILED: $(digest API1)"
}

@test "a failing signature: nothing was started" {
  step cosign_fails scenario_cosign_fails >/dev/null || true
  assert_equal "$(after cosign_fails web)" ""
  assert_equal "$(after cosign_fails api)" ""
}

@test "a first deploy that is unhealthy: exit 6" {
  run step first_unhealthy scenario_first_unhealthy
  assert_equal "$status" 6
}

@test "a first deploy that is unhealthy: says there is nothing to roll back to" {
  run step first_unhealthy scenario_first_unhealthy
  assert_output --partial "no previous good deploy"
}

@test "a first deploy that is unhealthy: records no state" {
  step first_unhealthy scenario_first_unhealthy >/dev/null || true
  assert_equal "$(after first_unhealthy state_size)" 0
}

# ── Good deploys ─────────────────────────────────────────────────────────────

@test "v1 deployed with a passing cosign (exit 0)" {
  run step deploy_v1 scenario_deploy_v1
  assert_success
}

@test "v1: cosign verify got the issuer" {
  step deploy_v1 scenario_deploy_v1 >/dev/null || true
  run grep -F -- "--certificate-oidc-issuer $ISSUER $(digest API1)" "$T/cosign.log"
  assert_success
}

@test "v1: cosign verify got the workflow identity" {
  step deploy_v1 scenario_deploy_v1 >/dev/null || true
  run grep -F -- "--certificate-identity-regexp $IDENTITY" "$T/cosign.log"
  assert_success
}

@test "v1: api runs v1 by digest" {
  step deploy_v1 scenario_deploy_v1 >/dev/null || true
  assert_equal "$(after deploy_v1 api)" "$(digest API1)"
}

@test "v1: web runs v1 by digest" {
  step deploy_v1 scenario_deploy_v1 >/dev/null || true
  assert_equal "$(after deploy_v1 web)" "$(digest WEB1)"
}

@test "v1: the published port serves v1" {
  step deploy_v1 scenario_deploy_v1 >/dev/null || true
  assert_equal "$(after deploy_v1 page)" "web v1"
}

@test "v1: the state file records v1" {
  step deploy_v1 scenario_deploy_v1 >/dev/null || true
  assert_equal "$(after deploy_v1 state_web)" "$(digest WEB1)"
}

@test "v2 deployed with --insecure-skip-verify (exit 0)" {
  run step deploy_v2 scenario_deploy_v2
  assert_success
}

@test "v2: the skip is announced loudly" {
  run step deploy_v2 scenario_deploy_v2
  assert_output --partial "WARNING: --insecure-skip-verify"
}

@test "v2: and names what it skipped" {
  run step deploy_v2 scenario_deploy_v2
  assert_output --partial "SKIPPED signature verification of: $(digest API2) $(digest WEB2)"
}

@test "v2: web runs v2" {
  step deploy_v2 scenario_deploy_v2 >/dev/null || true
  assert_equal "$(after deploy_v2 web)" "$(digest WEB2)"
}

@test "v2: the published port serves v2" {
  step deploy_v2 scenario_deploy_v2 >/dev/null || true
  assert_equal "$(after deploy_v2 page)" "web v2"
}

# ── Failing deploys roll back ────────────────────────────────────────────────

@test "an unhealthy web (and a new api): rolled back (exit 5)" {
  run step rollback_unhealthy scenario_rollback_unhealthy
  assert_equal "$status" 5
}

@test "an unhealthy web: says ROLLED BACK" {
  run step rollback_unhealthy scenario_rollback_unhealthy
  assert_output --partial "ROLLED BACK"
}

@test "an unhealthy web: api runs the previous digest again" {
  step rollback_unhealthy scenario_rollback_unhealthy >/dev/null || true
  assert_equal "$(after rollback_unhealthy api)" "$(digest API2)"
}

@test "an unhealthy web: web runs the previous digest again" {
  step rollback_unhealthy scenario_rollback_unhealthy >/dev/null || true
  assert_equal "$(after rollback_unhealthy web)" "$(digest WEB2)"
}

@test "an unhealthy web: the published port serves v2 again" {
  step rollback_unhealthy scenario_rollback_unhealthy >/dev/null || true
  assert_equal "$(after rollback_unhealthy page)" "web v2"
}

@test "an unhealthy web: the state file still records v2" {
  step rollback_unhealthy scenario_rollback_unhealthy >/dev/null || true
  assert_equal "$(after rollback_unhealthy state_web)" "$(digest WEB2)"
}

@test "a web whose smoke URL fails: rolled back (exit 5)" {
  run step rollback_smoke scenario_rollback_smoke
  assert_equal "$status" 5
}

@test "a web whose smoke URL fails: names the failing URL" {
  run step rollback_smoke scenario_rollback_smoke
  assert_output --partial "smoke check failed: http://127.0.0.1:$WEB_PORT/status answered '404'"
}

@test "a web whose smoke URL fails: web runs the previous digest again" {
  step rollback_smoke scenario_rollback_smoke >/dev/null || true
  assert_equal "$(after rollback_smoke web)" "$(digest WEB2)"
}

@test "a web whose smoke URL fails: the published port serves v2 again" {
  step rollback_smoke scenario_rollback_smoke >/dev/null || true
  assert_equal "$(after rollback_smoke page)" "web v2"
}

# ── The other scripts' guards ────────────────────────────────────────────────

@test "ci/sign refuses a tag (exit 2)" {
  run "$REPO/ci/sign" "$REGISTRY/web:v1"
  assert_equal "$status" 2
}

@test "ci/verify refuses a tag (exit 2)" {
  run "$REPO/ci/verify" --repository genericapp/generic-app "$REGISTRY/web:v1"
  assert_equal "$status" 2
}

@test "ci/verify fails when cosign does (exit 4)" {
  PATH="$T/cosign-fail:$PATH" run "$REPO/ci/verify" --repository genericapp/generic-app "$(digest WEB1)" "$(digest WEB2)"
  assert_equal "$status" 4
}

@test "ci/verify --print-command prints the exact command" {
  run "$REPO/ci/verify" --print-command --repository genericapp/generic-app "$(digest WEB1)"
  assert_success
  # the command alone on its line (indented under the sentence that introduces it)
  assert_line "  cosign verify --certificate-identity-regexp '$IDENTITY' --certificate-oidc-issuer $ISSUER $(digest WEB1)"
}

@test "ci/sign signs by digest with --yes" {
  PATH="$T/cosign-pass:$PATH" run "$REPO/ci/sign" "$(digest WEB1)"
  assert_success
  run grep -x "sign --yes $(digest WEB1)" "$T/cosign.log"
  assert_success
}

@test "ci/scan without Docker Scout: exit 3, with a clear message" {
  if docker scout version >/dev/null 2>&1; then
    fail "this machine has docker scout; the missing-scout case cannot be tested"
  fi
  run "$REPO/ci/scan" "$(digest WEB1)"
  assert_equal "$status" 3
  assert_output --partial "'docker scout' is not available"
}

@test "ci/build-images --dry-run passes the image name as a property" {
  run step build_dry_run "$REPO/ci/build-images" --dry-run --tag sha-1 --tag latest --backend-image ghcr.io/o/r/backend --push
  assert_success
  assert_output --partial "-Dspring-boot.build-image.imageName=ghcr.io/o/r/backend:sha-1"
}

@test "ci/build-images --dry-run: and the extra tags" {
  run step build_dry_run "$REPO/ci/build-images" --dry-run --tag sha-1 --tag latest --backend-image ghcr.io/o/r/backend --push
  assert_output --partial "-Dspring-boot.build-image.tags=ghcr.io/o/r/backend:latest"
}

@test "ci/build-images --dry-run: builds the frontend with SBOM and provenance" {
  run step build_dry_run "$REPO/ci/build-images" --dry-run --tag sha-1 --tag latest --backend-image ghcr.io/o/r/backend --push
  assert_output --partial "--sbom=true --provenance=mode=max --push"
}

# ── The real compose.yaml (PIPELINE_TEST_REAL_STACK=1) ───────────────────────

@test "real stack: deployed by digest (exit 0)" {
  real_stack_wanted || skip "PIPELINE_TEST_REAL_STACK=1 runs it"
  run step real_deploy scenario_real_deploy
  assert_success
}

@test "real stack: api runs the published digest" {
  real_stack_wanted || skip "PIPELINE_TEST_REAL_STACK=1 runs it"
  step real_deploy scenario_real_deploy >/dev/null || true
  [[ -n "$(digest API_REAL)" ]] || fail "the real images were not published"
  assert_equal "$(after real_deploy api)" "$(digest API_REAL)"
}

@test "real stack: migrate ran the same digest and exited 0" {
  real_stack_wanted || skip "PIPELINE_TEST_REAL_STACK=1 runs it"
  step real_deploy scenario_real_deploy >/dev/null || true
  [[ -n "$(digest API_REAL)" ]] || fail "the real images were not published"
  assert_equal "$(after real_deploy migrate)" "$(digest API_REAL) 0"
}

@test "real stack: web runs the published digest" {
  real_stack_wanted || skip "PIPELINE_TEST_REAL_STACK=1 runs it"
  step real_deploy scenario_real_deploy >/dev/null || true
  [[ -n "$(digest WEB_REAL)" ]] || fail "the real images were not published"
  assert_equal "$(after real_deploy web)" "$(digest WEB_REAL)"
}

@test "real stack: /api/items answers JSON through Nginx" {
  real_stack_wanted || skip "PIPELINE_TEST_REAL_STACK=1 runs it"
  step real_deploy scenario_real_deploy >/dev/null || true
  assert_equal "$(after real_deploy items)" yes
}

@test "real stack: an unhealthy web is rolled back (exit 5)" {
  real_stack_wanted || skip "PIPELINE_TEST_REAL_STACK=1 runs it"
  run step real_rollback scenario_real_rollback
  assert_equal "$status" 5
}

@test "real stack, rolled back: web runs the previous digest again" {
  real_stack_wanted || skip "PIPELINE_TEST_REAL_STACK=1 runs it"
  step real_rollback scenario_real_rollback >/dev/null || true
  [[ -n "$(digest WEB_REAL)" ]] || fail "the real images were not published"
  assert_equal "$(after real_rollback web)" "$(digest WEB_REAL)"
}

@test "real stack, rolled back: api still runs its digest" {
  real_stack_wanted || skip "PIPELINE_TEST_REAL_STACK=1 runs it"
  step real_rollback scenario_real_rollback >/dev/null || true
  [[ -n "$(digest API_REAL)" ]] || fail "the real images were not published"
  assert_equal "$(after real_rollback api)" "$(digest API_REAL)"
}

@test "real stack, rolled back: /api/items answers again" {
  real_stack_wanted || skip "PIPELINE_TEST_REAL_STACK=1 runs it"
  step real_rollback scenario_real_rollback >/dev/null || true
  assert_equal "$(after real_rollback items)" yes
}
