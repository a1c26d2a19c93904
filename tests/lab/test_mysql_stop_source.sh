#!/usr/bin/env bash
# The channel's source stops: first the node of cluster-b it reads from (lab fault
# stop-source), then the two others, since the source's name resolves to every node of B and
# the channel would otherwise just reconnect to the next one. `pxcmesh channel status` shows
# the IO error (2003 cannot connect / 2013 lost connection) with its message and time, and
# the channel recovers (IO Yes, no error) once cluster-b is back.
source "$(dirname "$0")/mysql_lib.sh"
stopped=() # cluster-b nodes stopped by this test, in order
restart_b() {
    local i
    for ((i = ${#stopped[@]} - 1; i >= 0; i--)); do # the last to leave starts first
        "$PXCMESH" lab fault start-node cluster-b "${stopped[i]}" --dir "$DIR" >>"$TMP/start.out" 2>&1 ||
            fail "start-node cluster-b ${stopped[i]}: $(tail -3 "$TMP/start.out")"
    done
    stopped=()
}
trap 'restart_b >/dev/null 2>&1; rm -rf "$TMP"' EXIT

poll 60 chan_healthy || fail "the channel is not healthy before the test: $(cat "$TMP/chan.json")"
"$PXCMESH" lab fault stop-source --dir "$DIR" >"$TMP/fault.out" 2>&1 ||
    fail "lab fault stop-source failed: $(cat "$TMP/fault.out")"
node=$(sed -n 's/.*stopped cluster-b\/\([0-9]\).*/\1/p' "$TMP/fault.out" | head -1)
[[ -n $node ]] && ok "stopped the source, cluster-b node $node" && stopped+=("$node") ||
    fail "which node stopped? $(cat "$TMP/fault.out")"
for n in 1 2 3; do
    [[ $n == "$node" ]] && continue
    "$PXCMESH" lab fault stop-node cluster-b "$n" --dir "$DIR" >>"$TMP/fault.out" 2>&1 &&
        stopped+=("$n") || fail "stop-node cluster-b $n: $(tail -2 "$TMP/fault.out")"
done
io_error() {
    chan_json
    [[ $(chan lastIoErrno) == 2003 || $(chan lastIoErrno) == 2013 ]]
}
if poll 60 io_error; then
    ok "lastIoErrno $(chan lastIoErrno): $(chan lastIoError | cut -c1-120)"
    [[ $(chan ioRunning) == Connecting || $(chan ioRunning) == No ]] && ok "IO $(chan ioRunning)" ||
        fail "IO thread '$(chan ioRunning)' with the source down"
    [[ $(chan lastIoErrorAt) =~ ^20 ]] && ok "error time $(chan lastIoErrorAt)" ||
        fail "lastIoErrorAt '$(chan lastIoErrorAt)'"
    [[ $(chan lagSeconds) == null ]] && ok "lag unknown while the IO thread reconnects" ||
        fail "lag '$(chan lagSeconds)' while the IO thread reconnects"
    out=$("$PXCMESH" channel status --config "$CFG" 2>&1)
    grep -E "$CHAN .*IO (2003|2013)" <<<"$out" >/dev/null && ok "table shows the IO error" ||
        fail "table: $out"
else
    fail "no IO error 2003/2013 seen: IO $(chan ioRunning) errno $(chan lastIoErrno) $(chan lastIoError)"
fi
restart_b
poll 90 chan_healthy && ok "recovered: IO Yes, SQL Yes, no error" ||
    fail "after cluster-b is back: IO $(chan ioRunning) SQL $(chan sqlRunning) errno $(chan lastIoErrno) $(chan lastIoError)"
done_tests
