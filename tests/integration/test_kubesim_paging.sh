#!/usr/bin/env bash
# LIST at scale: 1,500 generated pods read in pages of 500 (curl, following continue
# tokens; every pod exactly once, one resourceVersion for the whole list) and with
# kubectl --chunk-size; label selectors (=, ==, !=, in, notin, exists, !key) and field
# selectors, on LIST and on WATCH; bad selectors give 400 in words.
set -euo pipefail

KSIM="${PXC_BUILD_DIR:?run through ctest}/lab/kubesim"
[[ -x $KSIM ]] || { echo "FAIL: kubesim not built at $KSIM"; exit 1; }
TMP=$(mktemp -d)
export HOME=$TMP
KPID=
cleanup() {
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

"$KSIM" --listen 127.0.0.1:0 --insecure-http --gen-pods 1500 --gen-injected \
    --write-kubeconfig "$TMP/kc" --context big >"$TMP/ksim.out" 2>&1 &
KPID=$!
wait_for 50 grep -q listening "$TMP/ksim.out" || fail "kubesim did not start"
U=$(grep -o 'http://[0-9.:]*' "$TMP/ksim.out")

# pages of 500 with curl; the helper prints "count rv continue" and appends names
page() {
    curl -sf "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
with open(sys.argv[1], "a") as f:
    for it in d["items"]:
        f.write(it["metadata"]["namespace"] + "/" + it["metadata"]["name"] + "\n")
print(len(d["items"]), d["metadata"]["resourceVersion"], d["metadata"].get("continue", "-"))
' "$TMP/names"
}
read -r n rv cont < <(page "$U/api/v1/pods?limit=500")
[[ $n == 500 && $cont != - ]] || fail "first page: $n items, continue $cont"
# a change between pages does not change the list's resourceVersion
curl -sf -X PATCH -H 'Content-Type: application/strategic-merge-patch+json' \
    -d '{"metadata":{"labels":{"touched":"yes"}}}' "$U/api/v1/namespaces/bench-7/pods/bench-pod-00742" >/dev/null
pages=1
while [[ $cont != - ]]; do
    read -r n rv2 cont < <(page "$U/api/v1/pods?limit=500&continue=$cont")
    [[ $rv2 == "$rv" ]] || fail "page $pages has resourceVersion $rv2, first had $rv"
    pages=$((pages + 1))
    ((pages < 10)) || fail "continue tokens never end"
done
[[ $pages == 3 ]] || fail "expected 3 pages of 500, got $pages"
[[ $(sort -u "$TMP/names" | wc -l) == 1500 && $(wc -l <"$TMP/names") == 1500 ]] ||
    fail "pages did not return every pod exactly once"
# pages within one namespace
[[ $(curl -sf "$U/api/v1/namespaces/bench-3/pods?limit=60" | grep -o '"continue":"[^"]*"' | wc -l) == 1 ]] ||
    fail "namespaced page should continue"
[[ $(curl -sf "$U/api/v1/namespaces/bench-3/pods?limit=100" | grep -c '"continue"') == 0 ]] ||
    fail "a full namespace in one page has no continue"
[[ $(anyway curl -s -o /dev/null -w '%{http_code}' "$U/api/v1/pods?limit=5&continue=garbage!") == 400 ]] ||
    fail "bad continue token"

# metadata-only lists (client-go's metadata informers ask for them)
curl -sf -H 'Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json' \
    "$U/api/v1/namespaces/bench-4/pods?limit=10" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["kind"] == "PartialObjectMetadataList", d["kind"]
assert len(d["items"]) == 10 and all(set(i) == {"kind", "apiVersion", "metadata"} for i in d["items"])
' || fail "PartialObjectMetadataList"

# kubectl pages too (its default chunk size is 500; 200 here)
[[ $(kubectl --kubeconfig "$TMP/kc" get pods -A --chunk-size=200 --no-headers | wc -l) == 1500 ]] ||
    fail "kubectl --chunk-size"

count() { curl -sf -G "$U/api/v1/pods" --data-urlencode "$1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))'; }
check() { local got; got=$(count "$1") || fail "selector $1 refused"; [[ $got == "$2" ]] || fail "selector $1: $got pods, expected $2"; }
check 'labelSelector=app.kubernetes.io/instance in (bench-1, bench-2)' 200
check 'labelSelector=app.kubernetes.io/instance notin (bench-0)' 1400
check 'labelSelector=app==bench,app.kubernetes.io/instance=bench-3' 100
check 'labelSelector=app!=bench' 0
check 'labelSelector=touched' 1
check 'labelSelector=!touched' 1499
check 'labelSelector=security.istio.io/tlsMode=istio' 1500
check 'fieldSelector=metadata.name=bench-pod-00042' 1
check 'fieldSelector=metadata.namespace=bench-2' 100
check 'fieldSelector=metadata.namespace!=bench-2,status.phase=Running' 1400
code=$(anyway curl -s -o "$TMP/body" -w '%{http_code}' -G "$U/api/v1/pods" --data-urlencode 'labelSelector=app in bench')
[[ $code == 400 ]] && grep -q 'unable to parse requirement' "$TMP/body" || fail "bad selector: $code $(cat "$TMP/body")"

# WATCH with a selector sees only what matches
rv=$(curl -sf "$U/api/v1/pods?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["resourceVersion"])')
for p in bench-pod-00101 bench-pod-00250; do
    ns=bench-$((10#${p#bench-pod-} / 100))
    curl -sf -X PATCH -H 'Content-Type: application/merge-patch+json' \
        -d '{"metadata":{"labels":{"tier":"gold"}}}' "$U/api/v1/namespaces/$ns/pods/$p" >/dev/null
done
curl -s -N -m 5 -G "$U/api/v1/pods" --data-urlencode 'labelSelector=tier=gold' \
    --data-urlencode "resourceVersion=$rv" --data-urlencode watch=1 --data-urlencode timeoutSeconds=1 >"$TMP/w" || true
[[ $(grep -c '"type":"MODIFIED"' "$TMP/w") == 2 ]] || fail "selector watch: $(cut -c1-120 "$TMP/w")"
curl -s -N -m 5 "$U/api/v1/namespaces/bench-2/pods?watch=1&fieldSelector=metadata.name%3Dbench-pod-00250&resourceVersion=$rv&timeoutSeconds=1" >"$TMP/w2" || true
[[ $(grep -c '"type":"MODIFIED"' "$TMP/w2") == 1 ]] || fail "field selector watch"
# a watch without a version starts with the current state
curl -s -N -m 10 "$U/api/v1/pods?watch=1&timeoutSeconds=1" >"$TMP/w3" || true
[[ $(grep -c '"type":"ADDED"' "$TMP/w3") == 1500 ]] || fail "initial ADDED events: $(grep -c ADDED "$TMP/w3")"

kill -TERM "$KPID"
rc=0
wait "$KPID" || rc=$?
KPID=
[[ $rc == 0 ]] || fail "kubesim exit status $rc"
echo "PASS"
