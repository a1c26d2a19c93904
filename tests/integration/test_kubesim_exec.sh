#!/usr/bin/env bash
# kubectl exec, attach and logs against kubesim with the real kubectl (1.32: exec over
# WebSocket, v5.channel.k8s.io): real processes in the pod's own view (its resolv.conf and
# hostname), the mariadb client reaching a real mariadbd by the mesh name and by the pod's
# socket, nslookup and nc -zv, Envoy's clusters from the sidecar, exit codes, stdin with
# v5's half-close, a command the image lacks, a v4 client that is not kubectl, the error
# log of the real server as the pxc container's log (follow too), and the refusals: a
# viewer without create on pods/exec, a missing pod, a pod that is not running. Last, a
# malformed client frame is closed with 1002 and kubesim goes on serving.
set -euo pipefail
# shellcheck source=kubesim_stream_common.sh
source "$(dirname "$0")/kubesim_stream_common.sh"
P=pxc-cluster-pxc-0

out=$("${K[@]}" exec $P -c pxc -- mariadb -h pxc-cluster.cluster-b.global -uroot "-p$DBPW" -N -e 'select 1+1') ||
    fail "mariadb -h pxc-cluster.cluster-b.global through exec: $out"
[[ $out == 2 ]] || fail "mariadb answer: '$out'"
pass "kubectl exec -c pxc -- mariadb -h pxc-cluster.cluster-b.global -e ... (real client, real server)"

out=$("${K[@]}" exec $P -c pxc -- mysql -uroot -N -e 'select @@port') || fail "mysql over the pod's socket: $out"
[[ $out == 3306 ]] || fail "mysql over the pod's socket said '$out'"
pass "mysql -uroot reaches the pod's own server through its socket"

out=$("${K[@]}" exec $P -c pxc -- cat /etc/resolv.conf)
grep -q "^nameserver $DNSIP\$" <<<"$out" || fail "the pod's resolv.conf is not mounted: $out"
[[ $("${K[@]}" exec $P -c pxc -- hostname) == "$P" ]] || fail "hostname in the pod"
pass "exec runs in the pod's mount and UTS namespace (resolv.conf, hostname)"

out=$("${K[@]}" exec $P -c pxc -- nslookup pxc-cluster.cluster-b.global)
grep -q "^Address: $DBIP\$" <<<"$out" || fail "nslookup in the pod: $out"
out=$("${K[@]}" exec $P -c pxc -- nc -zv pxc-cluster.cluster-b.global 3306 2>&1)
grep -q "Connection to pxc-cluster.cluster-b.global ($DBIP) 3306 port \[tcp/mysql\] succeeded!" <<<"$out" ||
    fail "nc -zv in the pod: $out"
pass "nslookup and nc -zv of the .global name from the pxc container"

out=$("${K[@]}" exec -n pxc $P -c istio-proxy -- curl localhost:15000/clusters 2>"$TMP/curl.err" | grep cluster-b)
grep -q "^outbound|3306||pxc-cluster.cluster-b.global::$DBIP:3306::health_flags::healthy\$" <<<"$out" ||
    fail "Envoy clusters: $out"
grep -q '% Total' "$TMP/curl.err" || fail "curl without -s shows its progress meter on stderr"
pass "curl localhost:15000/clusters in istio-proxy lists the ServiceEntry's endpoints"

set +e
out=$("${K[@]}" exec $P -c istio-proxy -- nc -zv pxc-cluster.cluster-b.global 3306 2>&1)
rc=$?
set -e
((rc == 1)) || fail "a command the image lacks: rc $rc"
grep -q 'exec: "nc": executable file not found in \$PATH: unknown' <<<"$out" || fail "containerd's words: $out"
set +e
out=$("${K[@]}" exec $P -c pxc -- sh -c 'echo to-out; echo to-err >&2; exit 7' 2>"$TMP/err")
rc=$?
set -e
((rc == 7)) || fail "exit code 7 came back as $rc"
[[ $out == to-out ]] || fail "stdout: $out"
grep -q '^to-err$' "$TMP/err" && grep -q 'command terminated with exit code 7' "$TMP/err" || fail "stderr: $(cat "$TMP/err")"
pass "exit codes, stdout and stderr apart; a missing executable as containerd reports it"

out=$(printf 'select 40+2;\n' | "${K[@]}" exec -i $P -c pxc -- mariadb -uroot -N) || fail "stdin: $out"
[[ $out == 42 ]] || fail "SQL from stdin gave '$out'"
pass "stdin reaches the process and its end closes it (v5 close channel)"

