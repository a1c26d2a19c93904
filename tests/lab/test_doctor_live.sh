#!/usr/bin/env bash
# test_doctor_live: the console is the doctor. On the check lab, ten things break one after
# another (namespace unlabelled, sidecar missing, ServiceEntry deleted, wrong endpoint,
# wrong source host, replication password changed, duplicate key, Galera node stopped,
# Galera node hung, channel stopped). For each, the live console's Findings view (driven in
# tmux) shows the right code, then the fix clears it: the fix key where pxcmesh can act
# (label, restart, apply the generated ServiceEntry, repoint, set the password, start), else
# the printed command, copied from the console (c, OSC 52 into tmux's buffer) and run
# verbatim in a shell; and the finding goes.
#
# Bounds: a finding must show within the time its fault takes to reach the model (the
# Kubernetes watch: about a second; the MySQL refresh: 2 s; a hung server: the connect and
# read timeouts, 3 + 5 s) plus 2 s, and go within the fix's own time plus 2 s. The doctor's
# part alone (model change to findings, under 2 s) is held exactly by
# tests/unit/backends/test_doctor_live.c. Every fault is undone on exit, also on failure.
. "$(dirname "$0")/../tui/lib.sh"
: "${PXC_LAB_DIR:?run through ctest (PXC_LAB_DIR is set by tests/CMakeLists.txt)}"
DIR=$PXC_LAB_DIR
CFG=$DIR/pxcmesh.yaml
[[ -f $DIR/state && $(cat "$DIR/state") == ready ]] || fail "the lab is not ready"
export KUBECONFIG=$DIR/kubeconfig
# The printed commands say `pxcmesh`: this build's.
PATH=$(dirname "$PXCMESH"):$PATH
export PATH
restore() {
    local f
    for f in "label-namespace" "apply-serviceentry" "restore-repl-password" "fix-channel" \
        "resume-node cluster-b 3" "start-node cluster-b 2" "start-node cluster-b 3" \
        "restart-pods cluster-a" "fix-channel"; do
        # shellcheck disable=SC2086 # the fault's words
        "$PXCMESH" lab fault $f --dir "$DIR" >/dev/null 2>&1 || true
    done
    kubectl --context cluster-a label pod pxc-cluster-pxc-0 -n pxc percona.com/replicationPod=true \
        --overwrite >/dev/null 2>&1 || true
}
trap 'restore; tui_cleanup' EXIT

