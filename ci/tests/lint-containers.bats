#!/usr/bin/env bats
# Static checks of the container files, with no Docker engine and no network:
#   compose.yaml   docker-compose 1.29 `config -q` (with .env.example, and with no .env),
#                  dclint (settings and reasons in ci/tests/dclint.yaml)
#   Dockerfiles    dockerfile-utils lint (frontend/Dockerfile, ci/rig/stand-ins/*/Dockerfile),
#                  one test per file
# Shell scripts, these included, are lint-scripts' job.
#
# Tools: docker-compose (Debian package), dclint and dockerfile-utils (npm; taken from PATH or
# node_modules/.bin, else run with `npm exec` at the pinned versions).
# Run: ci/tests/run lint-containers                   (one: --filter dclint)
load lib/suite

DCLINT_VERSION=3.1.0
DOCKERFILE_UTILS_VERSION=0.16.3

# npm_tool NAME PACKAGE@VERSION ARGS...: the installed tool, else the pinned one through npm.
npm_tool() {
  local name="$1" package="$2"
  shift 2
  if command -v "$name" >/dev/null 2>&1; then
    "$name" "$@"
  elif [[ -x "$REPO/node_modules/.bin/$name" ]]; then
    "$REPO/node_modules/.bin/$name" "$@"
  else
    npm exec --yes --package="$package" -- "$name" "$@"
  fi
}

# compose's `secrets:` name files that postgres/secrets/generate writes (git-ignored); a fresh
# clone has none, so the config is checked in a copy with empty stand-in files.
compose_config() {
  local copy="$BATS_TEST_TMPDIR/compose"
  mkdir -p "$copy/postgres/secrets" "$copy/frontend"
  cp "$REPO/compose.yaml" "$copy/"
  cp -r "$REPO/postgres/initdb" "$copy/postgres/"
  touch "$copy/postgres/secrets/"{db_superuser_password,db_owner_password,db_app_password,admin_password,db_monitor_password,grafana_admin_password}.txt
  (cd "$copy" && docker-compose --project-name lint "$@" --file compose.yaml config -q)
}

# dockerfile-utils prints its findings (errors and warnings) and exits 0 either way.
dockerfile_clean() {
  run npm_tool dockerfile-utils "dockerfile-utils@$DOCKERFILE_UTILS_VERSION" lint "$REPO/$1"
  assert_success
  assert_output ""
}

setup_file() {
  command -v docker-compose >/dev/null || apt_install docker-compose
}

@test "docker-compose config -q with .env.example" {
  run compose_config --env-file "$REPO/.env.example"
  assert_success
}

@test "docker-compose config -q with no .env (the defaults)" {
  run compose_config
  assert_success
}

@test "dclint compose.yaml (ci/tests/dclint.yaml, no warnings allowed)" {
  run npm_tool dclint "dclint@$DCLINT_VERSION" --config ci/tests/dclint.yaml --max-warnings 0 --color false compose.yaml
  assert_success
}

for _dockerfile in "$REPO"/frontend/Dockerfile "$REPO"/ci/rig/stand-ins/*/Dockerfile; do
  bats_test_function --description "dockerfile-utils lint ${_dockerfile#"$REPO"/}" -- dockerfile_clean "${_dockerfile#"$REPO"/}"
done
