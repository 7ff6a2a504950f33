#!/usr/bin/env bats
# Every shell script of the repository, with no Docker engine and no network:
#   static checks  `shellcheck -x` on every file git knows (tracked, or new and not ignored)
#                  whose first line is a sh/bash/bats shebang or `# shellcheck shell=…` (sourced
#                  libs): the list is found, not kept by hand, so a new script cannot be missed;
#                  one test per file;
#   --help         the script contract (ci/lib/help.sh): every executable script of them answers
#                  --help with exit 0 and its usage (a `Usage:` line, no line of code such as
#                  `set -euo pipefail`) within 2 s, and starts nothing: no process left behind,
#                  no file written in TMPDIR or in the checkout;
#   bad argument   the same scripts refuse an unknown argument with exit 2 and a message, again
#                  starting nothing.
# Left out of the two contract checks (shellcheck still checks them): scripts that run inside the
# images (ci/rig/stand-ins/*/*, postgres/initdb/*), whose arguments are the container's command,
# mvnw (Maven's wrapper: its arguments are Maven's), and the .bats files (bats runs them).
#
# Run: ci/tests/run lint-scripts                      (one file: --filter 'ci/deploy')
load lib/suite

# The shell files: by their first line, not by name (most scripts here have no extension).
shell_files() {
  local f first
  git -C "$REPO" ls-files -z --cached --others --exclude-standard | sort -z | while IFS= read -r -d '' f; do
    [[ -f "$REPO/$f" && ! -L "$REPO/$f" ]] || continue
    IFS= read -r first <"$REPO/$f" || [[ -n "$first" ]] || continue
    case "$first" in
      '#!'*/bash* | '#!'*'env bash'* | '#!'*/sh | '#!'*'env sh' | '#!'*'env bats'* | '# shellcheck shell='*) printf '%s\n' "$f" ;;
    esac
  done
}

# Whether FILE is a script a person or CI runs on the host (see the header).
runs_on_host() {
  [[ -x "$REPO/$1" ]] || return 1
  case "$1" in
    ci/rig/stand-ins/*/* | postgres/initdb/* | mvnw | *.bats) return 1 ;;
  esac
}

# run_isolated OUT ERR SCRIPT ARGS...: runs the script from outside the checkout with a private
# TMPDIR and a marker in its environment; fails when anything carrying the marker outlives it,
# when it wrote to TMPDIR or changed the checkout, or when it took 2 s or more. Its exit status
# is left in $BATS_TEST_TMPDIR/rc.
run_isolated() {
  local out="$1" err="$2" tmp="$BATS_TEST_TMPDIR/tmp" marker="lint-scripts-$$-$RANDOM" start elapsed rc=0 leftover before
  shift 2
  rm -rf -- "$tmp"
  mkdir -p "$tmp"
  before="$(git -C "$REPO" status --porcelain --untracked-files=all)"
  start="$(date +%s%N)"
  (cd "$tmp" && TMPDIR="$tmp" LINT_SCRIPTS_MARKER="$marker" timeout 5 "$REPO/$1" "${@:2}" </dev/null >"$out" 2>"$err") || rc=$?
  elapsed=$((($(date +%s%N) - start) / 1000000))
  echo "$rc" >"$BATS_TEST_TMPDIR/rc"
  sleep 0.1
  leftover="$(grep -lsz "^LINT_SCRIPTS_MARKER=$marker\$" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | tr '\n' ' ' || true)"
  if [[ -n "$leftover" ]]; then
    # shellcheck disable=SC2086 # one pid per word
    kill $leftover 2>/dev/null || true
    fail "left processes running (stopped now): $leftover"
  fi
  [[ -z "$(find "$tmp" -mindepth 1 -print -quit)" ]] || fail "wrote to TMPDIR: $(find "$tmp" -mindepth 1)"
  [[ "$(git -C "$REPO" status --porcelain --untracked-files=all)" == "$before" ]] || fail "changed the checkout (git status)"
  ((rc != 124)) || fail "still running after 5 s"
  ((elapsed < 2000)) || fail "took ${elapsed} ms (limit 2000)"
}

shellcheck_clean() {
  run shellcheck -x "$1"
  assert_success
}

help_contract() {
  local out="$BATS_TEST_TMPDIR/help.out" err="$BATS_TEST_TMPDIR/help.err" rc
  run_isolated "$out" "$err" "$1" --help
  rc="$(cat "$BATS_TEST_TMPDIR/rc")"
  ((rc == 0)) || fail "--help exited $rc: $(cat "$err")"
  [[ -s "$out" ]] || fail "--help printed nothing on stdout"
  run cat "$out"
  assert_line --regexp '^Usage: '
  refute_line --regexp '^set -'
}

bad_argument_contract() {
  local out="$BATS_TEST_TMPDIR/bad.out" err="$BATS_TEST_TMPDIR/bad.err" rc
  run_isolated "$out" "$err" "$1" --no-such-option
  rc="$(cat "$BATS_TEST_TMPDIR/rc")"
  ((rc == 2)) || fail "an unknown argument gave exit $rc, not 2: $(cat "$out" "$err")"
  [[ -s "$err" ]] || fail "an unknown argument gave no message on stderr"
}

setup_file() {
  command -v shellcheck >/dev/null || apt_install shellcheck
}

@test "the list of shell files is found, not empty" {
  run shell_files
  assert_success
  assert_line ci/deploy
  assert_line ci/tests/lint-scripts.bats
}

mapfile -t _files < <(shell_files)
for _f in "${_files[@]}"; do
  bats_test_function --description "shellcheck -x $_f" -- shellcheck_clean "$_f"
done
for _f in "${_files[@]}"; do
  if runs_on_host "$_f"; then
    bats_test_function --description "$_f --help" -- help_contract "$_f"
    bats_test_function --description "$_f --no-such-option" -- bad_argument_contract "$_f"
  fi
done
