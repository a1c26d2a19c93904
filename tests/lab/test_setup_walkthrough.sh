# test_setup_walkthrough: the guided set-up (view 8) on a lab started the way the seed's
# reader finds their clusters (docs/lab.md, "The guided-setup scenario": namespace pxc
# unlabelled, pods without sidecars, no ServiceEntry, channel cluster_b_source failing
# with 2005): with keys alone (n selects the next step, Enter previews its fix, y
# confirms) the walkthrough labels both namespaces, restarts both statefulsets, applies
# the ServiceEntry after its server dry run, runs the in-mesh DNS and TCP probes, and
# the channel ends "running", which the lab confirms from MariaDB itself.
#
# It needs a lab in that state, so it starts its own (another prefix and directory than
# the shared check lab, which it leaves alone) and stops it on exit.
. "$(dirname "$0")/../tui/lib.sh"
# 127.220-224: outside the check labs' 127.20-219 (so never this tree's own check lab), and
# below the soak's and the bench's; two trees side by side differ here as their labs do.
check_octet=${PXC_LAB_PREFIX:-127.0}
PREFIX=${PXC_WALK_PREFIX:-127.$((220 + ${check_octet##*.} % 5))}
LABROOT=$(mktemp -d "${TMPDIR:-/tmp}/pxcwalk.XXXXXX")
LAB=$LABROOT/lab
trap '"$PXCMESH" lab down --dir "$LAB" >/dev/null 2>&1; rm -rf "$LABROOT"; tui_cleanup' EXIT

# A second `lab up` rebuilds a lab whose start failed (a joiner's SST can fail on a busy
# machine); the first failure's log is kept in the output.
up() {
    "$PXCMESH" lab up --dir "$LAB" --prefix "$PREFIX" --no-serviceentry --no-injection-label \
        >"$TUI_TMP/up.log" 2>&1
}
if ! up; then
    echo "--- lab up failed once, trying again; its log:" >&2
    cat "$TUI_TMP/up.log" >&2
    "$PXCMESH" lab down --dir "$LAB" >/dev/null 2>&1
    up || { cat "$TUI_TMP/up.log" >&2; fail "lab up failed twice"; }
fi
grep -q "cluster_b_source.*IO Connecting" "$TUI_TMP/up.log" ||
    fail "the lab's channel should wait for its source name: $(grep channel "$TUI_TMP/up.log")"

tui_start 160 45 --config "$LAB/pxcmesh.yaml"
wait_for " LIVE " 10
keys 8
wait_for "Set up replication cluster-b -> cluster-a" 10
wait_re '│ 3 cluster-a: namespace pxc labelled for injection +missing ' 30
wait_re '│ 9 cluster-a: ServiceEntry for pxc-cluster.cluster-b.global +missing ' 30
screen | grep -qE '│12 cluster-a: channel cluster_b_source running +(blocked|missing) ' ||
    fail "the channel step should not be done yet"

# fix ROW TITLE DIALOG [SECS]: select the next step, expect it is ROW, confirm its fix.
fix() {
    local row=$1 title=$2 dialog=$3 secs=${4:-30}
    keys n
    wait_re "^│(missing|\\?): [^ ]+: ${title}" 10
    keys Enter
    wait_for "─ $dialog " "$secs"
    keys y
    wait_gone "─ $dialog " 10
}
row_done() { wait_re "│ ?$1 .{40,80} done " "${2:-60}"; }

fix 3 "namespace pxc labelled" "Label namespace"
row_done 3 30
fix 4 "namespace pxc labelled" "Label namespace"
row_done 4 30
fix 5 "PXC pods have sidecars" "Restart statefulset"
row_done 5 120
fix 6 "PXC pods have sidecars" "Restart statefulset"
row_done 6 120
# The apply shows the server's dry run as a diff before asking.
keys n
wait_re '^│missing: cluster-a: ServiceEntry for pxc-cluster.cluster-b.global' 10
keys Enter
wait_for "─ Apply " 60
has "new ServiceEntry pxc/pxc-cluster-cluster-b:"
has "+   - pxc-cluster.cluster-b.global"
keys y
wait_gone "─ Apply " 10
row_done 9 30
# probe ROW TITLE: run the step's in-mesh probe until it passes (3 tries), as an operator
# would: the mesh DNS follows a new ServiceEntry within a second or two, and a TCP probe
# that picks an address that does not answer (kubesim's own node adds 127.0.0.1 to the
# source's node addresses) fails once.
probe() {
    local row=$1 title=$2 try
    for try in 1 2 3; do
        fix "$row" "$title" "Run probes in the mesh"
        tui_poll re "│$row .{40,80} (done|missing) " 90 || fail "the probe of step $row gave no result"
        screen | grep -qE "│$row .{40,80} done " && return 0
        sleep 2
    done
    fail "step $row still fails after 3 probes"
}
probe 10 "pxc-cluster.cluster-b.global resolves"
probe 11 "pxc-cluster.cluster-b.global:3306 reachable"
# The channel's own retry (5 s) connects once the name resolves through the mesh; if it
# stopped retrying, the last step starts it.
if ! tui_poll re '│12 cluster-a: channel cluster_b_source running +done +running on' 45; then
    fix 12 "channel cluster_b_source running" "Start channel"
    wait_re '│12 cluster-a: channel cluster_b_source running +done +running on' 45
fi
wait_for "12/12 done" 10

# MariaDB agrees.
"$PXCMESH" lab status --dir "$LAB" >"$TUI_TMP/status.out" 2>&1
grep -qE "cluster_b_source .*IO Yes SQL Yes" "$TUI_TMP/status.out" ||
    fail "lab status: $(grep cluster_b_source "$TUI_TMP/status.out")"
# The fixes are in the event log.
keys 3
wait_for "console: label namespace pxc istio-injection=enabled (cluster cluster-a)" 10
has "console: applied ServiceEntry pxc/pxc-cluster-cluster-b"

# A replica without the channel: the last step generates its SQL (password masked) and,
# confirmed, creates it with the replication user's password from the source's Secret,
# then starts it.
mariadb --defaults-file="$LAB/a-operator.cnf" -h "$PREFIX.10.1" \
    -e "STOP SLAVE 'cluster_b_source'; RESET SLAVE 'cluster_b_source' ALL" ||
    fail "cannot remove the channel from cluster-a/1"
keys 8
wait_re '│12 cluster-a: channel cluster_b_source running +missing +no channel cluster_b_source' 30
keys n
wait_for "Enter: create channel cluster_b_source from pxc-cluster.cluster-b.global on cluster-a" 10
keys Enter
wait_for "─ Create channel " 10
screen | grep -qF "'********'" || fail "the SQL shown should mask the password"
has "CHANGE MASTER 'cluster_b_source'" # the replica's dialect (MariaDB), remembered
keys y
wait_gone "─ Create channel " 10
wait_for "done: create channel cluster_b_source from pxc-cluster.cluster-b.global on cluster-a" 30
wait_re '│12 cluster-a: channel cluster_b_source running +done +running on' 60
"$PXCMESH" lab status --dir "$LAB" >"$TUI_TMP/status.out" 2>&1
grep -qE "cluster_b_source .*IO Yes SQL Yes" "$TUI_TMP/status.out" ||
    fail "lab status after re-creating the channel: $(grep cluster_b_source "$TUI_TMP/status.out")"

# The Probes view keeps the walkthrough's in-mesh results with their age.
keys 7
wait_for "─ Probes (newest first) " 10
wait_re '│dns +pxc-cluster.cluster-b.global +cluster-a/pxc \(mesh\) +ok: resolves' 10
wait_re '│tcp +pxc-cluster.cluster-b.global:3306 +cluster-a/pxc \(mesh\) +ok: .* ran [0-9]+s ago' 10
# The per-channel probe key: every source of the channel, from its namespace, one
# confirmation naming each probe; the results are keyed to the channel.
keys 2
wait_view Channels 10
keys p
wait_for "─ Run probes in the mesh " 10
has "Cluster cluster-a, namespace pxc: run in pod "
has "through exec"
has "dns pxc-cluster.cluster-b.global"
has "tcp pxc-cluster.cluster-b.global:3306"
keys y
keys 7
wait_for "─ Probes (newest first) " 10
keys g
wait_for "for channel cluster-a/cluster_b_source" 10
wait_re '│(dns|tcp) +pxc-cluster.cluster-b.global.* ran [0-9]+s ago' 90
# from the channel's own pod, through exec: no probe pod
wait_for "via: exec pod/pxc/" 30

# P probes the selected row's host from the mesh, Envoy included.
keys P
wait_for "─ Run probes in the mesh " 10
has "envoy pxc-cluster.cluster-b.global:3306"
keys y
wait_re '│envoy +pxc-cluster.cluster-b.global:3306 +cluster-a/pxc \(mesh\) +ok: ' 90
# The Overview's p offers the focused cluster's channel; Esc cancels.
keys 1
wait_for "─ ▶ PXC" 10
keys p
wait_for "─ Run probes in the mesh " 10
has "Cluster cluster-a, namespace pxc"
keys Escape
wait_for "cancelled: nothing was changed" 10

# Deleting the ServiceEntry (confirmed) outdates the probes that relied on it and puts
# the set-up's step back to missing.
keys 5
wait_for "─ ServiceEntries (all clusters) " 10
keys /
typed "cluster-b.global"
keys Enter
wait_re '│cluster-a +pxc +pxc-cluster-cluster-b ' 10
keys C-d
wait_for "─ Delete ServiceEntry " 10
has "Cluster cluster-a: delete ServiceEntry pxc/pxc-cluster-cluster-b."
keys y
wait_for "done: delete ServiceEntry pxc/pxc-cluster-cluster-b (cluster cluster-a)" 30
for ((i = 0; i < 100; i++)); do
    screen | grep -qE '│cluster-a +pxc +pxc-cluster-cluster-b ' || break
    sleep 0.1
done
! screen | grep -qE '│cluster-a +pxc +pxc-cluster-cluster-b ' || fail "the deleted row stays"
keys 7
wait_for "outdated, was ok" 10
keys g
wait_for "outdated: ServiceEntry cluster-a/pxc/pxc-cluster-cluster-b was deleted after the probe ran" 10
keys 8
wait_re '│ 9 cluster-a: ServiceEntry for pxc-cluster.cluster-b.global +missing ' 10

# Quitting while probes run: they are cancelled, nothing leaks (the sanitizers check).
keys 7
wait_for "─ Probes (newest first) " 10
keys g P
wait_for "─ Run probes in the mesh " 10
keys y
wait_re 'running [0-9]' 10
keys q
wait_exit 0 20

# --readonly on the live lab: the steps show, the keys that write are hidden and refused.
tui_stop
tui_start 160 45 --config "$LAB/pxcmesh.yaml" --readonly
wait_for " LIVE " 10
keys 8
wait_re '│ 9 cluster-a: ServiceEntry for pxc-cluster.cluster-b.global +missing ' 30
hasnt "<Enter> fix"
keys n
wait_re '^│missing: cluster-a: ServiceEntry for pxc-cluster.cluster-b.global' 10
keys Enter # the table's Enter: the row in the status bar, no dialog
wait_for "missing  no ServiceEntry in cluster-a declares" 10
hasnt "─ Apply "
keys 5
wait_for "─ ServiceEntries (all clusters) " 10
keys C-d
wait_for "read-only: delete (C-d) is not allowed (started with --readonly)" 10
keys q
wait_exit 0 20
echo "ok: the walkthrough brought cluster_b_source to running"
