#!/usr/bin/env bash
# Entrypoint of the postgres stand-in: the documented contract of the official image's
# docker-entrypoint.sh (see the Dockerfile beside this file for what is left out).
set -Eeuo pipefail

say() { printf 'docker-entrypoint: %s\n' "$*" >&2; }

# VAR or VAR_FILE (the file's content), not both.
file_env() {
  local var="$1" default="${2:-}" file_var="${1}_FILE"
  if [[ -n "${!var:-}" && -n "${!file_var:-}" ]]; then
    say "both $var and $file_var are set (but are exclusive)"
    exit 1
  fi
  local value="$default"
  if [[ -n "${!var:-}" ]]; then
    value="${!var}"
  elif [[ -n "${!file_var:-}" ]]; then
    value="$(<"${!file_var}")"
  fi
  export "$var"="$value"
  unset "$file_var"
}

process_init_file() {
  local f="$1"
  case "$f" in
    *.sh)
      if [[ -x "$f" ]]; then say "running $f"; "$f"; else say "sourcing $f"; # shellcheck disable=SC1090
        . "$f"; fi ;;
    *.sql) say "running $f"; psql_init -f "$f" ;;
    *.sql.gz) say "running $f"; gunzip -c "$f" | psql_init ;;
    *) say "ignoring $f" ;;
  esac
}

psql_init() {
  psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" "$@"
}

init_database() {
  if [[ -z "${POSTGRES_PASSWORD:-}" && "$POSTGRES_HOST_AUTH_METHOD" != trust ]]; then
    say "the database is uninitialized and POSTGRES_PASSWORD is not set (or POSTGRES_PASSWORD_FILE)"
    exit 1
  fi
  say "initialising $PGDATA"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of arguments
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --encoding=UTF8 --locale=C.UTF-8 $POSTGRES_INITDB_ARGS -D "$PGDATA"
  printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"

  # A temporary server on the Unix socket only: nothing outside sees it until init is done.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
  export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
  if [[ "$POSTGRES_DB" != postgres ]]; then
    psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres -v db="$POSTGRES_DB" \
      <<<'CREATE DATABASE :"db";'
  fi
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    [[ -e "$f" ]] && process_init_file "$f"
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGPASSWORD
  say "init process complete; ready for start up"
}

if [[ "${1:-}" == -* ]]; then
  set -- postgres "$@"
fi

if [[ "${1:-}" == postgres ]]; then
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"

  if [[ "$(id -u)" == 0 ]]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chown -R postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
  fi

  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA" || :
  chmod 3777 /var/run/postgresql 2>/dev/null || :
  if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
    init_database
  else
    say "database directory appears to contain a database; skipping initialisation"
  fi
fi

exec "$@"
