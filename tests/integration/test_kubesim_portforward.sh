#!/usr/bin/env bash
# kubectl port-forward against kubesim with the real kubectl 1.32 and a real mariadb client
# reaching a real mariadbd through it: over the WebSocket tunnel (SPDY/3.1 in binary
# messages, kubectl's default since 1.31) and over raw SPDY (KUBECTL_PORT_FORWARD_WEBSOCKETS
# =false, kubectl's fallback); the pod's own IP answers nothing, as on a real cluster seen
# from a laptop. The v4.channel.k8s.io protocol of non-SPDY clients with a client that is
# not kubectl (the port on both channels first, then the server's greeting). Refusals: a
# user without create on pods/portforward, a missing pod, a pod that is not running. Last,
# the server killed mid-stream: the session loses its connection, a new one gets the dial
# error and kubectl ends with "lost connection to pod".
set -euo pipefail
# shellcheck source=kubesim_stream_common.sh
source "$(dirname "$0")/kubesim_stream_common.sh"
P=pxc-cluster-pxc-0

# start kubectl port-forward (env in $1), wait for its local port; sets PF_PID, PF_PORT and
# PF_OUT. Each start writes a file of its own: a reused one is truncated by the background
# child only when it runs, so the wait could read the last run's port (seen in CI).
PF_N=0
pf_start() {
    PF_OUT=$TMP/pf-$((++PF_N))-$1.out
    env "$@" kubectl --request-timeout=20s -n pxc port-forward "pod/$P" :3306 >"$PF_OUT" 2>&1 &
    PF_PID=$!
    PIDS+=($PF_PID)
    wait_for 20 grep -q 'Forwarding from 127.0.0.1:[0-9]* ' "$PF_OUT" ||
        fail "port-forward did not start: $(cat "$PF_OUT")"
    PF_PORT=$(sed -n 's/^Forwarding from 127.0.0.1:\([0-9]*\) .*/\1/p' "$PF_OUT" | head -1)
    [[ -n $PF_PORT ]] || fail "no local port in kubectl's output: $(cat "$PF_OUT")"
}
# a query through the forwarded port; a failure is also logged to dbq.out, which fail shows
dbq() {
    local out rc=0
    out=$(mariadb --no-defaults -h 127.0.0.1 -P "$1" -uroot "-p$DBPW" --connect-timeout=10 \
        -N -e "$2" 2>&1) || rc=$?
    ((rc == 0)) || echo "port $1 ($2): $out" >>"$TMP/dbq.out"
    printf '%s\n' "$out" >&"$((rc == 0 ? 1 : 2))"
    return $rc
}
# the server (by its socket) sees a query running whose text has $1
db_runs() {
    mariadb --no-defaults --socket="$TMP/db/mysqld.sock" -uroot -N \
        -e "select count(*) from information_schema.processlist where info like '%$1%' and id <> connection_id()" |
        grep -qx '[1-9][0-9]*'
}

set +e
mariadb --no-defaults -h "$PODIP" -uroot "-p$DBPW" --connect-timeout=2 -e 'select 1' >/dev/null 2>&1
rc=$?
set -e
((rc != 0)) || fail "the pod IP $PODIP answered: only the API server path may reach MySQL"
pass "the pod's own IP answers nothing"

pf_start KUBECTL_PORT_FORWARD_WEBSOCKETS=true
[[ $(dbq "$PF_PORT" 'select @@port') == 3306 ]] || fail "query through the WebSocket tunnel"
[[ $(dbq "$PF_PORT" 'select 6*7') == 42 ]] || fail "a second connection through the tunnel"
big=$(dbq "$PF_PORT" 'select length(repeat("x", 4000000))') || fail "a 4 MB answer"
[[ $big == 4000000 ]] || fail "4 MB answer: $big"
kill "$PF_PID"
pass "kubectl port-forward (SPDY/3.1 in WebSocket) carries a real mariadb client's sessions"

pf_start KUBECTL_PORT_FORWARD_WEBSOCKETS=false
[[ $(dbq "$PF_PORT" 'select 1') == 1 ]] || fail "query through raw SPDY"
kill "$PF_PID"
pass "kubectl port-forward over raw SPDY/3.1 (the fallback)"

# v4.channel.k8s.io: port 3306 little-endian (ea 0c) on channels 0 and 1, then the greeting
out=$("${WS[@]}" "$URL/api/v1/namespaces/pxc/pods/$P/portforward?ports=3306" v4.channel.k8s.io \
    --token "$ADMIN_TOKEN" --ca "$CA" --timeout 3 || true)
