#!/usr/bin/env bash
# In-mesh probes end to end where exec cannot run (this cluster has no pxc pod): pxcmesh
# creates a probe pod in kubesim, kubesim "runs" its nslookup / nc / curl against a real
# dnsmasq and loopback ports, pxcmesh reads pods/log, says what happened and why not through
# exec, and deletes the pod; from each cluster --context or --cluster selects; asked for
# first unless --yes, saying what runs where. (test_kubesim_probe_exec.sh: through exec.)
# Also the local probes against the same peers.
set -euo pipefail
: "${PXCMESH:?}" "${PXC_BUILD_DIR:?}"
KUBESIM=${PXC_KUBESIM:-$PXC_BUILD_DIR/lab/kubesim}
T=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

DNS=127.0.93.53
dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=$DNS \
  --port=53 --address=/pxc-cluster.cluster-b.global/127.0.93.20 --local=/global/ --pid-file= \
  --conf-file=/dev/null 2>"$T/dns.log" &
PIDS+=($!)
# A TCP listener standing in for the remote MySQL port.
socat TCP-LISTEN:3306,bind=127.0.93.20,reuseaddr,fork SYSTEM:'echo' 2>/dev/null &
PIDS+=($!)
mkdir -p "$T/seed"
cat > "$T/seed/objs.yaml" <<'Y'
apiVersion: v1
kind: Namespace
metadata: {name: pxc, labels: {istio-injection: enabled}}
---
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: {name: pxc-cluster-cluster-b, namespace: pxc}
spec:
  hosts: [pxc-cluster.cluster-b.global]
  addresses: [240.240.0.2]
  ports: [{number: 3306, name: tcp-mysql, protocol: TCP}]
  location: MESH_INTERNAL
  resolution: STATIC
  endpoints: [{address: 127.0.93.20}]
Y
"$KUBESIM" --listen 127.0.93.1:0 --insecure-http --seed "$T/seed" --dns $DNS \
  --write-kubeconfig "$T/kubeconfig" --context sim-a >"$T/ksim.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q listening "$T/ksim.log" && break; sleep 0.1; done
grep -q listening "$T/ksim.log" || { cat "$T/ksim.log"; fail "kubesim did not start"; }
for _ in $(seq 50); do "$PXCMESH" probe dns pxc-cluster.cluster-b.global --server $DNS >/dev/null 2>&1 && break; sleep 0.1; done

P=("$PXCMESH" --kubeconfig "$T/kubeconfig" --context sim-a)
check() { # expected-exit pattern args...
  local want=$1 pat=$2; shift 2
  set +e; out=$("$@" 2>&1); rc=$?; set -e
  [[ $rc -eq $want ]] || fail "$*: exit $rc, want $want: $out"
  grep -q -- "$pat" <<<"$out" || fail "$*: no '$pat' in: $out"
}
check 0 "resolves in the mesh to 127.0.93.20" "${P[@]}" probe dns pxc-cluster.cluster-b.global --from-cluster sim-a --yes
grep -q "^sim-a: via: probe pod (exec not possible: no Running pod with a pxc container in namespace pxc)$" <<<"$out" ||
  fail "the fallback does not say why: $out"
check 1 "NXDOMAIN" "${P[@]}" probe dns pxc-cluster.cluster-x.global --from-cluster sim-a --yes
check 0 "open from inside the mesh" "${P[@]}" probe tcp pxc-cluster.cluster-b.global:3306 --from-cluster sim-a --yes
check 1 "refused" "${P[@]}" probe tcp pxc-cluster.cluster-b.global:3307 --from-cluster sim-a --yes
check 0 "Envoy knows outbound|3306||pxc-cluster.cluster-b.global (1 endpoint)" \
  "${P[@]}" probe envoy pxc-cluster.cluster-b.global:3306 --from-cluster sim-a --yes
check 1 "no cluster outbound|3306||pxc-cluster.cluster-c.global" \
  "${P[@]}" probe envoy pxc-cluster.cluster-c.global:3306 --from-cluster sim-a --yes
