# shellcheck shell=bash
# ┌──────────────────────────────────────────────────────────────────────┐
# │ A three-node Docker Swarm on one machine (source it, do not run it)  │
# └──────────────────────────────────────────────────────────────────────┘
#
# Three real Docker engines (Debian's docker.io, 20.10), each in a network namespace of its own
# with its own address on a bridge made here, its own hostname (UTS namespace), data-root,
# exec-root (its own containerd under it), pidfile, socket and daemon.json; the three are Swarm
# managers, so Raft keeps its quorum when one is lost:
#
#   host ── gaswbr (10.231.23.1/24) ──┬── veth gasw1h ── netns gasw1: eth0 10.231.23.11, engine swarm-n1
#                                     ├── veth gasw2h ── netns gasw2: eth0 10.231.23.12, engine swarm-n2
#                                     └── veth gasw3h ── netns gasw3: eth0 10.231.23.13, engine swarm-n3
#
# The nodes have no default route: they reach each other and the host's bridge address (where
# a registry can listen), nothing else. Swarm's VXLAN data path (udp 4789), gossip (7946) and
# Raft (2377) run between the nodes' own addresses.
#
#   source ci/rig/swarm.sh
#   swarm_rig_up            # bridge, namespaces, engines, swarm (idempotent only after swarm_rig_down)
#   swarm_docker N ARGS...  # the docker CLI against node N's engine
#   swarm_cut_link N / swarm_restore_link N
#   swarm_stop_engine N / swarm_start_engine N
#   swarm_rig_down          # always safe: removes whatever of the above exists
#
# Settings (environment):
#   SWARM_RIG_STATE        folder for the engines' data, sockets and logs (default /var/tmp/genericapp-swarm)
#   SWARM_RIG_REGISTRY     host:port the engines may pull from over plain HTTP (insecure-registries)
#   SWARM_RIG_TIMEOUT      seconds to wait for an engine (default 90)
#
# Why the bridge is let through the host's FORWARD chain: with br_netfilter loaded (the shared
# Docker engine loads it) bridged frames go through the host's iptables, whose FORWARD policy
# Docker sets to DROP; one rule, tagged with a comment and removed by swarm_rig_down, accepts
# frames from this bridge to this bridge.

# shellcheck source=ci/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

SWARM_RIG_STATE="${SWARM_RIG_STATE:-/var/tmp/genericapp-swarm}"
SWARM_RIG_REGISTRY="${SWARM_RIG_REGISTRY:-}"
SWARM_RIG_TIMEOUT="${SWARM_RIG_TIMEOUT:-90}"
SWARM_BRIDGE=gaswbr
SWARM_SUBNET_PREFIX=10.231.23
SWARM_HOST_ADDR="$SWARM_SUBNET_PREFIX.1"
SWARM_NODES=(1 2 3)
_SWARM_FORWARD_RULE=(FORWARD -i "$SWARM_BRIDGE" -o "$SWARM_BRIDGE" -m comment --comment genericapp-swarm-rig -j ACCEPT)

_swarm_say() { printf 'swarm-rig: %s\n' "$*" >&2; }

swarm_node_addr() { printf '%s.%s' "$SWARM_SUBNET_PREFIX" "$((10 + $1))"; }
swarm_node_dir() { printf '%s/n%s' "$SWARM_RIG_STATE" "$1"; }
swarm_docker() {
  local n="$1"
  shift
  docker -H "unix://$(swarm_node_dir "$n")/docker.sock" "$@"
}

_swarm_engine_ready() { swarm_docker "$1" info >/dev/null 2>&1; }

# swarm_start_engine N: starts node N's dockerd in its namespace (own hostname) and waits for it.
swarm_start_engine() {
  local n="$1" dir waited=0
  dir="$(swarm_node_dir "$n")"
  mkdir -p "$dir/data" "$dir/exec"
  # nsenter --net, not `ip netns exec`: that one also gives the process a mount namespace with
  # a fresh /sys, without the cgroup mounts, and dockerd 20.10 then refuses to start ("Devices
  # cgroup isn't mounted"). setsid: the engine outlives the caller's process group; fd 3 closed:
  # bats' output stays free. nsenter, unshare and sh exec each other: $! is dockerd.
  setsid nsenter "--net=/run/netns/gasw$n" unshare --uts -- sh -c "hostname swarm-n$n && exec dockerd \
    --config-file '$dir/daemon.json' --data-root '$dir/data' --exec-root '$dir/exec' \
    --pidfile '$dir/dockerd.pid' --host 'unix://$dir/docker.sock'" \
    >>"$dir/dockerd.log" 2>&1 </dev/null 3>&- &
  local pid=$!
  until _swarm_engine_ready "$n"; do
    if ((waited >= SWARM_RIG_TIMEOUT * 5)) || ! kill -0 "$pid" 2>/dev/null; then
      _swarm_say "engine $n did not answer within ${SWARM_RIG_TIMEOUT}s; its last log lines:"
      tail -n 20 "$dir/dockerd.log" >&2
      return 1
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
}

