# test_console_confirm: the console's confirmations and other live keys, on the lab, at 80x24
# and at 200x50 (through the tmux harness of tests/tui):
#   - stopping a channel (Channels view, the Overview's Channels section, the detail) asks
#     with the exact statement in the server's dialect and the MySQL user that runs it;
#   - a restart asks with its patch and the field manager; a label (after the
#     unlabel-namespace fault) with the label's diff, and Yes labels it again;
#   - deleting the ServiceEntry names the channel that uses its host; once deleted the
#     ServiceEntries view offers the missing one, and A creates it again (dry run, diff,
#     field manager), after which the channel runs;
#   - d describes a pod as the API server has it (kind: Pod), with its events;
#   - Ctrl-R re-reads every cluster and says so, and the data stays;
#   - --readonly answers a write key with why it is not allowed.
# The lab is left as found: the seed's ServiceEntry and the namespace label are restored
# (delete-serviceentry + apply-serviceentry, label-namespace) and the channel fixed, in the
# trap too.
. "$(dirname "$0")/../tui/lib.sh"
: "${PXC_LAB_DIR:?run through ctest (PXC_LAB_DIR is set by tests/CMakeLists.txt)}"
CFG=$PXC_LAB_DIR/pxcmesh.yaml
[[ -f $PXC_LAB_DIR/state && $(cat "$PXC_LAB_DIR/state") == ready ]] || fail "the lab is not ready"
fault() { "$PXCMESH" lab fault "$@" --dir "$PXC_LAB_DIR" >"$TUI_TMP/fault.out" 2>&1; }
restore() {
    "$PXCMESH" lab fault label-namespace --dir "$PXC_LAB_DIR" >/dev/null 2>&1
    "$PXCMESH" lab fault delete-serviceentry --dir "$PXC_LAB_DIR" >/dev/null 2>&1
    "$PXCMESH" lab fault apply-serviceentry --dir "$PXC_LAB_DIR" >/dev/null 2>&1
    "$PXCMESH" lab fault fix-channel --dir "$PXC_LAB_DIR" >/dev/null 2>&1
}
trap 'restore; tui_cleanup' EXIT

