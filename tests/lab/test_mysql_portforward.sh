# test_mysql_portforward: the lab as a laptop sees a real cluster (`lab up --pod-network
# private`: pod IPs on which nothing listens, a pxcmesh.yaml without any mysql section), so
# that only the API server reaches MySQL and mysql.mode auto must pick port-forward:
#   - status --json: every PXC pod of both clusters read through port-forward, Galera Synced,
#     the channel Yes/Yes, route "port-forward" on pods and channel;
#   - the console: both clusters say "MySQL via port-forward 3", pods Synced 3, the channel
#     and its topology line; the channel detail names the route; stop and start from the
#     channels view work through it;
#   - a forwarded pod's server killed: its row says why (the dial refused, in the pod), and
#     back again it is Synced without restarting the console;
#   - a kubeconfig user without create on pods/portforward (kubesim's read-only
#     certificate): every server's routeError names the RBAC rule, `pxcmesh status` too.
# The lab goes back to the direct pod network at the end, whatever happens.
. "$(dirname "$0")/../tui/lib.sh"
: "${PXC_LAB_DIR:?run through ctest (PXC_LAB_DIR is set by tests/CMakeLists.txt)}"
: "${PXC_LAB_PREFIX:?run through ctest (PXC_LAB_PREFIX is set by tests/CMakeLists.txt)}"
command -v jq >/dev/null || fail "jq is needed (apt-get install -y jq)"
DIR=$PXC_LAB_DIR
CFG=$DIR/pxcmesh.yaml
[[ -f $DIR/state && $(cat "$DIR/state") == ready ]] || fail "the lab is not ready"
restore() {
    local out
    "$PXCMESH" lab fault start-node cluster-b 3 --dir "$DIR" >/dev/null 2>&1
    "$PXCMESH" channel start cluster_b_source --cluster cluster-a --config "$CFG" >/dev/null 2>&1
    # back to the direct pod network (restarts only the two kubesims)
    out=$("$PXCMESH" lab up --dir "$DIR" --prefix "$PXC_LAB_PREFIX" 2>&1) ||
        echo "FAIL: the lab did not go back to the direct pod network: $(tail -5 <<<"$out")" >&2
    tui_cleanup
}
trap restore EXIT

"$PXCMESH" lab up --dir "$DIR" --prefix "$PXC_LAB_PREFIX" --pod-network private \
    >"$TUI_TMP/up.out" 2>&1 || fail "lab up --pod-network private: $(tail -5 "$TUI_TMP/up.out")"
grep -q '^ *mysql:' "$CFG" && fail "the private lab's config has a mysql section"
mariadb --no-defaults -h "$PXC_LAB_PREFIX.11.1" -uroot -pnone --connect-timeout=2 -e 'select 1' >/dev/null 2>&1
rc=$?
((rc != 0)) || fail "the pod IP $PXC_LAB_PREFIX.11.1 answered: only the API server may reach MySQL"
echo "ok: private pod network, a config without a mysql section"

# status --json: a bounded poll (the lab's servers may still be rejoining after lab up)
status_ok() {
    "$PXCMESH" --config "$CFG" status --json >"$TUI_TMP/status.json" 2>"$TUI_TMP/status.err" || return 1
    jq -e '[.clusters[] | .pods[] | select(.component == "pxc")] as $p
           | [.clusters[] | .mysqlServers[]] as $s
           | ($p | length) == 6 and ($s | length) == 6
             and ($s | all(.route == "port-forward" and .routeError == null and .error == ""
                           and .host == "127.0.0.1"))
             and ($p | all(.galera.state == "Synced" and .galera.clusterSize == 3))
             and ([.clusters[] | .channels[] | select(.name == "cluster_b_source")] | length == 1
                  and .[0].ioRunning == "Yes" and .[0].sqlRunning == "Yes"
                  and .[0].route == "port-forward")' "$TUI_TMP/status.json" >/dev/null
}
for i in $(seq 60); do status_ok && break; sleep 1; done
status_ok || fail "status --json through port-forward: $(jq -c '.clusters[] | {name, servers: .mysqlServers, pods: [.pods[] | select(.component=="pxc") | {name, galera}], channels}' "$TUI_TMP/status.json" 2>&1 | head -c 2000)"
echo "ok: status --json: both clusters' Galera state and the channel, every server through port-forward"

# the console
tui_start 140 45 --config "$CFG"
wait_re '^cluster-a ● API ok.* +cluster-b ● API ok' 30
wait_re 'MySQL via port-forward 3.* MySQL via port-forward 3' 30
wait_re '│pxc-cluster-pxc-0 +Running +Synced 3 .*│pxc-cluster-pxc-0 +Running +Synced 3' 30
wait_re 'cluster-b (──)cluster_b_source \(lag [0-9.]+s\)──▶ cluster-a' 30
screen | grep -q '│cluster_b_source .*Yes/Yes' || fail "channel row not Yes/Yes"
echo "ok: the console shows both clusters' Galera state and the channel through port-forward"

