# test_overview_space: the Overview uses the space it has. At 200x50 every pod row shows
# its IP, READY, RESTARTS and AGE, a long pod name is shown past the column's usual
# maximum (the other columns whole, so nothing else needs the room), a pod that is not
# ready reads "NotReady" whole, and the lines the columns leave empty show the doctor's
# findings (errors first, their messages whole while they fit) and the newest events, in
# boxes lined up with the columns' frames. At 80x24 nothing of that costs the
# columns a cell: the pod columns are the ones shown before (NAME, GALERA, SIDECAR) and
# no pane is drawn below; at 20 columns it says the size it needs, at 40 the panes stack.
# Snapshots are copies of the fixtures (jq), so the screens are deterministic.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || fail "jq is needed (apt-get install -y jq)"
# width_ok W: no line of the screen is wider than W characters.
width_ok() {
    local LC_ALL=C.UTF-8 l
    while IFS= read -r l; do
        ((${#l} <= $1)) || fail "a line wider than $1: '$l'"
    done < <(screen)
}
# cell_of TEXT CHAR: where CHAR first is in TEXT, counted in characters (one cell each here:
# box drawing, ASCII names and the one-cell glyphs).
cell_of() {
    local LC_ALL=C.UTF-8
    local pre=${1%%"$2"*}
    echo "${#pre}"
}

# pxc-cluster-pxc-1 of cluster-a is running but not ready, with 3 restarts.
# Outside TUI_TMP, which tui_stop empties.
SNAPDIR=$(mktemp -d "${TMPDIR:-/tmp}/pxcsnap.XXXXXX")
trap 'rm -rf "$SNAPDIR"; tui_cleanup' EXIT
snap=$SNAPDIR/notready.json
jq '(.clusters[] | select(.name == "cluster-a") | .pods[] | select(.name == "pxc-cluster-pxc-1"))
        |= (.ready = false | .restarts = 3)' \
    "$PXC_FIXTURES/snapshot-broken.json" >"$snap" || fail "jq"

# ---- 200x50
tui_start 200 50 --replay "$PXC_FIXTURES/snapshot-healthy.json"
wait_for "REPLAY"
settle
screen | grep -qE '│NAME +PHASE +GALERA +SIDECAR +IP +READY +RESTARTS +AGE│' ||
    fail "200x50: the pod columns IP, READY, RESTARTS, AGE"
screen | grep -qE '│pxc-cluster-pxc-0 +Running +Synced 3 +✓ injected +10\.42\.0\.10 +yes +0 +23h│' ||
    fail "200x50: a pod row with its IP, readiness, restarts and age"
# Longer than the column's usual 24 cells: the others are whole, so it gets the room.
has "│percona-xtradb-cluster-operator-7d9f8"
# The empty lines below: no findings in this snapshot, its one event.
has "─ Findings (0) "
has "no findings: the doctor sees nothing wrong"
has "─ Newest events (1) "
screen | grep -qE '│09:15:00 cluster-a channel cluster_b_source on pxc-cluster-pxc-0: IO Yes, SQL Yes' ||
    fail "200x50: the newest event below the columns"
# 20 columns: too narrow for any layout, it says what it needs; 40 (the least): one column,
# the three pod columns, the panes below stacked; back at 200x50 all of it is there again.
resize 20 50
wait_for "needs at least 40x10"
resize 40 50
wait_for "clusters 1-1 of 2"
settle
screen | grep -qE '^│NAME +GALERA +SIDECAR +│$' || fail "40x50: the pod columns"
screen | grep -qE '^┌─ Findings \(0\) ─+ press 4 ─┐$' || fail "40x50: the findings below"
screen | grep -qE '^┌─ Newest events \(1\) ─+ press 3 ─┐$' || fail "40x50: the events under them"
width_ok 40
resize 200 50
wait_gone "clusters 1-1 of 2"
settle
screen | grep -qE '│NAME +PHASE +GALERA +SIDECAR +IP +READY +RESTARTS +AGE│' ||
    fail "200x50 again: the pod columns IP, READY, RESTARTS, AGE"
has "─ Newest events (1) "
keys q
wait_exit 0

tui_stop
tui_start 200 50 --replay "$snap"
wait_for "REPLAY"
settle
# Not ready: said whole, never "NotRea…"; its restarts count.
screen | grep -qE '│▲? ?pxc-cluster-pxc-1 +NotReady +Synced 3 +✓ injected +10\.42\.1\.11 +no +3 ' ||
    fail "200x50: the not-ready pod's row"
hasnt "NotRea…"
# The findings, errors first, and the newest events, side by side.
has "─ Findings (4) "
first=$(screen | grep -oE '│(error|warning) +cluster-[ab] [A-Z_]+' | head -1)
[[ $first == "│error   cluster-a POD_NO_SIDECAR" ]] || fail "200x50: first finding is '$first'"
screen | grep -qE '│warning cluster-b SE_NO_ADDRESSES serviceentry/pxc/pxc-cluster-cluster-a' ||
    fail "200x50: the warning below the errors"
screen | grep -qE 'Findings \(4\).*Newest events \(3\)' || fail "200x50: the panes side by side"
# They line up with the columns' frames: same right edges, same gap between them.
top=$(screen | grep -m1 '^┌─ ▶ PXC')
bot=$(screen | grep -m1 '^┌─ Findings (')
[[ $(cell_of "$top" ┐) == $(cell_of "$bot" ┐) ]] || fail "200x50: the findings' edge is not the column's"
[[ $top == *"┐  ┌─ PXC"* && $bot == *"┐  ┌─ Newest events"* ]] || fail "200x50: the events do not start where the column does"
[[ $(cell_of "$top┃" ┃) == $(cell_of "$bot┃" ┃) ]] || fail "200x50: the events' right edge is not the column's"
has "07:55:01 cluster-a channel cluster_b_source on pxc-cluster-pxc-2: IO Connecting, error 2005"
# With the room, a finding's message is read whole (wrapped), not cut at the pane's edge.
has "created before the label and needs a restart"
has "the source host name does not resolve"
# Since when, not for how long: a moment does not redraw an idle screen every second.
has "POD_NO_SIDECAR pod/pxc/pxc-cluster-pxc-2 (since 08:00:00): pod"
keys q
wait_exit 0

# ---- 200x38: the findings wrapped would not fit: one line each, all four shown.
tui_stop
tui_start 200 38 --replay "$snap"
wait_for "REPLAY"
settle
has "─ Findings (4) "
[[ $(screen | grep -cE '│(error|warning) +cluster-[ab] [A-Z_]+ ') == 4 ]] ||
    fail "200x38: not one line a finding"
hasnt "created before the label and needs a restart"
keys q
wait_exit 0

# ---- 80x24: as before: three pod columns, nothing below the columns.
tui_stop
tui_start 80 24 --replay "$snap"
wait_for "REPLAY"
settle
screen | grep -qE '^│NAME +GALERA +SIDECAR +│ +│NAME +GALERA +SIDECAR +│$' ||
    fail "80x24: the pod columns changed"
screen | grep -qE '^│✗ pxc-cluster-px… Synced 3 ✗ missing │' || fail "80x24: the first pod row"
hasnt "IP"
hasnt "Findings ("
hasnt "Newest events"
screen | grep -qE '^└─+┘  └─+┘$' || fail "80x24: the last line is not the columns' frame"
keys q
wait_exit 0
echo ok
