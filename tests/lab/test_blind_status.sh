#!/usr/bin/env bash
# test_blind_status: blind must never read as healthy (the MySQL side). On the check lab:
#  - node 1 of cluster-a (the channel's server) hangs: `status --json` exits 1, keeps the
#    Galera state of the two healthy pods (not null) and the hung one's error with when,
#    keeps the channel the CR declares on it (unread, with the error), and lists the hung
#    server; `doctor` says GALERA_NODE_HUNG (and CH_UNREADABLE caused by it), exit 1;
#  - a wrong password for cluster-b's status user: status, doctor and channel status exit 1,
#    doctor with MYSQL_UNREADABLE for every server of cluster-b;
#  - node 1 of cluster-a stopped: the channel is still in the snapshot, with the error; a
#    node of cluster-b that runs no channel stopped: a warning, and still exit 1;
#  - scripts can alert: channel status exits 1 on a broken channel (1062), 0 on one an
#    operator stopped (STOP REPLICA, no error).
source "$(dirname "$0")/mysql_lib.sh"
trap '"$PXCMESH" lab fault resume-node cluster-a 1 --dir "$DIR" >/dev/null 2>&1
      "$PXCMESH" lab fault start-node cluster-a 1 --dir "$DIR" >/dev/null 2>&1
      "$PXCMESH" lab fault start-node cluster-b 3 --dir "$DIR" >/dev/null 2>&1
      "$PXCMESH" lab fault fix-channel --dir "$DIR" >/dev/null 2>&1; rm -rf "$TMP"' EXIT

status_json() { "$PXCMESH" status --json --timeout 30 --config "${1:-$CFG}" >"$TMP/s.json" 2>"$TMP/s.err"; }
doctor_json() { "$PXCMESH" doctor --json --timeout 30 --config "${1:-$CFG}" >"$TMP/d.json" 2>"$TMP/d.err"; }
q() { jq -r "$1" "$TMP/s.json"; }

poll 60 chan_healthy || fail "the channel is not healthy before the test"
status_json && ok "healthy lab: status exits 0" || fail "healthy lab: status exit $? ($(head -3 "$TMP/s.err"))"

# --- the channel's server hangs
"$PXCMESH" lab fault hang-node cluster-a 1 --dir "$DIR" >"$TMP/fault.out" 2>&1 || fail "hang-node: $(cat "$TMP/fault.out")"
status_json
rc=$?
[[ $rc == 1 ]] && ok "status exits 1 with a hung server" || fail "status exit $rc with a hung server"
grep -q "pxc-cluster-pxc-0.*no answer" "$TMP/s.err" && ok "stderr names it" || fail "stderr: $(cat "$TMP/s.err")"
A='.clusters[] | select(.name == "cluster-a")'
for p in pxc-cluster-pxc-1 pxc-cluster-pxc-2; do
    [[ $(q "$A | .pods[] | select(.name == \"$p\") | .galera.state") == Synced ]] &&
        ok "$p keeps its Galera state (not null)" || fail "$p galera: $(q "$A | .pods[] | select(.name == \"$p\") | .galera")"
done
hung=$(q "$A | .pods[] | select(.name == \"pxc-cluster-pxc-0\") | .galera")
[[ $(jq -r .error <<<"$hung") == *"no answer"* && $(jq -r .asOf <<<"$hung") =~ ^20 ]] &&
    ok "the hung pod's galera has the error and asOf" || fail "hung pod galera: $hung"
ch=$(q "$A | .channels[] | select(.name == \"cluster_b_source\")")
[[ -n $ch && $(jq -r .server <<<"$ch") == pxc-cluster-pxc-0 && $(jq -r .error <<<"$ch") == *"no answer"* ]] &&
    ok "the channel is kept, with the error" || fail "channel: ${ch:-none}"
[[ $(q "$A | .mysqlServers[] | select(.name == \"pxc-cluster-pxc-0\") | .hung") == true ]] &&
    ok "the server is listed as hung" || fail "servers: $(q "$A | .mysqlServers")"
doctor_json
rc=$?
[[ $rc == 1 ]] && ok "doctor exits 1" || fail "doctor exit $rc"
jq -e '.findings | any(.code == "GALERA_NODE_HUNG" and .object == "pod/pxc/pxc-cluster-pxc-0")' "$TMP/d.json" >/dev/null &&
    ok "doctor: GALERA_NODE_HUNG on the pod" || fail "findings: $(jq -c '[.findings[].code]' "$TMP/d.json")"
jq -e '(.findings | map(.code)) as $c | .findings | any(.code == "CH_UNREADABLE" and .cause != null and $c[.cause] == "GALERA_NODE_HUNG")' \
    "$TMP/d.json" >/dev/null && ok "CH_UNREADABLE is caused by it" || fail "no CH_UNREADABLE chained to the hung node"
