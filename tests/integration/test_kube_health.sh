#!/usr/bin/env bash
# test_kube_health: blind is never healthy. Two kubesims (A and B, bookmarks every 2 s) are
# watched by `pxcmesh status --follow` and by the console in tmux. A is then stopped with
# SIGSTOP (it accepts connections and answers nothing), made to answer 500 to everything,
# killed, and restarted at once. Each time A must read as unreachable within a few seconds,
# in the model and on the screen, with the true age of its last good answer (a failing
# probe or an HTTP error is not contact), and recover by itself (a ServiceEntry created on A
# afterwards is seen). B keeps being reachable throughout.
FAULT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pxhealth.XXXXXX")
export TMPDIR=$FAULT_TMP
source "$(dirname "$0")/kube_common.sh"

TMUX_SOCK=pxkh$$
T=(tmux -L "$TMUX_SOCK" -f /dev/null)
# A stopped process ignores SIGTERM until continued: continue A before the cleanup kills it.
trap 'kill -CONT "${KSIM_PID_A:-0}" 2>/dev/null; "${T[@]}" kill-server 2>/dev/null; kt_cleanup;
      rmdir "$FAULT_TMP" 2>/dev/null' EXIT

kt_seed "$KT_DIR/seed-a" a enabled
kt_seed "$KT_DIR/seed-b" b enabled
ksim_start A 1 "$KT_DIR/seed-a" --insecure-http --bookmark-interval 2
ksim_start B 2 "$KT_DIR/seed-b" --insecure-http --bookmark-interval 2
cp "$KT_DIR/kubeconfig" "$KT_DIR/kubeconfig.px" # a restart rewrites the original

# A failure prints the tail of px.log and console.log (kt_dump): both clients, debug level.

follow="$KT_DIR/follow.jsonl"
HOME="$KT_DIR" XDG_CONFIG_HOME="$KT_DIR/xdg" "$PXCMESH" --kubeconfig "$KT_DIR/kubeconfig.px" \
    --log "$KT_DIR/px.log" status --follow 300 --context A --context B >"$follow" 2>"$KT_DIR/follow.err" &
KT_PIDS+=("$!")

cat >"$KT_DIR/console.sh" <<RUN
export TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1 HOME=$KT_DIR
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$KT_DIR/san.asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$KT_DIR/san.ubsan"
export LSAN_OPTIONS="suppressions=$PXC_SOURCE_DIR/tests/lsan.supp"
$(printf '%q' "$PXCMESH") --kubeconfig $KT_DIR/kubeconfig.px --log $KT_DIR/console.log --context A --context B
echo "EXITED:\$?"
exec sleep 600
RUN
"${T[@]}" new-session -d -s c -x 160 -y 45 "sh $KT_DIR/console.sh" || fail "cannot start tmux"
scr() (
    s=$("${T[@]}" capture-pane -p -t c 2>/dev/null) || exit 1
    trap '' PIPE
    printf '%s\n' "$s" 2>/dev/null || true
)
on_screen() { scr | grep -qE -- "$1"; }

last() { tail -n 1 "$follow"; }
a_is() { [[ -s "$follow" ]] && last | jq -e ".clusters[0] | $1" >/dev/null; }
b_is() { [[ -s "$follow" ]] && last | jq -e ".clusters[1] | $1" >/dev/null; }
se_json() {
    printf '{"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry","metadata":{"name":"%s","namespace":"pxc"},"spec":{"hosts":["%s.global"],"ports":[{"number":3306,"name":"mysql","protocol":"TCP"}],"resolution":"DNS"}}' "$1" "$1"
}
SE=/apis/networking.istio.io/v1/namespaces/pxc/serviceentries
se_create() { ksim_curl "$1" POST "$SE" -H 'Content-Type: application/json' -d "$(se_json "$2")" >/dev/null; }
se_delete() { ksim_curl "$1" DELETE "$SE/$2" >/dev/null; }

