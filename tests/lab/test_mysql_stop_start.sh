#!/usr/bin/env bash
# `pxcmesh channel stop|start` against the lab: stopping cluster_b_source shows No/No in
# `channel status`, starting it brings Yes/Yes back; one thread alone (--io / --sql) too.
# Refusals: --readonly, an unknown channel, a channel name that tries to inject SQL.
source "$(dirname "$0")/mysql_lib.sh"
# whatever happens, leave the channel running for the next test
trap '"$PXCMESH" channel start --yes "$CHAN" --cluster cluster-a --config "$CFG" >/dev/null 2>&1; rm -rf "$TMP"' EXIT

poll 60 chan_healthy || fail "the channel is not healthy before the test: $(cat "$TMP/chan.json")"

out=$("$PXCMESH" channel stop --yes "$CHAN" --cluster cluster-a --config "$CFG" 2>&1)
rc=$?
[[ $rc == 0 ]] && ok "channel stop exits 0" || fail "channel stop exit $rc: $out"
grep -q "STOP REPLICA '$CHAN'" <<<"$out" && ok "ran STOP REPLICA '$CHAN'" || fail "stop output: $out"
grep -q "IO No, SQL No" <<<"$out" && ok "stop reports IO No, SQL No" || fail "stop output: $out"
chan_is No No && ok "status shows No/No after stop" ||
    fail "status after stop: IO $(chan ioRunning) SQL $(chan sqlRunning)"
[[ $(chan lagSeconds) == null ]] && ok "lag unknown (null) while stopped" ||
    fail "lag while stopped: $(chan lagSeconds)"

out=$("$PXCMESH" channel start --yes "$CHAN" --cluster cluster-a --config "$CFG" 2>&1)
rc=$?
[[ $rc == 0 ]] && ok "channel start exits 0" || fail "channel start exit $rc: $out"
grep -q "START REPLICA '$CHAN'" <<<"$out" && ok "ran START REPLICA '$CHAN'" || fail "start output: $out"
poll 30 chan_is Yes Yes && ok "status shows Yes/Yes after start" ||
    fail "status after start: IO $(chan ioRunning) SQL $(chan sqlRunning)"

# one thread: stop the SQL thread only, the IO thread keeps running
out=$("$PXCMESH" channel stop --yes "$CHAN" --sql --cluster cluster-a --config "$CFG" 2>&1)
grep -q "STOP REPLICA '$CHAN' SQL_THREAD" <<<"$out" && ok "stop --sql ran SQL_THREAD only" ||
    fail "stop --sql: $out"
chan_is Yes No && ok "IO Yes, SQL No after stop --sql" ||
    fail "after stop --sql: IO $(chan ioRunning) SQL $(chan sqlRunning)"
out=$("$PXCMESH" channel start --yes "$CHAN" --sql --cluster cluster-a --config "$CFG" 2>&1)
poll 30 chan_is Yes Yes && ok "Yes/Yes after start --sql" || fail "after start --sql: $out"

# discover mode, both passwords from the PXC operator's Secret (monitor, operator)
KC=(--kubeconfig "$DIR/kubeconfig" --context cluster-a --context cluster-b)
out=$("$PXCMESH" channel stop --yes "$CHAN" --cluster cluster-a "${KC[@]}" 2>&1)
[[ $? == 0 && $out == *"IO No, SQL No"* ]] && ok "stop with passwords from the Secret" ||
    fail "stop (discover): $out"
out=$("$PXCMESH" channel start --yes "$CHAN" --cluster cluster-a "${KC[@]}" 2>&1)
[[ $? == 0 && $out == *"START REPLICA '$CHAN'"* ]] && ok "start with passwords from the Secret" ||
    fail "start (discover): $out"
poll 30 chan_is Yes Yes && ok "Yes/Yes again" || fail "after start (discover): $(cat "$TMP/chan.json")"

# Without a terminal and without --yes nothing runs; what would have run is shown first:
# the statement and the MySQL user that runs it.
out=$(setsid -w "$PXCMESH" channel stop "$CHAN" --cluster cluster-a --config "$CFG" </dev/null 2>&1)
rc=$?
[[ $rc == 1 && $out == *"no terminal to ask on"* && $out == *"as MySQL user '"* &&
   $out == *STOP* ]] && ok "no terminal, no --yes: shown, refused (exit 1)" ||
    fail "no terminal: $rc $out"
chan_is Yes Yes && ok "the channel still runs after the refused stop" || fail "refused stop ran"

# refusals
out=$("$PXCMESH" --readonly channel stop --yes "$CHAN" --cluster cluster-a --config "$CFG" 2>&1)
rc=$?
[[ $rc == 1 && $out == *read-only* ]] && ok "--readonly refuses (exit 1)" || fail "readonly: $rc $out"
chan_is Yes Yes && ok "the channel still runs after the refused stop" || fail "readonly stop ran"
out=$("$PXCMESH" channel stop no_such_channel --cluster cluster-a --config "$CFG" 2>&1)
rc=$?
[[ $rc == 1 && $out == *"no channel 'no_such_channel'"* ]] && ok "unknown channel: exit 1, said so" ||
    fail "unknown channel: $rc $out"
out=$("$PXCMESH" channel stop --yes "x'; STOP ALL SLAVES; --" --cluster cluster-a --config "$CFG" 2>&1)
rc=$?
[[ $rc == 2 && $out == *"only letters, digits"* ]] && ok "injection attempt refused (exit 2)" ||
    fail "injection: $rc $out"
chan_is Yes Yes && ok "the channel still runs after the injection attempt" || fail "injection had an effect"
out=$("$PXCMESH" channel stop --yes "$CHAN" --config "$CFG" 2>&1)
[[ $? == 2 && $out == *"--cluster"* ]] && ok "missing --cluster: usage error" || fail "no --cluster: $out"
done_tests
