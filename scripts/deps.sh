#!/usr/bin/env bash
# Install exactly the packages pxcmesh needs that are missing. Idempotent.
# On Debian/Ubuntu it uses apt-get (as root, or through sudo); elsewhere it
# prints what to install and exits 1 if something is missing.
set -euo pipefail

PKGS=(
  # build tools
  build-essential cmake pkg-config clang
  # libraries (-dev)
  libncurses-dev libuv1-dev libcurl4-openssl-dev libjansson-dev libmariadb-dev
  libyaml-dev libcmocka-dev libmicrohttpd-dev libgnutls28-dev libc-ares-dev
  # kubesim's exec/port-forward: WebSocket framing, and zlib for SPDY header blocks
  libwslay-dev zlib1g-dev
  # servers and tools used by the lab, the probes and the tests
  mariadb-server mariadb-client galera-4 mariadb-backup dnsmasq-base tmux
  openssl valgrind iproute2 procps socat jq curl
  # what `kubectl exec` runs in the lab's pods: the seed's nslookup and nc -zv
  bind9-dnsutils netcat-openbsd
  # bench.sh measures peak RSS with GNU time; test_fault_term counts display cells in python3;
  # test_yamlout reads pxcmesh's YAML back with PyYAML, a reader independent of libyaml
  time python3 python3-yaml
  # the serve tests check /metrics with Prometheus' own text-format parser
  python3-prometheus-client
  # the manual page's test renders build/pxcmesh.1 with man -l
  man-db
)
# kubectl is the tests' independent client; Debian's kubernetes-client provides it
# unless some other package already installed one (it would conflict on /usr/bin/kubectl).
command -v kubectl >/dev/null 2>&1 || PKGS+=(kubernetes-client)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${PKGS[@]}"; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$st" == "install ok installed" ]] || missing+=("$p")
  done
else
  echo "deps.sh: not a Debian system; install these (or your distribution's equivalents):" >&2
  printf '  %s\n' "${PKGS[@]}" >&2
  exit 1
fi

if ((${#missing[@]} == 0)); then
  echo "deps.sh: all ${#PKGS[@]} packages present"
  exit 0
fi

echo "deps.sh: installing ${#missing[@]} missing package(s): ${missing[*]}"
SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "deps.sh: not root and no sudo; run as root: apt-get install -y ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
# The servers are started by the lab on loopback only; keep Debian's own
# mariadb service from starting (and from binding 3306) at install time.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${SUDO[@]}" chmod +x /usr/sbin/policy-rc.d
  trap '"${SUDO[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
fi
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "deps.sh: done"
