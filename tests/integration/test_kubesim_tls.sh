#!/usr/bin/env bash
# kubesim over HTTPS: its own CA, a client certificate in the kubeconfig it writes
# (kubectl uses it unchanged), two kubesims merged into one kubeconfig as contexts
# cluster-a and cluster-b, bearer tokens, 401 without credentials, 403 for a read-only
# identity that writes or reads a forbidden resource.
set -euo pipefail

KSIM="${PXC_BUILD_DIR:?run through ctest}/lab/kubesim"
[[ -x $KSIM ]] || { echo "FAIL: kubesim not built at $KSIM"; exit 1; }
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

# A unique loopback address per run: the server certificate names it.
IP_A=127.0.$((RANDOM % 200 + 40)).$((RANDOM % 250 + 1))
IP_B=127.0.$((RANDOM % 200 + 40)).$((RANDOM % 250 + 1))
printf 'tok-file-admin,filer\ntok-file-ro,viewer,readonly\n' >"$TMP/tokens"

"$KSIM" --listen "$IP_A:0" --write-kubeconfig "$TMP/kc" --context cluster-a \
    --state-dir "$TMP/state-a" --readonly-token ro-token --forbid secrets \
    --tokens-file "$TMP/tokens" >"$TMP/a.out" 2>&1 &
PIDS+=($!)
"$KSIM" --listen "$IP_B:0" --write-kubeconfig "$TMP/kc" --context cluster-b \
    --state-dir "$TMP/state-b" --token admin-token-b >"$TMP/b.out" 2>&1 &
PIDS+=($!)
wait_for 40 grep -q listening "$TMP/a.out" || fail "kubesim A did not start"
wait_for 40 grep -q listening "$TMP/b.out" || fail "kubesim B did not start"
URL_A=$(grep -o 'https://[0-9.:]*' "$TMP/a.out")
URL_B=$(grep -o 'https://[0-9.:]*' "$TMP/b.out")
CA_A=$TMP/state-a/ca.crt

# One kubeconfig, two contexts, each working with kubectl as written
ctx=$(kubectl --kubeconfig "$TMP/kc" config get-contexts -o name | sort | tr '\n' ' ')
[[ $ctx == "cluster-a cluster-b " ]] || fail "contexts in the merged kubeconfig: $ctx"
grep -q 'client-certificate-data' "$TMP/kc" || fail "no client certificate for cluster-a"
grep -q 'token: "admin-token-b"' "$TMP/kc" || fail "no token for cluster-b"
kubectl --kubeconfig "$TMP/kc" --context cluster-a get ns default >/dev/null || fail "kubectl with client cert"
kubectl --kubeconfig "$TMP/kc" --context cluster-b get ns default >/dev/null || fail "kubectl with token"
kubectl --kubeconfig "$TMP/kc" --context cluster-a create namespace made-by-cert >/dev/null || fail "create"

# TLS verification is real: the server certificate is for its address, signed by its CA
curl -sf --cacert "$CA_A" --cert "$TMP/state-a/client.crt" --key "$TMP/state-a/client.key" \
    "$URL_A/version" | expect gitVersion || fail "curl with CA and client cert"
[[ $(anyway curl -s -o /dev/null -w '%{http_code}' "$URL_A/version") == 000 ]] ||
    fail "curl without the CA must fail verification"
[[ $(anyway curl -s -o /dev/null -w '%{http_code}' --cacert "$TMP/state-b/ca.crt" "$URL_A/version") == 000 ]] ||
    fail "another kubesim's CA must not verify this one"

code() { anyway curl -s -o "$TMP/body" -w '%{http_code}' --cacert "$CA_A" "$@"; }
# 401 without credentials, and with a wrong token
[[ $(code "$URL_A/api/v1/namespaces") == 401 ]] || fail "no credentials: expected 401"
grep -q '"reason":"Unauthorized"' "$TMP/body" || fail "401 Status body: $(cat "$TMP/body")"
[[ $(code -H 'Authorization: Bearer nope' "$URL_A/api/v1/namespaces") == 401 ]] || fail "wrong token: expected 401"
# a certificate from another CA is no credential
[[ $(code --cert "$TMP/state-b/client.crt" --key "$TMP/state-b/client.key" "$URL_A/api/v1/namespaces") == 401 ]] ||
    fail "foreign client cert: expected 401"