# unreachable_within WHAT T0 SECS ERR_RE: A reads as unreachable (model and screen) within
# SECS of T0, with an error matching ERR_RE and its last contact dated before T0.
unreachable_within() {
    local what=$1 t0=$2 secs=$3 re=$4
    wait_for "$secs" a_is '.reachable == false' ||
        fail "$what: A still reads as reachable after $secs s: $(last)"
    local took=$(( $(now_ms) - t0 ))
    a_is ".error | test(\"$re\")" || fail "$what: error not in words: $(last)"
    local contact
    contact=$(last | jq '.clusters[0].contact_ms')
    # Bookmarks arrive every 2 s per watch: the last good answer came shortly before T0.
    (( contact <= t0 + 300 && contact >= t0 - 4000 )) ||
        fail "$what: last contact $(( t0 - contact )) ms before the fault, want 0..4000: $(last)"
    wait_for "$secs" on_screen '^A .*API unreachable' || fail "$what: not on the screen: $(scr)"
    b_is '.reachable and .error == ""' || fail "$what: B suffers too: $(last)"
    pass "$what: A unreachable after $took ms (last contact $(( t0 - contact )) ms before)"
}

# header_age_ok WHAT CONTACT_MS: the header's "A: last contact Ns ago" is the true age.
# CONTACT_MS is status --follow's, a client of its own: the console's last bookmark may have
# come up to one bookmark interval (2 s) before or after it (each client's watches started at
# their own moments), and the header is drawn once a second: it may say up to 3 s more or less
# than the follower's age. A probe or an error counted as contact would say 0-2 s, which the
# checks made 8 s and more after the last contact tell apart.
header_age_ok() {
    local what=$1 contact=$2 line n want
    wait_for 5 on_screen 'A: last contact [0-9]+s ago' || fail "$what: no age in the header: $(scr | head -1)"
    line=$(scr | head -1)
    n=$(grep -oE 'A: last contact [0-9]+s ago' <<<"$line" | grep -oE '[0-9]+')
    want=$(( ($(now_ms) - contact) / 1000 ))
    (( n >= want - 3 && n <= want + 3 )) || fail "$what: header says ${n}s, the last contact was ${want}s ago: $line"
    pass "$what: header says last contact ${n}s ago"
}

N=0
a_sees_changes() {
    N=$((N + 1))
    wait_for "$2" a_is '.reachable and .error == ""' || fail "$1: A did not recover: $(last)"
    se_create A "back-$N"
    wait_for "$2" a_is "(.serviceentries | index(\"pxc/back-$N\")) != null" ||
        fail "$1: A does not see changes after recovering: $(last)"
    se_delete A "back-$N"
    wait_for 20 on_screen '^A .*API ok' || fail "$1: the screen does not say A is back: $(scr)"
    pass "$1: A recovered by itself"
}

wait_for 20 a_is '.reachable and .serviceentries == ["pxc/pxc-cluster-b"]' ||
    { cat "$follow" "$KT_DIR/follow.err" >&2; fail "first sync of A not seen"; }
wait_for 20 b_is '.reachable and .error == ""' || fail "first sync of B not seen: $(last)"
wait_for 20 on_screen '^A .*API ok' || fail "the console did not start: $(scr)"

# 1. SIGSTOP: connections are accepted, nothing is answered, the watches go quiet.
t0=$(now_ms)
kill -STOP "$KSIM_PID_A"
unreachable_within "stopped (SIGSTOP)" "$t0" 8 "API server not answering: cannot get /version"
contact=$(last | jq '.clusters[0].contact_ms')
header_age_ok "stopped" "$contact"
# Failing probes are not contact: a few seconds later the age has grown with the clock.
sleep 3
header_age_ok "stopped, 3 s later" "$contact"
[[ $(last | jq '.clusters[0].contact_ms') == "$contact" ]] || fail "stopped: contact moved: $(last)"
kill -CONT "$KSIM_PID_A"
a_sees_changes "continued (SIGCONT)" 10

