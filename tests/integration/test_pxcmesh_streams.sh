#!/usr/bin/env bash
# pxcmesh's own streams against kubesim (TLS, a client certificate, tokens, a pod map that
# sends pod pxc-cluster-pxc-0 to a real mariadbd while its IP answers nothing):
#   exec      exit codes, stdout/stderr apart, stdin closed at its end, a missing
#             executable, the real mariadb client on the pod's socket, a viewer refused
#             (403 naming the RBAC verb), a missing pod (404);
#   logs      --tail of the real error log, -f following lines appended to it, SIGTERM;
#   port-forward  a real mariadb client through pxcmesh's relay (sessions, a 4 MB answer),
#             the operator refused pods/portforward (403 in words on stderr), the server
#             killed and brought back (the next connection works without a restart), the
#             API server restarted mid-stream, and a hung API server (kubesim's fault API)
#             named as such; SIGTERM ends it with 0 (under ASan: no leak).
set -euo pipefail
# shellcheck source=kubesim_stream_common.sh
source "$(dirname "$0")/kubesim_stream_common.sh"
: "${PXCMESH:?run through ctest}"
P=pxc-cluster-pxc-0
X=("$PXCMESH" --kubeconfig "$TMP/kc")

# A kubeconfig for a token user of the same server (viewer: read-only; operator: no
# pods/portforward).
token_kc() {
    local f=$TMP/kc-$1
    cp "$TMP/kc" "$f"
    kubectl --kubeconfig "$f" config set-credentials "$1" --token "$2" >/dev/null
    kubectl --kubeconfig "$f" config set-context lab --user "$1" >/dev/null
    echo "$f"
}

# ---- exec ----
set +e
out=$("${X[@]}" exec $P -n pxc -c pxc -- sh -c 'echo to-out; echo to-err >&2; exit 7' 2>"$TMP/err")
rc=$?
set -e
((rc == 7)) || fail "exec exit code 7 came back as $rc ($(cat "$TMP/err"))"
[[ $out == to-out ]] || fail "exec stdout: $out"
[[ $(cat "$TMP/err") == to-err ]] || fail "exec stderr: $(cat "$TMP/err")"
out=$("${X[@]}" exec $P -n pxc -c pxc -- mysql -uroot -N -e 'select @@port') || fail "mysql: $out"
[[ $out == 3306 ]] || fail "mysql over the pod's socket said '$out'"
out=$(printf 'select 40+2;\n' | "${X[@]}" exec -i $P -n pxc -c pxc -- mariadb -uroot -N) || fail "stdin: $out"
[[ $out == 42 ]] || fail "SQL from stdin gave '$out'"
pass "pxcmesh exec: exit code, stdout and stderr apart, stdin to its end, the real client"

set +e
out=$("${X[@]}" exec $P -n pxc -c pxc -- dig x 2>&1)
rc=$?
set -e
((rc == 1)) || fail "a missing executable: rc $rc"
grep -q "exec of 'dig x' in pod pxc/$P container pxc failed: exec: \"dig\": executable file not found" <<<"$out" ||
    fail "missing executable: $out"
set +e
out=$("$PXCMESH" --kubeconfig "$(token_kc viewer "$VIEW_TOKEN")" exec $P -n pxc -c pxc -- true 2>&1)
rc=$?
set -e
((rc == 1)) || fail "viewer exec: rc $rc"
grep -qF "forbidden: cannot create pods/exec in namespace pxc (the RBAC verb 'create' on 'pods/exec' is needed)" <<<"$out" ||
    fail "viewer exec: $out"
set +e
out=$("${X[@]}" exec nothere -n pxc -- true 2>&1)
rc=$?
set -e
((rc == 1)) && grep -q 'pod pxc/nothere is gone (404 from https://' <<<"$out" || fail "missing pod: rc $rc $out"
set +e
"${X[@]}" exec $P -n pxc >/dev/null 2>&1
rc=$?
set -e
((rc == 2)) || fail "exec without a command: rc $rc (want 2, usage)"
pass "pxcmesh exec refusals in words: a missing executable, 403 with the RBAC verb, 404, usage"

