#!/usr/bin/env bash
# test_console_logs: the console's logs pane against kubesim (HTTPS, a client certificate
# for the admin, a token user refused pods/log). From the Injection view, l on a PXC pod
# shows its pxc container's log (the default), terminal escapes in it removed rather than
# sent to the terminal; a line appended to the log arrives while following; c shows the
# istio-proxy container; / filters the lines; Esc returns to the Injection view; l on a
# finding naming the pod opens it too; deleting the pod ends the stream and the pane says
# so, and r says the pod is gone. The token user gets the RBAC verb in words. Under ASan
# the console exits clean.
source "$(dirname "$0")/kube_common.sh"

mkdir -p "$KT_DIR/seed"
cat >"$KT_DIR/seed/objects.yaml" <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: pxc
  labels: {istio-injection: enabled}
---
apiVersion: v1
kind: Pod
metadata:
  name: pxc-cluster-pxc-0
  namespace: pxc
  labels: {app.kubernetes.io/component: pxc, app.kubernetes.io/instance: pxc-cluster}
  annotations:
    ksim.pxcmesh.dev/log-pxc: "2026-01-01 10:00:00 0 [Note] mariadbd: ready for connections\n2026-01-01 10:00:01 0 [Note] before\e[31m-after\e[0m\n\e]0;owned-title\a2026-01-01 10:00:02 0 [Note] WSREP: Synchronized with group\n"
    ksim.pxcmesh.dev/log-istio-proxy: "2026-01-01T10:00:00.000000Z\tinfo\tEnvoy proxy is ready\n2026-01-01T10:00:03.000000Z\twarning\tenvoy upstream: connect to pxc-cluster.cluster-b.global refused\n"
spec:
  containers:
  - name: pxc
    image: percona/percona-xtradb-cluster:8.0.36
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.22.3
status:
  phase: Running
  podIP: $KT_NET.250
YAML
echo "logtok-$$,logless,deny=pods/log" >"$KT_DIR/tokens"
ksim_start T 1 "$KT_DIR/seed" --tokens-file "$KT_DIR/tokens"
KC=$KT_DIR/kubeconfig
K=(kubectl --kubeconfig "$KC" --request-timeout=10s -n pxc)
# The same server for the token user (all but pods/log).
cp "$KC" "$KT_DIR/kc-logless"
kubectl --kubeconfig "$KT_DIR/kc-logless" config set-credentials logless --token "logtok-$$" >/dev/null
kubectl --kubeconfig "$KT_DIR/kc-logless" config set-context T --user logless >/dev/null

# The terminal harness from here on (its wait_for takes screen text, not a command).
kt_wait_for() { local s=$1; shift; local n=$((s * 10)); for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
source "$(dirname "$0")/../tui/lib.sh"
trap 'tui_cleanup; kt_cleanup' EXIT
TUI_ENV="export HOME=$KT_DIR XDG_CONFIG_HOME=$KT_DIR/xdg"

# open_logs: the Injection view, the pod's row by a filter, then l.
open_logs() {
    keys 6
    wait_view Injection
    wait_for "pxc-cluster-pxc-0" 20
    keys /
    typed "pxc-cluster-pxc-0"
    keys Enter
    keys l
    wait_view Logs
    wait_for "Log of pxc/pxc-cluster-pxc-0 in T"
}

tui_start 140 30 --kubeconfig "$KC" --context T
open_logs
wait_for "ready for connections"
wait_for "containers: [pxc] istio-proxy"
wait_for "following new lines"
# Escapes are removed, not drawn (no replacement character) and not obeyed (no title).
wait_for "[Note] before-after"
wait_for "WSREP: Synchronized with group"
hasnt "31m"
title=$("${TUI_T[@]}" display -p -t tui '#{pane_title}')
[[ $title != *owned-title* ]] || fail "an OSC title in a log line reached the terminal: $title"
pass "l on a PXC pod: its pxc log, escapes neutralised"

# Following: a line written now arrives without a key.
old=$("${K[@]}" get pod pxc-cluster-pxc-0 -o jsonpath='{.metadata.annotations.ksim\.pxcmesh\.dev/log-pxc}')
"${K[@]}" annotate pod pxc-cluster-pxc-0 --overwrite \
    "ksim.pxcmesh.dev/log-pxc=${old}2026-01-01 10:00:09 0 [Note] followed-line-$$"$'\n' >/dev/null
wait_for "followed-line-$$" 15
pass "a new line arrives while following"

# Scrolling up pauses, f follows again.
keys k
wait_for "paused: new lines wait below"
keys f
wait_for "following new lines"
pass "k pauses, f follows"

# The istio-proxy container.
keys c
wait_for "containers: pxc [istio-proxy]"
wait_for "2026-01-01T10:00:00.000000Z     info    Envoy proxy is ready" # tabs expanded
wait_for "connect to pxc-cluster.cluster-b.global refused"
hasnt "ready for connections"
pass "c shows the istio-proxy container"

# Filter.
keys /
typed "refused"
keys Enter
wait_gone "Envoy proxy is ready"
has "connect to pxc-cluster.cluster-b.global refused"
keys Escape # clears the filter first
wait_for "2026-01-01T10:00:00.000000Z     info    Envoy proxy is ready" # tabs expanded
pass "/ filters the lines, Esc clears the filter"

keys Escape
wait_view Injection
pass "Esc returns to the view the log was opened from"

# From a finding that names the pod (its MySQL server does not answer): the same log.
keys 4
wait_view Findings
wait_for "pod/pxc/pxc-cluster-pxc-0" 30
keys /
typed "pod/pxc/pxc-cluster-pxc-0"
keys Enter
keys l
wait_view Logs
wait_for "containers: [pxc] istio-proxy"
wait_for "followed-line-$$"
pass "l on a finding naming the pod"

# The pod deleted: the server ends the stream; r reads the pod again and finds it gone.
"${K[@]}" delete pod pxc-cluster-pxc-0 --wait=false >/dev/null
wait_for "the server ended the stream" 15
wait_for "r reconnects"
wait_for "-- stream ended by the server at"
keys r
wait_for "pod pxc/pxc-cluster-pxc-0 is gone" 15
pass "a stream ended by the server is said so; r finds the pod gone"

keys Escape
wait_view Findings
keys q
wait_exit 0 20
tui_stop

# A user who may not read pods/log: the RBAC rule in words.
"${K[@]}" apply -f "$KT_DIR/seed/objects.yaml" >/dev/null 2>&1 ||
    "${K[@]}" create -f "$KT_DIR/seed/objects.yaml" >/dev/null 2>&1 || true
kt_wait_for 10 "${K[@]}" get pod pxc-cluster-pxc-0 || fail "pod not re-created"
tui_start 160 30 --kubeconfig "$KT_DIR/kc-logless" --context T
open_logs
wait_for "the RBAC verb 'get' on 'pods/log' is needed" 15
wait_for "r tries again"
pass "a user without pods/log sees the RBAC verb"
keys q
wait_exit 0 20