# a client that is not kubectl, speaking v4 (no close channel: the command needs no stdin)
q="command=sh&command=-c&command=echo+v4%3Bexit+3&container=pxc&stdout=true&stderr=true"
out=$("${WS[@]}" "$URL/api/v1/namespaces/pxc/pods/$P/exec?$q" v4.channel.k8s.io --token "$ADMIN_TOKEN" --ca "$CA")
grep -q "^msg 2 1 $(printf 'v4\n' | od -An -tx1 | tr -d ' \n')\$" <<<"$out" || fail "v4 stdout: $out"
status=$(awk '$1 == "msg" && $3 == 3 {print $4}' <<<"$out" | xxd -r -p)
jq -e '.status == "Failure" and .reason == "NonZeroExitCode" and .details.causes[0].reason == "ExitCode" and .details.causes[0].message == "3"' \
    <<<"$status" >/dev/null || fail "v4 status: $status"
grep -q '^close 1000$' <<<"$out" || fail "v4 close: $out"
pass "v4.channel.k8s.io: channels, metav1.Status with the exit code, normal closure"

# logs: the pxc container's log is the real server's error log
"${K[@]}" logs $P -c pxc | expect 'ready for connections' || fail "pxc log: $("${K[@]}" logs $P -c pxc | tail -3)"
"${K[@]}" logs $P -c pxc --timestamps --tail 1 | expect -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z ' || fail "timestamps"
"${K[@]}" logs -n pxc $P -c istio-proxy | expect 'Envoy proxy is ready' || fail "istio-proxy log"
"${K[@]}" logs -f $P -c pxc --since=1h >"$TMP/follow.out" 2>&1 &
FPID=$!
PIDS+=($FPID)
wait_for 10 grep -q 'ready for connections' "$TMP/follow.out" || fail "logs -f: $(cat "$TMP/follow.out")"
# a line appended to the server's error log while we follow it
echo "$(date '+%Y-%m-%d %k:%M:%S') 0 [Note] pxcmesh test marker" >>"$TMP/db/error.log"
wait_for 10 grep -q 'pxcmesh test marker' "$TMP/follow.out" || fail "logs -f did not follow: $(tail -3 "$TMP/follow.out")"
kill "$FPID" 2>/dev/null || true
pass "kubectl logs (-c pxc from the server's error log, --timestamps, -f follows)"

# attach: kubectl run -i replays a probe pod's output (restartPolicy Always, as the seed's
# kubectl run: with Never kubectl would wait for a completion that the sidecar prevents)
set +e
out=$("${K[@]}" run -i probe-dns --image=busybox -- nslookup pxc-cluster.cluster-b.global </dev/null 2>&1)
rc=$?
set -e
((rc == 0)) || fail "kubectl run -i: rc $rc: $out"
grep -q "Address: $DBIP" <<<"$out" || fail "kubectl run -i output: $out"
grep -q 'falling back to streaming logs' <<<"$out" && fail "attach was refused: $out"
pass "kubectl run -i (attach) shows a probe pod's output"

# refusals, worded as the API server words them
out=$(as_user "$VIEW_TOKEN" exec $P -c pxc -- true 2>&1) && fail "a viewer could exec"
grep -q "pods \"$P\" is forbidden: User \"viewer\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"pxc\"" <<<"$out" ||
    fail "viewer: $out"
as_user "$OP_TOKEN" exec $P -c pxc -- true || fail "the operator may exec"
out=$("${K[@]}" exec nothere -- true 2>&1) && fail "exec into a missing pod"
grep -q 'pods "nothere" not found' <<<"$out" || fail "missing pod: $out"
out=$("${K[@]}" exec pending-0 -c pxc -- true 2>&1) && fail "exec into a pending pod"
grep -q 'container not found ("pxc")' <<<"$out" || fail "pending pod: $out"
out=$("${K[@]}" exec $P -c nope -- true 2>&1) && fail "exec into a missing container"
grep -q 'container nope is not valid for pod' <<<"$out" || fail "missing container: $out"
pass "403 without create on pods/exec, 404 missing pod, 400 not running / no such container"

# a malformed frame (unmasked, which a client must never send): close 1002, kubesim lives on
q="command=cat&container=pxc&stdin=true&stdout=true"
out=$("${WS[@]}" "$URL/api/v1/namespaces/pxc/pods/$P/exec?$q" v5.channel.k8s.io --token "$ADMIN_TOKEN" --ca "$CA" \
    --read-first 1 --send '0:hello' --unmasked)
grep -q '^close 1002$' <<<"$out" || fail "unmasked frame: $out"
"${K[@]}" exec $P -c pxc -- true || fail "kubesim after a malformed frame"
kill -0 "$KSIM_PID" || fail "kubesim died"
pass "a malformed client frame gets close 1002 and kubesim keeps serving"

kill -TERM "$KSIM_PID"
wait "$KSIM_PID" || fail "kubesim exit status on SIGTERM (a leak under ASan fails here)"
PIDS=("${PIDS[@]/$KSIM_PID/}")
left=$(find "$TMP" -maxdepth 1 -name 'kubesim-exec-*')
[[ -z $left ]] || fail "kubesim left its exec directory: $(find "$left")"
pass "SIGTERM: kubesim exits 0 and removes its exec directory"
echo "PASS"
