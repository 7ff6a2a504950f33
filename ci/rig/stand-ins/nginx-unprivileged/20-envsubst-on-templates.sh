#!/usr/bin/env bash
# Renders $NGINX_ENVSUBST_TEMPLATE_DIR/**/*$NGINX_ENVSUBST_TEMPLATE_SUFFIX into
# $NGINX_ENVSUBST_OUTPUT_DIR with envsubst, replacing only the variables that are set, so
# that nginx's own $variables survive — the behaviour of the official image's script.
set -euo pipefail

template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"

[[ -d "$template_dir" ]] || exit 0
if [[ ! -w "$output_dir" ]]; then
  echo "$0: ERROR: $template_dir exists, but $output_dir is not writable" >&2
  exit 0
fi

mapfile -t names < <(compgen -e)
# shellcheck disable=SC2016 # a literal ${NAME} list is envsubst's SHELL-FORMAT argument
defined_envs="$(printf '${%s} ' "${names[@]}")"
while IFS= read -r -d '' template; do
  relative="${template#"$template_dir"/}"
  output="$output_dir/${relative%"$suffix"}"
  mkdir -p "$(dirname "$output")"
  echo "$0: running envsubst on $template to $output"
  envsubst "$defined_envs" <"$template" >"$output"
done < <(find "$template_dir" -follow -type f -name "*$suffix" -print0 | sort -z)
