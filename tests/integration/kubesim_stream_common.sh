# kubesim_stream_common.sh: what test_kubesim_exec.sh and test_kubesim_portforward.sh share
# (sourced, not a test itself): a real mariadbd on a loopback address of the test's own, a
# real dnsmasq on port 53 of another (the pods' resolv.conf can name no other port) that
# resolves pxc-cluster.cluster-b.global to it, and kubesim with TLS, bearer tokens (an admin,
# a read-only viewer, an operator who may exec but not port-forward, and one who may do
# anything but exec) and a pod map that sends pod pxc-cluster-pxc-0 (IP $PODIP, where
# nothing listens) to that mariadbd. Everything started is stopped by pid in the EXIT trap;
# waits are bounded polls.
set -euo pipefail

: "${PXC_BUILD_DIR:?run through ctest}"
KSIM="$PXC_BUILD_DIR/lab/kubesim"
[[ -x $KSIM ]] || { echo "FAIL: kubesim not built at $KSIM"; exit 1; }
for t in mariadbd mariadb mariadb-install-db dnsmasq kubectl python3 nslookup nc; do
    command -v "$t" >/dev/null || [[ -x /usr/sbin/$t ]] ||
        { echo "FAIL: $t is missing (scripts/deps.sh installs it)"; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "FAIL: these tests need root (dnsmasq on port 53, exec's mount namespace)"; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pxstream.XXXXXX")
export HOME=$TMP
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    [[ -n ${DB_PID:-} ]] && { kill -KILL "$DB_PID" 2>/dev/null || true; wait "$DB_PID" 2>/dev/null || true; }
    if [[ ${KT_KEEP:-} == 1 ]]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    for f in "$TMP"/*.out "$TMP"/db/error.log; do [[ -f $f ]] && tail -n 20 "$f" | sed "s|^|  $(basename "$f"): |"; done
    exit 1
}
pass() { echo "ok: $*"; }
# CMD | expect PATTERN: grep that reads all its input (no SIGPIPE for the writer)
expect() { grep "$@" >/dev/null; }
wait_for() {
    local n=$(($1 * 10)); shift
    for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    return 1
}

# A loopback /24 of our own, from the pid: the database, the DNS, kubesim and the pod IP.
NET="127.$((30 + $$ % 60)).$((($$ / 60) % 250 + 1))"
DBIP=$NET.10
DNSIP=$NET.53
KIP=$NET.100
PODIP=$NET.111
DBPW=root-pass-$$

# ---- mariadbd ----
mkdir -p "$TMP/db"
mariadb-install-db --no-defaults --datadir="$TMP/db/data" --user=root --skip-test-db \
    --auth-root-authentication-method=socket >"$TMP/install.out" 2>&1 || fail "mariadb-install-db"
db_start() {
    mariadbd --no-defaults --user=root --datadir="$TMP/db/data" --socket="$TMP/db/mysqld.sock" \
        --bind-address="$DBIP" --port=3306 --skip-name-resolve --log-error="$TMP/db/error.log" \
        --pid-file="$TMP/db/mysqld.pid" --innodb-buffer-pool-size=16M --performance-schema=OFF \
        </dev/null >"$TMP/db.out" 2>&1 &
    DB_PID=$!
    wait_for 30 mariadb --no-defaults --socket="$TMP/db/mysqld.sock" -uroot -e 'select 1' ||
        fail "mariadbd did not start on $DBIP"
}
db_start
mariadb --no-defaults --socket="$TMP/db/mysqld.sock" -uroot \
    -e "CREATE USER 'root'@'%' IDENTIFIED BY '$DBPW'; GRANT ALL ON *.* TO 'root'@'%';"

# ---- dnsmasq: the pods' DNS (what a mesh sidecar's DNS proxy answers) ----
# a hosts file and --local, as the lab's mesh DNS: AAAA questions get an empty answer
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
echo "$DBIP pxc-cluster.cluster-b.global" >"$TMP/dns.hosts"
"$DNSMASQ" --no-daemon --port=53 --listen-address="$DNSIP" --bind-interfaces --no-resolv \
    --no-hosts --pid-file= --conf-file=/dev/null --local=/global/ \
    --addn-hosts="$TMP/dns.hosts" >"$TMP/dnsmasq.out" 2>&1 &
PIDS+=($!)
wait_for 5 nslookup -timeout=1 pxc-cluster.cluster-b.global "$DNSIP" || fail "dnsmasq on $DNSIP:53"
printf '# the pod resolver of the test\nnameserver %s\noptions timeout:1 attempts:2\n' "$DNSIP" >"$TMP/resolv.conf"

# ---- kubesim ----
mkdir -p "$TMP/seed"
cat >"$TMP/seed/pods.yaml" <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: pxc, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Pod
metadata:
  name: pxc-cluster-pxc-0
  namespace: pxc
  annotations: {ksim.pxcmesh.dev/pod-ip: $PODIP}
spec:
  containers: [{name: pxc, image: percona/percona-xtradb-cluster:8.0.36}]
---
apiVersion: v1
kind: Pod
metadata: {name: pending-0, namespace: pxc}
spec:
  containers: [{name: pxc, image: percona/percona-xtradb-cluster:8.0.36}]
status: {phase: Pending}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: pxc-cluster-b, namespace: pxc}
spec:
  hosts: [pxc-cluster.cluster-b.global]
  location: MESH_INTERNAL
  ports: [{number: 3306, name: tcp-mysql, protocol: TCP}]
  resolution: STATIC
  endpoints: [{address: $DBIP}]
YAML
echo "pxc/pxc-cluster-pxc-0 addr=$DBIP socket=$TMP/db/mysqld.sock resolv=$TMP/resolv.conf log.pxc=$TMP/db/error.log" >"$TMP/pods.map"
ADMIN_TOKEN=admin-$$-$RANDOM
VIEW_TOKEN=view-$$-$RANDOM
OP_TOKEN=op-$$-$RANDOM
NOEXEC_TOKEN=noexec-$$-$RANDOM
printf '%s,admin\n%s,viewer,readonly\n%s,operator,deny=pods/portforward\n%s,noexec,deny=pods/exec\n' \
    "$ADMIN_TOKEN" "$VIEW_TOKEN" "$OP_TOKEN" "$NOEXEC_TOKEN" >"$TMP/tokens"
# TMPDIR: kubesim's exec directories go there, where the test sees what is left at exit
TMPDIR=$TMP "$KSIM" --listen "$KIP:0" --seed "$TMP/seed" --write-kubeconfig "$TMP/kc" --context lab \
    --state-dir "$TMP/state" --tokens-file "$TMP/tokens" --pod-map "$TMP/pods.map" \
    --dns "$DNSIP" >"$TMP/ksim.out" 2>&1 &
KSIM_PID=$!
PIDS+=($KSIM_PID)
wait_for 30 grep -q listening "$TMP/ksim.out" || fail "kubesim did not start"
URL=$(grep -o "https://$KIP:[0-9]*" "$TMP/ksim.out" | head -1)
CA=$TMP/state/ca.crt
export KUBECONFIG=$TMP/kc
K=(kubectl --request-timeout=20s -n pxc)
# the same server as another user: a kubeconfig whose user carries a token
as_user() {
    local tok=$1
    shift
    kubectl --request-timeout=20s -n pxc --server "$URL" --certificate-authority "$CA" \
        --token "$tok" "$@"
}
WS=(python3 "$(dirname "${BASH_SOURCE[0]}")/kubesim_ws.py")
