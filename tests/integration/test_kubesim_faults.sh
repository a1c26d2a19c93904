#!/usr/bin/env bash
# kubesim's fault switches (POST /_ksim/fault), seen from curl as a client sees them:
# 429 with Retry-After for a counted number of requests, 500, garbage JSON, a delay,
# compaction (watch from an old resourceVersion gets a 410 ERROR event, an old continue
# token 410), dropped watch streams, refused and hanging connections, and clear.
set -euo pipefail

KSIM="${PXC_BUILD_DIR:?run through ctest}/lab/kubesim"
[[ -x $KSIM ]] || { echo "FAIL: kubesim not built at $KSIM"; exit 1; }
TMP=$(mktemp -d)
KPID=
BG=()
cleanup() {
    for p in "${BG[@]}"; do kill "$p" 2>/dev/null || true; done
    [[ -n $KPID ]] && kill "$KPID" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; sed 's/^/  kubesim: /' "$TMP/ksim.out"; exit 1; }
anyway() { "$@" 2>&1 || true; }
# CMD | expect PATTERN: grep that reads all its input (grep -q would stop early and, under
# pipefail, fail the pipeline with the writer's SIGPIPE)
expect() { grep "$@" >/dev/null; }
wait_for() {
    local n=$(($1 * 10)); shift
    for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    return 1
}

"$KSIM" --listen 127.0.0.1:0 --insecure-http --gen-pods 30 --bookmark-interval 1 --idle-timeout 1 \
    --fault '{"status":503,"count":1}' >"$TMP/ksim.out" 2>&1 &