# read-only token: reads yes, writes and forbidden resources no
[[ $(code -H 'Authorization: Bearer ro-token' "$URL_A/api/v1/namespaces") == 200 ]] || fail "ro list"
[[ $(code -H 'Authorization: Bearer ro-token' -X DELETE "$URL_A/api/v1/namespaces/made-by-cert") == 403 ]] ||
    fail "ro delete: expected 403"
grep -q 'User \\"ksim-readonly\\" cannot delete resource \\"namespaces\\"' "$TMP/body" ||
    fail "403 message: $(cat "$TMP/body")"
[[ $(code -H 'Authorization: Bearer ro-token' "$URL_A/api/v1/namespaces/default/secrets") == 403 ]] ||
    fail "ro secrets: expected 403 (--forbid secrets)"
[[ $(code -H 'Authorization: Bearer tok-file-ro' -X DELETE "$URL_A/api/v1/namespaces/made-by-cert") == 403 ]] ||
    fail "tokens file read-only entry"
[[ $(code -H 'Authorization: Bearer tok-file-admin' "$URL_A/api/v1/namespaces/default/secrets") == 200 ]] ||
    fail "tokens file admin entry"
# read-only client certificate (O=ksim:readonly)
[[ $(code --cert "$TMP/state-a/readonly.crt" --key "$TMP/state-a/readonly.key" -X DELETE \
    "$URL_A/api/v1/namespaces/made-by-cert") == 403 ]] || fail "read-only cert delete: expected 403"
# kubectl shows the 403 in words
out=$(anyway kubectl --kubeconfig "$TMP/kc" --context cluster-a --token ro-token delete ns made-by-cert)
grep -q 'Forbidden' <<<"$out" || fail "kubectl with ro token: $out"
kubectl --kubeconfig "$TMP/kc" --context cluster-a get ns made-by-cert >/dev/null || fail "ro delete happened"

# a watch over TLS (chunked stream through GnuTLS) sees a change made with kubectl
rv=$(curl -sf --cacert "$CA_A" -H 'Authorization: Bearer ro-token' "$URL_A/api/v1/namespaces" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["resourceVersion"])')
(curl -s -N -m 20 --cacert "$CA_A" -H 'Authorization: Bearer ro-token' \
    "$URL_A/api/v1/namespaces?watch=1&resourceVersion=$rv" >"$TMP/watch" || true) &
PIDS+=($!)
kubectl --kubeconfig "$TMP/kc" --context cluster-a label ns made-by-cert seen=yes >/dev/null
wait_for 10 grep -q '"type":"MODIFIED".*"seen":"yes"' "$TMP/watch" || fail "TLS watch: $(cat "$TMP/watch")"
kill "${PIDS[-1]}" 2>/dev/null || true
unset 'PIDS[-1]'

# Restarting with the same state directory reuses the CA: the kubeconfig keeps working
kill -TERM "${PIDS[0]}"
wait "${PIDS[0]}" || fail "kubesim A exit status on SIGTERM"
"$KSIM" --listen "${URL_A#https://}" --write-kubeconfig "$TMP/kc" --context cluster-a \
    --state-dir "$TMP/state-a" >"$TMP/a2.out" 2>&1 &
PIDS[0]=$!
wait_for 40 grep -q listening "$TMP/a2.out" || fail "kubesim A did not restart"
cmp -s "$CA_A" "$TMP/state-a/ca.crt" || fail "CA changed"
kubectl --kubeconfig "$TMP/kc" --context cluster-a get ns default >/dev/null || fail "kubectl after restart"
kubectl --kubeconfig "$TMP/kc" --context cluster-b get ns default >/dev/null || fail "cluster-b entry lost in merge"
for p in "${PIDS[@]}"; do
    kill -TERM "$p"
    wait "$p" || fail "kubesim exit status on SIGTERM"
done
PIDS=()
echo "PASS"
