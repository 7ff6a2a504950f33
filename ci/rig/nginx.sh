# shellcheck shell=bash
# ┌──────────────────────────────────────────────────────────────────────┐
# │ nginx 1.27.3+ laid out like the nginx-unprivileged image (source)    │
# └──────────────────────────────────────────────────────────────────────┘
#
# The browser, fault and bench rigs run the real frontend/nginx template,
# rendered by the same envsubst step as the image's entrypoint (only
# variables that are defined in the environment are replaced, so nginx's
# own $variables survive), into a throwaway prefix with the image's layout,
# on Debian testing's nginx (ci/rig/binaries.sh: the `resolve` upstream
# parameter production relies on), with a dnsmasq of the rig's own as the
# template's DNS_RESOLVER, so one name can stand for several API replicas
# the way compose's `api` does with --scale:
#
#   <prefix>/nginx.conf          the image's nginx.conf shape (pid and temp under <prefix>/tmp)
#   <prefix>/mime.types          nginx's
#   <prefix>/snippets/*.conf     frontend/nginx/snippets (the image: /etc/nginx/snippets)
#   <prefix>/conf.d/default.conf rendered from frontend/nginx/templates/default.conf.template
#   <prefix>/conf.d/status.conf  rendered from templates/status.conf.template, only when
#                                STATUS_LISTEN_PORT is set (stub_status; ci/tests/monitoring.bats)
#
#   source ci/rig/nginx.sh
#   e2e_dns_start DIR PORT NAME ADDRESS...   # dnsmasq on 127.0.0.1:PORT answering NAME; sets E2E_DNS_PID
#   e2e_nginx_render PREFIX FRONTEND_DIR     # needs the template's variables exported (TLS_LISTEN_PORT
#                                            # too); without TLS_CERTIFICATE, makes a development CA and
#                                            # certificate in PREFIX/tls and exports TLS_CERTIFICATE,
#                                            # TLS_CERTIFICATE_KEY and E2E_TLS_CA (the CA to trust)
#   e2e_nginx_start PREFIX                   # sets E2E_NGINX_PID
#   e2e_nginx_up PREFIX FRONTEND_DIR URL     # render + start, then wait (15 s) until URL/healthz answers
#   e2e_nginx_stop PREFIX
#   e2e_dns_stop
#
# Settings (environment):
#   E2E_NGINX_WORKER_CONNECTIONS  16384, as frontend/Dockerfile sets it in the image

# shellcheck source=ci/rig/binaries.sh
source "$(dirname "${BASH_SOURCE[0]}")/binaries.sh"

# A DNS server for nginx alone: NAME resolves to every ADDRESS (nginx balances over them all, as
# over a scaled service's containers), anything else to nothing; it asks no one upstream.
e2e_dns_start() {
  local dir="$1" port="$2" name="$3" address
  shift 3
  mkdir -p "$dir"
  : >"$dir/hosts"
  for address in "$@"; do printf '%s %s\n' "$address" "$name" >>"$dir/hosts"; done
  dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-poll --addn-hosts="$dir/hosts" \
    --listen-address=127.0.0.1 --bind-interfaces --port="$port" --user=root --pid-file= \
    --log-facility="$dir/dnsmasq.log" &
  E2E_DNS_PID=$!
  local i
  for ((i = 0; i < 50; i++)); do
    grep -q "read $dir/hosts" "$dir/dnsmasq.log" 2>/dev/null && return 0
    kill -0 "$E2E_DNS_PID" 2>/dev/null || break
    sleep 0.1
  done
  printf 'e2e-nginx: dnsmasq did not start on 127.0.0.1:%s:\n' "$port" >&2
  tail -n 5 "$dir/dnsmasq.log" >&2 2>/dev/null
  return 1
}

e2e_dns_stop() {
  if [[ -n "${E2E_DNS_PID:-}" ]]; then
    kill -TERM "$E2E_DNS_PID" 2>/dev/null || true
    wait "$E2E_DNS_PID" 2>/dev/null || true
  fi
  E2E_DNS_PID=
}

