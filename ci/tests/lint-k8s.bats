#!/usr/bin/env bats
# The Kubernetes manifests (deploy/k8s), offline: no cluster, no image, no network.
#   render      every overlay renders (kubectl kustomize, through deploy/k8s/apply --render);
#               dev's secretGenerator reads the files postgres/secrets/generate writes, so a
#               copy of the manifests gets throwaway ones (random passwords, a self-signed pair)
#   per overlay, one test each (ci/tests/lib/k8s-check.mjs says exactly what):
#     schema      every object against the Kubernetes API schema (kubernetes-models), namespace,
#                 labels
#     fields      no unknown field anywhere (kubernetes-models' types, checked by tsc)
#     restricted  the restricted Pod Security Standard spelled out in every pod template
#     resources   requests and limits on every container
#     probes      startup, liveness and readiness probes: api on the actuator groups, web on /healthz
#     secrets     secrets only as files; no value of them in clear; Secrets only in dev
#   and that the checks fail on a broken pod, that nothing secret is committed, and that
#   --image pins the images by digest.
#
# Tools: kubectl with Kustomize (v1.32 / 5.5 here), Node with ci/tests' packages
# (kubernetes-models, yaml, typescript: npm ci --prefix ci/tests, as ci/install-prerequisites does).
# Run: ci/tests/run lint-k8s                          (one: --filter 'restricted overlays/prod')
load lib/suite

CHECK="$BATS_TEST_DIRNAME/lib/k8s-check.mjs"
DIGEST="sha256:$(printf '0123456789abcdef%.0s' 1 2 3 4)"

setup_file() {
  command -v kubectl >/dev/null || {
    echo "kubectl (with its built-in Kustomize) is needed: https://kubernetes.io/docs/tasks/tools/" >&2
    return 1
  }
  [[ -d "$BATS_TEST_DIRNAME/node_modules/kubernetes-models" ]] || {
    echo "kubernetes-models is missing: npm ci --prefix ci/tests (ci/install-prerequisites)" >&2
    return 1
  }
  # The manifests, the init scripts and the one library apply sources, beside throwaway secrets:
  # the checkout's own postgres/secrets (a developer's real ones) is never read.
  local copy="$BATS_FILE_TMPDIR/repo" secrets
  mkdir -p "$copy/deploy" "$copy/postgres" "$copy/ci"
  cp -r "$REPO/deploy/k8s" "$copy/deploy/"
  cp -r "$REPO/postgres/initdb" "$copy/postgres/"
  cp -r "$REPO/ci/lib" "$copy/ci/"
  cp -r "$copy" "$BATS_FILE_TMPDIR/no-secrets"
  secrets="$copy/postgres/secrets"
  mkdir -p "$secrets"
  local name
  for name in db_superuser_password db_owner_password db_app_password admin_password; do
    # 32 random characters, as postgres/secrets/generate makes them
    (set +o pipefail; LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32) >"$secrets/$name.txt"
  done
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=generic-app.localhost \
    -keyout "$secrets/tls_certificate_key.pem" -out "$secrets/tls_certificate.pem" 2>/dev/null
}

# render OVERLAY: the overlay through deploy/k8s/apply --render (ci with images by digest, as the
# workflow deploys them), once per run, into $BATS_FILE_TMPDIR/OVERLAY.yaml.
render() {
  local args=()
  [[ "$1" != ci ]] || args=(--image "api=registry.test/generic-app-backend@$DIGEST" --image "web=registry.test/generic-app-frontend@$DIGEST")
  "$BATS_FILE_TMPDIR/repo/deploy/k8s/apply" "$1" --render "${args[@]}" >"$BATS_FILE_TMPDIR/$1.yaml"
}

renders() {
  run step "render-$1" render "$1"
  assert_success
  [[ -s "$BATS_FILE_TMPDIR/$1.yaml" ]] || fail "overlays/$1 rendered nothing"
}

