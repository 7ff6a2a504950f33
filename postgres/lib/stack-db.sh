# shellcheck shell=bash
# ┌───────────────────────────────────────────────────────────────────────┐
# │ The compose stack's database (postgres/backup, postgres/restore)      │
# └───────────────────────────────────────────────────────────────────────┘
#
# Source it, do not run it. Finds the running `db` container of a compose
# project and runs PostgreSQL's own clients (psql, pg_dump, pg_restore) inside
# it, as the image's superuser over the local socket: the container's clients
# match its server, and no password leaves the secret files.
#
# The compose project is found the way `docker compose` finds it: --project-name,
# else COMPOSE_PROJECT_NAME (environment or the project's .env), else the
# folder of the compose file. --file defaults to COMPOSE_FILE, else compose.yaml
# at the repository root. Both `docker compose` (v2) and `docker-compose` (v1)
# work; COMPOSE="docker compose" or "docker-compose" forces one.
#
# Exit codes of die here: 2 usage, 3 no docker, no engine or no running database.

# shellcheck source=ci/lib/pipeline-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../ci/lib/pipeline-common.sh"

STACK_DB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DB_PROJECT=""
STACK_DB_FILES=()
STACK_DB_ENV_FILE=""
STACK_DB_SERVICE=db
STACK_DB_WAIT=60
# Set by stack_db_connect:
STACK_DB_CONTAINER=""
STACK_DB_PROJECT_NAME=""
STACK_DB_NAME=""
STACK_DB_SUPERUSER=""

# stack_db_option OPTION VALUE: takes one of the shared options (the caller then
# shifts 2); returns 1 for any other option.
stack_db_option() {
  case "$1" in
    -p | --project-name | -f | --file | --env-file | --service | --wait) ;;
    *) return 1 ;;
  esac
  (($# >= 2)) || die 2 "$1 needs a value (see --help)"
  case "$1" in
    -p | --project-name) STACK_DB_PROJECT="$2" ;;
    -f | --file) STACK_DB_FILES+=("$2") ;;
    --env-file) STACK_DB_ENV_FILE="$2" ;;
    --service) STACK_DB_SERVICE="$2" ;;
    --wait)
      [[ "$2" =~ ^[0-9]+$ ]] || die 2 "--wait takes whole seconds, got '$2'"
      STACK_DB_WAIT="$2"
      ;;
  esac
}

_stack_db_compose() {
  local args=()
  [[ -n "$STACK_DB_PROJECT" ]] && args+=(--project-name "$STACK_DB_PROJECT")
  local file
  for file in "${STACK_DB_FILES[@]}"; do args+=(--file "$file"); done
  [[ -n "$STACK_DB_ENV_FILE" ]] && args+=(--env-file "$STACK_DB_ENV_FILE")
  "${_STACK_DB_COMPOSE_CMD[@]}" "${args[@]}" "$@"
}

# The project's name for messages: the container's label once found, else what
# compose would choose.
_stack_db_project_label() {
  if [[ -n "$STACK_DB_PROJECT" ]]; then
    printf '%s' "$STACK_DB_PROJECT"
  elif [[ -n "${COMPOSE_PROJECT_NAME:-}" ]]; then
    printf '%s' "$COMPOSE_PROJECT_NAME"
  else
    printf '%s' "of $(dirname "${STACK_DB_FILES[0]:-${COMPOSE_FILE:-$STACK_DB_ROOT/compose.yaml}}")"
  fi
}

