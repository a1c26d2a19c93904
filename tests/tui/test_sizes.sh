# test_sizes: the Channels view and the channel detail at 80x24 and 200x50. In 80x24 the
# channel columns collapse to the essentials (the server and trend hide; a thread state
# is never cut) and the detail stacks its panes with the threads and the SQL error on
# top; in 200x50 every column shows in full and the detail puts the status beside the
# graph and history. At both sizes every body line is whole frame: it starts and ends with
# a border cell, so nothing overflows a pane or leaves garbage behind.
. "$(dirname "$0")/lib.sh"

# Every line between the header and the status bar starts and ends on a frame border.
frames_whole() {
    local what=$1 h=$2 n bad
    n=0
    bad=$(screen | sed -n "2,$((h - 1))p" | while IFS= read -r l; do
        [[ $l =~ ^[│┌└] && $l =~ [│┐┘]$ ]] || echo "$l"
    done)
    [[ -z $bad ]] || fail "$what: lines not framed: $bad"
    # No replacement characters or stray escapes.
    ! screen | grep -q $'\xef\xbf\xbd\|\x1b' || fail "$what: garbage on the screen"
}

width_ok() {
    local what=$1 w=$2
    screen | while IFS= read -r l; do
        ((${#l} <= w)) || { echo "$l"; return 1; }
    done || fail "$what: a line wider than $w"
}

# ---- 80x24
tui_start 80 24 --replay "$PXC_FIXTURES/snapshot-broken.json"
wait_for "REPLAY"
keys 2
wait_view Channels
settle
screen | grep -qE '^│CLUSTER +CHANNEL +SOURCE +IO +SQL +LAG +LAST ERROR' || fail "80x24: essentials"
hasnt "SERVER"
hasnt "TREND"
screen | grep -qE '^│cluster-a +cluster_b_source +pxc-cluster.* Connecting +Yes ' ||
    fail "80x24: thread state cut"
frames_whole "80x24 channels" 24
width_ok "80x24 channels" 80
keys j Enter
wait_for "Channel cluster_a_source on pxc-cluster-pxc-0"
settle
# Stacked: the status first (threads, errors), then the graph, then the history.
screen | grep -q '│SQL thread  *No' || fail "80x24 detail: SQL thread"
screen | grep -q '│Last SQL error errno 1062' || fail "80x24 detail: errno on the first page"
l_status=$(screen | grep -n 'Channel cluster_a_source' | head -1 | cut -d: -f1)
l_graph=$(screen | grep -n '─ Lag, last 10 min' | head -1 | cut -d: -f1)
l_hist=$(screen | grep -n '─ History (newest first)' | head -1 | cut -d: -f1)
[[ -n $l_status && -n $l_graph && -n $l_hist && $l_status -lt $l_graph && $l_graph -lt $l_hist ]] ||
    fail "80x24 detail: panes not stacked ($l_status, $l_graph, $l_hist)"
screen | grep -q '│  0s│' || fail "80x24 detail: graph axis"
frames_whole "80x24 detail" 24
width_ok "80x24 detail" 80
# The status scrolls: the GTID lines at its end come into view.
keys G
wait_for "9 transactions retrieved, not executed yet"
frames_whole "80x24 detail scrolled" 24
keys Escape
wait_view Channels
# The overview in 80x24: two columns, nothing wider than the terminal.
keys 1
wait_for "─ ▶ PXC"
settle
screen | grep -q 'cluster-a ● API ok .*cluster-b ● API ok' || fail "80x24 overview: two columns"
width_ok "80x24 overview" 80
keys q
wait_exit 0

# ---- 200x50
tui_stop
tui_start 200 50 --replay "$PXC_FIXTURES/snapshot-broken.json"
wait_for "REPLAY"
keys 2
wait_view Channels
settle
screen | grep -qE '^│CLUSTER +SERVER +CHANNEL +SOURCE +IO +SQL +LAG +TREND +GAP +LAST ERROR +SINCE' ||
    fail "200x50: every column"
screen | grep -qE '^│cluster-b +pxc-cluster-pxc-0 +cluster_a_source +pxc-cluster.cluster-a.global +Yes +No ' ||
    fail "200x50: server and source in full"
# The spare width goes to the error text.
screen | grep -q "Worker 1 failed executing transaction '5a3c1b0e-89f1-11ef-8c4d-0242ac120002:53'" ||
    fail "200x50: error text not widened"
frames_whole "200x50 channels" 50
width_ok "200x50 channels" 200
keys j Enter
wait_for "Channel cluster_a_source on pxc-cluster-pxc-0 (cluster-b)"
settle
# Side by side: the status's first line and the graph's top row share a screen line.
screen | grep -qE '^│IO thread +Yes .*│┌─ Lag, last 10 min|^│IO thread +Yes .*││0\.2s│' ||
    fail "200x50 detail: status not beside the graph"
screen | grep -qE '││[0-9:]{8} +19m error SQL stopped, error 1062' || fail "200x50 detail: history beside"
# Everything of the status fits on one page at this size, GTIDs included.
has "9 transactions retrieved, not executed yet"
frames_whole "200x50 detail" 50
width_ok "200x50 detail" 200
keys 1
wait_for "─ ▶ PXC"
settle
# The overview: both topology lines and both columns.
has "cluster-b ──cluster_b_source (IO Connecting, error 2005)─╳─ cluster-a"
has "cluster-a ──cluster_a_source (SQL No, error 1062)─╳─ cluster-b"
screen | grep -q 'cluster-a ● API ok .*cluster-b ● API ok' || fail "200x50: columns side by side"
width_ok "200x50 overview" 200
keys q
wait_exit 0
echo ok
