#!/usr/bin/env bash
# generate remote-secret --from-cluster: what `istioctl create-remote-secret` makes, read
# from the remote cluster itself (API server and CA from the kubeconfig, the token of
# istio-reader-service-account from its Secret); the kubeconfig inside really reads the
# remote cluster and may not write; the Secret applies to the other cluster.
set -euo pipefail
: "${PXCMESH:?}" "${PXC_LAB_DIR:?}"
DIR=$PXC_LAB_DIR
CFG=$DIR/pxcmesh.yaml
export KUBECONFIG=$DIR/kubeconfig
T=$(mktemp -d)
trap 'kubectl --context cluster-a delete secret istio-remote-secret-cluster-b -n istio-system >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$PXCMESH" --config "$CFG" generate remote-secret --from-cluster cluster-b -o json >"$T/rs.json" ||
    fail "generate remote-secret --from-cluster failed"
server=$(kubectl config view --raw -o jsonpath='{.clusters[?(@.name=="cluster-b")].cluster.server}')
jq -r '.stringData["cluster-b"]' "$T/rs.json" >"$T/remote-kubeconfig"
grep -q "server: $server" "$T/remote-kubeconfig" || fail "remote kubeconfig has not server $server"
grep -q "certificate-authority-data: " "$T/remote-kubeconfig" || fail "no CA in the remote kubeconfig"
[[ $(jq -r '.metadata.annotations["networking.istio.io/cluster"]' "$T/rs.json") == cluster-b ]] ||
    fail "annotation networking.istio.io/cluster"
echo "ok - remote secret for cluster-b names $server with its CA"

# The kubeconfig inside reads cluster-b as istio-reader, and may not write.
pods=$(kubectl --kubeconfig "$T/remote-kubeconfig" get pods -n pxc -o name 2>&1) || true
grep -q pxc-cluster-pxc-0 <<<"$pods" || fail "the remote kubeconfig cannot read cluster-b's pods: $pods"
if kubectl --kubeconfig "$T/remote-kubeconfig" label namespace pxc pxcmesh-test=1 >/dev/null 2>&1; then
    fail "the reader token could write"
fi
echo "ok - the token reads cluster-b and cannot write (read-only, as istio-reader)"

# It applies to cluster-a, where istiod would read it.
"$PXCMESH" --config "$CFG" generate remote-secret --from-cluster cluster-b >"$T/rs.yaml"
"$PXCMESH" --config "$CFG" apply -f "$T/rs.yaml" --cluster cluster-a --yes >/dev/null || fail "apply to cluster-a"
kubectl --context cluster-a get secret istio-remote-secret-cluster-b -n istio-system -o name >/dev/null ||
    fail "the secret is not in cluster-a"
echo "ok - applied to cluster-a"

set +e
err=$("$PXCMESH" --config "$CFG" generate remote-secret --from-cluster nope 2>&1); rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q "no such cluster" <<<"$err" || fail "unknown cluster: $rc $err"
echo "all ok"