KPID=$!
wait_for 30 grep -q listening "$TMP/ksim.out" || fail "kubesim did not start"
U=$(grep -o 'http://[0-9.:]*' "$TMP/ksim.out")
fault() { curl -sf -X POST -d "$1" "$U/_ksim/fault" >/dev/null || fail "fault $1 refused"; }
code() { anyway curl -s -m 5 -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' "$@"; }

# --fault at start: the first request gets it, the next does not
[[ $(code "$U/api/v1/pods") == 503 ]] || fail "--fault at start"
[[ $(code "$U/api/v1/pods") == 200 ]] || fail "--fault count"

# no token configured: a bearer token is ignored, as without a token authenticator
[[ $(code -H 'Authorization: Bearer anything' "$U/api/v1/namespaces") == 200 ]] || fail "token ignored"

# 429 with Retry-After, exactly count times
fault '{"status":429,"retry_after":2,"count":2}'
for i in 1 2; do
    [[ $(code "$U/api/v1/namespaces") == 429 ]] || fail "429 #$i"
    grep -qi '^Retry-After: 2' "$TMP/headers" || fail "Retry-After header: $(cat "$TMP/headers")"
    grep -q '"reason":"TooManyRequests","code":429' "$TMP/body" || fail "429 Status: $(cat "$TMP/body")"
done
[[ $(code "$U/api/v1/namespaces") == 200 ]] || fail "429 after count"

# 500 until cleared
fault '{"status":500}'
[[ $(code "$U/api/v1/namespaces") == 500 ]] || fail "500"
grep -q '"reason":"InternalError"' "$TMP/body" || fail "500 Status"
[[ $(code "$U/version") == 500 ]] || fail "500 again"
fault '{"clear":true}'
[[ $(code "$U/version") == 200 ]] || fail "clear"

# garbage JSON for the next response only
fault '{"garbage":1}'
[[ $(code "$U/api/v1/pods") == 200 ]] || fail "garbage status"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/body" 2>/dev/null && fail "garbage parsed as JSON"
code "$U/api/v1/pods" >/dev/null
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/body" || fail "after garbage"

# delay
fault '{"delay_ms":400}'
t=$(curl -s -o /dev/null -w '%{time_total}' "$U/version")
awk -v t="$t" 'BEGIN{exit !(t >= 0.39)}' || fail "delay: answered in $t s"
fault '{"clear":true}'

# watch, resume, compaction, 410
rv=$(curl -s "$U/api/v1/pods?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["resourceVersion"])')
curl -s -X PATCH -H 'Content-Type: application/merge-patch+json' -d '{"metadata":{"labels":{"touched":"1"}}}' \
    "$U/api/v1/namespaces/bench-0/pods/bench-pod-00003" >/dev/null
curl -s -N -m 5 "$U/api/v1/namespaces/bench-0/pods?watch=1&resourceVersion=$rv&timeoutSeconds=2&allowWatchBookmarks=true" >"$TMP/w1" || true
grep -q '^{"type":"MODIFIED","object":{.*"touched":"1"' "$TMP/w1" || fail "watch resume missed the change: $(head -c 300 "$TMP/w1")"
[[ $(grep -c '"type":"MODIFIED"' "$TMP/w1") == 1 ]] || fail "watch resume: events before rv were sent"
grep -q '"type":"BOOKMARK".*"resourceVersion":"' "$TMP/w1" || fail "no BOOKMARK"
cont=$(curl -s "$U/api/v1/pods?limit=5" | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["continue"])')
fault '{"compact":true}'
curl -s -N -m 5 "$U/api/v1/pods?watch=1&resourceVersion=$rv" >"$TMP/w2" || true
grep -q '^{"type":"ERROR","object":{"kind":"Status",.*"reason":"Expired","code":410}}$' "$TMP/w2" ||
    fail "watch after compaction: $(cat "$TMP/w2")"
[[ $(code "$U/api/v1/pods?limit=5&continue=$cont") == 410 ]] || fail "old continue token after compaction"

# a quiet watch without bookmarks outlives the idle-connection timeout (1 s here) and
# ends normally at its timeoutSeconds
rv=$(curl -s "$U/api/v1/pods?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["resourceVersion"])')
rc=0
curl -s -N -m 10 "$U/api/v1/namespaces?watch=1&resourceVersion=$rv&timeoutSeconds=3" >/dev/null || rc=$?
[[ $rc == 0 ]] || fail "a quiet watch was cut (curl exit $rc)"

# drop_watches: an open stream is cut mid-stream (no terminating chunk)
(rc=0; curl -s -N -m 20 "$U/api/v1/pods?watch=1" >"$TMP/w3" || rc=$?; echo "rc=$rc" >"$TMP/w3.rc") &
BG+=($!)
wait_for 10 grep -q bench-pod-00029 "$TMP/w3" || fail "watch did not start"
fault '{"drop_watches":true}'
wait_for 10 test -s "$TMP/w3.rc" || fail "watch not dropped"
grep -q 'rc=18' "$TMP/w3.rc" || fail "dropped watch should end mid-transfer (curl 18): $(cat "$TMP/w3.rc")"

# refuse: connections close unanswered; the control path still works
fault '{"refuse":true}'
[[ $(code "$U/version") == 000 ]] || fail "refuse"
fault '{"refuse":false}'
[[ $(code "$U/version") == 200 ]] || fail "refuse cleared"

# hang: accepted, never answered, until cleared
fault '{"hang":true}'
[[ $(anyway curl -s -m 1 -o /dev/null -w '%{http_code}' "$U/version") == 000 ]] || fail "hang answered"
(curl -s -m 10 -o "$TMP/hung" -w '%{http_code}' "$U/version" >"$TMP/hung.code" || true) &
BG+=($!)
sleep 0.3
fault '{"clear":true}'
wait_for 10 grep -q 200 "$TMP/hung.code" || fail "a hung request was not answered after clear"

# bad switch names are refused in words
[[ $(code -X POST -d '{"statuss":429}' "$U/_ksim/fault") == 400 ]] || fail "unknown switch accepted"
grep -q 'unknown switch' "$TMP/body" || fail "unknown switch message"

kill -TERM "$KPID"
rc=0
wait "$KPID" || rc=$?
KPID=
[[ $rc == 0 ]] || fail "kubesim exit status $rc"
echo "PASS"