lab() { "$PXCMESH" lab fault "$@" --dir "$DIR" >>"$TUI_TMP/fault.out" 2>&1 || fail "lab fault $*: $(tail -3 "$TUI_TMP/fault.out")"; }
ok() { echo "ok - $*"; }
now_ms() { date +%s%3N; }
channel_ok() {
    "$PXCMESH" channel status --json --config "$CFG" >"$TUI_TMP/ch.json" 2>/dev/null &&
        jq -e '.channels | any(.name == "cluster_b_source" and .ioRunning == "Yes" and .sqlRunning == "Yes")' \
            "$TUI_TMP/ch.json" >/dev/null
}
poll() { # seconds cmd...
    local end=$((SECONDS + $1))
    shift
    until "$@"; do
        ((SECONDS < end)) || return 1
        sleep 0.5
    done
}
# The Findings table's row of CODE on CLUSTER.
row_re() { echo "^│(error|warning|info) +$2 +$1 "; }
shown() { screen | grep -qE -- "$(row_re "$1" "$2")"; }
# appear CODE CLUSTER SECS: the row shows within SECS of the fault's end.
appear() {
    local t0
    t0=$(now_ms)
    tui_poll re "$(row_re "$1" "$2")" "$3" || fail "$1 on $2 not shown within $3 s"
    ok "$1 on $2 shown $(($(now_ms) - t0)) ms after the fault"
}
# vanish CODE CLUSTER SECS: the row goes within SECS of the fix.
vanish() {
    local t0 end
    t0=$(now_ms)
    end=$((t0 + $3 * 1000))
    while shown "$1" "$2"; do
        (($(now_ms) < end)) || fail "$1 on $2 still shown $3 s after its fix"
        sleep 0.1
    done
    ok "$1 on $2 gone $(($(now_ms) - t0)) ms after its fix"
}
# Show only CODE's rows in the Findings view, the first selected.
pick() {
    unpick
    keys /
    typed "$1"
    keys Enter
    keys g
    wait_re "$(row_re "$1" "$2")" 5
}
# As wait_re, over the screen's lines joined (the detail pane wraps long messages).
wait_joined() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        screen_joined | grep -qE -- "$1" && return 0
        sleep 0.1
    done
    fail "timed out waiting for /$1/ (joined)"
}
unpick() {
    keys 4 Escape 4 # in the view, Esc clears its filter (else goes to the overview)
    wait_for "Findings (errors first)" 5
}
# The fix key: the dialog names the change; Run runs it. The detail must show the fix
# first (a channel passes through states with other fixes on its way to the fault's).
fix_key() { # CODE CLUSTER TEXT-IN-THE-DIALOG TEXT-IN-THE-DETAIL
    pick "$1" "$2"
    wait_for "$4" 10
    keys f
    wait_for "$3" 15
    wait_for "[ Run ]" 5
    keys y
    ok "$1 on $2: the fix key ran '$3'"
}
# The printed fix, copied from the console and run verbatim in a shell.
fix_printed() { # CODE CLUSTER
    pick "$1" "$2"
    "${TUI_T[@]}" delete-buffer 2>/dev/null || true
    keys c
    wait_for "copied to the clipboard" 5
    local cmd
    cmd=$("${TUI_T[@]}" show-buffer 2>/dev/null) || fail "$1: nothing copied"
    [[ $cmd == *" NAME "* || $cmd == *" C "* ]] && fail "$1: placeholder in '$cmd'"
    ok "$1 on $2: running the printed fix: $cmd"
    bash -c "$cmd" </dev/null >"$TUI_TMP/fix.out" 2>&1 || fail "$1: the printed fix failed: $(tail -5 "$TUI_TMP/fix.out")"
}

poll 60 channel_ok || fail "the channel is not running before the test"
tui_start 200 50 --config "$CFG"
"${TUI_T[@]}" set -g set-clipboard on
wait_re '^cluster-a ● API ok.* +cluster-b ● API ok' 30
wait_re 'cluster_b_source \(lag [0-9.]+s\)' 30
keys 4
wait_for "no findings: every check passes" 15
ok "healthy lab: no findings, live"

# 1. Namespace unlabelled: NS_NOT_INJECTED in both clusters; the fix key labels each.
lab unlabel-namespace
appear NS_NOT_INJECTED cluster-a 3
appear NS_NOT_INJECTED cluster-b 3
has "✗ 2 errors"
screen | grep -qE "$(row_re NS_NOT_INJECTED cluster-a)namespace/pxc +[0-9]+s " || fail "no since age"
fix_key NS_NOT_INJECTED cluster-a "label namespace pxc istio-injection=enabled" "--context cluster-a label namespace pxc"
vanish NS_NOT_INJECTED cluster-a 3
unpick
fix_key NS_NOT_INJECTED cluster-b "label namespace pxc istio-injection=enabled" "--context cluster-b label namespace pxc"
vanish NS_NOT_INJECTED cluster-b 3
unpick

# 2. Sidecar missing: POD_NO_SIDECAR; the fix key restarts the StatefulSet.
lab remove-sidecar
appear POD_NO_SIDECAR cluster-a 3
fix_key POD_NO_SIDECAR cluster-a "restart every pod of statefulset" "rollout restart statefulset pxc-cluster-pxc -n pxc"
vanish POD_NO_SIDECAR cluster-a 10
unpick
kubectl --context cluster-a label pod pxc-cluster-pxc-0 -n pxc percona.com/replicationPod=true \
    --overwrite >/dev/null 2>&1 || true
poll 60 channel_ok || fail "the channel did not recover after the restart"

