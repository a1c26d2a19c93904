#!/usr/bin/env bash
# test_kube_status: `pxcmesh status --json --context A --context B` against two kubesims
# prints both clusters with pods, sidecar state (injected / disabled / missing after the
# namespace was labelled), ServiceEntries, PXC and Istio; exit 0 (--no-mysql: the seed's
# PXC pod has no MySQL, which without it is a server that cannot be read: exit 1). With B
# stopped: exit 1, B unreachable with the reason in words, A still complete. `get` works
# through the client.
source "$(dirname "$0")/kube_common.sh"

kt_seed "$KT_DIR/seed-a" a enabled
kt_seed "$KT_DIR/seed-b" b disabled
ksim_start A 1 "$KT_DIR/seed-a" --insecure-http
ksim_start B 2 "$KT_DIR/seed-b" --insecure-http

# A pod that predates its namespace's injection label needs a restart to get its sidecar.
ksim_curl A PATCH /api/v1/namespaces/legacy -H 'Content-Type: application/merge-patch+json' \
    -d '{"metadata":{"labels":{"istio-injection":"enabled"}}}' >/dev/null

out="$KT_DIR/status.json"
rc=0
px status --json --no-mysql --context A --context B >"$out" 2>"$KT_DIR/status.err" || rc=$?
[[ $rc == 0 ]] || { cat "$KT_DIR/status.err" "$out" >&2; fail "status exited $rc, want 0"; }

q() { jq -r "$1" "$out"; }
[[ $(q '.clusters | length') == 2 ]] || fail "want 2 clusters"
[[ $(q '[.clusters[].reachable] | all') == true ]] || fail "both clusters reachable"
[[ $(q '.clusters[0].name + "," + .clusters[1].name') == "A,B" ]] || fail "cluster order"
A='.clusters[] | select(.name=="A")'
B='.clusters[] | select(.name=="B")'
[[ $(q "$A | .error") == null ]] || fail "A has an error: $(q "$A | .error")"
[[ $(q "$A | .pods[] | select(.name==\"pxc-cluster-pxc-0\") | .sidecar") == injected ]] ||
    fail "A pxc-0 sidecar should be injected (namespace labelled before the pod)"
[[ $(q "$A | .pods[] | select(.name==\"old-app\") | .sidecar") == missing ]] ||
    fail "A legacy/old-app should miss its sidecar"
[[ $(q "$A | .pods[] | select(.name==\"old-app\") | .restartNeeded") == true ]] ||
    fail "A legacy/old-app should need a restart"
[[ $(q "$B | .pods[] | select(.name==\"pxc-cluster-pxc-0\") | .sidecar") == disabled ]] ||
    fail "B pxc-0 sidecar should be disabled (namespace injection disabled)"
[[ $(q "$A | .namespaces[] | select(.name==\"pxc\") | .injection") == enabled ]] || fail "A ns pxc"
[[ $(q "$B | .namespaces[] | select(.name==\"pxc\") | .injection") == disabled ]] || fail "B ns pxc"
[[ $(q "$A | .istio.installed") == true ]] || fail "A istio installed"
[[ $(q "$A | .istio.version") == 1.22.3 ]] || fail "A istio version: $(q "$A | .istio.version")"
se=$(q "$A | .serviceEntries[] | select(.name==\"pxc-cluster-b\")")
[[ -n "$se" ]] || fail "A ServiceEntry pxc-cluster-b missing"
echo "$se" | jq -e '.hosts == ["pxc-cluster.cluster-b.global"]' >/dev/null || fail "SE hosts: $se"
echo "$se" | jq -e '[.endpoints[].address] == ["127.0.20.1","127.0.20.2"]' >/dev/null ||
    fail "SE endpoints: $se"
[[ $(q "$B | .serviceEntries | length") == 0 ]] || fail "B has no ServiceEntry"
[[ $(q "$A | .pxcClusters[0].name") == pxc-cluster ]] || fail "A PXC: $(q "$A | .pxcClusters")"
[[ $(q "$B | .pxcClusters[0].size") == 3 ]] || fail "B PXC size"
pass "status --json with two clusters"

# The PXC pods' MySQL is read too: nothing listens at the seed's pod IP, so status is blind
# there and says so, exit 1.
rc=0
px status --json --timeout 15 --context A --context B >"$KT_DIR/blind.json" 2>"$KT_DIR/blind.err" || rc=$?
[[ $rc == 1 ]] || fail "status with unreadable MySQL servers exited $rc, want 1"
# mysql.mode auto: the pod IP first, then port-forward (kubesim's pods have no server).
grep -q "A: pxc-cluster-pxc-0: the pod IP $KT_NET.250:3306: connection refused, and port-forward to pod pxc/pxc-cluster-pxc-0 port 3306 failed" "$KT_DIR/blind.err" ||
    fail "stderr does not name the server: $(cat "$KT_DIR/blind.err")"
