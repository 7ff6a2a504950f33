# shellcheck shell=bash
# ┌──────────────────────────────────────────────────────────────────────┐
# │ One --help for every script in ci/, bench/ and postgres/ (source it) │
# └──────────────────────────────────────────────────────────────────────┘
#
# A script's help is its header: the comment block under the shebang, from line 2
# up to the first line that is not a comment, without the leading '# '. The header
# is written as usage text (a `Usage:` line, what it does, options, environment);
# there are no line numbers to keep in step with it, and `set -euo pipefail` (the
# first code line) is never part of it. Sourcing this file only defines functions,
# so a script can source it and answer --help before it does anything else:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh"
#   case "${1:-}" in
#     -h | --help) print_help; exit 0 ;;
#     "") ;;
#     *) usage_error "unknown argument: $1" ;;
#   esac
#
# ci/tests/lint-scripts runs every script with --help and checks this contract.

# print_help: the running script's header (shellcheck directives left out).
print_help() {
  awk 'NR == 1 { next } /^# shellcheck / { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"
}

# usage_error MESSAGE: says what was wrong with the command line, points to --help, exits 2.
usage_error() {
  printf '%s: %s (see %s --help)\n' "$0" "$*" "$0" >&2
  exit 2
}