# 2. 500 to everything (watches dropped too, so that no old stream answers).
t0=$(now_ms)
ksim_fault A '{"status":500,"count":-1,"drop_watches":true}'
unreachable_within "500 everywhere" "$t0" 8 "server error: cannot (get|list|watch) .*500 from http"
contact=$(last | jq '.clusters[0].contact_ms')
# Long enough for the informers' backoff to grow past the windows of steps 3 and 4.
while (( $(now_ms) < t0 + 10000 )); do sleep 0.5; done
a_is '.reachable == false' || fail "500 everywhere: A reads as reachable again: $(last)"
header_age_ok "500 everywhere, 10 s on" "$contact"
ksim_fault A '{"clear":true}'
a_sees_changes "500 cleared" 10

# 3. Killed: refused within seconds, whatever the informers' backoff.
t0=$(now_ms)
ksim_stop A
wait_for 5 a_is '.reachable == false and (.error | test("connection refused"))' ||
    fail "killed: A not shown as refused within 5 s: $(last)"
pass "killed: refused after $(( $(now_ms) - t0 )) ms"
ksim_start A 1 "$KT_DIR/seed-a" --insecure-http --bookmark-interval 2
a_sees_changes "started again" 10

# 4. Stopped and started back to back: the watches end as the old server shuts down (it
# still answers them, with nothing), and the new one counts resource versions afresh,
# behind the ones A knew. The informers must relist, not watch from versions this server
# never had (their bookmarks would look healthy while no event ever came).
for i in 1 2 3 4 5; do se_create A "bump-$i"; se_delete A "bump-$i"; done
wait_for 10 a_is '.reachable and .error == "" and .serviceentries == ["pxc/pxc-cluster-b"]' ||
    fail "before the restart: $(last)"
ksim_stop A
ksim_start A 1 "$KT_DIR/seed-a" --insecure-http --bookmark-interval 2
a_sees_changes "restarted at once" 10
wait_for 5 a_is '.serviceentries == ["pxc/pxc-cluster-b"]' ||
    fail "restart: A's model does not match the restarted server: $(last)"

# 5. Restarted in place twice in a row, each time while the watches of both clients are
# young (all open again, none a second old, no bookmark yet): each watch ends at once twice
# with no event between. The second time must back off from a second or so
# (backoff_quick), not from the backoff that the outages of steps 2 and 3 grew (up to 30 s;
# it resets only after two healthy minutes), which no health check cuts short since the
# server never stopped answering for long. (More restarts in a row back off further, as
# client-go's reflector does: a proxy that cuts every stream must not get a LIST a second.)
open_watches() { ksim_curl A GET /_ksim/stats | jq -r .watches; }
watches_ge() { local n; n=$(open_watches) && (( n >= $1 )); }
wait_for 10 a_is '.reachable and .error == ""' || fail "before restarting twice: $(last)"
# Every informer of both clients watching: the count holds for a second.
want=0
for _ in $(seq 20); do
    n1=$(open_watches); sleep 1; n2=$(open_watches)
    (( n1 == n2 && n1 > 0 )) && { want=$n1; break; }
done
(( want > 0 )) || fail "A's open watches never settled: $(last)"
ksim_stop A
ksim_start A 1 "$KT_DIR/seed-a" --insecure-http --bookmark-interval 2
wait_for 10 watches_ge "$want" ||
    fail "first restart: the clients did not watch again ($(open_watches) of $want): $(last)"
ksim_stop A
ksim_start A 1 "$KT_DIR/seed-a" --insecure-http --bookmark-interval 2
a_sees_changes "restarted in place while its watches were young, twice" 10

"${T[@]}" send-keys -t c q
wait_for 10 on_screen 'EXITED:0' || fail "console did not quit cleanly: $(scr)"
if ls "$KT_DIR"/san.* >/dev/null 2>&1; then cat "$KT_DIR"/san.* >&2; fail "sanitizer reports from the console"; fi
pass "blind is never healthy"
