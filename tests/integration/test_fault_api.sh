#!/usr/bin/env bash
# test_fault_api: API server faults on one of two clusters. Two kubesims (A with a bearer
# token read from a token file, B open) are watched by `pxcmesh status --follow` (one JSON
# line per model change) and by the console in tmux. Cluster A then suffers, one at a time:
# dropped watches, a forced 410 (compaction), 429 with Retry-After, 500s, garbage JSON, a
# server that accepts and never answers, a restart, and an expired token that is then
# rotated in its file. Each time: cluster B keeps updating (a ServiceEntry created on B is
# seen within 3 s), the problem shows in words where it is a lasting one (the cluster's
# error text, in the model and on the screen), and A recovers by itself (a ServiceEntry
# created on A afterwards is seen, the error clears). Nothing is restarted by the test
# except the server itself.
# A private TMPDIR: other suites sweep /tmp/pxkube.* (kube_common.sh's prefix).
FAULT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pxfault.XXXXXX")
export TMPDIR=$FAULT_TMP
source "$(dirname "$0")/kube_common.sh"

TMUX_SOCK=pxft$$
T=(tmux -L "$TMUX_SOCK" -f /dev/null)
trap '"${T[@]}" kill-server 2>/dev/null; kt_cleanup; rmdir "$FAULT_TMP" 2>/dev/null' EXIT

kt_seed "$KT_DIR/seed-a" a enabled
kt_seed "$KT_DIR/seed-b" b enabled
ksim_start A 1 "$KT_DIR/seed-a" --insecure-http --bookmark-interval 2 --token tok-1
ksim_start B 2 "$KT_DIR/seed-b" --insecure-http --bookmark-interval 2
# A's user reads its token from a file, as a projected service-account token is read.
printf 'tok-1' >"$KT_DIR/token-a"
sed -i "s|^      token: \"tok-1\"|      tokenFile: \"$KT_DIR/token-a\"|" "$KT_DIR/kubeconfig"
grep -q tokenFile "$KT_DIR/kubeconfig" || fail "kubeconfig not rewritten for a token file"
cp "$KT_DIR/kubeconfig" "$KT_DIR/kubeconfig.px" # kubesim restarts rewrite the original

follow="$KT_DIR/follow.jsonl"
HOME="$KT_DIR" XDG_CONFIG_HOME="$KT_DIR/xdg" "$PXCMESH" --kubeconfig "$KT_DIR/kubeconfig.px" \
    --log "$KT_DIR/px.log" status --follow 400 --context A --context B >"$follow" 2>"$KT_DIR/follow.err" &
KT_PIDS+=("$!")

# The console, live, on the same clusters (its sanitizer reports go to files).
cat >"$KT_DIR/console.sh" <<RUN
export TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1 HOME=$KT_DIR
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$KT_DIR/san.asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$KT_DIR/san.ubsan"
export LSAN_OPTIONS="suppressions=$PXC_SOURCE_DIR/tests/lsan.supp"
$(printf '%q' "$PXCMESH") --kubeconfig $KT_DIR/kubeconfig.px --context A --context B
echo "EXITED:\$?"
exec sleep 600
RUN
"${T[@]}" new-session -d -s c -x 160 -y 45 "sh $KT_DIR/console.sh" || fail "cannot start tmux"
# Captured whole, written with SIGPIPE ignored (in a subshell): `scr | grep -q` must not fail
# under pipefail because grep left at its match while tmux was still writing.
scr() (
    s=$("${T[@]}" capture-pane -p -t c 2>/dev/null) || exit 1
    trap '' PIPE
    printf '%s\n' "$s" 2>/dev/null || true
)
on_screen() { scr | grep -qE -- "$1"; }
off_screen() { ! on_screen "$1"; }

last() { tail -n 1 "$follow"; }
# a_is / b_is JQ: the newest line satisfies JQ about cluster A / B.
a_is() { [[ -s "$follow" ]] && last | jq -e ".clusters[0] | $1" >/dev/null; }
b_is() { [[ -s "$follow" ]] && last | jq -e ".clusters[1] | $1" >/dev/null; }
se_json() {
    printf '{"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry","metadata":{"name":"%s","namespace":"pxc"},"spec":{"hosts":["%s.global"],"ports":[{"number":3306,"name":"mysql","protocol":"TCP"}],"resolution":"DNS"}}' "$1" "$1"
}
SE=/apis/networking.istio.io/v1/namespaces/pxc/serviceentries
# A wants the current token; B is open.
auth() { [[ $1 == A ]] && echo "Authorization: Bearer $(cat "$KT_DIR/token-a")" || echo "X-No-Auth: 1"; }
se_create() { ksim_curl "$1" POST "$SE" -H 'Content-Type: application/json' -H "$(auth "$1")" -d "$(se_json "$2")" >/dev/null; }
se_delete() { ksim_curl "$1" DELETE "$SE/$2" -H "$(auth "$1")" >/dev/null; }
fault_a() {
    local code
    code=$(ksim_curl A POST /_ksim/fault -H 'Content-Type: application/json' -H "$(auth A)" \
        -d "$1" -o /dev/null -w '%{http_code}')
    [[ $code == 200 ]] || fail "kubesim A refused the fault $1 (HTTP $code)"
}