check 0 '"status": "ok"' "${P[@]}" probe dns pxc-cluster.cluster-b.global --from-cluster sim-a --json --yes
# A selection on the line (--context, --cluster) runs it from each selected cluster, a
# CLUSTER column naming it; envoy too, without --from-cluster. --config alone does not: it
# names a file (often on every line), not clusters to run commands in.
check 0 "^sim-a  *envoy  *pxc-cluster.cluster-b.global:3306  *ok " \
  "${P[@]}" probe envoy pxc-cluster.cluster-b.global:3306 --yes
printf 'kubeconfig: %s\nclusters:\n  - {name: mesh-a, context: sim-a}\n' "$T/kubeconfig" >"$T/config.yaml"
check 0 "^mesh-a/probe/tcp/pxc-cluster.cluster-b.global:3306$" \
  "$PXCMESH" --config "$T/config.yaml" --cluster mesh-a probe tcp pxc-cluster.cluster-b.global:3306 -o name --yes
check 0 "^probe/tcp/127.0.93.20:3306$" \
  "$PXCMESH" --config "$T/config.yaml" probe tcp 127.0.93.20:3306 -o name
check 2 "--cluster nope: not in" \
  "$PXCMESH" --config "$T/config.yaml" --cluster nope probe tcp pxc-cluster.cluster-b.global:3306
# Without any, an envoy probe has nowhere to run: the error says how to give it one.
check 2 "run it from a pod in a cluster with --from-cluster C" \
  env HOME="$T" XDG_CONFIG_HOME="$T/xdg" "$PXCMESH" probe envoy pxc-cluster.cluster-b.global:3306
# A command in a pod, or a probe pod, is asked for as in the console, saying what runs
# where; without a terminal and without --yes nothing runs and nothing is created (exit 1).
check 1 "Cluster mesh-a, namespace pxc: through exec (nothing is created), in the first Running pod with a pxc container, container pxc, run:" \
  setsid -w "$PXCMESH" --config "$T/config.yaml" --cluster mesh-a probe dns pxc-cluster.cluster-b.global
grep -q "^  getent hosts pxc-cluster.cluster-b.global$" <<<"$out" &&
  grep -q "^Where exec cannot run: one short-lived probe pod instead (image .*, labelled managed-by=pxcmesh, deleted afterwards) to run:$" <<<"$out" &&
  grep -q "^  dns pxc-cluster.cluster-b.global$" <<<"$out" && grep -q "no terminal to ask on: pass --yes" <<<"$out" ||
  fail "probe without --yes: $out"
[[ $(kubectl --kubeconfig "$T/kubeconfig" --context sim-a get pods -n pxc -o name 2>/dev/null | grep -c pxcmesh-probe) == 0 ]] ||
  fail "a probe pod was created without a yes"
# Every probe pod was deleted.
left=$(kubectl --kubeconfig "$T/kubeconfig" --context sim-a get pods -n pxc -o name 2>/dev/null | grep -c pxcmesh-probe || true)
[[ $left -eq 0 ]] || fail "$left probe pod(s) left behind"
# Read-only creates no probe pod: it says so when it asks, and the probe, with exec
# impossible here, runs neither way and says why.
check 1 "Where exec cannot run: nothing else (read-only mode creates no probe pod)." \
  setsid -w "${P[@]}" --readonly probe dns pxc-cluster.cluster-b.global --from-cluster sim-a
check 1 "cannot probe through exec: no Running pod with a pxc container in namespace pxc" \
  "${P[@]}" --readonly probe dns pxc-cluster.cluster-b.global --from-cluster sim-a --yes
[[ $(kubectl --kubeconfig "$T/kubeconfig" --context sim-a get pods -n pxc -o name 2>/dev/null | grep -c pxcmesh-probe) == 0 ]] ||
  fail "read-only mode created a probe pod"
# Local probes against the same peers.
check 0 "resolves to 127.0.93.20" "$PXCMESH" probe dns pxc-cluster.cluster-b.global --server $DNS
check 1 "does not exist" "$PXCMESH" probe dns nope.global --server $DNS
check 0 "open" "$PXCMESH" probe tcp 127.0.93.20:3306
check 1 "refused" "$PXCMESH" probe tcp 127.0.93.20:3307
check 2 "unknown kind" "$PXCMESH" probe smtp x:25
echo ok