[[ $(jq -r '.clusters[0].mysqlServers[0].error' "$KT_DIR/blind.json") == *connect* ]] ||
    fail "the snapshot does not list the unreadable server"
pass "an unreadable MySQL server: exit 1, named"

px status --no-mysql --context A --context B >"$KT_DIR/table.txt" || fail "table status failed"
grep -qE '^A +legacy +old-app +Running +(yes|no) +- +- +missing \(restart needed\)$' "$KT_DIR/table.txt" ||
    fail "table: $(cat "$KT_DIR/table.txt")"
grep -qE '^A +pxc +pxc-cluster-b +pxc-cluster.cluster-b.global ' "$KT_DIR/table.txt" ||
    fail "table SE: $(cat "$KT_DIR/table.txt")"
pass "status table"

# get, through the same client.
tbl=$(px get pods -n pxc --context A)
grep -qE '^A +pxc-cluster-pxc-0 ' <<<"$tbl" || fail "get pods -n pxc: $tbl"
px get se pxc-cluster-b -n pxc -o json --context A | jq -e '.spec.hosts[0] == "pxc-cluster.cluster-b.global"' >/dev/null ||
    fail "get se NAME -o json"
rc=0; px get secrets --context A 2>"$KT_DIR/get.err" || rc=$?
[[ $rc == 2 ]] && grep -q 'does not show secrets' "$KT_DIR/get.err" || fail "get secrets must be refused"
# A name goes into the request path: what is not a name is refused before anything is sent
# (curl used to resolve "..", and this printed the Secret with every key).
for bad in '../secrets/pxc-secrets' '%2e%2e/secrets/pxc-secrets' 'pxc/secrets' 'pxc secrets' '..'; do
    rc=0
    got=$(px get configmaps "$bad" -n pxc -o json --context A 2>"$KT_DIR/get.err") || rc=$?
    [[ $rc == 2 && -z $got ]] && grep -q "invalid name" "$KT_DIR/get.err" ||
        fail "get configmaps '$bad': exit $rc, $(cat "$KT_DIR/get.err") $got"
done
rc=0; px get pods -n '../kube-system' --context A >/dev/null 2>"$KT_DIR/get.err" || rc=$?
[[ $rc == 2 ]] && grep -q 'invalid namespace' "$KT_DIR/get.err" || fail "get -n ../x: exit $rc"
pass "get"

# A config file naming the cluster and its namespaces: one informer per namespace, istiod
# still found (its informer watches istio-system on its own).
cat >"$KT_DIR/pxcmesh.yaml" <<YAML
kubeconfig: $KT_DIR/kubeconfig
clusters:
  - name: east
    context: A
    namespaces: [pxc, legacy]
    pxcCluster: pxc-cluster
  - name: west
    context: B
    pxcCluster: some-other-cr
YAML
rc=0
HOME="$KT_DIR" "$PXCMESH" status --json --no-mysql --config "$KT_DIR/pxcmesh.yaml" >"$out" 2>"$KT_DIR/status.err" || rc=$?
[[ $rc == 0 ]] || { cat "$KT_DIR/status.err" >&2; fail "status --config exited $rc"; }
[[ $(q '.clusters[0].name') == east ]] || fail "config: display name"
[[ $(q '[.clusters[0].pods[].namespace] | unique | join(",")') == "legacy,pxc" ]] ||
    fail "config: pods outside the namespaces: $(q '[.clusters[0].pods[].namespace]')"
[[ $(q '.clusters[0].istio.version') == 1.22.3 ]] || fail "config: istio version"
[[ $(q '.clusters[0].pxcClusters | length') == 1 ]] || fail "config: pxcCluster pxc-cluster"
[[ $(q '.clusters[1].pxcClusters | length') == 0 ]] || fail "config: pxcCluster filters others"
pass "status --config with namespaces"

# One cluster down: exit 1, B says why, A is complete.
ksim_stop B
rc=0
px status --json --timeout 10 --context A --context B >"$out" 2>/dev/null || rc=$?
[[ $rc == 1 ]] || fail "status with B down exited $rc, want 1"
[[ $(q "$B | .reachable") == false ]] || fail "B should be unreachable"
q "$B | .error" | grep -q 'connection refused' || fail "B error in words: $(q "$B | .error")"
q "$B | .error" | grep -q "$KT_NET.2" || fail "B error names the server: $(q "$B | .error")"
[[ $(q "$A | .reachable") == true && $(q "$A | .pods | length") -ge 3 ]] || fail "A unaffected"
pass "a dead cluster is reported, the other complete"