# swarm_stop_engine N [SIGNAL]: stops node N's dockerd (TERM by default: it stops its containers)
# and waits for it to be gone.
swarm_stop_engine() {
  local n="$1" sig="${2:-TERM}" pid waited=0
  pid="$(cat "$(swarm_node_dir "$n")/dockerd.pid" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((waited < 150)); do sleep 0.2; waited=$((waited + 1)); done
  if kill -0 "$pid" 2>/dev/null; then
    _swarm_say "engine $n ignored $sig for 30 s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

swarm_cut_link() { ip link set "gasw${1}h" down; }
swarm_restore_link() { ip link set "gasw${1}h" up; }

_swarm_network_up() {
  ip link add "$SWARM_BRIDGE" type bridge || return 1
  ip addr add "$SWARM_HOST_ADDR/24" dev "$SWARM_BRIDGE"
  ip link set "$SWARM_BRIDGE" up
  iptables -I "${_SWARM_FORWARD_RULE[@]}"
  local n
  for n in "${SWARM_NODES[@]}"; do
    ip netns add "gasw$n" || return 1
    ip link add "gasw${n}h" type veth peer name eth0 netns "gasw$n" || return 1
    ip link set "gasw${n}h" master "$SWARM_BRIDGE" up
    ip -n "gasw$n" addr add "$(swarm_node_addr "$n")/24" dev eth0
    ip -n "gasw$n" link set eth0 up
    ip -n "gasw$n" link set lo up
  done
}

swarm_rig_up() {
  apt_install docker.io iproute2 util-linux iptables || { _swarm_say "could not install docker.io, iproute2, util-linux, iptables"; return 1; }
  if ip link show "$SWARM_BRIDGE" >/dev/null 2>&1 || [[ -e /run/netns/gasw1 ]]; then
    _swarm_say "a rig is already up (bridge $SWARM_BRIDGE or netns gasw1 exist): swarm_rig_down first"
    return 1
  fi
  mkdir -p "$SWARM_RIG_STATE"
  _swarm_network_up || { _swarm_say "could not create the bridge, namespaces and veths"; return 1; }
  local n registries="[]"
  [[ -z "$SWARM_RIG_REGISTRY" ]] || registries="[\"$SWARM_RIG_REGISTRY\"]"
  for n in "${SWARM_NODES[@]}"; do
    mkdir -p "$(swarm_node_dir "$n")"
    # no-new-privileges here: a stack file cannot ask for it (docs/SCALING.md).
    cat >"$(swarm_node_dir "$n")/daemon.json" <<EOF
{
  "insecure-registries": $registries,
  "no-new-privileges": true,
  "log-level": "warn"
}
EOF
  done
  local pids=() pid failed=0
  for n in "${SWARM_NODES[@]}"; do
    swarm_start_engine "$n" &
    pids+=("$!")
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  ((failed == 0)) || return 1
  swarm_docker 1 swarm init --advertise-addr "$(swarm_node_addr 1)" --listen-addr "$(swarm_node_addr 1):2377" >/dev/null || return 1
  local token
  token="$(swarm_docker 1 swarm join-token -q manager)" || return 1
  for n in 2 3; do
    swarm_docker "$n" swarm join --token "$token" --advertise-addr "$(swarm_node_addr "$n")" \
      --listen-addr "$(swarm_node_addr "$n"):2377" "$(swarm_node_addr 1):2377" >/dev/null || return 1
  done
}

swarm_rig_down() {
  local n pid pids=()
  for n in "${SWARM_NODES[@]}"; do
    swarm_stop_engine "$n" &
    pids+=("$!")
  done
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  for n in "${SWARM_NODES[@]}"; do
    # whatever still runs in a namespace of ours (a shim, a container) is ours
    if [[ -e "/run/netns/gasw$n" ]]; then
      for pid in $(ip netns pids "gasw$n" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
      ip netns del "gasw$n" 2>/dev/null || true
    fi
    ip link del "gasw${n}h" 2>/dev/null || true
  done
  ip link del "$SWARM_BRIDGE" 2>/dev/null || true
  while iptables -D "${_SWARM_FORWARD_RULE[@]}" 2>/dev/null; do :; done
  # the engines' mounts (overlay2 layers, container /dev/shm, netns files) once they are gone
  if [[ -d "$SWARM_RIG_STATE" ]]; then
    awk -v d="$SWARM_RIG_STATE/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r |
      xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf -- "$SWARM_RIG_STATE"
  fi
}
