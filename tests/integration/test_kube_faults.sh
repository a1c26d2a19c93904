#!/usr/bin/env bash
# test_kube_faults: `pxcmesh status` against a kubesim with faults switched on: a short 429
# with Retry-After is waited out (exit 0, and it did wait); a long one is reported as
# throttled; a 500 is a server error in words; a server that accepts and never answers is
# cut at the --timeout. The other cluster stays complete in every case.
source "$(dirname "$0")/kube_common.sh"

kt_seed "$KT_DIR/seed-a" a enabled
kt_seed "$KT_DIR/seed-b" b enabled
ksim_start A 1 "$KT_DIR/seed-a" --insecure-http
ksim_start B 2 "$KT_DIR/seed-b" --insecure-http

st() {
    RC=0
    OUT=$(px status --json --no-mysql --timeout "${1:-15}" --context A --context B 2>"$KT_DIR/err") || RC=$?
}
errB() { echo "$OUT" | jq -r '.clusters[] | select(.name=="B") | .error'; }
a_ok() { [[ $(echo "$OUT" | jq -r '.clusters[] | select(.name=="A") | (.reachable and .error == null and (.pods | length) >= 3)') == true ]]; }

# 429 twice with Retry-After: 1 -> waited out.
ksim_fault B '{"status":429,"retry_after":1,"count":2}'
t0=$(now_ms)
st
[[ $RC == 0 ]] || { errB >&2; fail "429 x2: exit $RC, want 0"; }
(( $(now_ms) - t0 >= 1000 )) || fail "429 x2: Retry-After was not honoured"
a_ok || fail "429: A incomplete"
pass "short 429 waited out after $(( $(now_ms) - t0 )) ms"

# 429 with a long Retry-After: reported, not waited for.
ksim_fault B '{"status":429,"retry_after":60,"count":-1}'
st
[[ $RC == 1 ]] || fail "429 long: exit $RC, want 1"
[[ "$(errB)" =~ ^throttled:\ cannot\ get\ /version\ \(429\ from\ http://.*retrying\ after\ 60\ s ]] ||
    fail "429 words: $(errB)"
a_ok || fail "429: A incomplete"
pass "long 429: $(errB)"

ksim_fault B '{"clear":true}'
ksim_fault B '{"status":500,"count":-1}'
st
[[ $RC == 1 ]] || fail "500: exit $RC, want 1"
[[ "$(errB)" =~ ^server\ error:\ cannot\ get\ /version\ \(500\ from\ http://.*kubesim\ fault ]] ||
    fail "500 words: $(errB)"
a_ok || fail "500: A incomplete"
pass "500: $(errB)"

# Accepts, never answers: the status deadline cuts it.
ksim_fault B '{"clear":true}'
ksim_fault B '{"hang":true}'
t0=$(now_ms)
st 3
(( $(now_ms) - t0 < 8000 )) || fail "hang: status took $(( $(now_ms) - t0 )) ms"
[[ $RC == 1 ]] || fail "hang: exit $RC, want 1"
[[ "$(errB)" =~ no\ complete\ answer\ within\ 3\ s ]] || fail "hang words: $(errB)"
a_ok || fail "hang: A incomplete"
pass "hung server: $(errB)"
ksim_fault B '{"clear":true}' || true
