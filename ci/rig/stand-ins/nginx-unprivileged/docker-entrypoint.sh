#!/usr/bin/env bash
# Entrypoint of the nginx stand-in: when the command is nginx, run the executable scripts of
# /docker-entrypoint.d in order (as the official image does), then exec the command.
set -euo pipefail

if [[ "${1:-}" == nginx || "${1:-}" == nginx-debug ]]; then
  for script in /docker-entrypoint.d/*.sh; do
    [[ -x "$script" ]] || continue
    echo "$0: running $script"
    "$script"
  done
  echo "$0: configuration complete; ready for start up"
fi

exec "$@"
