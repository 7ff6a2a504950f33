# shellcheck shell=bash
# ┌──────────────────────────────────────────────────────────────────────┐
# │ Debian's nginx laid out like the nginx-unprivileged image (source)  │
# └──────────────────────────────────────────────────────────────────────┘
#
# The browser tests run the real frontend/nginx template, rendered by the
# same envsubst step as the image's entrypoint (only variables that are
# defined in the environment are replaced, so nginx's own $variables
# survive), into a throwaway prefix with the image's layout:
#
#   <prefix>/nginx.conf          the image's nginx.conf shape (pid and temp under <prefix>/tmp)
#   <prefix>/mime.types          Debian's
#   <prefix>/snippets/*.conf     frontend/nginx/snippets (the image: /etc/nginx/snippets)
#   <prefix>/conf.d/default.conf rendered from frontend/nginx/templates/default.conf.template
#
#   source ci/lib/e2e-nginx.sh
#   e2e_nginx_render PREFIX FRONTEND_DIR     # needs the template's variables exported
#   e2e_nginx_start PREFIX                   # sets E2E_NGINX_PID
#   e2e_nginx_stop PREFIX
#
# Settings (environment):
#   E2E_NGINX_WORKER_CONNECTIONS  4096, as frontend/Dockerfile sets it in the image
#   E2E_NGINX_HOSTS               a hosts file nginx alone sees as /etc/hosts (default: none). It runs
#                                 in a private mount namespace then (unshare --mount, needs root), so
#                                 one name can stand for several API replicas the way compose's `api`
#                                 does with --scale, without touching the machine's /etc/hosts.

# Prints "resolve" when this nginx has the upstream `resolve` parameter (open source since 1.27.3).
e2e_nginx_resolve_word() {
  local version major minor patch
  version="$(nginx -v 2>&1 | sed -n 's|.*nginx/\([0-9.]*\).*|\1|p')"
  IFS=. read -r major minor patch <<<"$version"
  if ((major > 1 || (major == 1 && (minor > 27 || (minor == 27 && patch >= 3))))); then
    echo resolve
  fi
}

# Runs nginx, in its own mount namespace with E2E_NGINX_HOSTS as /etc/hosts when that is set.
# unshare execs (no fork), so the process id of this command is nginx's.
_e2e_nginx() {
  if [[ -n "${E2E_NGINX_HOSTS:-}" ]]; then
    # shellcheck disable=SC2016 # $0 and $@ belong to the inner shell
    unshare --mount sh -c 'mount --bind "$0" /etc/hosts && exec nginx "$@"' "$E2E_NGINX_HOSTS" "$@"
  else
    nginx "$@"
  fi
}

e2e_nginx_render() {
  local prefix="$1" frontend="$2" names defined_envs
  mkdir -p "$prefix/conf.d" "$prefix/snippets" "$prefix/tmp"
  cp /etc/nginx/mime.types "$prefix/mime.types"
  cp "$frontend"/nginx/snippets/*.conf "$prefix/snippets/"
  cat >"$prefix/nginx.conf" <<CONF
# The nginx-unprivileged image's nginx.conf, with its /tmp paths moved under this prefix.
worker_processes 2;
error_log $prefix/error.log notice;
pid $prefix/tmp/nginx.pid;

events {
    worker_connections ${E2E_NGINX_WORKER_CONNECTIONS:-4096};
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
  # The image's 20-envsubst-on-templates.sh: substitute every variable that is defined, and only those.
  mapfile -t names < <(compgen -e)
  # shellcheck disable=SC2016 # a literal ${NAME} list is envsubst's SHELL-FORMAT argument
  defined_envs="$(printf '${%s} ' "${names[@]}")"
  envsubst "$defined_envs" <"$frontend/nginx/templates/default.conf.template" >"$prefix/conf.d/default.conf"
  # The configuration must be valid before anything starts.
  _e2e_nginx -t -q -p "$prefix" -c "$prefix/nginx.conf"
}

e2e_nginx_start() {
  local prefix="$1"
  # -g 'daemon off;' keeps the master in the foreground so that its pid is ours to stop.
  # Started directly, not through _e2e_nginx: a function run with & is a subshell, and its pid
  # would not be nginx's (a signal to it would miss nginx, seen with SIGHUP).
  if [[ -n "${E2E_NGINX_HOSTS:-}" ]]; then
    # shellcheck disable=SC2016 # $0 and $@ belong to the inner shell
    unshare --mount sh -c 'mount --bind "$0" /etc/hosts && exec nginx "$@"' "$E2E_NGINX_HOSTS" \
      -p "$prefix" -c "$prefix/nginx.conf" -g 'daemon off;' >>"$prefix/access.log" 2>>"$prefix/error.log" &
  else
    nginx -p "$prefix" -c "$prefix/nginx.conf" -g 'daemon off;' >>"$prefix/access.log" 2>>"$prefix/error.log" &
  fi
  E2E_NGINX_PID=$!
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
