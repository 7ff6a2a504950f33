#!/usr/bin/env bash
# ┌──────────────────────────────────────────────────────────────────────┐
# │ Roles of the application database (first start of an empty volume)   │
# └──────────────────────────────────────────────────────────────────────┘
#
# The postgres image runs /docker-entrypoint-initdb.d/* once, when PGDATA is
# empty, as the superuser against a server that listens on its socket only.
#
# Two roles, so that a compromised API process cannot change the schema:
#   app_owner  owns the database and its schema; the one-shot `migrate`
#              service logs in as it to run the Flyway migrations.
#   app        what the serving `api` logs in as: it reads and writes rows
#              (SELECT/INSERT/UPDATE/DELETE, sequences) and nothing else —
#              no CREATE on any schema, no TEMP tables, no other database.
#   monitor    only when MONITOR_PASSWORD_FILE is set (compose.yaml sets it):
#              the monitoring profile's postgres-exporter; pg_monitor (the
#              statistics views, database sizes, settings) and CONNECT on the
#              application database, no access to any table's rows.
#
# Passwords come from files (compose secrets), never from the environment:
#   APP_OWNER_PASSWORD_FILE  (default /run/secrets/db_owner_password)
#   APP_PASSWORD_FILE        (default /run/secrets/db_app_password)
#   MONITOR_PASSWORD_FILE    (unset: no monitor role)
set -euo pipefail

read_secret() {
  local file="$1" value
  if [[ ! -r "$file" ]]; then
    echo "10-roles.sh: cannot read the password file $file (see postgres/secrets/README.md)" >&2
    exit 1
  fi
  # A trailing newline is the editor's, not the password's.
  value="$(<"$file")"
  if [[ -z "$value" ]]; then
    echo "10-roles.sh: the password file $file is empty" >&2
    exit 1
  fi
  printf '%s' "$value"
}

owner_password="$(read_secret "${APP_OWNER_PASSWORD_FILE:-/run/secrets/db_owner_password}")"
app_password="$(read_secret "${APP_PASSWORD_FILE:-/run/secrets/db_app_password}")"
db="${POSTGRES_DB:-app}"

# psql variables (:'name') quote the passwords as SQL literals, so a password
# may hold any character; they are fed on stdin, never on a command line.
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname "$db" \
  -v db="$db" -v owner_password="$owner_password" -v app_password="$app_password" <<'SQL'
CREATE ROLE app_owner LOGIN PASSWORD :'owner_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE ROLE app LOGIN PASSWORD :'app_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;

-- The owner of the database owns its public schema too (pg_database_owner,
-- PostgreSQL 15+), so Flyway running as app_owner can create tables there.
ALTER DATABASE :"db" OWNER TO app_owner;
ALTER SCHEMA public OWNER TO app_owner;

-- Nobody else connects or creates: PUBLIC loses the defaults it is granted.
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO app;
GRANT USAGE ON SCHEMA public TO app;

-- Rows only: whatever app_owner creates later (the migrations) is readable
-- and writable by app, in any schema app_owner creates, without a GRANT in
-- every migration. Schemas other than public still need a GRANT USAGE.
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO app;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner
    GRANT USAGE, SELECT ON SEQUENCES TO app;
SQL

echo "10-roles.sh: created roles app_owner (owner) and app (rows only) in database $db"

if [[ -n "${MONITOR_PASSWORD_FILE:-}" ]]; then
  monitor_password="$(read_secret "$MONITOR_PASSWORD_FILE")"
  psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname "$db" \
    -v db="$db" -v monitor_password="$monitor_password" <<'SQL'
CREATE ROLE monitor LOGIN PASSWORD :'monitor_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    CONNECTION LIMIT 3 IN ROLE pg_monitor;
GRANT CONNECT ON DATABASE :"db" TO monitor;
SQL
  echo "10-roles.sh: created role monitor (pg_monitor, statistics only) in database $db"
fi
