#!/usr/bin/env bash
# test_kube_watch: the informers follow the server with no polling. Through the hidden
# `status --follow` hook (one JSON line per model change): a deleted ServiceEntry and a pod
# that loses its sidecar (namespace labelled after it started) show within seconds (5 s, far
# below any resync period, so that a polling client fails; the latency itself is a benchmark
# figure, docs/performance.md, not a test's); after a forced
# compaction with dropped watches the informers relist (410) and still see new changes;
# garbage on the watch stream and a 500 are survived; after kubesim restarts, the informers
# reconnect and converge to the restarted server's state, while cluster B stays live.
source "$(dirname "$0")/kube_common.sh"

kt_seed "$KT_DIR/seed-a" a enabled
kt_seed "$KT_DIR/seed-b" b enabled
ksim_start A 1 "$KT_DIR/seed-a" --insecure-http --bookmark-interval 2
ksim_start B 2 "$KT_DIR/seed-b" --insecure-http --bookmark-interval 2

follow="$KT_DIR/follow.jsonl"
px --log "$KT_DIR/px.log" status --follow 60 --context A --context B >"$follow" 2>"$KT_DIR/follow.err" &
KT_PIDS+=("$!")

last() { tail -n 1 "$follow"; }
# line_matches JQ: the newest line satisfies the jq condition.
line_matches() { [[ -s "$follow" ]] && last | jq -e "$1" >/dev/null; }
# latency_ms T0 JQ: wait (5 s max) for a line matching JQ, print its t_ms - T0.
latency_ms() {
    local t0=$1 cond=$2
    wait_for 5 line_matches "$cond" || return 1
    echo $(( $(last | jq -r .t_ms) - t0 ))
}

wait_for 15 line_matches '.clusters[0].serviceentries == ["pxc/pxc-cluster-b"]' ||
    { cat "$follow" "$KT_DIR/follow.err" >&2; fail "first sync not seen"; }

t0=$(now_ms)
ksim_curl A DELETE /apis/networking.istio.io/v1/namespaces/pxc/serviceentries/pxc-cluster-b >/dev/null
ms=$(latency_ms "$t0" '.clusters[0].serviceentries == []') || fail "SE deletion not seen within 5 s"
pass "ServiceEntry deletion seen after ${ms} ms"

t0=$(now_ms)
ksim_curl A PATCH /api/v1/namespaces/legacy -H 'Content-Type: application/merge-patch+json' \
    -d '{"metadata":{"labels":{"istio-injection":"enabled"}}}' >/dev/null
ms=$(latency_ms "$t0" '.clusters[0].sidecar_missing == ["legacy/old-app"]') ||
    fail "pod without sidecar not seen within 5 s"
pass "pod missing its sidecar seen after ${ms} ms"

# Re-create the pod: kubesim's webhook injects it now, the missing mark goes away.
ksim_curl A DELETE /api/v1/namespaces/legacy/pods/old-app >/dev/null
ksim_curl A POST /api/v1/namespaces/legacy/pods -H 'Content-Type: application/json' \
    -d '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"old-app","namespace":"legacy"},"spec":{"containers":[{"name":"app","image":"busybox"}]}}' >/dev/null
wait_for 5 line_matches '.clusters[0].sidecar_missing == []' || fail "re-created pod still missing"
pass "re-created pod has its sidecar"

# Compaction: watches are dropped and may only resume from a version now gone -> 410 ->
# relist from scratch, then watch again.
before=$(last | jq -r '.clusters[0].relists_410')
ksim_fault A '{"compact":true,"drop_watches":true}'
ksim_curl A POST /apis/networking.istio.io/v1/namespaces/pxc/serviceentries -H 'Content-Type: application/json' \
    -d '{"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry","metadata":{"name":"se-after","namespace":"pxc"},"spec":{"hosts":["x.global"],"ports":[{"number":3306,"name":"mysql","protocol":"TCP"}],"resolution":"DNS"}}' >/dev/null
wait_for 5 line_matches '.clusters[0].serviceentries == ["pxc/se-after"]' || fail "SE created after compaction not seen"
wait_for 5 line_matches ".clusters[0].relists_410 > $before" ||
    fail "no relist after compaction: $(last)"
pass "relist after 410 ($(last | jq -r '.clusters[0].relists_410') so far)"

# Garbage on the stream: the watch restarts (after its backoff), nothing is lost.
ksim_fault A '{"garbage":1,"drop_watches":true}'
sleep 0.3
ksim_curl A DELETE /apis/networking.istio.io/v1/namespaces/pxc/serviceentries/se-after >/dev/null
wait_for 20 line_matches '.clusters[0].serviceentries == [] and .clusters[0].error == ""' ||
    fail "after garbage: $(last)"
pass "garbage on the watch stream survived"

# A 500 for a while: the error shows in words, then clears by itself.
ksim_fault A '{"status":500,"count":-1,"drop_watches":true}'
wait_for 8 line_matches '.clusters[0].error | test("server error: cannot (watch|list|get) .*\\(500 from http")' ||
    fail "500 not reported in words: $(last)"
ksim_fault A '{"clear":true}'
wait_for 20 line_matches '.clusters[0].error == ""' || fail "500 did not clear: $(last)"
pass "500 reported and recovered"

# Restart: kubesim comes back on the same address with its seed (the SE is back).
ksim_stop A
wait_for 5 line_matches '.clusters[0].reachable == false' || fail "restart: not marked unreachable"
wait_for 5 line_matches '.clusters[0].error | test("connection refused")' || fail "restart error: $(last)"
# A is down; B goes on: its pod that loses its sidecar still shows within seconds.
t0=$(now_ms)
ksim_curl B PATCH /api/v1/namespaces/legacy -H 'Content-Type: application/merge-patch+json' \
    -d '{"metadata":{"labels":{"istio-injection":"enabled"}}}' >/dev/null
ms=$(latency_ms "$t0" '.clusters[1].sidecar_missing == ["legacy/old-app"] and .clusters[1].reachable') ||
    fail "B blocked while A is down: $(last)"
pass "cluster B live while A is down (${ms} ms)"
ksim_start A 1 "$KT_DIR/seed-a" --insecure-http --bookmark-interval 2
wait_for 15 line_matches '.clusters[0].reachable and .clusters[0].error == "" and .clusters[0].serviceentries == ["pxc/pxc-cluster-b"] and .clusters[0].sidecar_missing == []' ||
    fail "no recovery after restart: $(last)"
pass "recovered after kubesim restart"
