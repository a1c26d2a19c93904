#!/usr/bin/env bash
# The lab's mesh faults do what they would do in a real mesh, and undo cleanly, on the shared
# check lab: a deleted ServiceEntry takes the name out of the mesh DNS and the channel fails
# with "unknown host" (2005) until the entry is applied again; a pod re-created without its
# sidecar loses the mesh DNS until a rollout restart in the labelled namespace brings the
# sidecar back; a wrong source host fails the same way and fix-channel repairs it. Also: the
# CLI's usage errors (exit 2) and failures (exit 1), and `up` on a healthy lab is a no-op.
set -uo pipefail

: "${PXC_LAB_DIR:?run through ctest}"
: "${PXC_LAB_PREFIX:?run through ctest}"
DIR=$PXC_LAB_DIR
P=$PXC_LAB_PREFIX
KC=(kubectl --kubeconfig "$DIR/kubeconfig" --context cluster-a --request-timeout=10s)
LAB=("$PXCMESH" lab)
fails=0
ok() { printf 'ok   %s\n' "$*"; }
fail() {
    printf 'FAIL %s\n' "$*" >&2
    fails=$((fails + 1))
}
poll() {
    local n=$1
    shift
    local end=$((SECONDS + n))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS >= end)) && return 1
        sleep 0.5
    done
}
# Leave the shared lab as we found it, whatever happens.
cleanup() {
    "${LAB[@]}" fault apply-serviceentry --dir "$DIR" >/dev/null 2>&1
    "${LAB[@]}" fault label-namespace --dir "$DIR" >/dev/null 2>&1
    if [[ $("${KC[@]}" get pod pxc-cluster-pxc-0 -n pxc -o jsonpath='{.spec.containers[*].name}' 2>/dev/null) != *istio-proxy* ]]; then
        "${LAB[@]}" fault restart-pods cluster-a --dir "$DIR" >/dev/null 2>&1
    fi
    "${LAB[@]}" fault fix-channel --dir "$DIR" >/dev/null 2>&1
}
trap cleanup EXIT

chan() { # field of the channel's status, as monitor
    mariadb --defaults-file="$DIR/a-monitor.cnf" -h "$P.10.1" --connect-timeout=5 -E \
        -e "SHOW SLAVE 'cluster_b_source' STATUS" 2>/dev/null |
        awk -v f="$1" '{ l = $0; sub(/^ +/, "", l); i = index(l, ":"); if (substr(l, 1, i - 1) == f) { print substr(l, i + 2); exit } }'
}
chan_running() { [[ $(chan Slave_IO_Running) == Yes && $(chan Slave_SQL_Running) == Yes ]]; }
chan_io_errno() { [[ $(chan Last_IO_Errno) == "$1" ]]; }
resolves() { # NAME through the mesh DNS as the servers see it
    unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && getent ahostsv4 "$1"' \
        "$DIR/dns/resolv.conf" "$1" >/dev/null 2>&1
}
resolver_of_a1() { grep -q "with istio-proxy" "$DIR/a1/resolv.conf" && echo mesh || echo plain; }
is_plain() { [[ $(resolver_of_a1) == plain ]]; }
is_mesh() { [[ $(resolver_of_a1) == mesh ]]; }
expect_rc() { # WANT DESCRIPTION CMD...
    local want=$1 what=$2
    shift 2
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    if [[ $rc == "$want" ]]; then
        ok "$what: exit $rc ($(head -1 <<<"$out" | cut -c1-90))"
    else
        fail "$what: exit $rc, expected $want: $out"
    fi
}

chan_running || poll 30 chan_running || fail "the channel is not running at the start"

# --- CLI: usage errors exit 2, failures 1, each with a message
expect_rc 2 "lab without a command" "$PXCMESH" lab
expect_rc 2 "lab with an unknown command" "$PXCMESH" lab explode
expect_rc 2 "a non-loopback prefix" "$PXCMESH" lab up --prefix 10.1 --dir "$DIR"
expect_rc 2 "an unknown fault" "${LAB[@]}" fault melt-everything --dir "$DIR"
expect_rc 2 "a fault on an unknown cluster" "${LAB[@]}" fault stop-node cluster-z 1 --dir "$DIR"
expect_rc 2 "a fault on node 4" "${LAB[@]}" fault stop-node cluster-a 4 --dir "$DIR"
expect_rc 1 "status of a lab that does not exist" "${LAB[@]}" status --dir "$DIR/none"

