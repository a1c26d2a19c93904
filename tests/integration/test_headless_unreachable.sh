#!/usr/bin/env bash
# test_headless_unreachable: a cluster that answered and then goes away, seen by serve and
# watch on two kubesims. Before: both reachable, and `watch --fail-after 3s` outlives its
# 3 s (a reachable cluster never trips it). Then kubesim B is killed: /metrics says B's API
# is unreachable and its last good read grows old (a stale value carries its age), while
# A's stays fresh; watch writes B's "unreachable" line, then, no sooner than 3 s after it,
# its last line (type exit) and exits 1; serve keeps serving.
source "$(dirname "$0")/kube_common.sh"
PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3 # Debian's, where python3-prometheus-client is
$PY -c 'import prometheus_client' 2>/dev/null || fail "python3-prometheus-client is needed (scripts/deps.sh)"

kt_seed "$KT_DIR/seed-a" a enabled
kt_seed "$KT_DIR/seed-b" b enabled
ksim_start A 1 "$KT_DIR/seed-a" --insecure-http --bookmark-interval 2
ksim_start B 2 "$KT_DIR/seed-b" --insecure-http --bookmark-interval 2

# pxcmesh itself in the background, not px (a function): a background subshell ignores
# SIGINT, which must reach serve.
export HOME=$KT_DIR XDG_CONFIG_HOME=$KT_DIR/xdg
"$PXCMESH" --kubeconfig "$KT_DIR/kubeconfig" --context A --context B serve --listen 127.0.0.1:0 \
    >/dev/null 2>"$KT_DIR/serve.err" &
SP=$!
KT_PIDS+=("$SP")
"$PXCMESH" --kubeconfig "$KT_DIR/kubeconfig" --context A --context B watch -o json-lines \
    --fail-after 3s >"$KT_DIR/w.jsonl" 2>"$KT_DIR/w.err" &
WP=$!
KT_PIDS+=("$WP")
wait_for 10 grep -q 'serving http' "$KT_DIR/serve.err" || fail "serve: $(cat "$KT_DIR/serve.err")"
URL=$(sed -n 's/.*serving \(http[^ ]*\).*/\1/p' "$KT_DIR/serve.err")

scrape() {
    curl -sf --max-time 5 "$URL/metrics" >"$KT_DIR/m.txt" &&
        $PY "$PXC_SOURCE_DIR/tests/integration/promtext.py" check "$KT_DIR/m.txt" >"$KT_DIR/m.samples"
}
val() { scrape >/dev/null 2>&1 && grep -E "^$1 " "$KT_DIR/m.samples" | awk '{print $NF}'; }
# The context names are the cluster names here (no config file).
age() { val "pxcmesh_backend_last_success_age_seconds\\{backend=\"kubernetes\",cluster=\"$1\",server=\"\"\\}" || true; }
reach() { val "pxcmesh_cluster_api_reachable\\{cluster=\"$1\"\\}"; }
both_up() { [[ $(reach A) == 1.0 && $(reach B) == 1.0 ]]; }

wait_for 15 both_up || fail "both clusters not reachable in /metrics: $(grep api_reachable "$KT_DIR/m.samples")"
pass "/metrics: A and B reachable"
synced() { grep -q '"type":"synced"' "$KT_DIR/w.jsonl"; }
wait_for 15 synced || fail "watch: no synced line: $(cat "$KT_DIR/w.jsonl" "$KT_DIR/w.err")"
# --fail-after 3s with both reachable: still running 4 s after the synced line.
sleep 4
kill -0 "$WP" 2>/dev/null || fail "watch exited with both clusters reachable: $(tail -3 "$KT_DIR/w.jsonl")"
pass "watch --fail-after 3s outlives 3 s while both answer"

ksim_stop B
t_kill=$(now_ms)
down() { [[ $(reach B) == 0.0 ]]; }
wait_for 15 down || fail "B still reachable in /metrics: $(grep api_reachable "$KT_DIR/m.samples")"
a1=$(age A) b1=$(age B)
sleep 2
a2=$(age A) b2=$(age B)
awk -v a="$b1" -v b="$b2" 'BEGIN { exit !(b >= a + 1.5) }' ||
    fail "B's last-good-read age does not grow: $b1 then $b2"
awk -v a="$a2" 'BEGIN { exit !(a < 5) }' || fail "A's age $a2: A answers, its values are fresh"
pass "/metrics: B unreachable, its values ${b2}s old and growing ($b1 -> $b2); A's ${a2}s"

line_down() { jq -e -n '[inputs | select(.type == "cluster" and .event == "unreachable" and .cluster == "B")] | length > 0' "$KT_DIR/w.jsonl"; }
wait_for 15 line_down || fail "watch: no unreachable line for B: $(tail -3 "$KT_DIR/w.jsonl")"
pass "watch: B unreachable"
exited() { ! kill -0 "$WP" 2>/dev/null; }
wait_for 20 exited || fail "watch still runs $(( ($(now_ms) - t_kill) / 1000 )) s after B went away (--fail-after 3s)"
t_exit=$(now_ms)
rc=0
wait "$WP" || rc=$?
KT_PIDS=("${KT_PIDS[@]/$WP}")
[[ $rc == 1 ]] || fail "watch exit $rc after --fail-after, expected 1: $(cat "$KT_DIR/w.err")"
((t_exit - t_kill >= 3000)) || fail "watch exited $((t_exit - t_kill)) ms after B went away, before its 3 s"
tail -1 "$KT_DIR/w.jsonl" | jq -e '.type == "exit" and .event == "fail-after" and .cluster == "B"' >/dev/null ||
    fail "last line: $(tail -1 "$KT_DIR/w.jsonl")"
grep -q 'cluster B unreachable for' "$KT_DIR/w.err" || fail "stderr: $(cat "$KT_DIR/w.err")"
pass "watch: exit 1 $((t_exit - t_kill)) ms after B went away, last line type exit"

[[ $(curl -sf --max-time 5 "$URL/healthz") == ok ]] || fail "serve stopped answering"
kill -INT "$SP"
rc=0
wait_for 10 eval '! kill -0 "$SP"' || fail "serve still runs 10 s after SIGINT"
wait "$SP" || rc=$?
[[ $rc == 0 ]] || fail "serve exit $rc"
KT_PIDS=("${KT_PIDS[@]/$SP}")
pass "serve still served, exit 0 on SIGINT"
