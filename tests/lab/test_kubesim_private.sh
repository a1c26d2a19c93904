#!/usr/bin/env bash
# The lab with --pod-network private, as a real cluster seen from a laptop: the pods' IPs
# answer nothing and only the API server (kubesim) reaches the servers. The troubleshooting
# commands of the seed (shared/seed/pxc-istio-replication.md, "Troubleshooting" and "Step
# 4"/"Step 3"), copied here verbatim, run against the lab with the real kubectl: exec
# running real processes in the pods' own view (the mariadb client, nslookup through the
# pod's resolv.conf, nc -zv), Envoy's clusters from the sidecar, the sidecar's log, kubectl
# run -it's nslookup. Then port-forward with a real mariadb client reading the channel's
# state, and the pxc container's log being the server's error log. The lab is switched
# back to the direct pod network at the end (kubesim only restarts; the servers go on).
set -uo pipefail
: "${PXCMESH:?run through ctest}" "${PXC_LAB_DIR:?run through ctest}" "${PXC_LAB_PREFIX:?}"
DIR=$PXC_LAB_DIR
PREFIX=$PXC_LAB_PREFIX
T=$(mktemp -d)
fails=0
PF=
ok() { printf 'ok   %s\n' "$*"; }
fail() {
    printf 'FAIL %s\n' "$*" >&2
    fails=$((fails + 1))
}
lab_up() { "$PXCMESH" lab up --dir "$DIR" --prefix "$PREFIX" "$@" >"$T/up.out" 2>&1; }
restore() {
    [[ -n $PF ]] && kill "$PF" 2>/dev/null
    lab_up || { echo "FAIL could not switch the lab back to the direct pod network:" >&2; cat "$T/up.out" >&2; }
    rm -rf "$T"
}
trap restore EXIT
[[ $(cat "$DIR/state" 2>/dev/null) == ready ]] || { echo "FAIL the lab in $DIR is not ready" >&2; exit 1; }
# shellcheck disable=SC1091
source "$DIR/secrets.env"
lab_up --pod-network private || { cat "$T/up.out" >&2; echo "FAIL lab up --pod-network private" >&2; exit 1; }
grep -q 'pod network     private' "$T/up.out" || fail "lab status does not name the private pod network"
export KUBECONFIG=$DIR/kubeconfig # current context cluster-a, as the seed's kubectl

# ---- what a laptop sees: pod IPs that answer nothing ----
ip=$(kubectl get pod pxc-cluster-pxc-0 -n pxc -o jsonpath='{.status.podIP}')
[[ $ip == "$PREFIX.11.1" ]] && ok "pod IP $ip (private)" || fail "pod IP $ip, expected $PREFIX.11.1"
if mariadb --defaults-file="$DIR/a-monitor.cnf" -h "$ip" --connect-timeout=2 -e 'select 1' >/dev/null 2>&1; then
    fail "MySQL answered on the pod IP $ip"
else
    ok "nothing answers on the pod IP"
fi
grep -q '^ *mysql:' "$DIR/pxcmesh.yaml" && fail "pxcmesh.yaml still has a mysql section" ||
    ok "pxcmesh.yaml has no mysql section"

# ---- the seed's troubleshooting, verbatim ----
out=$(kubectl get serviceentry -A 2>&1)
grep -q 'pxc-cluster.cluster-b.global' <<<"$out" && ok "kubectl get serviceentry -A" || fail "get serviceentry: $out"

out=$(kubectl run -it debug --image=busybox -n pxc -- nslookup pxc-cluster.cluster-b.global </dev/null 2>&1)
grep -q "Address: $PREFIX.20.1" <<<"$out" && ok "kubectl run -it debug ... nslookup" || fail "kubectl run -it: $out"

out=$(kubectl exec -n pxc pxc-cluster-pxc-0 -c istio-proxy -- \
  curl localhost:15000/clusters | grep cluster-b)
grep -q "^outbound|3306||pxc-cluster.cluster-b.global::$PREFIX.20.1:3306::health_flags::healthy\$" <<<"$out" &&
    ok "kubectl exec -c istio-proxy -- curl localhost:15000/clusters | grep cluster-b" || fail "clusters: $out"

out=$(kubectl get pod pxc-cluster-pxc-0 -n pxc -o jsonpath='{.spec.containers[*].name}')
[[ $out == "pxc istio-proxy" ]] && ok "containers: $out" || fail "containers: $out"