# Finds the running database container and what its image was told (database
# name, superuser), waits until it accepts connections over TCP like the compose
# healthcheck does (during initialisation the image runs a temporary server on
# the socket only, which must not be restored into), or dies saying why.
stack_db_connect() {
  command -v docker >/dev/null 2>&1 || die 3 "docker is not installed (the docker CLI runs the database clients inside the db container)"
  if [[ -n "${COMPOSE:-}" ]]; then
    read -r -a _STACK_DB_COMPOSE_CMD <<<"$COMPOSE"
  elif docker compose version >/dev/null 2>&1; then
    _STACK_DB_COMPOSE_CMD=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then
    _STACK_DB_COMPOSE_CMD=(docker-compose)
  else
    die 3 "neither 'docker compose' nor 'docker-compose' is installed"
  fi
  if ((${#STACK_DB_FILES[@]} == 0)) && [[ -z "${COMPOSE_FILE:-}" ]]; then
    STACK_DB_FILES=("$STACK_DB_ROOT/compose.yaml")
  fi
  local file
  for file in "${STACK_DB_FILES[@]}"; do
    [[ -f "$file" ]] || die 3 "compose file not found: $file"
  done
  docker info >/dev/null 2>&1 || die 3 "cannot reach the Docker engine (is it running, and may $(id -un) use it?)"

  local ids id out
  out="$(_stack_db_compose ps -q "$STACK_DB_SERVICE" 2>&1)" ||
    die 3 "${_STACK_DB_COMPOSE_CMD[*]} ps failed for project $(_stack_db_project_label): $out"
  ids="$out"
  STACK_DB_CONTAINER=""
  for id in $ids; do
    if [[ "$(docker inspect -f '{{.State.Running}}' "$id" 2>/dev/null)" == true ]]; then
      STACK_DB_CONTAINER="$id"
      break
    fi
  done
  [[ -n "$STACK_DB_CONTAINER" ]] ||
    die 3 "no running '$STACK_DB_SERVICE' container in compose project $(_stack_db_project_label) — start it first (docker compose up -d $STACK_DB_SERVICE)"
  # shellcheck disable=SC2034 # read by the scripts that source this file
  STACK_DB_PROJECT_NAME="$(docker inspect -f '{{index .Config.Labels "com.docker.compose.project"}}' "$STACK_DB_CONTAINER")"

  # The official image's defaults: POSTGRES_USER postgres, POSTGRES_DB = POSTGRES_USER.
  local env
  env="$(docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$STACK_DB_CONTAINER")"
  STACK_DB_SUPERUSER="$(sed -n 's/^POSTGRES_USER=//p' <<<"$env" | tail -n 1)"
  STACK_DB_SUPERUSER="${STACK_DB_SUPERUSER:-postgres}"
  STACK_DB_NAME="$(sed -n 's/^POSTGRES_DB=//p' <<<"$env" | tail -n 1)"
  STACK_DB_NAME="${STACK_DB_NAME:-$STACK_DB_SUPERUSER}"

  local waited=0
  until stack_db_exec pg_isready --quiet --host=127.0.0.1 --username="$STACK_DB_SUPERUSER" --dbname="$STACK_DB_NAME" </dev/null; do
    ((waited == 0)) && say "waiting up to ${STACK_DB_WAIT}s for the database to accept connections"
    ((waited < STACK_DB_WAIT)) ||
      die 3 "the database in container ${STACK_DB_CONTAINER:0:12} does not accept connections after ${STACK_DB_WAIT}s (docker compose logs $STACK_DB_SERVICE)"
    sleep 1
    waited=$((waited + 1))
  done
}

# stack_db_exec COMMAND...: runs a command in the database container, stdin passed through.
stack_db_exec() { docker exec -i "$STACK_DB_CONTAINER" "$@"; }

# stack_db_sql SQL: one query as the superuser over the socket; unaligned rows on stdout.
stack_db_sql() {
  stack_db_exec psql -X -v ON_ERROR_STOP=1 --no-password --quiet -At \
    --username="$STACK_DB_SUPERUSER" --dbname="$STACK_DB_NAME" -c "$1" </dev/null
}

# stack_db_items_in_archive FILE: the rows of the items table in a dump, counted from
# the archive itself (which reads back every byte of that table's data).
stack_db_items_in_archive() {
  stack_db_exec pg_restore --data-only --table=items --file=- <"$1" |
    awk '/^COPY / { copying = 1; next } /^\\\.$/ { copying = 0 } copying { n++ } END { print n + 0 }'
}

# human_size BYTES
human_size() { numfmt --to=iec --suffix=B "$1" 2>/dev/null || printf '%s bytes' "$1"; }