# --- up on a healthy lab changes nothing
pids_before=$(cat "$DIR"/run/*.pid | sort | tr '\n' ' ')
out=$("${LAB[@]}" up --dir "$DIR" --prefix "$P" 2>&1) && grep -q 'already up' <<<"$out" &&
    [[ $(cat "$DIR"/run/*.pid | sort | tr '\n' ' ') == "$pids_before" ]] &&
    ok "up on a healthy lab: already up, same processes" || fail "up on a healthy lab: $out"

# --- delete-serviceentry: the name leaves the mesh DNS, the channel fails with 2005
"${LAB[@]}" fault delete-serviceentry --dir "$DIR" >/dev/null 2>&1 || fail "delete-serviceentry failed"
[[ -z $("${KC[@]}" get serviceentry -n pxc -o name 2>/dev/null) ]] && ok "ServiceEntry gone from kubesim" ||
    fail "ServiceEntry still listed"
resolves pxc-cluster.cluster-b.global && fail "pxc-cluster.cluster-b.global still resolves" ||
    ok "pxc-cluster.cluster-b.global no longer resolves"
poll 20 chan_io_errno 2005 && ok "channel IO error 2005 (unknown host)" ||
    fail "channel IO errno '$(chan Last_IO_Errno)': $(chan Last_IO_Error)"

# --- apply-serviceentry: back in the DNS, the channel reconnects by itself (retry 5 s)
"${LAB[@]}" fault apply-serviceentry --dir "$DIR" >/dev/null 2>&1 || fail "apply-serviceentry failed"
resolves pxc-cluster.cluster-b.global && ok "pxc-cluster.cluster-b.global resolves again" ||
    fail "pxc-cluster.cluster-b.global does not resolve after apply"
poll 30 chan_running && ok "channel running again without intervention" ||
    fail "channel not running after apply-serviceentry: $(chan Last_IO_Error)"

# --- remove-sidecar: pod without istio-proxy, its server loses the mesh DNS
"${LAB[@]}" fault remove-sidecar --dir "$DIR" >/dev/null 2>&1 || fail "remove-sidecar failed"
c=$("${KC[@]}" get pod pxc-cluster-pxc-0 -n pxc -o jsonpath='{.spec.containers[*].name}' 2>&1)
[[ $c == pxc ]] && ok "pxc-cluster-pxc-0 containers after remove-sidecar: $c" || fail "containers: '$c'"
poll 10 is_plain && ok "cluster-a/1 resolves without the mesh DNS" || fail "cluster-a/1 resolver: $(resolver_of_a1)"
# the next reconnect fails: reset the IO thread as a connection drop would
mariadb --defaults-file="$DIR/a-operator.cnf" -h "$P.10.1" \
    -e "STOP SLAVE 'cluster_b_source' IO_THREAD; START SLAVE 'cluster_b_source' IO_THREAD" ||
    fail "could not restart the IO thread as operator"
poll 20 chan_io_errno 2005 && ok "without sidecar the channel cannot resolve its source (2005)" ||
    fail "channel IO errno '$(chan Last_IO_Errno)' without sidecar"

# --- restart-pods in the labelled namespace: sidecar back, mesh DNS back, channel back
"${LAB[@]}" fault restart-pods cluster-a --dir "$DIR" >/dev/null 2>&1 || fail "restart-pods failed"
c=$("${KC[@]}" get pod pxc-cluster-pxc-0 -n pxc -o jsonpath='{.spec.containers[*].name}' 2>&1)
[[ $c == "pxc istio-proxy" ]] && ok "after rollout restart: $c" || fail "containers after restart: '$c'"
poll 10 is_mesh && ok "cluster-a/1 resolves through the mesh DNS again" || fail "cluster-a/1 resolver: $(resolver_of_a1)"
poll 30 chan_running && ok "channel running again" || fail "channel not running: $(chan Last_IO_Error)"

# --- unlabel-namespace / label-namespace
"${LAB[@]}" fault unlabel-namespace --dir "$DIR" >/dev/null 2>&1 || fail "unlabel-namespace failed"
l=$("${KC[@]}" get namespace pxc -o jsonpath='{.metadata.labels.istio-injection}' 2>&1)
[[ -z $l ]] && ok "namespace pxc unlabelled" || fail "namespace label after unlabel: '$l'"
"${LAB[@]}" fault label-namespace --dir "$DIR" >/dev/null 2>&1 || fail "label-namespace failed"
l=$("${KC[@]}" get namespace pxc -o jsonpath='{.metadata.labels.istio-injection}' 2>&1)
[[ $l == enabled ]] && ok "namespace pxc labelled again" || fail "namespace label: '$l'"

# --- wrong-host then fix-channel (CR follows the channel both ways)
"${LAB[@]}" fault wrong-host --dir "$DIR" >/dev/null 2>&1 || fail "wrong-host failed"
[[ $(chan Master_Host) == pxc-cluster.cluster-x.global ]] && ok "channel points at pxc-cluster.cluster-x.global" ||
    fail "channel host '$(chan Master_Host)'"
poll 20 chan_io_errno 2005 && ok "wrong host: IO error 2005" || fail "wrong host: IO errno '$(chan Last_IO_Errno)'"
h=$("${KC[@]}" get perconaxtradbcluster pxc-cluster -n pxc -o jsonpath='{.spec.pxc.replicationChannels[0].sourcesList[0].host}' 2>&1)
[[ $h == pxc-cluster.cluster-x.global ]] && ok "CR sourcesList follows: $h" || fail "CR sourcesList host '$h'"
"${LAB[@]}" fault fix-channel --dir "$DIR" >/dev/null 2>&1 || fail "fix-channel failed"
[[ $(chan Master_Host) == pxc-cluster.cluster-b.global ]] && chan_running &&
    ok "fix-channel: back on pxc-cluster.cluster-b.global, running" || fail "after fix-channel: host '$(chan Master_Host)'"

((fails == 0)) || {
    echo "$fails check(s) failed" >&2
    exit 1
}
echo "all checks passed"
