#!/usr/bin/env bash
# pxcmesh serve and pxcmesh watch on the lab: /metrics parses with Prometheus' own Python
# parser (python3-prometheus-client) and keeps the format's rules; a stopped channel shows
# in the gauges within one refresh (refreshSeconds 2) and in the event stream; the failover
# rehearsal (lab fault kill-source-node) shows the source the channel reads from before
# and after, in the metrics and in the stream; the JSON endpoints parse; both verbs stop
# cleanly (exit 0) on SIGINT.
source "$(dirname "$0")/mysql_lib.sh"
PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3 # Debian's, where python3-prometheus-client is
$PY -c 'import prometheus_client' 2>/dev/null ||
    { echo "FAIL python3-prometheus-client is needed (scripts/deps.sh)" >&2; exit 1; }
PROMTEXT=$PXC_SOURCE_DIR/tests/integration/promtext.py
killed=""
cleanup() {
    [[ -n ${SERVE_PID:-} ]] && kill -INT "$SERVE_PID" 2>/dev/null
    [[ -n ${WATCH_PID:-} ]] && kill -INT "$WATCH_PID" 2>/dev/null
    [[ -n $killed ]] && "$PXCMESH" lab fault start-node cluster-b "$killed" --dir "$DIR" >/dev/null 2>&1
    "$PXCMESH" lab fault fix-channel --dir "$DIR" >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT

poll 60 chan_healthy || fail "the channel is not healthy before the test: $(cat "$TMP/chan.json")"

"$PXCMESH" serve --config "$CFG" --listen 127.0.0.1:0 2>"$TMP/serve.err" &
SERVE_PID=$!
"$PXCMESH" watch -o json-lines --config "$CFG" >"$TMP/watch.jsonl" 2>"$TMP/watch.err" &
WATCH_PID=$!
url() { sed -n 's/.*serving \(http[^ ]*\).*/\1/p' "$TMP/serve.err"; }
url_ready() { [[ -n $(url) ]]; }
poll 10 url_ready || fail "serve printed no URL: $(cat "$TMP/serve.err")"
URL=$(url)

scrape() { curl -sf --max-time 10 "$URL/metrics" >"$TMP/m.txt" && $PY "$PROMTEXT" check "$TMP/m.txt" >"$TMP/m.samples"; }
# a line of the stream matches the jq condition $1 (--arg pairs may follow)
has() {
    local cond=$1
    shift
    jq -e -n "$@" "[inputs | select($cond)] | length > 0" "$TMP/watch.jsonl"
}
# value of the sample whose line matches the regex $1 (the parser's normalised form)
val() { grep -E "$1" "$TMP/m.samples" | head -1 | awk '{print $NF}'; }
CH='\{channel="cluster_b_source",cluster="cluster-a",server="pxc-cluster-pxc-0"\}'
running() { scrape && [[ $(val "^pxcmesh_channel_io_running$CH") == 1.0 && $(val "^pxcmesh_channel_sql_running$CH") == 1.0 ]]; }
source_server() { grep -E '^pxcmesh_channel_source_info\{channel="cluster_b_source"' "$TMP/m.samples" | sed -n 's/.*source_server="\([^"]*\)".*/\1/p'; }
source_known() { scrape && [[ -n $(source_server) ]]; }

poll 30 running && ok "/metrics parses (prometheus_client) and the channel runs: IO 1, SQL 1" ||
    fail "/metrics: $(head -c 600 "$TMP/m.txt"); $(cat "$TMP/serve.err")"
for fam in cluster_api_reachable cluster_istio_info cluster_pods cluster_pods_restart_needed \
    pxc_pod_sidecar_missing serviceentry_present serviceentry_endpoints \
    serviceentry_endpoints_unmatched channel_lag_seconds channel_lag_reliable \
    channel_heartbeat_age_seconds channel_last_io_errno channel_last_sql_errno \
    channel_gtid_gap_transactions galera_node_synced galera_cluster_size \
    galera_flow_control_paused_ratio doctor_finding backend_last_success_age_seconds; do
    grep -q "^# TYPE pxcmesh_$fam " "$TMP/m.txt" || fail "no family pxcmesh_$fam"
done
ok "every family of the issue is there"
# polled: the lab's earlier tests stop and restart cluster-b's nodes, and a node that is
# rejoining is not read as Synced in a cluster of 3 yet
b_size3() { scrape && [[ $(val '^pxcmesh_galera_cluster_size\{cluster="cluster-b",namespace="pxc",pod="pxc-cluster-pxc-0",pxc="pxc-cluster"\}') == 3.0 ]]; }
poll 60 b_size3 && ok "Galera cluster-b size 3" || fail "galera size: $(grep galera_cluster_size "$TMP/m.samples")"
age=$(val '^pxcmesh_backend_last_success_age_seconds\{backend="mysql",cluster="cluster-a",server="pxc-cluster-pxc-0"\}')
awk -v a="$age" 'BEGIN { exit !(a >= 0 && a < 10) }' && ok "MySQL last good read ${age}s ago" ||
    fail "backend age '$age'"
[[ $(val '^pxcmesh_serviceentry_present\{cluster="cluster-a",host="pxc-cluster.cluster-b.global"\}') == 1.0 ]] &&
    ok "ServiceEntry for pxc-cluster.cluster-b.global present" || fail "serviceentry_present"
# Up to 90 s: the lab's earlier tests hang and stop source nodes, and a dump thread the
# replica left behind on a resumed node lives until its next heartbeat fails (30 s by
# default); while two servers of cluster-b show one, which is in use is not known ("").
poll 90 source_known && before=$(source_server) && ok "the channel reads from cluster-b/$before" ||
    fail "no source in use: $(grep source_info "$TMP/m.samples")"

# JSON endpoints and health.
curl -sf "$URL/status.json" | jq -e '.schemaVersion == 1 and (.clusters | length) == 2' >/dev/null &&
    ok "/status.json is the status JSON" || fail "/status.json"
curl -sf "$URL/findings.json" | jq -e '.findings | type == "array"' >/dev/null &&
    ok "/findings.json" || fail "/findings.json"
[[ $(curl -sf "$URL/healthz") == ok ]] && ok "/healthz ok" || fail "/healthz"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$URL/nothing") == 404 ]] && ok "404 elsewhere" || fail "no 404"
[[ $(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/metrics") == 405 ]] && ok "POST 405" || fail "no 405"

# A stopped channel: the gauge within one refresh (2 s, plus the read itself).
"$PXCMESH" lab fault stop-channel --dir "$DIR" >"$TMP/fault.out" 2>&1 || fail "stop-channel: $(cat "$TMP/fault.out")"
t0=$SECONDS
stopped() { scrape && [[ $(val "^pxcmesh_channel_io_running$CH") == 0.0 && $(val "^pxcmesh_channel_sql_running$CH") == 0.0 ]]; }
if poll 5 stopped; then
    ok "gauges 0/0 $((SECONDS - t0)) s after STOP SLAVE (refresh 2 s)"
else
    fail "gauges not 0 within 5 s: $(grep -E 'running' "$TMP/m.samples")"
fi
stop_line() { has '.type == "channel" and .event == "state" and .io == "No" and .sql == "No" and .was.io == "Yes"'; }
poll 10 stop_line && ok "the stream: channel state No/No, was Yes/Yes" || fail "no state line: $(tail -5 "$TMP/watch.jsonl")"
finding() { has '.type == "finding" and .event == "appeared" and .code == "CH_STOPPED"'; }
poll 10 finding && ok "the stream: finding CH_STOPPED appeared" || fail "no CH_STOPPED line"
"$PXCMESH" lab fault fix-channel --dir "$DIR" >"$TMP/fault.out" 2>&1 || fail "fix-channel: $(cat "$TMP/fault.out")"
poll 10 running && ok "running again in the gauges" || fail "not running again"
cleared() { has '.type == "finding" and .event == "cleared" and .code == "CH_STOPPED"'; }
poll 10 cleared && ok "the stream: CH_STOPPED cleared" || fail "no cleared line"

# The failover rehearsal.
poll 30 source_known && before=$(source_server)
"$PXCMESH" lab fault kill-source-node --dir "$DIR" >"$TMP/fault.out" 2>&1 || fail "kill-source-node: $(cat "$TMP/fault.out")"
killed=$(sed -n 's/^killed cluster-b\/\([0-9]\).*/\1/p' "$TMP/fault.out" | head -1)
[[ -n $killed ]] && ok "killed cluster-b/$killed: $(grep reconnected "$TMP/fault.out")" || fail "which node? $(cat "$TMP/fault.out")"
moved() { source_known && [[ $(source_server) != "$before" ]]; }
if poll 30 moved; then
    ok "metrics: the source moved from $before to $(source_server)"
else
    fail "metrics: source still '$(source_server)' (was $before)"
fi
after=$(source_server)
src_line() { has '.type == "channel" and .event == "source" and .sourceServer == $a and (.was.source | contains($b))' --arg b "$before" --arg a "$after"; }
poll 10 src_line && ok "the stream: source $after, was $before" || fail "no source line: $(grep source "$TMP/watch.jsonl" | tail -3)"
log_line() { has '.type == "log" and (.message | contains("reads from cluster-b/" + $a))' --arg a "$after"; }
poll 5 log_line && ok "the console's event log says so too" || fail "no event log line"
"$PXCMESH" lab fault start-node cluster-b "$killed" --dir "$DIR" >"$TMP/start.out" 2>&1 && killed="" ||
    fail "start-node cluster-b $killed: $(tail -2 "$TMP/start.out")"

# Both stop cleanly on SIGINT.
kill -INT "$SERVE_PID" "$WATCH_PID"
wait "$SERVE_PID"
rc=$?
[[ $rc == 0 ]] && ok "serve exit 0 on SIGINT" || fail "serve exit $rc: $(cat "$TMP/serve.err")"
wait "$WATCH_PID"
rc=$?
[[ $rc == 0 ]] && ok "watch exit 0 on SIGINT" || fail "watch exit $rc: $(cat "$TMP/watch.err")"
SERVE_PID="" WATCH_PID=""
jq -e . "$TMP/watch.jsonl" >/dev/null && ok "every watch line is JSON ($(wc -l <"$TMP/watch.jsonl") lines)" ||
    fail "a watch line is not JSON"
done_tests