first=$(grep '^msg' <<<"$out" | head -2)
[[ $first == $'msg 2 0 ea0c\nmsg 2 1 ea0c' ]] || fail "v4 port prefixes: $out"
greet=$(grep '^msg 2 0 ' <<<"$out" | sed -n 2p | awk '{print $4}' | xxd -r -p | tr -c '[:print:]' ' ')
grep -q 'MariaDB' <<<"$greet" || fail "no server greeting on the data channel: $out"
pass "v4.channel.k8s.io: port prefixes on both channels, then the server's greeting"

out=$("${WS[@]}" "$URL/api/v1/namespaces/pxc/pods/$P/portforward?ports=3399" v4.channel.k8s.io \
    --token "$ADMIN_TOKEN" --ca "$CA")
err=$(grep '^msg 2 1 ' <<<"$out" | sed -n 2p | awk '{print $4}' | xxd -r -p)
grep -q "error forwarding port 3399 to pod [0-9a-f]*, uid : .*dial tcp4 127.0.0.1:3399: connect: connection refused" <<<"$err" ||
    fail "dial error on the error channel: $out"
grep -q '^close 1000$' <<<"$out" || fail "v4 close after the port refused: $out"
pass "a refusing port: containerd's dial error on the error channel, then close"

out=$(as_user "$OP_TOKEN" port-forward "pod/$P" :3306 2>&1) && fail "the operator could port-forward"
grep -q "pods \"$P\" is forbidden: User \"operator\" cannot create resource \"pods/portforward\" in API group \"\" in the namespace \"pxc\"" <<<"$out" ||
    fail "operator: $out"
out=$("${WS[@]}" "$URL/api/v1/namespaces/pxc/pods/$P/portforward?ports=3306" v4.channel.k8s.io --token "$VIEW_TOKEN" --ca "$CA")
grep -q '^HTTP/1.1 403' <<<"$out" && grep -q '"reason":"Forbidden"' <<<"$out" || fail "viewer: $out"
out=$("${WS[@]}" "$URL/api/v1/namespaces/pxc/pods/nothere/portforward?ports=3306" v4.channel.k8s.io --token "$ADMIN_TOKEN" --ca "$CA")
grep -q '^HTTP/1.1 404' <<<"$out" && grep -q 'pods \\"nothere\\" not found' <<<"$out" || fail "missing pod: $out"
out=$("${WS[@]}" "$URL/api/v1/namespaces/pxc/pods/pending-0/portforward?ports=3306" v4.channel.k8s.io --token "$ADMIN_TOKEN" --ca "$CA")
grep -q '^HTTP/1.1 400' <<<"$out" && grep -q 'pod pending-0 is not running (phase Pending)' <<<"$out" || fail "pending pod: $out"
pass "403 without create on pods/portforward (deny= and read-only), 404, 400 not running"

# the server killed mid-stream
pf_start KUBECTL_PORT_FORWARD_WEBSOCKETS=true
set +e
dbq "$PF_PORT" 'select sleep(60)' >"$TMP/long.out" 2>&1 &
LONG=$!
# kill the server only once the session runs on it: that is the case under test
wait_for 40 db_runs 'sleep(60)' || fail "the long session never reached the server: $(cat "$TMP/long.out")"
kill -KILL "$DB_PID"
wait "$DB_PID" 2>/dev/null
wait "$LONG"
rc=$?
set -e
((rc != 0)) || fail "a query whose server died succeeded"
grep -q 'Lost connection' "$TMP/long.out" || fail "the client saw: $(cat "$TMP/long.out")"
set +e
dbq "$PF_PORT" 'select 1' >/dev/null 2>&1
set -e
wait_for 10 bash -c "! kill -0 $PF_PID" || fail "kubectl port-forward still runs after the dial error"
grep -q 'dial tcp4 127.0.0.1:3306: connect: connection refused' "$PF_OUT" ||
    fail "kubectl did not get the dial error: $(cat "$PF_OUT")"
grep -q 'lost connection to pod' "$PF_OUT" || fail "kubectl's end"
kill -0 "$KSIM_PID" || fail "kubesim died"
pass "server killed mid-stream: the session is lost, the next one gets the dial error"

db_start
pf_start KUBECTL_PORT_FORWARD_WEBSOCKETS=true
[[ $(dbq "$PF_PORT" 'select 1') == 1 ]] ||
    fail "a new port-forward after the server came back: $(ss -ltnp 2>&1 | grep -e ":$PF_PORT " -e kubectl)"
kill "$PF_PID"
pass "after the server is back a new port-forward works"

kill -TERM "$KSIM_PID"
wait "$KSIM_PID" || fail "kubesim exit status on SIGTERM (a leak under ASan fails here)"
PIDS=("${PIDS[@]/$KSIM_PID/}")
echo "PASS"