for size in "80 24" "200 50"; do
    # shellcheck disable=SC2086
    set -- $size
    W=$1 H=$2
    tui_stop
    tui_start "$W" "$H" --config "$CFG"
    wait_for " LIVE " 10
    wait_re 'cluster_b_source \(lag [0-9.]+s\)' 30

    # ---- channel stop: the statement and the user, from three places; Cancel each time.
    keys 2
    wait_re '│cluster-a .*cluster_b_source .*Yes +Yes ' 30
    keys x
    wait_for "─ Stop channel " 10
    has "STOP REPLICA for"
    dialog_text "Stop channel" | grep -qF "Runs as MySQL user 'operator' (the action user)" ||
        fail "$W: the stop question does not name the user"
    wait_re "STOP (REPLICA|SLAVE) 'cluster_b_source';" 5
    keys Escape
    wait_for "cancelled: nothing was changed" 5
    keys 1
    wait_for "▶ PXC" 5
    keys Tab Tab Tab
    wait_for "▶ Channels" 5
    keys x
    wait_for "─ Stop channel " 10
    wait_re "STOP (REPLICA|SLAVE) 'cluster_b_source';" 5
    keys Escape
    wait_for "cancelled: nothing was changed" 5
    keys Enter
    wait_for "Channel cluster_b_source on " 10
    keys u
    wait_for "─ Start channel " 10
    wait_re "START (REPLICA|SLAVE) 'cluster_b_source';" 5
    dialog_text "Start channel" | grep -qF "Runs as MySQL user 'operator' (the action user)" ||
        fail "$W: the start question"
    keys Escape
    wait_for "cancelled: nothing was changed" 5

    # ---- d: the pod as the API server has it, with its events; Esc back.
    keys 1
    wait_for "▶ Channels" 5
    keys Tab Tab
    wait_for "▶ Pods" 5
    keys d
    wait_re '─ Describe pod pxc/pxc-cluster-pxc-[0-2] \(cluster-[ab]\) ' 5
    wait_for "# as the API server has it (read at" 15
    has "│kind: Pod"
    hasnt "managedFields"
    keys G
    wait_for "# Events (the console's log, newest first)" 5
    keys Escape
    wait_for "▶ Pods" 5

    # ---- Ctrl-R: everything read again; the data stays.
    keys C-r
    wait_re 'refresh: listing [0-9]+ resources of 2 clusters again; MySQL read' 5
    wait_re '│pxc-cluster-pxc-0 .*Synced 3 ' 15

    # ---- restart: the patch and the field manager; Cancel.
    keys 6
    wait_for "─ Injection " 5
    keys /
    typed "pxc-cluster-pxc-0"
    keys Enter
    wait_re '│pod +cluster-a +pxc +pxc-cluster-pxc-0' 5
    keys R
    wait_for "─ Restart statefulset " 10
    dialog_text "Restart statefulset" | grep -qF "Strategic merge patch of statefulset pxc/pxc-cluster-pxc, field manager pxcmesh" ||
        fail "$W: the restart question"
    has "kubectl.kubernetes.io/restartedAt"
    keys Escape
    wait_for "cancelled: nothing was changed" 5
    keys Escape # the filter

    # ---- label: unlabelled by the lab, the diff, and Yes labels it again.
    fault unlabel-namespace || fail "unlabel-namespace: $(cat "$TUI_TMP/fault.out")"
    keys /
    typed "ns"
    keys Enter
    wait_re '│ns +cluster-a +pxc +none' 30
    keys g
    keys L
    wait_for "─ Label namespace " 10
    dialog_text "Label namespace" | grep -qF "JSON merge patch of namespace pxc, field manager pxcmesh" ||
        fail "$W: the label question"
    wait_re '\+ +istio-injection: enabled' 5
    keys y
    wait_for "done: label namespace pxc istio-injection=enabled (cluster cluster-a)" 30
    wait_re '│ns +cluster-a +pxc +enabled' 30
    fault label-namespace || fail "label-namespace: $(cat "$TUI_TMP/fault.out")"
    keys Escape

    # ---- delete the ServiceEntry: the channel that uses it is named; Yes.
    keys 5
    wait_for "─ ServiceEntries (all clusters) " 5
    keys /
    typed "cluster-b.global"
    keys Enter
    wait_re '│cluster-a +pxc +pxc-cluster(-cluster-b|…) ' 10
    keys C-d
    wait_for "─ Delete ServiceEntry " 10
    dialog_text "Delete ServiceEntry" | grep -qF "channel cluster_b_source on pxc-cluster-pxc-0 reads from pxc-cluster.cluster-b.global" ||
        fail "$W: the delete question does not name the channel"
    keys y
    wait_for "done: delete ServiceEntry pxc/pxc-cluster-cluster-b (cluster cluster-a)" 30
    # The missing one is offered instead; A creates it again.
    wait_re '│cluster-a +pxc +\(missing\) +pxc-cluster\.clu' 30
    keys g
    wait_for "# missing: no ServiceEntry in cluster-a declares pxc-cluster.cluster-b.global" 10
    keys A
    wait_for "─ Create ServiceEntry " 30
    dialog_text "Create ServiceEntry" | grep -qF "field manager pxcmesh" || fail "$W: the create question"
    wait_re '(new|changes to) ServiceEntry' 5
    keys y
    wait_re 'done: create ServiceEntry pxc/pxc-cluster-cluster-b' 30
    wait_re '│cluster-a +pxc +pxc-cluster(-cluster-b|…) +pxc-cluster\.clu' 30
    keys Escape
    keys 2
    wait_re '│cluster-a .*cluster_b_source .*Yes +Yes ' 60
    keys q
    wait_exit 0 20
    # The seed's object again, exactly, before the next size.
    restore
done

# ---- --readonly: a write key says why it does nothing.
for size in "80 24" "200 50"; do
    # shellcheck disable=SC2086
    set -- $size
    tui_stop
    tui_start "$1" "$2" --readonly --config "$CFG"
    wait_for "read-only" 10
    keys 2
    wait_re '│cluster-a .*cluster_b_source .*Yes +Yes ' 30
    keys x
    wait_for "read-only: stop (x) is not allowed (started with --readonly)" 5
    keys 5
    wait_for "─ ServiceEntries (all clusters) " 5
    keys C-d
    wait_for "read-only: delete (C-d) is not allowed (started with --readonly)" 5
    keys q
    wait_exit 0
done
echo ok
