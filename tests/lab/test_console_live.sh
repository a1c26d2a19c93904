# test_console_live: the console on the live lab (through the tmux harness of tests/tui):
# both clusters with their pods, Galera state, sidecars, ServiceEntries and the channel
# from the real servers; :ctx drop/add; a live change (break-channel turns the channel red
# with SQL error 1062 on screen within the refresh interval, fix-channel turns it back);
# stop and start from the channels view after confirming; --readonly hides those keys.
. "$(dirname "$0")/../tui/lib.sh"
: "${PXC_LAB_DIR:?run through ctest (PXC_LAB_DIR is set by tests/CMakeLists.txt)}"
CFG=$PXC_LAB_DIR/pxcmesh.yaml
[[ -f $PXC_LAB_DIR/state && $(cat "$PXC_LAB_DIR/state") == ready ]] || fail "the lab is not ready"
trap '"$PXCMESH" lab fault fix-channel --dir "$PXC_LAB_DIR" >/dev/null 2>&1; tui_cleanup' EXIT

tui_start 130 45 --config "$CFG"
wait_for " LIVE " 10
wait_re '^cluster-a ● API ok.* +cluster-b ● API ok' 30
has "Istio"
wait_re '^│pxc-cluster-pxc-0 +Running +Synced 3 +✓ injected' 30
has "pxc-cluster.cluster-b.global"
wait_re 'cluster-b (──)cluster_b_source \(lag [0-9.]+s\)──▶ cluster-a' 30
screen | grep -q '│cluster_b_source .*Yes/Yes' || fail "channel row not Yes/Yes"
hasnt "read-only"

# :ctx drops a cluster and adds it back (from the config entry) while running.
keys :
typed "ctx drop cluster-b"
keys Enter
wait_for "dropped cluster cluster-b"
wait_for " 1 cluster "
hasnt "cluster-b ● API"
keys :
typed "ctx add clu"
keys Tab
wait_for ":ctx add cluster-b"
keys Enter
wait_for " 2 clusters "
wait_re '^cluster-a ● API ok.* +cluster-b ● API ok' 30
wait_re '│pxc-cluster-pxc-0 +Running +Synced 3 .*│pxc-cluster-pxc-0 +Running +Synced' 30

# A live change, seen within the refresh interval (2 s) plus the fault's own wait.
"$PXCMESH" lab fault break-channel --dir "$PXC_LAB_DIR" >"$TUI_TMP/fault.out" 2>&1 ||
    fail "break-channel: $(cat "$TUI_TMP/fault.out")"
wait_for "cluster_b_source (SQL No, error 1062)─╳─ cluster-a" 10
has "Channels ✗1"
# marked as soon as the live doctor names it (CH_SQL_ERROR)
wait_re '│✗ cluster_b_source .*Yes/No' 5
# The channels view names the error in words.
keys 2
wait_re 'cluster-a .*cluster_b_source .*Yes +No .*Could not execute' 5
keys 1
"$PXCMESH" lab fault fix-channel --dir "$PXC_LAB_DIR" >"$TUI_TMP/fix.out" 2>&1 ||
    fail "fix-channel: $(cat "$TUI_TMP/fix.out")"
wait_re 'cluster-b ──cluster_b_source \(lag [0-9.]+s\)──▶ cluster-a' 30
# Stop and start from the channels view: x / u confirm, then the row follows.
keys 2
wait_re '│cluster-a .*cluster_b_source .*Yes +Yes ' 10
keys x
wait_for "STOP REPLICA"
keys y
wait_re '│cluster-a .*cluster_b_source .*No +No ' 15
keys u
wait_for "START REPLICA"
keys y
wait_re '│cluster-a .*cluster_b_source .*Yes +Yes ' 15
keys q
wait_exit 0

# --readonly: the writing keys are neither answered nor listed.
tui_stop
tui_start 130 45 --readonly --config "$CFG"
wait_for "read-only"
keys 2
wait_re '│cluster-a .*cluster_b_source .*Yes +Yes ' 30
hasnt "<x> stop"
keys x
wait_for "read-only: stop (x) is not allowed (started with --readonly)"
keys '?'
wait_for "pxcmesh keys"
keys /
typed "channel"
wait_for "Show every replication channel in one table"
hasnt "Stop the selected channel"
hasnt "Start the selected channel"
keys Escape Escape q
wait_exit 0
echo ok