keys 2
wait_re '│cluster-a .*cluster_b_source .*Yes +Yes ' 10
keys Enter
wait_re 'Route +port-forward \(a local relay through the API server' 10
keys Escape
wait_re '│cluster-a .*cluster_b_source .*Yes +Yes ' 10
keys x
wait_for "STOP REPLICA"
keys y
wait_re '│cluster-a .*cluster_b_source .*No +No ' 15
keys u
wait_for "START REPLICA"
keys y
wait_re '│cluster-a .*cluster_b_source .*Yes +Yes ' 15
keys 1
echo "ok: channel detail names the route; stop and start through port-forward"

# a forwarded pod's server killed, then back: no restart of the console
"$PXCMESH" lab fault kill-node cluster-b 3 --dir "$DIR" >"$TUI_TMP/kill.out" 2>&1 ||
    fail "kill-node: $(cat "$TUI_TMP/kill.out")"
# (the row may carry the doctor's mark first)
wait_re '│(✗ )?pxc-cluster-pxc-2 +[^ ]+ +✗ ' 30
"$PXCMESH" --config "$CFG" status --json >"$TUI_TMP/down.json" 2>/dev/null
jq -e '.clusters[] | select(.name == "cluster-b") | .mysqlServers[] | select(.name == "pxc-cluster-pxc-2")
       | .route == "port-forward" and (.routeError | test("^port-forward to pod pxc/pxc-cluster-pxc-2 port 3306 failed \\(the pod.s side\\): dial tcp4 .*connection refused$"))
         and (.error | test("^pxc-cluster-pxc-2: the pod IP [0-9.]+:3306: .*, and port-forward to pod pxc/pxc-cluster-pxc-2 port 3306 failed"))' \
    "$TUI_TMP/down.json" >/dev/null ||
    fail "the killed server's error: $(jq -c '.clusters[] | select(.name == "cluster-b") | .mysqlServers[] | select(.name == "pxc-cluster-pxc-2")' "$TUI_TMP/down.json")"
"$PXCMESH" lab fault start-node cluster-b 3 --dir "$DIR" >"$TUI_TMP/start.out" 2>&1 ||
    fail "start-node: $(cat "$TUI_TMP/start.out")"
wait_re 'MySQL via port-forward 3.* MySQL via port-forward 3' 10
# both columns' pxc-cluster-pxc-2 on one line again: the killed one sorts back to its place
wait_re '│pxc-cluster-pxc-2 +Running +Synced 3 .*│pxc-cluster-pxc-2 +Running +Synced 3' 90
keys q
wait_exit 0
echo "ok: a forwarded pod's server killed is shown with the dial error; back, it recovers without a restart"

# a user without create on pods/portforward: kubesim's read-only client certificate
cp "$DIR/kubeconfig" "$TUI_TMP/ro.kc"
for c in a b; do
    kubectl --kubeconfig "$TUI_TMP/ro.kc" config set-credentials "cluster-$c" --embed-certs \
        --client-certificate="$DIR/kubesim/$c/state/readonly.crt" \
        --client-key="$DIR/kubesim/$c/state/readonly.key" >/dev/null
done
# Blind on every server: status says so on stderr and exits 1.
rc=0
"$PXCMESH" --kubeconfig "$TUI_TMP/ro.kc" --config "$CFG" status --json >"$TUI_TMP/ro.json" 2>"$TUI_TMP/ro.err" || rc=$?
[[ $rc == 1 ]] || fail "status blind on every server exited $rc, want 1: $(cat "$TUI_TMP/ro.err")"
grep -q "pods/portforward" "$TUI_TMP/ro.err" || fail "stderr does not say why: $(cat "$TUI_TMP/ro.err")"
jq -e '[.clusters[] | .mysqlServers[]] | length == 6 and
       all(.route == "port-forward" and .routeError == "forbidden: cannot create pods/portforward in namespace pxc (the RBAC verb '"'"'create'"'"' on '"'"'pods/portforward'"'"' is needed)")' \
    "$TUI_TMP/ro.json" >/dev/null ||
    fail "routeError for a user without pods/portforward: $(jq -c '[.clusters[] | .mysqlServers[]]' "$TUI_TMP/ro.json" 2>&1 | head -c 1500)"
"$PXCMESH" --kubeconfig "$TUI_TMP/ro.kc" --config "$CFG" status >"$TUI_TMP/ro.txt" 2>&1
# the table of servers not read: CLUSTER SERVER ADDRESS ROUTE ERROR
grep -qE "^cluster-a +pxc-cluster-pxc-0 +127\.0\.0\.1:[0-9]+ +port-forward +pxc-cluster-pxc-0: (the pod IP [0-9.]+:3306: [^,]*, and )?forbidden: cannot create pods/portforward in namespace pxc \(the RBAC verb 'create' on 'pods/portforward' is needed\)$" "$TUI_TMP/ro.txt" ||
    fail "pxcmesh status for that user: $(cat "$TUI_TMP/ro.txt")"
echo "ok: a user without create on pods/portforward: the RBAC rule on every server (routeError, status)"
echo ok
