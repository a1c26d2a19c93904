# test_replay_views: the ServiceEntries (5), Injection (6), Probes (7) and Setup (8) views
# on a replay of snapshot-broken.json, which is read-only: every key that writes (delete,
# apply, label, restart, the setup's fixes, in-mesh probes) is hidden from the hints and
# answers that it is not allowed in read-only mode, and why; what only reads works: the YAML pane with the corrected
# manifest's diff, copy as YAML to a file (path asked in a dialog), the setup's steps.
. "$(dirname "$0")/lib.sh"

tui_start 140 40 --replay "$PXC_FIXTURES/snapshot-broken.json"
wait_for "REPLAY"

# ServiceEntries: both clusters in one table, the selected object as YAML.
keys 5
wait_for "─ ServiceEntries (all clusters) "
screen | grep -qE '│CLUSTER +NAMESPACE +NAME +HOSTS +ADDRESSES +PORTS' || fail "sentries header"
screen | grep -qE '│cluster-a +pxc +pxc-cluster-cluster-b +pxc-cluster.cluster-b.global +240.0.0.2 +3306/tcp-mysql +MESH_INTERNAL +STATIC +3 ' ||
    fail "cluster-a's ServiceEntry row"
screen | grep -qE '│cluster-b +pxc +pxc-cluster-cluster-a +pxc-cluster.cluster-a.global +none ' ||
    fail "a ServiceEntry without addresses shows none"
has "─ YAML "
has "│kind: ServiceEntry"
has "│  - pxc-cluster.cluster-b.global"
has "│  resolution: STATIC"
# Read-only: the writes are neither hinted nor answered.
hasnt "<C-d> delete"
hasnt "<A> apply"
has "<y> copy yaml"
keys C-d
wait_for "read-only: delete (C-d) is not allowed (started with --replay)"
keys A
wait_for "read-only: apply (A) is not allowed (started with --replay)"
# The corrected manifest as a diff (computed locally: no server call in a replay).
keys m
wait_for "─ Corrected manifest (diff) "
wait_re '# [0-9]+ line\(s\) differ from the generated ServiceEntry'
keys m
wait_for "─ YAML "
# The YAML pane follows the selection.
keys j
wait_for "cluster-b/pxc/pxc-cluster-cluster-a ─"
has "│  - pxc-cluster.cluster-a.global"
# Copy as YAML: the path is asked, the default names the kind and the object.
keys k
wait_for "cluster-a/pxc/pxc-cluster-cluster-b ─"
keys y
wait_for "─ Copy as YAML "
wait_for "cluster-a-pxc-cluster-cluster-b.yaml"
keys C-u
typed "$TUI_TMP/se.yaml"
keys Enter
wait_for "written: $TUI_TMP/se.yaml"
grep -qx 'kind: ServiceEntry' "$TUI_TMP/se.yaml" || fail "copied file: $(cat "$TUI_TMP/se.yaml")"
grep -q 'name: pxc-cluster-cluster-b' "$TUI_TMP/se.yaml" || fail "copied file names the object"
# A bad path is an error in the status bar, not a crash.
keys y
wait_for "─ Copy as YAML "
keys C-u
typed "/nonexistent-dir/x.yaml"
keys Enter
wait_for "cannot write '/nonexistent-dir/x.yaml'"
# Esc cancels a dialog.
keys y
wait_for "─ Copy as YAML "
keys Escape
wait_for "cancelled: nothing was changed"

# Injection: the namespace needing a restart first, then its pod without sidecar.
keys 6
wait_for "─ Injection (needing action first) "
first=$(screen | grep -A1 'KIND CLUSTER' | tail -1)
[[ $first =~ │ns\ +cluster-a\ +pxc\ +enabled\ +restart:\ 1\ pod\(s\)\ without\ sidecar ]] ||
    fail "first row should be cluster-a/pxc needing a restart: '$first'"
screen | grep -qE '│pod +cluster-a +pxc +pxc-cluster-pxc-2 +missing +restart to get the sidecar' ||
    fail "pod without sidecar"
wait_for "R: kubectl rollout restart statefulset pxc-cluster-pxc -n pxc (context cluster-a)"
hasnt "<L> label ns"
hasnt "<R> restart sts"
keys R
wait_for "read-only: restart sts (R) is not allowed (started with --replay)"

# Probes: a replay runs none.
keys 7
wait_for "─ Probes (newest first) "
has "A replay runs no probes"
keys p
wait_for "replay: probes run against the present, not a snapshot"

# The per-channel probe key is hidden in read-only mode.
keys 2
wait_view Channels
keys p
wait_for "read-only: probe sources (p) is not allowed (started with --replay)"

# Setup: the steps from the snapshot, the fix key hidden.
keys 8
wait_for "─ Set up replication cluster-b -> cluster-a "
screen | grep -qE '│ 1 cluster-a: Istio installed +done ' || fail "istio step"
screen | grep -qE '│ 5 cluster-a: PXC pods have sidecars +missing +1 of 3 PXC pods lack istio-proxy' ||
    fail "sidecar step"
hasnt "<Enter> fix"
has "<n> next step"
keys n
wait_for "Enter: rollout restart statefulset pxc-cluster-pxc in pxc (in cluster-a, after confirming)"
keys Enter
# Without the fix, Enter is the table's: the row in the status bar, nothing written.
hasnt "─ Restart statefulset "
keys a
wait_for "─ Set up replication cluster-a -> cluster-b "
keys o
wait_for "─ Set up replication cluster-b -> cluster-a "

# :view reaches them by name.
keys :
typed "view injection"
keys Enter
wait_for "─ Injection (needing action first) "
keys q
wait_exit 0

# 80x24: the essentials stay (cluster, addresses, endpoints, age), the rest hides.
tui_stop
tui_start 80 24 --replay "$PXC_FIXTURES/snapshot-broken.json"
wait_for "REPLAY"
keys 5
wait_for "─ ServiceEntries (all clusters) "
screen | grep -qE '│cluster-a .* 240\.0\.0\.2 .* 3 +22h│' || fail "80x24 ServiceEntries row"
keys 8
wait_for "─ Set up replication cluster-b -> cluster-a "
screen | grep -qE '│ 5 cluster-a: PXC pods have sidecars +missing' || fail "80x24 setup row"
keys q
wait_exit 0
