#!/usr/bin/env bash
# `pxcmesh channel status` against the lab's real MariaDB Galera clusters: the channel
# cluster_b_source on cluster-a's replication node runs, with its source, a known lag and
# GTID positions, and every server answers (exit 0). The text table says the same.
source "$(dirname "$0")/mysql_lib.sh"

poll 60 chan_healthy || true
if chan_json; then ok "channel status --json exits 0"; else fail "exit code $? ($(cat "$TMP/status.err"))"; fi
[[ $(jq -r '.channels | type' "$TMP/status.json") == array ]] && ok "{\"channels\": [...]}" ||
    fail "not {\"channels\": [...]}: $(head -c 300 "$TMP/status.json")"
[[ $(chan name) == "$CHAN" ]] && ok "channel $CHAN listed for cluster-a" ||
    fail "no $CHAN in cluster-a: $(jq -c '[.channels[] | {cluster, server, name}]' "$TMP/status.json")"
[[ $(chan ioRunning) == Yes && $(chan sqlRunning) == Yes ]] && ok "IO Yes, SQL Yes" ||
    fail "IO $(chan ioRunning) SQL $(chan sqlRunning): $(chan lastIoError) $(chan lastSqlError)"
lag=$(chan lagSeconds)
[[ $lag =~ ^[0-9]+(\.[0-9]+)?$ ]] && ok "lag known: ${lag}s (source $(chan lagSource))" ||
    fail "lagSeconds is '$lag'"
[[ $(jq -r '.lagHistory | length' "$TMP/chan.json") -ge 1 ]] &&
    ok "lag history has samples" || fail "no lag history"
[[ -n $(chan sourceHost) && $(chan sourceHost) != null && $(chan sourcePort) == 3306 ]] &&
    ok "source $(chan sourceHost):$(chan sourcePort)" || fail "source '$(chan sourceHost)':'$(chan sourcePort)'"
[[ $(chan dialect) == mariadb ]] && ok "dialect mariadb" || fail "dialect '$(chan dialect)'"
[[ $(chan executedGtidSet) =~ ^[0-9]+-[0-9]+-[0-9]+ ]] && ok "executed GTID position $(chan executedGtidSet)" ||
    fail "executedGtidSet '$(chan executedGtidSet)'"
[[ $(chan gtidGap) =~ ^[0-9]+$ ]] && ok "gtid gap $(chan gtidGap)" || fail "gtidGap '$(chan gtidGap)'"
[[ $(chan server) == *pxc-0 || $(chan server) == *pxc-1 || $(chan server) == *pxc-2 ]] &&
    ok "runs on server $(chan server)" || fail "server '$(chan server)'"
# only the replication node has the channel; the other 5 servers answered with none
n=$(jq --arg c "$CHAN" '[.channels[] | select(.name == $c)] | length' "$TMP/status.json")
[[ $n == 1 ]] && ok "exactly one $CHAN" || fail "$n channels named $CHAN"

# the table
out=$("$PXCMESH" channel status --timeout 20 --config "$CFG" 2>&1)
grep -E "^cluster-a +[^ ]+ +$CHAN +Yes +Yes" <<<"$out" >/dev/null && ok "table row: IO Yes SQL Yes" ||
    fail "table: $out"
# SOURCE fits its column, in the table and -o wide: the whole HOST:PORT under its title, and
# the next title two spaces or more after it.
src_fits() {
    local hdr row src=$(chan sourceHost):$(chan sourcePort) col next
    hdr=$(head -1 <<<"$1")
    row=$(grep -E "^cluster-a +[^ ]+ +$CHAN " <<<"$1") || return 1
    col=${hdr%%SOURCE*}
    col=${#col}
    next=${hdr:col+6}
    next=${next%%[! ]*}
    [[ ${row:col:${#src}} == "$src" && ${row:col-1:1} == " " && $((6 + ${#next})) -ge $((${#src} + 2)) ]]
}
src_fits "$out" && ok "table: SOURCE $(chan sourceHost):3306 fits its column" || fail "SOURCE cut: $out"
wide=$("$PXCMESH" channel status -o wide --timeout 20 --config "$CFG" 2>&1)
src_fits "$wide" && ok "-o wide: SOURCE fits" || fail "-o wide SOURCE cut: $wide"

# `pxcmesh status --json` fills channels[] and each PXC pod's galera from the same backend
"$PXCMESH" status --json --timeout 30 --config "$CFG" >"$TMP/snap.json" 2>"$TMP/snap.err" ||
    fail "status --json exit $?: $(head -3 "$TMP/snap.err")"
jq -e --arg c "$CHAN" '.clusters[] | select(.name == "cluster-a") | .channels[] |
    select(.name == $c and .ioRunning == "Yes" and .sqlRunning == "Yes" and .lagSeconds != null)' \
    "$TMP/snap.json" >/dev/null && ok "status --json: $CHAN running with lag" ||
    fail "status --json channels: $(jq -c '[.clusters[] | {name, channels: [.channels[] | {name, ioRunning}]}]' "$TMP/snap.json")"
n=$(jq '[.clusters[].pods[] | select(.galera.state == "Synced" and .galera.clusterSize == 3 and .galera.status == "Primary")] | length' "$TMP/snap.json")
[[ $n == 6 ]] && ok "status --json: 6 pods Galera Synced/Primary/3" ||
    fail "status --json galera: $n pods synced: $(jq -c '[.clusters[].pods[] | {name, galera}]' "$TMP/snap.json" | cut -c1-400)"

# Without a config file (--context): servers discovered from the PXC pods kubesim lists, the
# monitor password read from the operator's Secret (pxc-cluster-secrets, key monitor)
KC=(--kubeconfig "$DIR/kubeconfig" --context cluster-a --context cluster-b)
"$PXCMESH" channel status --json --timeout 30 "${KC[@]}" >"$TMP/disc.json" 2>"$TMP/disc.err" ||
    fail "discover: exit $?: $(head -3 "$TMP/disc.err")"
jq -e --arg c "$CHAN" '.channels[] | select(.name == $c and .cluster == "cluster-a" and
    .ioRunning == "Yes" and .server == "pxc-cluster-pxc-0")' "$TMP/disc.json" >/dev/null &&
    ok "discover mode + password from the Secret: $CHAN on pxc-cluster-pxc-0 running" ||
    fail "discover mode: $(head -c 400 "$TMP/disc.json") $(head -3 "$TMP/disc.err")"

# usage errors exit 2 and say why
"$PXCMESH" channel status --server x --config "$CFG" >/dev/null 2>"$TMP/e"
[[ $? == 2 ]] && grep -q "status takes no --server" "$TMP/e" && ok "usage error exits 2" ||
    fail "usage: $(cat "$TMP/e")"
done_tests