# ---- logs ----
# Bounded: a log that never ends is a failure in words, not a hung test (it once did, about
# 1 run in 15: the wait in cmd_logs ended in a timer's callback and the loop then blocked in
# its poll; cmd_run_until, unit/test_cmd_run).
out=$(timeout 20 "${X[@]}" logs $P -n pxc -c pxc --tail 2) || fail "logs --tail (rc $?): $out"
[[ $(wc -l <<<"$out") == 2 ]] || fail "logs --tail 2 gave: $out"
diff <(tail -n 2 "$TMP/db/error.log") <(echo "$out") >/dev/null || fail "logs --tail 2 is not the error log's end: $out"
"${X[@]}" logs $P -n pxc -c pxc -f --tail 0 >"$TMP/follow.out" 2>"$TMP/follow.err" &
LOGS_PID=$!
PIDS+=($LOGS_PID)
sleep 1
echo "2026-01-01 10:00:00 0 [Note] pxcmesh-follow-$$" >>"$TMP/db/error.log"
wait_for 10 grep -q "pxcmesh-follow-$$" "$TMP/follow.out" || fail "logs -f: $(cat "$TMP/follow.out" "$TMP/follow.err")"
kill -TERM $LOGS_PID
wait_for 10 bash -c "! kill -0 $LOGS_PID" ||
    { kill -KILL $LOGS_PID; fail "logs -f still runs 10 s after SIGTERM: $(cat "$TMP/follow.err")"; }
wait $LOGS_PID || fail "logs -f exit status on SIGTERM: $? ($(cat "$TMP/follow.err"))"
pass "pxcmesh logs: --tail of the real error log; -f follows it until SIGTERM (exit 0)"

# ---- port-forward ----
dbq() { mariadb --no-defaults -h 127.0.0.1 -P "$1" -uroot "-p$DBPW" --connect-timeout=5 -N -e "$2"; }
pf_start() { # KUBECONFIG-FILE NAME: sets PF_PID, PF_PORT
    "$PXCMESH" --kubeconfig "$1" port-forward $P :3306 -n pxc >"$TMP/pf-$2.out" 2>"$TMP/pf-$2.err" &
    PF_PID=$!
    PIDS+=($PF_PID)
    wait_for 20 grep -q 'Forwarding from 127.0.0.1:' "$TMP/pf-$2.out" || fail "port-forward did not start: $(cat "$TMP/pf-$2.err")"
    PF_PORT=$(sed -n 's/^Forwarding from 127.0.0.1:\([0-9]*\) -> 3306$/\1/p' "$TMP/pf-$2.out")
}
pf_stop() { # NAME
    kill -TERM "$PF_PID"
    wait "$PF_PID" || fail "port-forward exit status on SIGTERM (a leak under ASan fails here): $(cat "$TMP/pf-$1.err")"
}

pf_start "$TMP/kc" admin
[[ $(dbq "$PF_PORT" 'select @@port') == 3306 ]] || fail "query through pxcmesh's relay"
[[ $(dbq "$PF_PORT" 'select 6*7') == 42 ]] || fail "a second session through the relay"
big=$(dbq "$PF_PORT" 'select length(repeat("x", 4000000))') || fail "a 4 MB answer"
[[ $big == 4000000 ]] || fail "4 MB answer: $big"
pass "pxcmesh port-forward carries a real mariadb client's sessions (a 4 MB answer too)"

# the server killed mid-stream, then back: the next connection works, no restart
set +e
dbq "$PF_PORT" 'select sleep(20)' >"$TMP/long.out" 2>&1 &
LONG=$!
sleep 1
kill -KILL "$DB_PID"
wait "$DB_PID" 2>/dev/null
wait "$LONG"
rc=$?
((rc != 0)) || fail "a query whose server died succeeded"
dbq "$PF_PORT" 'select 1' >/dev/null 2>&1
set -e
wait_for 10 grep -q 'dial tcp4 127.0.0.1:3306: connect: connection refused' "$TMP/pf-admin.err" ||
    fail "the dial error was not reported: $(cat "$TMP/pf-admin.err")"