# 3. ServiceEntry deleted: SE_MISSING; the fix key generates it from cluster-b's nodes and
#    applies it (the dialog shows the object from the server dry run).
lab delete-serviceentry
appear SE_MISSING cluster-a 3
fix_key SE_MISSING cluster-a "new ServiceEntry pxc/pxc-cluster-cluster-b" "fix: pxcmesh generate serviceentry"
vanish SE_MISSING cluster-a 3
unpick
poll 60 channel_ok || fail "the channel did not recover with the generated ServiceEntry"

# 4. Wrong endpoint: SE_ENDPOINT_UNKNOWN; the printed generate | apply rebuilds it.
lab wrong-endpoint
appear SE_ENDPOINT_UNKNOWN cluster-a 3
fix_printed SE_ENDPOINT_UNKNOWN cluster-a
vanish SE_ENDPOINT_UNKNOWN cluster-a 3
unpick
poll 60 channel_ok || fail "the channel did not recover with the regenerated endpoints"

# 5. Wrong source host: CH_SOURCE_UNKNOWN (not SE_MISSING for an unknown cluster); the fix
#    key repoints the channel.
lab wrong-host
appear CH_SOURCE_UNKNOWN cluster-a 4
shown SE_MISSING cluster-a && fail "SE_MISSING claimed for the unknown cluster-x"
fix_key CH_SOURCE_UNKNOWN cluster-a "MASTER_HOST='pxc-cluster.cluster-b.global'" "MASTER_HOST='pxc-cluster.cluster-b.global'"
vanish CH_SOURCE_UNKNOWN cluster-a 4
unpick
poll 60 channel_ok || fail "the channel did not recover after the repoint"

# 6. Replication password changed: CH_IO_ERROR 1045; the fix key sets it from the Secret.
lab change-repl-password
appear CH_IO_ERROR cluster-a 4
fix_key CH_IO_ERROR cluster-a "MASTER_PASSWORD='********'" "MASTER_PASSWORD='********'"
vanish CH_IO_ERROR cluster-a 6
unpick
poll 60 channel_ok || fail "the channel did not recover with the Secret's password"

# 7. Duplicate key: CH_SQL_ERROR 1062; the printed skip (the dialect's, with its warning).
lab break-channel
appear CH_SQL_ERROR cluster-a 4
pick CH_SQL_ERROR cluster-a
wait_joined "warning: skipping drifts the data" 5
fix_printed CH_SQL_ERROR cluster-a
vanish CH_SQL_ERROR cluster-a 4
unpick

# 8. Galera node stopped: MYSQL_UNREADABLE naming its pod; the printed kubectl delete pod
#    re-creates it, and the lab's kubelet starts the server.
lab stop-node cluster-b 2
appear MYSQL_UNREADABLE cluster-b 4
screen | grep -qE "$(row_re MYSQL_UNREADABLE cluster-b)pod/pxc/pxc-cluster-pxc-1 " || fail "not the stopped pod"
fix_printed MYSQL_UNREADABLE cluster-b
vanish MYSQL_UNREADABLE cluster-b 90
unpick

# 9. Galera node hung: GALERA_NODE_HUNG with its last good state; the printed kubectl
#    delete pod restarts it.
lab hang-node cluster-b 3
appear GALERA_NODE_HUNG cluster-b 12
pick GALERA_NODE_HUNG cluster-b
wait_joined "accepts connections but does not answer .*last good state Synced, Primary, size 3, read at [0-9T:Z-]+; the other nodes report a cluster of 2" 10
keys 1
wait_re '│✗ pxc-cluster-pxc-2 ' 5
ok "the Overview marks the hung pod"
fix_printed GALERA_NODE_HUNG cluster-b
vanish GALERA_NODE_HUNG cluster-b 90
unpick

# 10. Channel stopped: CH_STOPPED; the fix key starts it.
lab stop-channel
appear CH_STOPPED cluster-a 4
fix_key CH_STOPPED cluster-a "START REPLICA 'cluster_b_source'" "fix: pxcmesh channel start cluster_b_source"
vanish CH_STOPPED cluster-a 4
unpick
poll 60 channel_ok || fail "the channel is not running at the end"
wait_for "no findings: every check passes" 30
keys q
wait_exit 0
echo "all ok"