"$PXCMESH" lab fault resume-node cluster-a 1 --dir "$DIR" >/dev/null 2>&1 || fail "resume-node"
poll 60 chan_healthy || fail "the channel did not recover after SIGCONT"

# --- a wrong password for cluster-b's status user
bad=$TMP/bad-monitor.cnf
sed 's/^password *=.*/password=not-the-password/' "$DIR/b-monitor.cnf" >"$bad"
chmod 600 "$bad"
sed "s|$DIR/b-monitor.cnf|$bad|" "$CFG" >"$TMP/bad.yaml"
status_json "$TMP/bad.yaml"
rc=$?
[[ $rc == 1 ]] && ok "status exits 1 with a refused status user" || fail "status exit $rc with a wrong password"
doctor_json "$TMP/bad.yaml"
rc=$?
n=$(jq '[.findings[] | select(.code == "MYSQL_UNREADABLE" and .cluster == "cluster-b" and .severity == "error")] | length' "$TMP/d.json")
[[ $rc == 1 && $n == 3 ]] && ok "doctor exits 1 with MYSQL_UNREADABLE for the 3 servers" ||
    fail "doctor exit $rc, $n MYSQL_UNREADABLE: $(jq -c '[.findings[].code]' "$TMP/d.json")"
"$PXCMESH" channel status --config "$TMP/bad.yaml" >/dev/null 2>&1
rc=$?
[[ $rc == 1 ]] && ok "channel status exits 1" || fail "channel status exit $rc with a wrong password"

# --- the channel's server stopped: the channel does not vanish
"$PXCMESH" lab fault stop-node cluster-a 1 --dir "$DIR" >"$TMP/fault.out" 2>&1 || fail "stop-node: $(cat "$TMP/fault.out")"
status_json
rc=$?
ch=$(q "$A | .channels[] | select(.name == \"cluster_b_source\")")
[[ $rc == 1 && -n $ch && $(jq -r .error <<<"$ch") != "" ]] && ok "stopped node: exit 1, the channel kept with '$(jq -r .error <<<"$ch" | cut -c1-80)'" ||
    fail "stopped node: exit $rc, channel ${ch:-none}"
"$PXCMESH" lab fault start-node cluster-a 1 --dir "$DIR" >/dev/null 2>&1 || fail "start-node"
poll 60 chan_healthy || fail "the channel did not recover after start-node"

# --- a node that runs no channel stopped: only a warning, still no healthy exit
"$PXCMESH" lab fault stop-node cluster-b 3 --dir "$DIR" >"$TMP/fault.out" 2>&1 || fail "stop-node b 3: $(cat "$TMP/fault.out")"
doctor_json
rc=$?
jq -e '.findings | any(.code == "MYSQL_UNREADABLE" and .severity == "warning" and .object == "pod/pxc/pxc-cluster-pxc-2")' \
    "$TMP/d.json" >/dev/null && [[ $rc == 1 ]] && ok "a node down: MYSQL_UNREADABLE (warning), doctor exits 1" ||
    fail "node b/3 down: doctor exit $rc, findings $(jq -c '[.findings[] | [.code, .severity, .object]]' "$TMP/d.json")"
"$PXCMESH" lab fault start-node cluster-b 3 --dir "$DIR" >/dev/null 2>&1 || fail "start-node cluster-b 3"

# --- scripts can alert on a broken channel, not on one an operator stopped
"$PXCMESH" lab fault break-channel --dir "$DIR" >"$TMP/fault.out" 2>&1 || fail "break-channel: $(cat "$TMP/fault.out")"
"$PXCMESH" channel status --config "$CFG" >/dev/null 2>"$TMP/ch.err"
rc=$?
[[ $rc == 1 ]] && grep -q "is broken: SQL thread No, error 1062" "$TMP/ch.err" &&
    ok "channel status exits 1 on the 1062: $(head -1 "$TMP/ch.err" | cut -c1-100)" ||
    fail "channel status exit $rc on a broken channel: $(cat "$TMP/ch.err")"
"$PXCMESH" lab fault fix-channel --dir "$DIR" >/dev/null 2>&1 || fail "fix-channel"
"$PXCMESH" lab fault stop-channel --dir "$DIR" >/dev/null 2>&1 || fail "stop-channel"
"$PXCMESH" channel status --config "$CFG" >"$TMP/ch.out" 2>&1
rc=$?
[[ $rc == 0 ]] && grep -q "cluster_b_source .*No .*No" "$TMP/ch.out" &&
    ok "channel status exits 0 on a channel stopped by an operator" ||
    fail "channel status exit $rc on a stopped channel: $(cat "$TMP/ch.out")"
"$PXCMESH" lab fault fix-channel --dir "$DIR" >/dev/null 2>&1 || fail "fix-channel"
poll 60 chan_healthy || fail "the channel did not recover"
done_tests