# k8s_check CHECK OVERLAY: the check on the rendered overlay (dev's secrets check gets the files).
k8s_check() {
  local files=()
  step "render-$2" render "$2" >/dev/null || fail "overlays/$2 does not render"
  [[ "$1/$2" != secrets/dev ]] || files=("$BATS_FILE_TMPDIR"/repo/postgres/secrets/*)
  run node "$CHECK" "$1" "$BATS_FILE_TMPDIR/$2.yaml" "${files[@]}"
  assert_success
  ((output > 0)) || fail "nothing checked (got '$output')"
}

for _overlay in "$REPO"/deploy/k8s/overlays/*/; do
  _overlay="$(basename "$_overlay")"
  bats_test_function --description "kubectl kustomize renders overlays/$_overlay" -- renders "$_overlay"
  for _check in schema fields restricted resources probes secrets; do
    bats_test_function --description "$_check overlays/$_overlay" -- k8s_check "$_check" "$_overlay"
  done
done

@test "the checks fail on a pod template that breaks them" {
  step render-ci render ci >/dev/null || fail "overlays/ci does not render"
  sed -e 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/' -e '/startupProbe:/,/timeoutSeconds/d' \
    -e 's/automountServiceAccountToken: false/automountServiceAccountToken: true/' \
    "$BATS_FILE_TMPDIR/ci.yaml" >"$BATS_TEST_TMPDIR/broken.yaml"
  run node "$CHECK" restricted "$BATS_TEST_TMPDIR/broken.yaml"
  assert_failure
  assert_line "Deployment/api container api: readOnlyRootFilesystem is not true"
  assert_line "Job/migrate: automountServiceAccountToken is not false"
  run node "$CHECK" probes "$BATS_TEST_TMPDIR/broken.yaml"
  assert_failure
  assert_line "Deployment/api container api: no startupProbe"
  sed -i 's/readinessProbe:/readinessprobe:/' "$BATS_TEST_TMPDIR/broken.yaml"
  run node "$CHECK" fields "$BATS_TEST_TMPDIR/broken.yaml"
  assert_failure
  assert_line --partial "Deployment/api: Object literal may only specify known properties, and '\"readinessprobe\"' does not exist"
  sed -i 's/name: db-app-password$/name: db-app-pasword/' "$BATS_TEST_TMPDIR/broken.yaml"
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  password: hunter2\n' >>"$BATS_TEST_TMPDIR/broken.yaml"
  run node "$CHECK" secrets "$BATS_TEST_TMPDIR/broken.yaml"
  assert_failure
  assert_line "Secret/x: a Secret in an overlay that should have none (made by the operator)"
  assert_line "Deployment/api: Secret db-app-pasword is neither rendered nor one the operator creates"
}

@test "no Secret object, private key or password is committed under deploy/k8s" {
  run git -C "$REPO" grep -nIE '^kind: Secret|PRIVATE KEY|stringData:|(PASSWORD|password)[=:] *[^ /.]' -- deploy/k8s
  assert_failure 1
  assert_output ""
}

@test "apply --image pins api, migrate and web by digest" {
  step render-ci render ci >/dev/null || fail "overlays/ci does not render"
  run grep -E '^ +image: ' "$BATS_FILE_TMPDIR/ci.yaml"
  assert_success
  assert_line "        image: registry.test/generic-app-backend@$DIGEST"
  assert_line "        image: registry.test/generic-app-frontend@$DIGEST"
  [[ "$(grep -c "image: registry.test/generic-app-backend@$DIGEST" "$BATS_FILE_TMPDIR/ci.yaml")" == 2 ]] || fail "api and migrate must both run the given backend image"
  refute_line --partial 'ghcr.io/generic-app/'
}

@test "apply refuses the dev overlay without the secret files, and says why" {
  run "$BATS_FILE_TMPDIR/no-secrets/deploy/k8s/apply" dev --render
  assert_failure 3
  assert_output --partial "postgres/secrets/generate"
}
