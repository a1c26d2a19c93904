# test_overview: the healthy replay shows both clusters side by side with their PXC,
# pods (sidecar marks, Galera state), ServiceEntries and channels, the topology line and
# a REPLAY header with the snapshot time; the broken replay floats problems to the top
# of their sections and names the errors; q quits with the terminal restored.
. "$(dirname "$0")/lib.sh"

tui_start 120 40 --replay "$PXC_FIXTURES/snapshot-healthy.json"
wait_for "REPLAY 2026-11-25T08:00:00Z"
has "read-only"
has "2 clusters"
# Two columns: both cluster names on one line, cluster-a left of cluster-b.
screen | grep -qE '^cluster-a .*API ok.* +cluster-b .*API ok' || fail "clusters not side by side"
has "Istio 1.20.3"
# Topology: cluster-b replicates into cluster-a through cluster_b_source.
screen | grep -qE 'cluster-b (──|--)cluster_b_source \(lag 0\.4s\)(──▶|-->) cluster-a' ||
    fail "no topology line"
for s in "PXC" "Pods" "ServiceEntries" "Channels"; do has "─ $s"; done
has "pxc-cluster-pxc-0"
has "pxc-cluster-pxc-2"
screen | grep -q 'pxc-cluster-pxc-0 .*Running .*Synced 3 .*✓ injected' || fail "pod row"
has "pxc-cluster.cluster-b.global"
screen | grep -q 'cluster_b_source .*Yes/Yes .*0.4s' || fail "channel row"
has "no replication channels" # cluster-b has none in the healthy snapshot
keys q
wait_exit 0
# The alternate screen is gone: nothing of the console is left on the pane.
hasnt "pxcmesh  REPLAY"
hasnt "ServiceEntries"

tui_stop
tui_start 120 40 --replay "$PXC_FIXTURES/snapshot-broken.json"
wait_for "REPLAY"
# Both directions broken: red links with the thread and error number.
screen | grep -qE 'cluster-b (──|--)cluster_b_source \(IO Connecting, error 2005\)' ||
    fail "broken topology line"
screen | grep -q 'cluster_a_source (SQL No, error 1062)' || fail "SQL error topology"
# The pod without a sidecar floats to the top of cluster-a's pods, and the title counts it.
has "Pods ✗1"
row=$(screen | grep -n 'pxc-cluster-pxc-2 .*✗ missing' | head -1 | cut -d: -f1)
first=$(screen | grep -n '│NAME .*PHASE' | head -1 | cut -d: -f1)
[[ -n $row && -n $first && $row -eq $((first + 1)) ]] || fail "missing sidecar not first ($row, $first)"
has "Channels ✗1"
has "Error conn"
# The rows the doctor's findings name are marked, and each cluster counts its findings.
has "│✗ pxc-cluster-pxc-2"
has "│✗ cluster_b_source"
has "│✗ cluster_a_source"
screen | grep -qE '^cluster-a ● API ok  ✗ 2 findings +cluster-b ● API ok  ✗ 2 findings' ||
    fail "findings not counted by the cluster names"
# Enter on a section that is not Channels shows the whole row in the status bar.
keys Enter
wait_for "pxc-cluster  ready  3/3"
# Enter on a channel row opens its detail, whose status holds the whole error;
# Esc comes back to the overview.
keys Tab Tab Tab
wait_for "▶ Channels"
keys Enter
wait_for "Channel cluster_b_source on pxc-cluster-pxc-2"
wait_for "Error connecting to source"
keys Escape
wait_for "▶ Channels"
keys C-c
wait_exit 0

# ASCII glyphs: with --ascii, and by themselves when the locale is not UTF-8.
for how in flag locale; do
    tui_stop
    if [[ $how == flag ]]; then
        tui_start 120 40 --ascii --replay "$PXC_FIXTURES/snapshot-healthy.json"
    else
        TUI_ENV="export LANG=C LC_ALL=C" tui_start 120 40 --replay "$PXC_FIXTURES/snapshot-healthy.json"
    fi
    wait_for "REPLAY"
    has "cluster-b --cluster_b_source (lag 0.4s)--> cluster-a"
    screen | grep -q '^+- > PXC -' || fail "$how: no ASCII frame"
    screen | grep -q 'pxc-cluster-pxc-0 .*+ injected' || fail "$how: no ASCII sidecar mark"
    ! screen | grep -q '[─│┌▶✓]' || fail "$how: Unicode left on the screen"
    keys q
    wait_exit 0
done
echo ok