grep -q "port-forward to pod pxc/$P port 3306 failed (the pod's side): dial tcp4 127.0.0.1:3306: connect: connection refused\$" "$TMP/pf-admin.err" ||
    fail "the dial error's words: $(cat "$TMP/pf-admin.err")"
db_start
[[ $(dbq "$PF_PORT" 'select 1') == 1 ]] || fail "the same relay after the server came back"
pass "server killed mid-stream: the dial error in words; back again, the same relay works"

# the API server restarted mid-stream (same address, same CA): the session is lost in
# words, and the next connection reaches the new API server through the same relay
KPORT=${URL##*:}
set +e
dbq "$PF_PORT" 'select sleep(20)' >"$TMP/long2.out" 2>&1 &
LONG=$!
sleep 1
kill -TERM "$KSIM_PID"
wait "$KSIM_PID"
PIDS=("${PIDS[@]/$KSIM_PID/}")
wait "$LONG"
rc=$?
set -e
((rc != 0)) || fail "a session survived the API server's restart"
wait_for 10 grep -Eq 'the API server is going away \(1001: server shutting down\): it shut down or restarts|did it restart\?' "$TMP/pf-admin.err" ||
    fail "the API server's restart was not reported: $(cat "$TMP/pf-admin.err")"
TMPDIR=$TMP "$KSIM" --listen "$KIP:$KPORT" --seed "$TMP/seed" --write-kubeconfig "$TMP/kc2" --context lab \
    --state-dir "$TMP/state" --tokens-file "$TMP/tokens" --pod-map "$TMP/pods.map" \
    --dns "$DNSIP" >"$TMP/ksim2.out" 2>&1 &
KSIM_PID=$!
PIDS+=($KSIM_PID)
wait_for 30 grep -q listening "$TMP/ksim2.out" || fail "kubesim did not restart"
[[ $(dbq "$PF_PORT" 'select 2') == 2 ]] || fail "the same relay after the API server restarted: $(cat "$TMP/pf-admin.err")"
pass "API server restarted mid-stream: the session lost in words, the relay goes on"

# a hung API server: the client gives up, the relay says the API server did not answer
curl -sf --cacert "$CA" -H "Authorization: Bearer $ADMIN_TOKEN" -X POST "$URL/_ksim/fault" \
    -d '{"hang":true}' >/dev/null || fail "kubesim fault API"
set +e
mariadb --no-defaults -h 127.0.0.1 -P "$PF_PORT" -uroot "-p$DBPW" --connect-timeout=2 -e 'select 1' >/dev/null 2>&1
rc=$?
set -e
((rc != 0)) || fail "a query through a hung API server succeeded"
wait_for 10 grep -q "no answer from the API server for pods/portforward of pod pxc/$P within .* (the client gave up): is the API server hung" "$TMP/pf-admin.err" ||
    fail "the hang was not named: $(cat "$TMP/pf-admin.err")"
curl -sf --cacert "$CA" -H "Authorization: Bearer $ADMIN_TOKEN" -X POST "$URL/_ksim/fault" \
    -d '{"clear":true}' >/dev/null || fail "kubesim fault API (clear)"
[[ $(dbq "$PF_PORT" 'select 3') == 3 ]] || fail "the relay after the hang cleared"
pf_stop admin
pass "a hung API server named as such; cleared, the relay works; SIGTERM exits 0"

# the operator may exec but not port-forward: every connection refused in words
pf_start "$(token_kc operator "$OP_TOKEN")" operator
set +e
dbq "$PF_PORT" 'select 1' >/dev/null 2>&1
rc=$?
set -e
((rc != 0)) || fail "the operator's port-forward carried a session"
wait_for 10 grep -qF "forbidden: cannot create pods/portforward in namespace pxc (the RBAC verb 'create' on 'pods/portforward' is needed)" "$TMP/pf-operator.err" ||
    fail "operator: $(cat "$TMP/pf-operator.err")"
pf_stop operator
pass "no create on pods/portforward: the RBAC verb named for every connection"

kill -TERM "$KSIM_PID"
wait "$KSIM_PID" || fail "kubesim exit status on SIGTERM"
PIDS=("${PIDS[@]/$KSIM_PID/}")
echo "PASS"
