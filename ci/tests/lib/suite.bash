# shellcheck shell=bash
# ┌──────────────────────────────────────────────────────────────────────┐
# │ What every black-box suite loads first:  load lib/suite              │
# └──────────────────────────────────────────────────────────────────────┘
#
# Gives a .bats file:
#   REPO                      the repository root; every test and set-up runs from there
#   assert_* / refute_* / fail  bats-assert and bats-support (pinned in ci/tests/package.json)
#   ci/lib/common.sh          apt_install, backend_jar, compose_containers, compose_container, env_value,
#                             image_jvm_opts
#   step NAME CMD...          runs CMD once per suite run, however many tests call it, and replays
#                             its status and output to every later caller. A test that needs what
#                             a scenario did (a restart, a deploy) calls the scenario's step itself,
#                             so it passes or fails on its own, alone under --filter as in the run.
#   suite_log MESSAGE         a progress line on the terminal (fd 3), outside any test's output
#   wait_until SECONDS CMD... polls CMD every 0.2 s until it succeeds; fails after SECONDS
#
# Run suites with ci/tests/run SUITE (TAP, JUnit report, --filter); see its --help.

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
export REPO
cd "$REPO" || exit 1

load "$BATS_TEST_DIRNAME/node_modules/bats-support/load.bash"
load "$BATS_TEST_DIRNAME/node_modules/bats-assert/load.bash"
# shellcheck source=ci/lib/common.sh
source "$REPO/ci/lib/common.sh"

suite_log() { printf '# %s\n' "$*" >&3; }

step() {
  local name="$1" dir="${BATS_FILE_TMPDIR:?step needs bats}/steps"
  shift
  mkdir -p "$dir"
  if [[ ! -f "$dir/$name.rc" ]]; then
    local rc=0
    "$@" >"$dir/$name.out" 2>&1 || rc=$?
    echo "$rc" >"$dir/$name.rc"
  fi
  cat -- "$dir/$name.out"
  return "$(cat -- "$dir/$name.rc")"
}

wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}
