#!/usr/bin/env bash
# Probe pods: kubesim runs `nslookup`, `nc -zv` and the sidecar's
# `curl -s localhost:15000/clusters` for pods created with kubectl run, against a real
# dnsmasq on loopback (the lab's DNS), and serves their output at pods/log with the
# pod ending Succeeded or Failed (or Running, when a regular istio-proxy sidecar stays).
set -euo pipefail

KSIM="${PXC_BUILD_DIR:?run through ctest}/lab/kubesim"
[[ -x $KSIM ]] || { echo "FAIL: kubesim not built at $KSIM"; exit 1; }
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
[[ -x $DNSMASQ ]] || { echo "FAIL: dnsmasq missing (apt-get install -y dnsmasq-base)"; exit 1; }
TMP=$(mktemp -d)
export HOME=$TMP
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$TMP"/*.out; do sed "s|^|  $(basename "$f"): |" "$f"; done; exit 1; }
anyway() { "$@" 2>&1 || true; }
# CMD | expect PATTERN: grep that reads all its input (grep -q would stop early and, under
# pipefail, fail the pipeline with the writer's SIGPIPE)
expect() { grep "$@" >/dev/null; }
wait_for() {
    local n=$(($1 * 10)); shift
    for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    return 1
}

NET=127.0.$((RANDOM % 200 + 40))
KIP=$NET.$((RANDOM % 100 + 1))
DNSIP=$NET.$((RANDOM % 100 + 120))
# dnsmasq on a random port; another one if that port is taken (it exits at once then)
for attempt in 1 2 3; do
    DNSPORT=$((RANDOM % 20000 + 20000))
    "$DNSMASQ" --no-daemon --port="$DNSPORT" --listen-address="$DNSIP" --bind-interfaces \
        --no-resolv --no-hosts --pid-file="$TMP/dnsmasq.pid" \
        --address=/pxc-cluster.cluster-b.global/127.0.20.1 \
        --address=/kubesim.lab.global/"$KIP" >"$TMP/dnsmasq.out" 2>&1 &
    DPID=$!
    ! wait_for 1 bash -c "! kill -0 $DPID" && break
    ((attempt < 3)) || fail "dnsmasq does not start"
done
PIDS+=($DPID)
"$KSIM" --listen "$KIP:0" --insecure-http --dns "$DNSIP:$DNSPORT" \
    --write-kubeconfig "$TMP/kc" --context lab >"$TMP/ksim.out" 2>&1 &
PIDS+=($!)
wait_for 30 grep -q listening "$TMP/ksim.out" || fail "kubesim did not start"
KPORT=$(grep -o "http://$KIP:[0-9]*" "$TMP/ksim.out" | sed 's/.*://')
K=(kubectl --kubeconfig "$TMP/kc" --request-timeout=10s)
phase() { "${K[@]}" get pod "$1" -o jsonpath='{.status.phase}'; }
wait_phase() { wait_for 20 bash -c "[[ \$(${K[*]} get pod $1 -o jsonpath='{.status.phase}') == $2 ]]" ||
    fail "pod $1 phase $(anyway phase "$1"), expected $2"; }

# nslookup through the lab's DNS
"${K[@]}" run dns-ok --image=busybox --restart=Never -- nslookup pxc-cluster.cluster-b.global >/dev/null
wait_phase dns-ok Succeeded
out=$("${K[@]}" logs dns-ok)
grep -q "^Server:.*$DNSIP" <<<"$out" || fail "nslookup server line: $out"
grep -q '^Name:.*pxc-cluster.cluster-b.global' <<<"$out" || fail "nslookup name: $out"
grep -q '^Address: 127.0.20.1$' <<<"$out" || fail "nslookup address: $out"
[[ $("${K[@]}" get pod dns-ok -o jsonpath='{.status.containerStatuses[0].state.terminated.exitCode}') == 0 ]] ||
    fail "exit code of a good lookup"

