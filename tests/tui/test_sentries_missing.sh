# test_sentries_missing: the ServiceEntries view offers the ServiceEntry a cluster lacks,
# at 80x24 and 200x50. In the healthy replay cluster-b has none for cluster-a's PXC: a
# "(missing)" row says so, and its pane shows the ServiceEntry A would create (the
# generator, with cluster-a's node addresses). A replay is read-only: A and C-d say so.
# The corrected manifest's diff (m) is the server-side-apply one: only the fields the
# apply sets (labels added, endpoints from the nodes), not a text diff of two renderings.
. "$(dirname "$0")/lib.sh"

for size in "80 24" "200 50"; do
    # shellcheck disable=SC2086
    set -- $size
    W=$1 H=$2
    tui_stop
    tui_start "$W" "$H" --replay "$PXC_FIXTURES/snapshot-healthy.json"
    wait_for "REPLAY"
    keys 5
    wait_for "─ ServiceEntries (all clusters) "
    wait_re '│cluster-b +pxc +\(missing\) +pxc-cluster\.clu'
    # The existing one, with the diff A would apply.
    keys m
    wait_for "─ Corrected manifest (diff) "
    wait_re '# [0-9]+ line\(s\) differ from the generated ServiceEntry'
    wait_re '│\+ +app\.kubernetes\.io/managed-by: pxcmesh'
    keys m
    # The missing row: what A would create, and why it is listed.
    keys j
    wait_re '# missing: no ServiceEntry in cluster-b declares pxc-cluster\.cluster-a\.global'
    wait_re "# A creates it from cluster-a's node addresses"
    has "│kind: ServiceEntry"
    has "│  name: pxc-cluster-cluster-a"
    keys A
    wait_for "read-only: apply (A) is not allowed (started with --replay)"
    keys C-d
    wait_for "read-only: delete (C-d) is not allowed (started with --replay)"
    keys q
    wait_exit 0
done
echo ok
