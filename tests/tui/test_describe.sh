# test_describe: d describes the selected object (k9s's describe) at 80x24 and 200x50 on
# the broken replay: a pod and a channel from the Overview, a channel from the Channels
# view, a ServiceEntry, a namespace from the Injection view. Each shows its YAML (the
# status JSON's fields, as the snapshot has them) and its events from the console's log,
# scrolls, and Esc goes back to the view it came from.
. "$(dirname "$0")/lib.sh"

for size in "80 24" "200 50"; do
    # shellcheck disable=SC2086
    set -- $size
    W=$1 H=$2
    tui_stop
    tui_start "$W" "$H" --replay "$PXC_FIXTURES/snapshot-broken.json"
    wait_for "REPLAY"

    # A pod: the Overview's Pods section (the pod without a sidecar is first).
    keys Tab
    wait_for "▶ Pods"
    keys d
    wait_for "─ Describe pod pxc/pxc-cluster-pxc-2 (cluster-a) "
    has "# as the snapshot has it (status JSON fields)"
    has "│name: pxc-cluster-pxc-2"
    has "│sidecar: missing"
    # Its events are at the end: G.
    keys G
    wait_for "# Events (the console's log, newest first)"
    wait_re '│07:55:01 error channel cluster_b_source on pxc-cluster-pxc-2: IO Connecting'
    keys g
    wait_for "│name: pxc-cluster-pxc-2"
    keys Escape
    wait_for "▶ Pods"

    # A channel from the Overview's Channels section.
    keys Tab Tab
    wait_for "▶ Channels"
    keys d
    wait_for "─ Describe channel cluster_b_source (cluster-a) "
    has "│sourceHost: pxc-cluster.cluster-b.global"
    keys Escape
    wait_for "▶ Channels"

    # A channel from the Channels view: Esc comes back there.
    keys 2
    wait_for "─ Channels "
    keys d
    wait_for "─ Describe channel "
    has "│ioRunning:"
    keys Escape
    wait_for "─ Channels "

    # A ServiceEntry.
    keys 5
    wait_for "─ ServiceEntries (all clusters) "
    keys d
    wait_for "─ Describe serviceentry pxc/pxc-cluster-cluster-b (cluster-a) "
    has "│- pxc-cluster.cluster-b.global"
    keys Escape
    wait_for "─ ServiceEntries (all clusters) "

    # A namespace from the Injection view.
    keys 6
    wait_for "─ Injection "
    keys d
    wait_for "─ Describe namespace pxc (cluster-a) "
    has "│injection: enabled"
    keys Escape
    wait_for "─ Injection "
    keys q
    wait_exit 0
done
echo ok
