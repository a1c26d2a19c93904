#!/usr/bin/env bash
# The shared check lab (started by the ctest fixture lab/up) is what issue 6 promises: both
# Galera clusters have 3 Synced nodes (asked as the monitor user through the lab's option
# files), the channel cluster_b_source runs and carries a row written on B to A, the mesh
# DNS answers the ServiceEntry's host, the console's config is there, and the seed's own
# kubectl commands work verbatim against kubesim (with --kubeconfig/--context added).
set -uo pipefail

: "${PXC_LAB_DIR:?run through ctest (PXC_LAB_DIR is set by tests/CMakeLists.txt)}"
: "${PXC_LAB_PREFIX:?run through ctest}"
DIR=$PXC_LAB_DIR
P=$PXC_LAB_PREFIX
KC=(kubectl --kubeconfig "$DIR/kubeconfig" --request-timeout=10s)
fails=0

ok() { printf 'ok   %s\n' "$*"; }
fail() {
    printf 'FAIL %s\n' "$*" >&2
    fails=$((fails + 1))
}
# poll CMD for up to N seconds (bounded; never a bare sleep)
poll() {
    local n=$1
    shift
    local end=$((SECONDS + n))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS >= end)) && return 1
        sleep 0.5
    done
}
mon() { # CLUSTER N SQL: as monitor over TCP, with the generated option file
    mariadb --defaults-file="$DIR/$1-monitor.cnf" -h "$P.$([[ $1 == a ]] && echo 10 || echo 20).$2" \
        --connect-timeout=5 -N -B -e "$3"
}

[[ -f $DIR/state && $(cat "$DIR/state") == ready ]] || {
    echo "FAIL the lab in $DIR is not ready (state: $(cat "$DIR/state" 2>/dev/null || echo none))" >&2
    exit 1
}

# --- option files: mode 600, no password in world-readable files
for f in "$DIR"/{a,b}-{monitor,operator}.cnf "$DIR/secrets.env"; do
    m=$(stat -c %a "$f" 2>/dev/null)
    [[ $m == 600 ]] && ok "$f mode 600" || fail "$f mode is '$m', expected 600"
done

# --- Galera: 3 nodes Synced in each cluster, asked on every node as monitor
for c in a b; do
    for n in 1 2 3; do
        out=$(mon "$c" "$n" "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state_comment','wsrep_cluster_size','wsrep_cluster_status')" 2>&1)
        state=$(awk '$1 == "wsrep_local_state_comment" {print $2}' <<<"$out")
        size=$(awk '$1 == "wsrep_cluster_size" {print $2}' <<<"$out")
        prim=$(awk '$1 == "wsrep_cluster_status" {print $2}' <<<"$out")
        if [[ $state == Synced && $size == 3 && $prim == Primary ]]; then
            ok "cluster-$c node $n: Synced, Primary, size 3"
        else
            fail "cluster-$c node $n: expected Synced/Primary/3, got '$out'"
        fi
    done
done

# --- the monitor user cannot write (read-only status privileges)
if mon b 1 "CREATE DATABASE monitor_must_not" >/dev/null 2>&1; then
    fail "monitor could create a database on cluster-b"
else
    ok "monitor is refused writes"
fi

# --- GTID: distinct wsrep domains per cluster, binary logs on
da=$(mon a 1 "SELECT @@wsrep_gtid_domain_id")
db=$(mon b 1 "SELECT @@wsrep_gtid_domain_id")
lb=$(mon a 2 "SELECT @@log_bin")
[[ -n $da && -n $db && $da != "$db" && $lb == 1 ]] && ok "GTID domains $da/$db, log_bin on" ||
    fail "GTID domains '$da'/'$db' and log_bin '$lb'"

# --- the replication user on B has REPLICATION SLAVE and nothing that writes data
grants=$(mariadb --defaults-file="$DIR/b-replication.cnf" -h "$P.20.1" -N -B -e "SHOW GRANTS" 2>&1)
if grep -q 'REPLICATION SLAVE' <<<"$grants" && ! grep -Eq 'ALL PRIVILEGES|INSERT|UPDATE|DELETE' <<<"$grants"; then
    ok "replication user grants: $(head -1 <<<"$grants" | cut -c1-80)"
else
    fail "replication user grants: $grants"
fi

# --- the mesh DNS answers the ServiceEntry's host with B's node addresses
dnsout=$(getent ahostsv4 pxc-cluster.cluster-b.global 2>/dev/null || true)
# (the machine's resolver does not know it: the lab never touches /etc/resolv.conf)
[[ -z $dnsout ]] && ok "the host's own resolver does not know the mesh name" ||
    fail "the host's own resolver resolves pxc-cluster.cluster-b.global: $dnsout"
if command -v dig >/dev/null 2>&1; then
    ans=$(dig +short +time=2 @"$P.53.1" pxc-cluster.cluster-b.global A | sort | tr '\n' ' ')
