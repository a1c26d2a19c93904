#!/usr/bin/env bash
# A hung server (lab fault hang-node: SIGSTOP) times out within the configured limits while
# the other servers answer: `pxcmesh channel status` returns after about connect + read
# timeout (not minutes), exits 1 naming the hung server, and still shows the channel of the
# healthy replication node. Then `channel stop` while the channel's own node hangs says the
# timeout and nothing else.
source "$(dirname "$0")/mysql_lib.sh"
trap '"$PXCMESH" lab fault resume-node cluster-a 2 --dir "$DIR" >/dev/null 2>&1; rm -rf "$TMP"' EXIT

poll 60 chan_healthy || fail "the channel is not healthy before the test: $(cat "$TMP/chan.json")"
"$PXCMESH" lab fault hang-node cluster-a 2 --dir "$DIR" >"$TMP/fault.out" 2>&1 ||
    fail "hang-node: $(cat "$TMP/fault.out")"
t0=$SECONDS
chan_json
rc=$?
took=$((SECONDS - t0))
[[ $rc == 1 ]] && ok "exit 1 with a hung server" || fail "exit $rc with a hung server"
# defaults: connect 3 s + read 5 s; a server that never answers must not hold us longer
((took <= 15)) && ok "returned after ${took}s (limits: connect 3 s, read 5 s)" ||
    fail "took ${took}s with a hung server"
grep -q "no answer within" "$TMP/status.err" && ok "says: $(grep -m1 'no answer' "$TMP/status.err" | cut -c1-140)" ||
    fail "stderr: $(cat "$TMP/status.err")"
[[ $(chan ioRunning) == Yes && $(chan sqlRunning) == Yes ]] && ok "the healthy node's channel still read: Yes/Yes" ||
    fail "channel while node 2 hangs: $(cat "$TMP/chan.json")"
"$PXCMESH" lab fault resume-node cluster-a 2 --dir "$DIR" >/dev/null 2>&1 || fail "resume-node failed"
poll 30 chan_json && ok "every server answers again after SIGCONT" || fail "after resume: $(cat "$TMP/status.err")"

# `channel stop` while the node that runs the channel hangs: the timeout, in words, is the
# only error; not also "no channel ... on cluster" (the channel is there, unread).
trap '"$PXCMESH" lab fault resume-node cluster-a 1 --dir "$DIR" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
"$PXCMESH" lab fault hang-node cluster-a 1 --dir "$DIR" >"$TMP/fault.out" 2>&1 ||
    fail "hang-node 1: $(cat "$TMP/fault.out")"
"$PXCMESH" channel stop --yes "$CHAN" --cluster cluster-a --timeout 20 --config "$CFG" >"$TMP/stop.out" 2>"$TMP/stop.err"
rc=$?
[[ $rc == 1 ]] && ok "channel stop with its node hung: exit 1" || fail "channel stop with its node hung: exit $rc"
grep -q "no answer within" "$TMP/stop.err" && ! grep -q "no channel" "$TMP/stop.err" &&
    ok "says only: $(head -1 "$TMP/stop.err" | cut -c1-140)" || fail "stderr: $(cat "$TMP/stop.err")"
"$PXCMESH" lab fault resume-node cluster-a 1 --dir "$DIR" >/dev/null 2>&1 || fail "resume-node 1 failed"
poll 60 chan_healthy && ok "the channel is healthy after SIGCONT (the stop never ran)" ||
    fail "after resume: $(cat "$TMP/chan.json")"
# Galera may have evicted the paused node: the next tests need it Synced again (a node that
# is rejoining refuses statements with 1047 "WSREP has not yet prepared node").
galera_whole() {
    "$PXCMESH" status --json --timeout 20 --config "$CFG" >"$TMP/snap.json" 2>/dev/null
    [[ $(jq '[.clusters[].pods[] | select(.galera.state == "Synced" and .galera.clusterSize == 3
        and .galera.status == "Primary")] | length' "$TMP/snap.json") == 6 ]]
}
# A node resumed from SIGSTOP still reads as Synced for some seconds before Galera's view
# change (evs.inactive_timeout is 10 s in the lab) drops it to non-Primary: whole must hold
# for 15 s on end, not once.
galera_settled() {
    galera_whole || return 1
    local end=$((SECONDS + 15))
    while ((SECONDS < end)); do
        sleep 1
        galera_whole || return 1
    done
}
poll 120 galera_settled && ok "all 6 nodes Synced/Primary/3 again, 15 s on end" ||
    fail "Galera after resume: $(jq -c '[.clusters[].pods[] | {name, galera}]' "$TMP/snap.json")"
done_tests