out=$(kubectl logs -n pxc pxc-cluster-pxc-0 -c istio-proxy 2>&1)
grep -q 'Envoy proxy is ready' <<<"$out" && ok "kubectl logs -c istio-proxy" || fail "istio-proxy log: $out"

out=$(kubectl exec -n pxc pxc-cluster-pxc-0 -c pxc -- \
  nc -zv pxc-cluster.cluster-b.global 3306 2>&1)
grep -q "Connection to pxc-cluster.cluster-b.global ($PREFIX.20.[123]) 3306 port \[tcp/mysql\] succeeded!" <<<"$out" &&
    ok "kubectl exec -c pxc -- nc -zv pxc-cluster.cluster-b.global 3306" || fail "nc -zv: $out"

out=$(kubectl get namespace pxc --show-labels)
grep -q 'istio-injection=enabled' <<<"$out" && ok "kubectl get namespace pxc --show-labels" || fail "labels: $out"

# Step 4: the client in the pxc container, interactive as the seed runs it: kubectl gets a
# terminal (a pty driven by python), so the exec has tty=true; the password goes to the
# client's prompt, the statement to its "MariaDB [" prompt.
cat >"$T/drive_terminal.py" <<'PY'
import os, pty, select, sys, time
pw, cmd = os.environ.pop("PXC_TEST_PW"), sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
out = b""
def until(marker, limit=20):
    global out
    end = time.time() + limit
    while marker not in out and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                out += os.read(fd, 65536)
            except OSError:
                return False
    return marker in out
steps = [(b"Enter password:", pw + "\n"), (b"MariaDB [", "SHOW SLAVE 'cluster_b_source' STATUS\\G\n"),
         (b"Slave_SQL_Running:", "exit\n"), (b"Bye", None)]
for marker, send in steps:
    if not until(marker):
        break
    if send is not None:
        os.write(fd, send.encode())
sys.stdout.write(out.decode(errors="replace").replace(pw, "<password>"))
PY
# (the password in the environment: an argument would show in ps)
out=$(PXC_TEST_PW=$PW_ROOT python3 "$T/drive_terminal.py" kubectl exec -it pxc-cluster-pxc-0 -n pxc -c pxc -- mysql -uroot -p 2>&1)
grep -q 'Slave_IO_Running: Yes' <<<"$out" && ok "kubectl exec -it ... -c pxc -- mysql -uroot -p (with a terminal)" ||
    fail "mysql -uroot -p in the pod: $out"

# Approach 2 step 3: a shell in the pod, then the client to the remote cluster by name
out=$(printf 'mysql -h pxc-cluster.cluster-b.global -u root -p%s -N -e "select @@wsrep_cluster_name"\n' "$PW_ROOT" |
    kubectl exec -it pxc-cluster-pxc-0 -n pxc -c pxc -- bash 2>&1)
grep -q '^cluster-b$' <<<"$out" && ok "kubectl exec -it ... -c pxc -- bash; mysql -h pxc-cluster.cluster-b.global" ||
    fail "bash + mysql: $out"

# ---- port-forward: the only way in from the laptop ----
kubectl port-forward -n pxc pod/pxc-cluster-pxc-0 :3306 >"$T/pf.out" 2>&1 &
PF=$!
for _ in $(seq 1 100); do grep -q 'Forwarding from 127.0.0.1:' "$T/pf.out" && break; sleep 0.1; done
port=$(sed -n 's/^Forwarding from 127.0.0.1:\([0-9]*\) .*/\1/p' "$T/pf.out" | head -1)
out=$(mariadb --defaults-file="$DIR/a-monitor.cnf" -h 127.0.0.1 -P "${port:-0}" --connect-timeout=5 \
    -e "SHOW SLAVE 'cluster_b_source' STATUS\G" 2>&1)
grep -q 'Slave_SQL_Running: Yes' <<<"$out" && ok "kubectl port-forward + mariadb: the channel runs" ||
    fail "through port-forward: $out (kubectl: $(cat "$T/pf.out"))"
kill "$PF" 2>/dev/null
PF=

out=$(kubectl logs -n pxc pxc-cluster-pxc-0 -c pxc --tail 200 2>&1)
grep -q 'WSREP' <<<"$out" && ok "kubectl logs -c pxc is the server's error log" || fail "pxc log: $(tail -3 <<<"$out")"

((fails == 0)) && echo "all passed" && exit 0
echo "$fails failure(s)" >&2
exit 1