else
    ans=$(unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && getent ahostsv4 pxc-cluster.cluster-b.global' \
        "$DIR/dns/resolv.conf" | awk '$2 == "STREAM" {print $1}' | sort | tr '\n' ' ')
fi
[[ $ans == "$P.20.1 $P.20.2 $P.20.3 " ]] && ok "mesh DNS: pxc-cluster.cluster-b.global -> $ans" ||
    fail "mesh DNS answered '$ans' for pxc-cluster.cluster-b.global, expected $P.20.1-3"

# --- the channel runs, from the mesh name, and carries a row from B to A
st=$(mariadb --defaults-file="$DIR/a-monitor.cnf" -h "$P.10.1" -E -e "SHOW SLAVE 'cluster_b_source' STATUS" 2>&1)
io=$(awk -F': ' '/ Slave_IO_Running:/ {print $2}' <<<"$st")
sq=$(awk -F': ' '/ Slave_SQL_Running:/ {print $2}' <<<"$st")
host=$(awk -F': ' '/ Master_Host:/ {print $2}' <<<"$st")
usegtid=$(awk -F': ' '/ Using_Gtid:/ {print $2}' <<<"$st")
[[ $io == Yes && $sq == Yes ]] && ok "channel cluster_b_source: IO Yes, SQL Yes" ||
    fail "channel cluster_b_source: IO '$io' SQL '$sq'"
[[ $host == pxc-cluster.cluster-b.global ]] && ok "channel source host $host" ||
    fail "channel source host '$host'"
[[ $usegtid == Slave_Pos ]] && ok "channel uses GTID ($usegtid)" || fail "channel Using_Gtid '$usegtid'"

mark="basic-$$-$RANDOM"
mariadb --defaults-file="$DIR/b-operator.cnf" -h "$P.20.2" -e "INSERT INTO lab.events (what) VALUES ('$mark')" ||
    fail "insert on cluster-b node 2 as operator failed"
if poll 30 bash -c "[[ \$(mariadb --defaults-file='$DIR/a-monitor.cnf' -h '$P.10.3' -N -B -e \"SELECT COUNT(*) FROM lab.events WHERE what = '$mark'\" 2>/dev/null) == 1 ]]"; then
    ok "a row written on cluster-b node 2 reached cluster-a node 3 (channel + Galera)"
else
    fail "row '$mark' written on cluster-b did not reach cluster-a within 30 s"
fi

# --- kubectl: the seed's own commands, verbatim plus --kubeconfig/--context
out=$("${KC[@]}" --context cluster-a get serviceentry -A 2>&1)
grep -q 'pxc-cluster-cluster-b' <<<"$out" && ok "kubectl get serviceentry -A (cluster-a)" ||
    fail "kubectl get serviceentry -A: $out"
out=$("${KC[@]}" --context cluster-a get pod pxc-cluster-pxc-0 -n pxc -o jsonpath='{.spec.containers[*].name}' 2>&1)
[[ $out == "pxc istio-proxy" ]] && ok "containers of pxc-cluster-pxc-0: $out" ||
    fail "containers of pxc-cluster-pxc-0: '$out', expected 'pxc istio-proxy'"
out=$("${KC[@]}" --context cluster-b get namespace pxc --show-labels 2>&1)
grep -q 'istio-injection=enabled' <<<"$out" && ok "kubectl get namespace pxc --show-labels (cluster-b)" ||
    fail "namespace pxc labels: $out"
out=$("${KC[@]}" --context cluster-a logs -n pxc pxc-cluster-pxc-0 -c istio-proxy 2>&1)
grep -qi 'envoy' <<<"$out" && ok "kubectl logs -c istio-proxy" || fail "kubectl logs -c istio-proxy: $(head -3 <<<"$out")"

# --- pods carry the real node addresses; the secret holds the real passwords
ips=$("${KC[@]}" --context cluster-b get pods -n pxc -l app.kubernetes.io/component=pxc,app.kubernetes.io/instance=pxc-cluster \
    -o jsonpath='{range .items[*]}{.status.podIP} {end}' 2>&1)
[[ $ips == "$P.20.1 $P.20.2 $P.20.3 " ]] && ok "cluster-b pod IPs: $ips" || fail "cluster-b pod IPs '$ips'"
pw=$("${KC[@]}" --context cluster-a get secret pxc-cluster-secrets -n pxc -o jsonpath='{.data.monitor}' 2>&1 | base64 -d 2>/dev/null)
if [[ -n $pw ]] && MYSQL_PWD=$pw mariadb -umonitor -h "$P.10.2" -N -B -e "SELECT 1" >/dev/null 2>&1; then
    ok "the Secret's monitor password logs in to cluster-a"
else
    fail "the Secret's monitor password does not log in to cluster-a"
fi
out=$("${KC[@]}" --context cluster-a get perconaxtradbcluster pxc-cluster -n pxc -o jsonpath='{.status.state} {.spec.secretsName} {.spec.pxc.replicationChannels[0].sourcesList[0].host}' 2>&1)
[[ $out == "ready pxc-cluster-secrets pxc-cluster.cluster-b.global" ]] && ok "PerconaXtraDBCluster: $out" ||
    fail "PerconaXtraDBCluster: '$out'"

# --- the console's config names both clusters and the lab's option files
for k in "name: cluster-a" "name: cluster-b" "mode: direct" "$DIR/a-monitor.cnf" "kubeconfig: $DIR/kubeconfig"; do
    grep -qF -- "$k" "$DIR/pxcmesh.yaml" || fail "pxcmesh.yaml lacks '$k'"
done
ok "pxcmesh.yaml present"

# --- lab status answers and names every process as running
out=$("$PXCMESH" lab status --dir "$DIR" 2>&1)
n_run=$(grep -cE 'running|Synced' <<<"$out")
((n_run >= 11)) && ok "lab status: $n_run processes running/Synced" || fail "lab status: $out"

# --- everything listens on loopback only
bad=$(ss -Hltun 2>/dev/null | awk '{print $5}' | grep -E '^(0\.0\.0\.0|\*|\[::\]):(3306|4567|4568|4444|53|6443)$' || true)
[[ -z $bad ]] && ok "nothing listens on a wildcard address on the lab's ports" || fail "wildcard listeners on lab ports: $bad"

((fails == 0)) || {
    echo "$fails check(s) failed" >&2
    exit 1
}
echo "all checks passed"
