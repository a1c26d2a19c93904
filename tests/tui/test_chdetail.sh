# test_chdetail: the channel detail. Enter on a Channels row opens it with the full status
# (threads with their state text, the SQL error with errno and time, lag with its source
# and "unreliable", GTID sets one member a line and the gap, the failover source in use,
# the heartbeat), the multi-row lag graph with its axis and thresholds, and the channel's
# own history (other channels' events left out); Tab moves the focus to the history; y
# writes the status as YAML; Esc goes back to the Channels view, and from the Overview's
# Channels section Enter opens it too and Esc returns there. In a replay the start/stop/
# probe keys are hidden.
. "$(dirname "$0")/lib.sh"

export TUI_ENV="export HOME=$TUI_TMP"
tui_start 140 45 --replay "$PXC_FIXTURES/snapshot-broken.json"
wait_for "REPLAY"
keys 2
wait_view Channels
# Problems first, then by cluster: cluster-b's channel is the second row.
keys j Enter
wait_for "Channel cluster_a_source on pxc-cluster-pxc-0 (cluster-b)"
has " Channel detail " # the header names the view
screen | grep -q '│SQL thread  *No' || fail "SQL thread line"
screen | grep -q '│IO thread  *Yes  Waiting for source to send event' || fail "IO state text"
screen | grep -q '│Last SQL error errno 1062 at 2026-11-25 07:40:12 UTC (19m ago)' ||
    fail "SQL errno, time and age"
screen | grep -q "Duplicate entry" || fail "SQL error text"
screen | grep -q '│Lag  *- from Seconds_Behind_Source ' || fail "lag and its source"
has "warning 60s, critical 600s"
# GTID sets: one member a line, then the gap.
screen | grep -q '│Retrieved GTID 5a3c1b0e-89f1-11ef-8c4d-0242ac120002:1-61' || fail "retrieved set"
screen | grep -q '│Executed GTID  5a3c1b0e-89f1-11ef-8c4d-0242ac120002:1-52' || fail "executed set"
screen | grep -q '│  *7e2d9f14-89f1-11ef-9a1b-0242ac130002:1-18342' || fail "second executed member"
has "9 transactions retrieved, not executed yet"
has "pxc-cluster.cluster-a.global:3306 weight 100, in use"
screen | grep -q '│Last heartbeat 2026-11-25 07:59:57 UTC (3s ago)' || fail "heartbeat"
# The graph: its frame, the thresholds, an axis from the largest sample down to 0s, bars.
has "Lag, last 10 min"
has "now -, warn 60s, crit 600s"
screen | grep -q '│0.2s│' || fail "graph top label"
screen | grep -q '│  0s│ .*█' || fail "graph bottom row with a bar"
# The history holds this channel's event, not the other cluster's channel.
screen | grep -q '│07:40:12 19m error SQL stopped, error 1062' ||
    fail "history row"
hasnt "cluster_b_source on pxc-cluster-pxc-2: IO Connecting"
# Read-only replay: no write keys in the hints; the copy is not a write.
has "<Esc> back"
has "<y> copy yaml"
hasnt "<u> start"
keys u
wait_for "read-only: start (u) is not allowed (started with --replay)"
# Tab: the history takes the focus (marked in text too).
wait_for "▶ Channel cluster_a_source"
keys Tab
wait_for "▶ History (newest first)"
keys Tab
wait_for "▶ Channel cluster_a_source"
# y: the status as YAML in a file, the path asked with a default under HOME.
keys y
wait_for "Copy as YAML"
keys Enter
out="$TUI_TMP/pxcmesh-channel-cluster-b-cluster_a_source.yaml"
for ((i = 0; i < 50; i++)); do [[ -s $out ]] && break; sleep 0.1; done
[[ -s $out ]] || fail "no YAML written to $out"
grep -q '^lastSqlErrno: 1062$' "$out" || fail "YAML lacks lastSqlErrno: $(cat "$out")"
grep -q '^gtidGap: 9$' "$out" || fail "YAML lacks gtidGap"
grep -q '^cluster: cluster-b$' "$out" || fail "YAML lacks the cluster"
# Esc: back to the Channels view, selection kept.
keys Escape
wait_view Channels
wait_re '─ 2/2 ─'
# From the overview's Channels section: Enter opens, Esc returns to the overview.
keys 1
wait_for "─ ▶ PXC"
keys Tab Tab Tab
wait_for "▶ Channels"
keys Enter
wait_for "Channel cluster_b_source on pxc-cluster-pxc-2 (cluster-a)"
screen | grep -q '│Last IO error  errno 2005' || fail "IO errno"
screen | grep -q 'from Seconds_Behind_Source, unreliable' || fail "unreliable lag"
keys Escape
wait_for "▶ Channels"
has "cluster-a ● API ok"
# :view detail keeps showing the last channel.
keys :
typed "view detail"
keys Enter
wait_for "Channel cluster_b_source on pxc-cluster-pxc-2 (cluster-a)"
keys q
wait_exit 0
echo ok
