#!/usr/bin/env bash
# generate | apply against kubesim: dry-run diff, apply, unchanged re-apply, a changed
# field shown as a diff, validation errors named by field, read-only refusal; and the
# result checked with kubectl, the independent client.
set -euo pipefail
: "${PXCMESH:?}" "${PXC_BUILD_DIR:?}"
KUBESIM=${PXC_KUBESIM:-$PXC_BUILD_DIR/lab/kubesim}
T=$(mktemp -d)
PID=
cleanup() { [[ -n $PID ]] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$T/seed"
cat > "$T/seed/ns.yaml" <<'Y'
apiVersion: v1
kind: Namespace
metadata:
  name: pxc
  labels:
    istio-injection: enabled
---
apiVersion: v1
kind: Node
metadata: {name: node-1}
status: {addresses: [{type: InternalIP, address: 127.0.91.21}, {type: Hostname, address: node-1}]}
---
apiVersion: v1
kind: Node
metadata: {name: node-2}
status: {addresses: [{type: InternalIP, address: 127.0.91.22}]}
Y
"$KUBESIM" --listen 127.0.91.1:16443 --insecure-http --seed "$T/seed" \
  --write-kubeconfig "$T/kubeconfig" --context sim-a >"$T/ksim.log" 2>&1 &
PID=$!
for _ in $(seq 100); do grep -q listening "$T/ksim.log" && break; sleep 0.1; done
grep -q listening "$T/ksim.log" || { cat "$T/ksim.log"; fail "kubesim did not start"; }
export KUBECONFIG="$T/kubeconfig"
K=(kubectl --kubeconfig "$T/kubeconfig" --context sim-a)
P=("$PXCMESH" --kubeconfig "$T/kubeconfig" --context sim-a)

"$PXCMESH" generate serviceentry --name pxc-cluster --namespace pxc --remote-cluster cluster-b \
  --endpoint 127.0.20.1 --endpoint 127.0.20.2 > "$T/se.yaml"

# Dry run: a diff of a new object, nothing created.
out=$("${P[@]}" apply -f "$T/se.yaml" --dry-run)
grep -q "ServiceEntry pxc/pxc-cluster-cluster-b on sim-a: will be created" <<<"$out" \
  || fail "dry run did not announce the creation: $out"
grep -q "^+ .*pxc-cluster.cluster-b.global" <<<"$out" || fail "dry run shows no diff: $out"
if "${K[@]}" get serviceentry -n pxc pxc-cluster-cluster-b >/dev/null 2>&1; then
  fail "dry run created the object"
fi

# Apply from stdin with --yes; kubectl sees it.
# (Outputs are captured before matching: grep -q leaving early would SIGPIPE the writer.)
out=$("$PXCMESH" generate serviceentry --name pxc-cluster --namespace pxc --remote-cluster cluster-b \
  --endpoint 127.0.20.1 --endpoint 127.0.20.2 | "${P[@]}" apply -f - --yes)
grep -q "applied" <<<"$out" || fail "apply did not say applied: $out"
host=$("${K[@]}" get serviceentry -n pxc pxc-cluster-cluster-b -o jsonpath='{.spec.hosts[0]}')
[[ $host == "pxc-cluster.cluster-b.global" ]] || fail "kubectl does not see the applied object: $host"

# The same again: unchanged.
out=$("${P[@]}" apply -f "$T/se.yaml" --yes)
grep -q "unchanged" <<<"$out" || fail "re-apply was not unchanged: $out"

# One endpoint changed: the diff names it.
"$PXCMESH" generate serviceentry --name pxc-cluster --namespace pxc --remote-cluster cluster-b \
  --endpoint 127.0.20.1 --endpoint 127.0.20.9 > "$T/se2.yaml"
out=$("${P[@]}" apply -f "$T/se2.yaml" --dry-run)
grep -q "will change" <<<"$out" || fail "changed endpoint not detected: $out"
grep -q '^- .*127.0.20.2' <<<"$out" || fail "diff lacks the removed endpoint: $out"
grep -q '^+ .*127.0.20.9' <<<"$out" || fail "diff lacks the added endpoint: $out"

# A bad object is refused before any request, with the field named.
cat > "$T/bad.yaml" <<'Y'
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: {name: bad, namespace: pxc}
spec:
  hosts: [x.global]
  ports:
  - {number: abc, name: tcp-mysql, protocol: TCP}
Y
set +e
err=$("${P[@]}" apply -f "$T/bad.yaml" --yes 2>&1); rc=$?
set -e
[[ $rc -eq 1 ]] || fail "invalid object: exit $rc, want 1"
grep -q 'spec.ports\[0\].number: expected integer' <<<"$err" || fail "error lacks the field: $err"

# Read-only refuses to apply.
set +e
err=$("${P[@]}" --readonly apply -f "$T/se2.yaml" --yes 2>&1); rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q "read-only" <<<"$err" || fail "readonly apply: exit $rc: $err"

# Endpoints read from a cluster's nodes (the seed's `kubectl get nodes -o wide`).
out=$("${P[@]}" generate serviceentry --name pxc-cluster --namespace pxc --remote-cluster cluster-b \
  --endpoints-from-cluster sim-a)
grep -q 'address: "127.0.91.21"' <<<"$out" && grep -q 'address: "127.0.91.22"' <<<"$out" \
  || fail "endpoints from the cluster's nodes: $out"
[[ $(echo "$out" | grep -c 'address:') -eq 2 ]] || fail "other endpoints than the two nodes: $out"
set +e
err=$("${P[@]}" generate serviceentry --name x --namespace pxc --remote-cluster b \
  --endpoints-from-cluster nope 2>&1); rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q "no such cluster (known: sim-a)" <<<"$err" || fail "unknown cluster: $rc $err"

# No terminal and no --yes: not applied, and says why.
set +e
out=$(setsid "${P[@]}" apply -f "$T/se2.yaml" </dev/null 2>&1); rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q "not applied" <<<"$out" || fail "apply without --yes: $rc $out"
echo "ok"
