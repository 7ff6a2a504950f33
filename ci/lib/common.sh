# shellcheck shell=bash
# ┌──────────────────────────────────────────────────────────────────────┐
# │ What the suites, the rig and the delivery scripts repeat (source it) │
# └──────────────────────────────────────────────────────────────────────┘
#
# Sourcing defines functions only; nothing runs.
#
#   apt_install PKG...              installs the Debian packages not yet installed (waits for
#                                   dpkg's lock; runs `apt-get update` once and retries when the
#                                   package lists are stale)
#   backend_jar                     prints the backend jar's path, building it first when it is
#                                   missing or older than the sources (./mvnw package)
#   compose_containers PROJECT SVC  ids of the running containers of a compose service, oldest first
#   compose_container PROJECT SVC   the oldest one
#   env_value FILE KEY              the value of the KEY=... line in FILE (an .env, a deploy state
#                                   file, what ci/rig/stand-ins/build prints); empty when absent
#   image_jvm_opts                  prints the backend image's JVM flags (image.java-tool-options
#                                   in backend/pom.xml), for a suite or the bench to run what the
#                                   image runs; fails when the property is missing

_common_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

apt_install() {
  local pkg missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  printf 'apt_install: installing %s (Debian packages)\n' "${missing[*]}" >&2
  local apt=(apt-get -o DPkg::Lock::Timeout=600)
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 && return 0
  "${apt[@]}" update -qq >/dev/null || return 1
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

image_jvm_opts() {
  local opts
  opts="$(sed -n 's|.*<image.java-tool-options>\(.*\)</image.java-tool-options>.*|\1|p' "$_common_repo/backend/pom.xml")"
  if [[ -z "$opts" ]]; then
    printf 'image_jvm_opts: no image.java-tool-options in backend/pom.xml\n' >&2
    return 1
  fi
  printf '%s\n' "$opts"
}

backend_jar() {
  local jar="$_common_repo/backend/target/generic-app-backend.jar" log
  if [[ ! -s "$jar" ]] || [[ -n "$(cd "$_common_repo" && find backend/src backend/pom.xml pom.xml -newer "$jar" -print -quit)" ]]; then
    printf 'backend_jar: building %s (./mvnw -pl backend -DskipTests package)\n' "${jar#"$_common_repo"/}" >&2
    log="$(mktemp)"
    if ! (cd "$_common_repo" && ./mvnw -B -q -ntp -pl backend -DskipTests package) >"$log" 2>&1; then
      tail -n 30 "$log" >&2
      rm -f -- "$log"
      return 1
    fi
    rm -f -- "$log"
  fi
  printf '%s\n' "$jar"
}

compose_containers() {
  docker ps -q --filter "label=com.docker.compose.project=$1" --filter "label=com.docker.compose.service=$2" | tac
}

compose_container() { compose_containers "$1" "$2" | head -n 1; }

env_value() { sed -n "s/^$2=//p" "$1" | tail -n 1; }
