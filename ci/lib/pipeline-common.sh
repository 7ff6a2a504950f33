# shellcheck shell=bash
# ┌──────────────────────────────────────────────────────────────────────┐
# │ Shared helpers for the delivery-pipeline scripts (source, don't run) │
# └──────────────────────────────────────────────────────────────────────┘
#
# Messages go to stderr with the script's name, so that stdout stays for what
# a script produces (digests, commands) and can be piped.

PIPELINE_NAME="${PIPELINE_NAME:-${0##*/}}"

say() { printf '%s: %s\n' "$PIPELINE_NAME" "$*" >&2; }
die() {
  local code=1
  if [[ "${1:-}" =~ ^[0-9]+$ ]]; then code="$1"; shift; fi
  printf '%s: error: %s\n' "$PIPELINE_NAME" "$*" >&2
  exit "$code"
}

# print_help (the script's header as its --help) comes from the shared helper.
# shellcheck source=ci/lib/help.sh
source "$(dirname "${BASH_SOURCE[0]}")/help.sh"

# An image reference pinned by digest: NAME@sha256:<64 hex>.
is_digest_ref() { [[ "$1" =~ ^[^@[:space:]]+@sha256:[0-9a-f]{64}$ ]]; }

# The repository root (the folder above ci/).
pipeline_root() { (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd); }