e2e_nginx_render() {
  local prefix="$1" frontend="$2" names defined_envs
  rig_nginx_install || return 1
  mkdir -p "$prefix/conf.d" "$prefix/snippets" "$prefix/tmp"
  cp "$RIG_NGINX_MIME_TYPES" "$prefix/mime.types"
  cp "$frontend"/nginx/snippets/*.conf "$prefix/snippets/"
  cat >"$prefix/nginx.conf" <<CONF
# The web image's nginx.conf (frontend/Dockerfile), with its /tmp paths moved under this prefix.
worker_processes 2;
worker_rlimit_nofile 65536;
error_log $prefix/error.log notice;
pid $prefix/tmp/nginx.pid;

events {
    worker_connections ${E2E_NGINX_WORKER_CONNECTIONS:-16384};
}

http {
    client_body_temp_path $prefix/tmp/client_temp;
    proxy_temp_path       $prefix/tmp/proxy_temp_path;
    fastcgi_temp_path     $prefix/tmp/fastcgi_temp;
    uwsgi_temp_path       $prefix/tmp/uwsgi_temp;
    scgi_temp_path        $prefix/tmp/scgi_temp;

    include $prefix/mime.types;
    default_type application/octet-stream;

    sendfile on;
    keepalive_timeout 65;

    include $prefix/conf.d/*.conf;
}
CONF
  # The image's TLS defaults (frontend/Dockerfile), and a certificate as postgres/secrets/generate
  # makes one for compose, from a CA of this rig's own.
  [[ -n "${TLS_LISTEN_PORT:-}" ]] || { printf 'e2e-nginx: TLS_LISTEN_PORT is not set\n' >&2; return 1; }
  export HTTPS_REDIRECT_PORT="${HTTPS_REDIRECT_PORT:-${TLS_LISTEN_PORT##*:}}" HSTS_MAX_AGE="${HSTS_MAX_AGE:-63072000}"
  export TRACING_SAMPLING_PERCENT="${TRACING_SAMPLING_PERCENT:-10}"
  if [[ -z "${TLS_CERTIFICATE:-}" ]]; then
    "$(dirname "${BASH_SOURCE[0]}")/../../postgres/secrets/generate-dev-certificate" --out "$prefix/tls" --http-port "${LISTEN_PORT##*:}" --quiet >/dev/null ||
      { printf 'e2e-nginx: the development certificate was not made\n' >&2; return 1; }
    export TLS_CERTIFICATE="$prefix/tls/tls_certificate.pem" TLS_CERTIFICATE_KEY="$prefix/tls/tls_certificate_key.pem" \
      TLS_CRL="$prefix/tls/dev-ca.crl" E2E_TLS_CA="$prefix/tls/dev-ca.pem"
  fi
  # The image's 20-envsubst-on-templates.sh: substitute every variable that is defined, and only those.
  mapfile -t names < <(compgen -e)
  # shellcheck disable=SC2016 # a literal ${NAME} list is envsubst's SHELL-FORMAT argument
  defined_envs="$(printf '${%s} ' "${names[@]}")"
  envsubst "$defined_envs" <"$frontend/nginx/templates/default.conf.template" >"$prefix/conf.d/default.conf"
  if [[ -n "${STATUS_LISTEN_PORT:-}" ]]; then
    envsubst "$defined_envs" <"$frontend/nginx/templates/status.conf.template" >"$prefix/conf.d/status.conf"
  fi
  # The configuration must be valid before anything starts.
  "${RIG_NGINX[@]}" -t -q -p "$prefix" -c "$prefix/nginx.conf"
}

e2e_nginx_start() {
  local prefix="$1"
  rig_nginx_install || return 1
  # -g 'daemon off;' keeps the master in the foreground so that its pid is ours to stop. The
  # loader execs nginx in the same process, so a signal to this pid reaches nginx.
  "${RIG_NGINX[@]}" -p "$prefix" -c "$prefix/nginx.conf" -g 'daemon off;' >>"$prefix/access.log" 2>>"$prefix/error.log" &
  E2E_NGINX_PID=$!
}

e2e_nginx_up() {
  local prefix="$1" frontend="$2" url="$3" deadline
  e2e_nginx_render "$prefix" "$frontend" || { printf 'e2e-nginx: the rendered configuration is invalid\n' >&2; return 1; }
  e2e_nginx_start "$prefix"
  deadline=$((SECONDS + 15))
  until curl -fsS -o /dev/null "$url/healthz" 2>/dev/null; do
    if ((SECONDS >= deadline)) || ! kill -0 "$E2E_NGINX_PID" 2>/dev/null; then
      printf 'e2e-nginx: nginx did not answer %s/healthz within 15 s:\n' "$url" >&2
      tail -n 5 "$prefix/error.log" >&2
      return 1
    fi
    sleep 0.2
  done
}

e2e_nginx_stop() {
  local prefix="$1"
  if [[ -n "${E2E_NGINX_PID:-}" ]] && kill -0 "$E2E_NGINX_PID" 2>/dev/null; then
    kill -QUIT "$E2E_NGINX_PID" 2>/dev/null || true
    local i
    for ((i = 0; i < 50; i++)); do
      kill -0 "$E2E_NGINX_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$E2E_NGINX_PID" 2>/dev/null || true
  fi
  E2E_NGINX_PID=
  : "$prefix"
}
