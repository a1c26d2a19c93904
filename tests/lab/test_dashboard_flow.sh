# test_dashboard_flow: issue #08's "Done when", played with keys only on the live lab.
# The channel breaks (break-channel: SQL error 1062); the console opens; the broken
# channel is the first row of the Channels view (problems float to the top); Enter opens
# its detail, where errno 1062 and the duplicate entry are on screen. The data is fixed
# (fix-channel, which repairs the row and restarts the channel, as docs/lab.md says); the
# detail turns both threads Yes. Then the channel is stopped and started from the detail
# with its keys and their confirmations (x, u), and is seen running again with its lag
# shown as a number and in the graph. Esc goes back. The lab is left as found (fix-channel
# in the trap). Every wait is a bounded poll; the whole test takes well under 2 minutes.
. "$(dirname "$0")/../tui/lib.sh"
: "${PXC_LAB_DIR:?run through ctest (PXC_LAB_DIR is set by tests/CMakeLists.txt)}"
CFG=$PXC_LAB_DIR/pxcmesh.yaml
[[ -f $PXC_LAB_DIR/state && $(cat "$PXC_LAB_DIR/state") == ready ]] || fail "the lab is not ready"
trap '"$PXCMESH" lab fault fix-channel --dir "$PXC_LAB_DIR" >/dev/null 2>&1; tui_cleanup' EXIT

# 1. Break the channel before the console starts: it must find the problem by itself.
"$PXCMESH" lab fault break-channel --dir "$PXC_LAB_DIR" >"$TUI_TMP/break.out" 2>&1 ||
    fail "break-channel: $(cat "$TUI_TMP/break.out")"

# 2. Open the console; the overview already says where the problem is.
tui_start 120 40 --config "$CFG"
wait_for " LIVE " 10
wait_for "cluster_b_source (SQL No, error 1062)" 30
has "Channels ✗1"

# 3. The Channels view: the broken channel is the first row, and is selected.
keys 2
wait_re '│cluster-a .*cluster_b_source .* Yes +No ' 10
first=$(screen | grep -n '│CLUSTER ' | head -1 | cut -d: -f1)
broken=$(screen | grep -n '│cluster-a .*cluster_b_source' -E | head -1 | cut -d: -f1)
[[ -n $first && -n $broken && $broken -eq $((first + 1)) ]] ||
    fail "the broken channel is not the first row ($broken, $first)"
wait_re '─ 1/[0-9]+ ─┐$' 5

# 4. Enter: its detail, with the error number and what it means.
keys Enter
wait_for "Channel cluster_b_source on " 5
wait_re '│SQL thread +No' 5
wait_re '│Last SQL error errno 1062 at ' 5
screen | grep -q "Duplicate entry" || fail "the SQL error text is not shown"
screen | grep -q '│07:\|│[0-9][0-9]:[0-9][0-9]:[0-9][0-9] .*error' || fail "no history row"
has "Lag, last 10 min"

# 5. Fix the data (repairs the row and restarts the channel); the detail follows.
"$PXCMESH" lab fault fix-channel --dir "$PXC_LAB_DIR" >"$TUI_TMP/fix.out" 2>&1 ||
    fail "fix-channel: $(cat "$TUI_TMP/fix.out")"
wait_re '│SQL thread +Yes' 15
wait_re '│IO thread +Yes' 15
wait_for "Last SQL error none" 15

# 6. Stop, then start, with the detail's keys and their confirmations.
keys x
wait_for "STOP REPLICA" 5
keys y
wait_re '│IO thread +No' 15
wait_re '│SQL thread +No' 15
keys u
wait_for "START REPLICA" 5
keys y
wait_re '│IO thread +Yes' 15
wait_re '│SQL thread +Yes' 15
# Running, with its lag as a number, and the graph has samples.
wait_re '│Lag +[0-9.]+[smh] from ' 15
wait_re '│ *0s│' 5
screen | grep -qE 'now [0-9.]+[smh], warn 60s, crit 600s' || fail "graph title lacks the lag"
# The stop and the start are in the channel's history, newest first.
wait_re '│[0-9:]{8} +[0-9]+s +info +console: START channel' 10
l_start=$(screen | grep -nE 'info +console: START channel' | head -1 | cut -d: -f1)
l_stop=$(screen | grep -nE 'info +console: STOP channel' | head -1 | cut -d: -f1)
[[ -n $l_start && -n $l_stop && $l_start -lt $l_stop ]] || fail "history: start/stop ($l_start, $l_stop)"

# 7. Esc: back to the Channels view, the row healthy.
keys Escape
wait_re '│cluster-a .*cluster_b_source .* Yes +Yes ' 10
keys q
wait_exit 0
echo ok