"${K[@]}" run dns-bad --image=busybox --restart=Never -- nslookup nothere.cluster-c.global >/dev/null
wait_phase dns-bad Failed
"${K[@]}" logs dns-bad | expect "server can't find nothere.cluster-c.global" || fail "failed lookup: $("${K[@]}" logs dns-bad)"

# nc -zv to a name the DNS gives (kubesim's own port), and to a closed port
"${K[@]}" run tcp-ok --image=busybox --restart=Never -- nc -zv -w 2 kubesim.lab.global "$KPORT" >/dev/null
wait_phase tcp-ok Succeeded
"${K[@]}" logs tcp-ok | expect "^Connection to kubesim.lab.global ($KIP) $KPORT port \[tcp/\*\] succeeded!" ||
    fail "nc success line: $("${K[@]}" logs tcp-ok)"
"${K[@]}" run tcp-closed --image=busybox --restart=Never -- nc -zv kubesim.lab.global 1 >/dev/null
wait_phase tcp-closed Failed
"${K[@]}" logs tcp-closed | expect 'port 1 (tcp) failed: Connection refused' || fail "nc refused line"
# an address outside loopback is never contacted: it looks unreachable
"${K[@]}" run tcp-outside --image=busybox --restart=Never -- nc -zv 192.0.2.1 3306 >/dev/null
wait_phase tcp-outside Failed
"${K[@]}" logs tcp-outside | expect 'timed out' || fail "outside address"

# sh -c with && joins two steps
"${K[@]}" run both --image=busybox --restart=Never --command -- sh -c \
    "nslookup pxc-cluster.cluster-b.global && nc -zv kubesim.lab.global $KPORT" >/dev/null
wait_phase both Succeeded
[[ $("${K[@]}" logs both | grep -c -e '^Address: 127.0.20.1' -e 'succeeded!') == 2 ]] || fail "sh -c steps"

# in the mesh: the sidecar's admin port lists a cluster per ServiceEntry host
cat >"$TMP/se.yaml" <<'EOF'
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: pxc-cluster-b, namespace: default}
spec:
  hosts: [pxc-cluster.cluster-b.global]
  location: MESH_INTERNAL
  ports: [{number: 3306, name: tcp-mysql, protocol: TCP}]
  resolution: STATIC
  endpoints: [{address: 127.0.20.1}, {address: 127.0.20.2}]
EOF
"${K[@]}" apply --server-side -f "$TMP/se.yaml" >/dev/null
"${K[@]}" run no-mesh --image=curlimages/curl --restart=Never --command -- sh -c "curl -s localhost:15000/clusters" >/dev/null
wait_phase no-mesh Failed
"${K[@]}" logs no-mesh | expect "Failed to connect to localhost port 15000" || fail "curl without a sidecar"
"${K[@]}" label namespace default istio-injection=enabled >/dev/null
"${K[@]}" run envoy --image=curlimages/curl --restart=Never --command -- sh -c "curl -s localhost:15000/clusters" >/dev/null
wait_for 20 bash -c "[[ \$(${K[*]} get pod envoy -o jsonpath='{.status.containerStatuses[0].state.terminated.exitCode}') == 0 ]]" ||
    fail "curl in the mesh did not finish"
[[ $("${K[@]}" get pod envoy -o jsonpath='{.spec.containers[*].name}') == "envoy istio-proxy" ]] || fail "probe pod not injected"
[[ $(phase envoy) == Running ]] || fail "a regular sidecar keeps the pod Running"
out=$("${K[@]}" logs envoy -c envoy)
grep -q '^outbound|3306||pxc-cluster.cluster-b.global::127.0.20.2:3306::health_flags::healthy$' <<<"$out" ||
    fail "clusters dump: $(head -5 <<<"$out")"

# a probe pod deleted while running leaves no log behind
"${K[@]}" delete pod dns-ok --wait=false >/dev/null
[[ $(anyway "${K[@]}" logs dns-ok) == *NotFound* ]] || fail "log of a deleted pod"

for p in "${PIDS[@]}"; do kill -TERM "$p"; done
wait "${PIDS[1]}" || fail "kubesim exit status on SIGTERM"
PIDS=()
echo "PASS"
