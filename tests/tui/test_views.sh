# test_views: the channels view (every channel of every cluster, problems first,
# filterable), the events timeline (newest first, ages at the snapshot's time), switching
# with 1/2/3 and :view, Esc back to the overview, a bad :view name, and :q.
. "$(dirname "$0")/lib.sh"

tui_start 140 30 --replay "$PXC_FIXTURES/snapshot-broken.json"
wait_for "REPLAY"
keys 2
wait_view Channels
has " Channels " # header names the view
screen | grep -qE '│CLUSTER +SERVER +CHANNEL +SOURCE +IO +SQL +LAG' || fail "channels header"
screen | grep -q 'cluster-a .*cluster_b_source .*pxc-cluster.cluster-b.global .*Connecting .*Yes' ||
    fail "cluster-a channel row"
screen | grep -q 'cluster-b .*cluster_a_source .*Yes .*No ' || fail "cluster-b channel row"
screen | grep -q 'Could not execute\|Worker 1 failed' || fail "SQL error text"
keys /
typed "cluster_a"
keys Enter
wait_for "of 2"
! screen | grep -q '│cluster-a .*cluster_b_source' || fail "filter kept cluster-a's channel"
keys Escape
wait_re '─ [0-9]/2 ─'
keys Escape
wait_for "─ ▶ PXC"

keys 3
wait_for "Events (newest first)"
# Newest first; ages measured at the snapshot's time (08:00:00Z).
l1=$(screen | grep -n '07:55:01' | cut -d: -f1)
l2=$(screen | grep -n '07:40:12' | cut -d: -f1)
l3=$(screen | grep -n '09:15:00' | cut -d: -f1)
[[ -n $l1 && -n $l2 && -n $l3 && $l1 -lt $l2 && $l2 -lt $l3 ]] || fail "events not newest first"
screen | grep -q '07:55:01 .*4m .*cluster-a .*error .*IO Connecting, error 2005' || fail "event row"

keys :
typed "view chan"
keys Enter
wait_view Channels
keys :
typed "view nosuch"
keys Enter
wait_for "unknown view 'nosuch' (views: overview, channels, events, findings"
# Findings: counted in the header, errors first, the selected one's message and fix below.
has "✗ 3 errors, 1 warning"
# Keys typed in one burst with the view switch act on the new view's rows.
keys 4 j j
wait_for "Findings (errors first)"
wait_re '─ 3/4 ─┐$'
wait_for "error CH_SQL_ERROR on cluster-b: channel/cluster_a_source"
keys g
wait_re '─ 1/4 ─┐$'
l_err=$(screen | grep -n '│error ' | head -1 | cut -d: -f1)
l_warn=$(screen | grep -n '│warning ' | head -1 | cut -d: -f1)
[[ -n $l_err && -n $l_warn && $l_err -lt $l_warn ]] || fail "findings not errors first"
has "POD_NO_SIDECAR"
wait_for "fix: kubectl --context k3d-cluster-a rollout restart statefulset pxc-cluster-pxc -n pxc"
has "rollout restart statefulset pxc-cluster-pxc in namespace pxc (cluster cluster-a)"
keys G
wait_for "fix: pxcmesh generate serviceentry --name pxc-cluster --namespace pxc --remote-cluster cluster-a"
has "add spec.addresses with a virtual IP"
# A replay acts on nothing: the fix key copies the command instead.
keys f
wait_for "replay: copied to the clipboard: pxcmesh generate serviceentry"
keys /
typed "1062"
keys Enter
# The filter has applied once the title counts what it kept.
wait_for "1/1 of 4"
has "CH_SQL_ERROR"
hasnt "POD_NO_SIDECAR"
keys 1
wait_for "─ ▶ PXC"
# A replay has no live clusters to add or drop.
keys :
typed "ctx drop cluster-b"
keys Enter
wait_for "a replay shows a fixed snapshot: no clusters to drop"
keys :
typed "q"
keys Enter
wait_exit 0
echo ok