N_STEP=0
# b_alive WHAT: cluster B still updates while A suffers WHAT.
b_alive() {
    N_STEP=$((N_STEP + 1))
    local n="alive-$N_STEP"
    se_create B "$n"
    wait_for 3 b_is "(.serviceentries | index(\"pxc/$n\")) != null" ||
        fail "$1: cluster B stopped updating: $(last)"
    se_delete B "$n"
}
# a_recovers WHAT [SECS]: A's error clears and a change on A is seen again. Once the server
# answers, the health probe notices within seconds and starts every waiting informer at
# once, however far its backoff had grown; the default is a bound for a loaded machine.
a_recovers() {
    N_STEP=$((N_STEP + 1))
    local n="back-$N_STEP" secs=${2:-45}
    wait_for "$secs" a_is '.reachable and .error == ""' || fail "$1: A did not recover: $(last)"
    se_create A "$n"
    wait_for "$secs" a_is "(.serviceentries | index(\"pxc/$n\")) != null and .error == \"\"" ||
        fail "$1: A does not see changes after recovering: $(last)"
    se_delete A "$n"
    pass "$1: A recovered by itself, B kept updating"
}

wait_for 20 a_is '.reachable and .serviceentries == ["pxc/pxc-cluster-b"]' ||
    { cat "$follow" "$KT_DIR/follow.err" >&2; fail "first sync of A not seen"; }
wait_for 20 b_is '.reachable and .error == ""' || fail "first sync of B not seen: $(last)"
wait_for 20 on_screen '^ pxcmesh .*LIVE' || fail "the console did not start: $(scr)"

# 1. Dropped watches: re-watch from the last version, nothing lost.
fault_a '{"drop_watches":true}'
b_alive "dropped watches"
a_recovers "dropped watches" 10

# 2. 410 Gone: the watch cannot resume; the informers relist from scratch.
# A change just before the compaction leaves every other informer of A behind the new
# horizon (the next bookmark is up to 2 s away), so their watches cannot resume.
before=$(last | jq -r '.clusters[0].relists_410')
se_create A pre-410
fault_a '{"compact":true,"drop_watches":true}'
b_alive "410"
a_recovers "410" 10
wait_for 5 a_is ".relists_410 > $before" || fail "410: no relist counted: $(last)"

# 3. 429 with Retry-After: the error says throttled and when it retries; B unaffected.
fault_a '{"status":429,"retry_after":2,"count":-1,"drop_watches":true}'
wait_for 15 a_is '.error | test("throttled: cannot (list|watch|get) .*429.*retrying after [0-9]+ s")' ||
    fail "429 not shown in words: $(last)"
wait_for 10 on_screen 'throttled' || fail "429 not on the screen"
b_alive "429"
fault_a '{"clear":true}'
a_recovers "429"
wait_for 10 off_screen 'throttled' ||
    fail "429 error still on the screen after recovery"

# 4. 500s.
fault_a '{"status":500,"count":-1,"drop_watches":true}'
wait_for 15 a_is '.error | test("server error: cannot (list|watch|get) .*\\(500 from http")' ||
    fail "500 not shown in words: $(last)"
b_alive "500"
fault_a '{"clear":true}'
a_recovers "500"

# 5. Garbage JSON on the next answers (the list or the watch after the drop).
fault_a '{"garbage":3,"drop_watches":true}'
b_alive "garbage"
a_recovers "garbage JSON"

# 6. A server that accepts and never answers: B must not wait for A.
fault_a '{"hang":true,"drop_watches":true}'
sleep 1
b_alive "hang"
b_alive "hang (2)"
fault_a '{"clear":true}'
a_recovers "hang"

# 7. Restart: refused while down (in words, on the screen too), then back with its seed. The
# watches end as the server shuts down, and their re-watches may reach it while it still
# answers (with nothing): the informers back off, and the health probe, not their next
# retry, finds the server gone.
ksim_stop A
wait_for 10 a_is '.reachable == false and (.error | test("connection refused"))' ||
    fail "restart: A not shown as refused: $(last)"
wait_for 10 on_screen 'API unreachable' || fail "restart: the console does not show A unreachable"
b_alive "A down"
ksim_start A 1 "$KT_DIR/seed-a" --insecure-http --bookmark-interval 2 --token tok-1
a_recovers "restart" 30
wait_for 10 a_is '.serviceentries == ["pxc/pxc-cluster-b"]' ||
    fail "restart: A's model does not match the restarted server: $(last)"

# 8. An expired token: the server now only accepts a new one. 401 in words; once the new
# token is in the file, the client re-reads it after the next 401 and recovers by itself.
ksim_stop A
ksim_start A 1 "$KT_DIR/seed-a" --insecure-http --bookmark-interval 2 --token tok-2
# (The health probe's 401 is the cluster's error within seconds, whatever the informers
# still say about the shutdown of the old server.) The old server, shutting down, answered
# the re-watches with nothing; the new one counts resource versions afresh, so A must relist
# rather than watch from versions it never had (a ServiceEntry created after the rotation
# would never be seen).
wait_for 20 a_is '.error | test("unauthorized: cannot (list|watch|get) .*401")' ||
    fail "expired token not shown in words: $(last)"
b_alive "expired token"
printf 'tok-2' >"$KT_DIR/token-a"
a_recovers "token rotated" 40

# The console survived all of it, shows both clusters, and quits cleanly.
on_screen '^A ' || fail "console lost cluster A: $(scr)"
"${T[@]}" send-keys -t c q
wait_for 10 on_screen 'EXITED:0' || fail "console did not quit cleanly: $(scr)"
if ls "$KT_DIR"/san.* >/dev/null 2>&1; then cat "$KT_DIR"/san.* >&2; fail "sanitizer reports from the console"; fi
pass "all API faults survived"
