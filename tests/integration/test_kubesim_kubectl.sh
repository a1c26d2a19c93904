#!/usr/bin/env bash
# kubesim against kubectl, the independent client: the seed's own commands (get,
# get -A, serviceentries with their printer columns, labels, rollout restart bringing
# sidecars, logs), server-side apply with dry run, client-side apply, delete, and a
# watch (get -w) that sees a change. Plain HTTP; TLS is test_kubesim_tls.sh.
set -euo pipefail

KSIM="${PXC_BUILD_DIR:?run through ctest}/lab/kubesim"
[[ -x $KSIM ]] || { echo "FAIL: kubesim not built at $KSIM"; exit 1; }
command -v kubectl >/dev/null || { echo "FAIL: kubectl missing (apt-get install -y kubernetes-client)"; exit 1; }
TMP=$(mktemp -d)
export HOME=$TMP # kubectl's discovery cache stays private to this test
KPID=
WPID=
cleanup() {
    [[ -n $WPID ]] && kill "$WPID" 2>/dev/null || true
    [[ -n $KPID ]] && kill "$KPID" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [[ -f $TMP/ksim.out ]] && sed 's/^/  kubesim: /' "$TMP/ksim.out"; exit 1; }
# anyway CMD...: its output (stdout and stderr), whatever its exit status
anyway() { "$@" 2>&1 || true; }
# CMD | expect PATTERN: grep that reads all its input (grep -q would stop early and, under
# pipefail, fail the pipeline with the writer's SIGPIPE)
expect() { grep "$@" >/dev/null; }
# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds
wait_for() {
    local n=$(($1 * 10)); shift
    for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    return 1
}

mkdir -p "$TMP/seed"
cat >"$TMP/seed/pxc.yaml" <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: pxc
---
apiVersion: pxc.percona.com/v1
kind: PerconaXtraDBCluster
metadata:
  name: pxc-cluster
  namespace: pxc
spec:
  secretsName: pxc-cluster-secrets
  pxc:
    size: 3
status:
  state: ready
  host: pxc-cluster-haproxy.pxc
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: pxc-cluster-pxc
  namespace: pxc
  annotations:
    ksim.pxcmesh.dev/pod-ips: "127.0.10.1,127.0.10.2,127.0.10.3"
spec:
  replicas: 3
  serviceName: pxc-cluster-pxc
  selector:
    matchLabels: {app.kubernetes.io/component: pxc, app.kubernetes.io/instance: pxc-cluster}
  template:
    metadata:
      labels: {app.kubernetes.io/component: pxc, app.kubernetes.io/instance: pxc-cluster}
    spec:
      containers:
      - name: pxc
        image: percona/percona-xtradb-cluster:8.0.36
        ports: [{containerPort: 3306, name: mysql}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: pxc-cluster-b
  namespace: pxc
spec:
  hosts: [pxc-cluster.cluster-b.global]
  location: MESH_INTERNAL
  ports: [{number: 3306, name: tcp-mysql, protocol: TCP}]
  resolution: STATIC
  endpoints: [{address: 127.0.20.1}, {address: 127.0.20.2}, {address: 127.0.20.3}]
EOF

# the command line: help, usage errors (2), seed errors in words (1)
"$KSIM" --help | expect -- '--write-kubeconfig FILE' || fail "--help"
rc=0; "$KSIM" --listen 127.0.0.1:99999 2>"$TMP/err" || rc=$?
[[ $rc == 2 ]] && expect 'expected IP:PORT' <"$TMP/err" || fail "bad --listen: rc $rc $(cat "$TMP/err")"
mkdir -p "$TMP/badseed"
printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: foo/v1\nkind: Bar\nmetadata: {name: x}\n' >"$TMP/badseed/x.yaml"
rc=0; "$KSIM" --listen 127.0.0.1:0 --insecure-http --seed "$TMP/badseed" 2>"$TMP/err" || rc=$?
[[ $rc == 1 ]] && expect 'x.yaml (document 2): no resource serves apiVersion "foo/v1" kind "Bar"' <"$TMP/err" ||
    fail "bad seed: rc $rc $(cat "$TMP/err")"

"$KSIM" --listen 127.0.0.1:0 --insecure-http --seed "$TMP/seed" \
    --write-kubeconfig "$TMP/kc" --context cluster-a --pidfile "$TMP/pid" >"$TMP/ksim.out" 2>&1 &
KPID=$!
wait_for 30 grep -q listening "$TMP/ksim.out" || fail "kubesim did not start"
[[ $(cat "$TMP/pid") == "$KPID" ]] || fail "pid file does not hold kubesim's pid"
K=(kubectl --kubeconfig "$TMP/kc" --context cluster-a --request-timeout=10s)

# get, get -A, wide columns and pod IPs from the StatefulSet's annotation
out=$("${K[@]}" get pods -n pxc -o wide)
grep -Eq '^pxc-cluster-pxc-0 +1/1 +Running +0 .*127\.0\.10\.1 ' <<<"$out" || fail "get pods: $out"
[[ $("${K[@]}" get pods -A --no-headers | wc -l) == 3 ]] || fail "get pods -A count"
out=$("${K[@]}" get pods -A)
grep -Eq '^NAMESPACE +NAME +READY +STATUS +RESTARTS +AGE' <<<"$out" || fail "get -A header: $out"

# the seed's commands
out=$("${K[@]}" get serviceentry -A)
grep -Eq '^NAMESPACE +NAME +HOSTS +LOCATION +RESOLUTION +AGE' <<<"$out" || fail "serviceentry columns: $out"
grep -Eq '^pxc +pxc-cluster-b +\["pxc-cluster.cluster-b.global"\] +MESH_INTERNAL +STATIC' <<<"$out" ||
    fail "serviceentry row: $out"
"${K[@]}" get pxc -n pxc | expect -E '^pxc-cluster +pxc-cluster-haproxy.pxc +ready' || fail "get pxc"
[[ $("${K[@]}" get pod pxc-cluster-pxc-0 -n pxc -o jsonpath='{.spec.containers[*].name}') == pxc ]] ||
    fail "a pod created before the label must have no sidecar"
"${K[@]}" get namespace pxc --show-labels | expect 'kubernetes.io/metadata.name=pxc' || fail "show-labels"

# watch: a change made elsewhere shows up in kubectl get -w
"${K[@]}" get pods -n pxc -w --request-timeout=0 >"$TMP/watch.out" 2>&1 &
WPID=$!
wait_for 10 grep -q pxc-cluster-pxc-2 "$TMP/watch.out" || fail "get -w printed no initial list"

"${K[@]}" label namespace pxc istio-injection=enabled | expect labeled || fail "label"
"${K[@]}" get namespace pxc --show-labels | expect 'istio-injection=enabled' || fail "label not stored"
"${K[@]}" rollout restart statefulset pxc-cluster-pxc -n pxc | expect restarted || fail "rollout restart"
wait_for 10 bash -c "[[ \$(${K[*]} get pod pxc-cluster-pxc-0 -n pxc -o jsonpath='{.spec.containers[*].name}') == 'pxc istio-proxy' ]]" ||
    fail "after rollout restart the pod has no istio-proxy"
"${K[@]}" get pod pxc-cluster-pxc-2 -n pxc -o jsonpath='{.status.podIP} {.spec.initContainers[0].name} {.metadata.annotations.sidecar\.istio\.io/status}' |
    grep -q '^127.0.10.3 istio-init {"initContainers"' || fail "re-created pod lost its IP or injection details"
"${K[@]}" get pods -n pxc | expect -E '^pxc-cluster-pxc-1 +2/2 +Running' || fail "2/2 Running after restart"
wait_for 10 bash -c "[[ \$(grep -c pxc-cluster-pxc-0 '$TMP/watch.out') -ge 3 ]]" ||
    fail "get -w did not show the restart: $(cat "$TMP/watch.out")"
kill "$WPID"
WPID=

# logs
"${K[@]}" logs -n pxc pxc-cluster-pxc-0 -c istio-proxy | expect 'Envoy proxy is ready' || fail "istio-proxy log"
anyway "${K[@]}" logs -n pxc pxc-cluster-pxc-0 -c nope | expect 'container nope is not valid' || fail "bad container log error"

# server-side apply (dry run first), client-side apply, delete
cat >"$TMP/se.yaml" <<'EOF'
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata:
  name: extra
  namespace: pxc
  labels: {owner: ssa}
spec:
  hosts: [extra.global]
  location: MESH_EXTERNAL
  ports: [{number: 3306, name: tcp, protocol: TCP}, {number: 3307, name: tcp2, protocol: TCP}]
  resolution: DNS
EOF
"${K[@]}" apply --server-side --dry-run=server -f "$TMP/se.yaml" | expect 'serverside-applied (server dry run)' || fail "ssa dry run"
anyway "${K[@]}" get serviceentry extra -n pxc | expect NotFound || fail "dry run stored the object"
"${K[@]}" apply --server-side -f "$TMP/se.yaml" | expect 'serverside-applied' || fail "ssa create"
"${K[@]}" label se extra -n pxc other=kept >/dev/null
# the next apply drops a label, a field and a list item it applied before
sed -i -e 's/resolution: DNS/resolution: NONE/' -e '/labels: {owner: ssa}/d' -e '/location:/d' \
    -e 's/, {number: 3307, name: tcp2, protocol: TCP}//' "$TMP/se.yaml"
"${K[@]}" apply --server-side -f "$TMP/se.yaml" >/dev/null || fail "ssa update"
[[ $("${K[@]}" get se extra -n pxc -o jsonpath='{.spec.resolution}') == NONE ]] || fail "ssa did not merge"
[[ $("${K[@]}" get se extra -n pxc -o jsonpath='{.metadata.labels}|{.spec.location}|{.spec.ports[*].number}') == '{"other":"kept"}||3306' ]] ||
    fail "ssa removal: $("${K[@]}" get se extra -n pxc -o jsonpath='{.metadata.labels}|{.spec.location}|{.spec.ports[*].number}')"
[[ $("${K[@]}" get se extra -n pxc -o jsonpath='{.apiVersion}') == networking.istio.io/v1 ]] || fail "preferred version"
"${K[@]}" get serviceentries.v1alpha3.networking.istio.io extra -n pxc -o jsonpath='{.apiVersion}' |
    grep -q 'networking.istio.io/v1alpha3' || fail "served as v1alpha3"
"${K[@]}" get se extra -n pxc -o jsonpath='{.metadata.managedFields[0].manager}' | expect kubectl || fail "fieldManager"
"${K[@]}" delete -f "$TMP/se.yaml" | expect deleted || fail "delete"
anyway "${K[@]}" get se extra -n pxc | expect 'NotFound' || fail "deleted object still there"
cat >"$TMP/cm.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: cm1, namespace: pxc}
data: {a: "1"}
EOF
"${K[@]}" apply -f "$TMP/cm.yaml" | expect created || fail "client-side apply create"
sed -i 's/"1"/"2"/' "$TMP/cm.yaml"
"${K[@]}" apply -f "$TMP/cm.yaml" | expect configured || fail "client-side apply patch"
[[ $("${K[@]}" get cm cm1 -n pxc -o jsonpath='{.data.a}') == 2 ]] || fail "client-side apply value"

# a kind: List manifest: kubectl's OpenAPI v3 check of field validation does not cover
# List, so it validates the items client-side against /openapi/v2 (protobuf) before it
# creates or applies each of them
cat >"$TMP/list.yaml" <<'EOF'
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: l1, namespace: pxc}
  data: {a: "1"}
- apiVersion: networking.istio.io/v1
  kind: ServiceEntry
  metadata: {name: l2, namespace: pxc}
  spec: {hosts: [l2.global], resolution: NONE}
EOF
out=$(anyway "${K[@]}" create -f "$TMP/list.yaml")
expect 'configmap/l1 created' <<<"$out" && expect 'serviceentry.networking.istio.io/l2 created' <<<"$out" ||
    fail "create -f of a List: $out"
sed -i 's/a: "1"/a: "2"/' "$TMP/list.yaml"
printf -- '- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: l3, namespace: pxc}\n' >>"$TMP/list.yaml"
out=$(anyway "${K[@]}" apply -f "$TMP/list.yaml")
expect 'configmap/l1 configured' <<<"$out" && expect 'configmap/l3 created' <<<"$out" &&
    ! expect -E '^error|error calculating patch' <<<"$out" || fail "apply -f of a List: $out"
[[ $("${K[@]}" get cm l1 -n pxc -o jsonpath='{.data.a}') == 2 ]] || fail "apply -f of a List: value"
# /openapi/v2 as the API server serves it: JSON unless protobuf is asked for, an ETag
# that If-None-Match answers with 304, 406 for a type it cannot give
U=$("${K[@]}" config view --minify -o jsonpath='{.clusters[0].cluster.server}')
curl -s "$U/openapi/v2" | expect '"swagger":"2.0"' || fail "/openapi/v2 JSON"
curl -s "$U/openapi/v2" | expect '"x-kubernetes-group-version-kind":{"group":"","kind":"ConfigMap","version":"v1"}' ||
    fail "/openapi/v2 has no PATCH of configmaps"
hdrs=$(curl -s -o /dev/null -D - -H 'Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf' "$U/openapi/v2")
expect -i '^content-type: application/com.github.proto-openapi.spec.v2.v1.0+protobuf' <<<"$hdrs" ||
    fail "/openapi/v2 protobuf: $hdrs"
etag=$(sed -n 's/^[Ee][Tt]ag: *//p' <<<"$hdrs" | tr -d '\r')
[[ $etag =~ ^\"[0-9A-F]{128}\"$ ]] || fail "/openapi/v2 ETag: $etag"
[[ $(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$U/openapi/v2") == 304 ]] ||
    fail "/openapi/v2 If-None-Match"
[[ $(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: text/html' "$U/openapi/v2") == 406 ]] ||
    fail "/openapi/v2 Accept: text/html"

# Secret data comes back in standard, padded base64, whether it came as stringData
# (folded in by the server) or as bytes in the protobuf body of kubectl create secret
printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: s1, namespace: pxc}\nstringData: {pw: "ab?>c"}\n' >"$TMP/s1.yaml"
"${K[@]}" create -f "$TMP/s1.yaml" >/dev/null || fail "create secret with stringData"
[[ $("${K[@]}" get secret s1 -n pxc -o jsonpath='{.data.pw}') == 'YWI/PmM=' ]] || fail "stringData not folded into data"
"${K[@]}" create secret generic s2 -n pxc --from-literal=pw='~~~pw' >/dev/null || fail "kubectl create secret"
[[ $("${K[@]}" get secret s2 -n pxc -o jsonpath='{.data.pw}') == 'fn5+cHc=' ]] || fail "protobuf secret data"

# the injector: istio.io/rev namespaces, opt-out, native sidecars
"${K[@]}" create namespace rev >/dev/null
"${K[@]}" label namespace rev istio.io/rev=canary >/dev/null
"${K[@]}" run web -n rev --image=nginx >/dev/null
[[ $("${K[@]}" get pod web -n rev -o jsonpath='{.spec.containers[*].name} {.metadata.annotations.istio\.io/rev}') == "web istio-proxy canary" ]] ||
    fail "istio.io/rev injection"
"${K[@]}" run optout -n rev --image=nginx --annotations=sidecar.istio.io/inject=false >/dev/null
[[ $("${K[@]}" get pod optout -n rev -o jsonpath='{.spec.containers[*].name}') == optout ]] || fail "opt-out"
"${K[@]}" run native -n rev --image=nginx --annotations=sidecar.istio.io/nativeSidecar=true >/dev/null
[[ $("${K[@]}" get pod native -n rev -o jsonpath='{.spec.initContainers[*].name}|{.spec.containers[*].name}') == "istio-init istio-proxy|native" ]] ||
    fail "native sidecar"
[[ $("${K[@]}" get pod native -n rev -o jsonpath='{.spec.initContainers[1].restartPolicy}') == Always ]] ||
    fail "native sidecar restartPolicy"

# generateName, replace (PUT) and a stale resourceVersion (409 Conflict)
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: gen-, namespace: pxc}\ndata: {a: "1"}\n' >"$TMP/gen.yaml"
"${K[@]}" create -f "$TMP/gen.yaml" | expect -E '^configmap/gen-[a-z0-9]{5} created' || fail "generateName"
"${K[@]}" get cm cm1 -n pxc -o json >"$TMP/cm1.json"
sed -i 's/"a": "2"/"a": "3"/' "$TMP/cm1.json"
"${K[@]}" replace -f "$TMP/cm1.json" | expect replaced || fail "replace"
[[ $("${K[@]}" get cm cm1 -n pxc -o jsonpath='{.data.a}') == 3 ]] || fail "replace value"
out=$(anyway "${K[@]}" replace -f "$TMP/cm1.json")
expect 'Conflict\|the object has been modified' <<<"$out" || fail "stale replace: $out"

# deleting a StatefulSet pod brings it back (controller), with its IP
uid=$("${K[@]}" get pod pxc-cluster-pxc-1 -n pxc -o jsonpath='{.metadata.uid}')
"${K[@]}" delete pod pxc-cluster-pxc-1 -n pxc --wait=false >/dev/null
wait_for 10 bash -c "[[ \$(${K[*]} get pod pxc-cluster-pxc-1 -n pxc -o jsonpath='{.metadata.uid}') != '$uid' ]]" ||
    fail "pod not re-created"
[[ $("${K[@]}" get pod pxc-cluster-pxc-1 -n pxc -o jsonpath='{.status.podIP}') == 127.0.10.2 ]] || fail "IP kept"

# kubectl scale (the scale subresource): down removes the highest ordinal, up brings it
# back with its address
"${K[@]}" scale statefulset pxc-cluster-pxc -n pxc --replicas=2 | expect scaled || fail "scale down"
anyway "${K[@]}" get pod pxc-cluster-pxc-2 -n pxc | expect NotFound || fail "pod 2 survived scale down"
"${K[@]}" get sts pxc-cluster-pxc -n pxc | expect -E '^pxc-cluster-pxc +2/2 ' || fail "sts READY after scale down"
"${K[@]}" scale statefulset pxc-cluster-pxc -n pxc --replicas=3 >/dev/null || fail "scale up"
[[ $("${K[@]}" get pod pxc-cluster-pxc-2 -n pxc -o jsonpath='{.status.podIP}') == 127.0.10.3 ]] || fail "scale up IP"

# deleting the namespace deletes what is in it, and the StatefulSet does not bring its
# pods back
timeout 20 "${K[@]}" delete namespace pxc | expect deleted || fail "delete namespace"
[[ $("${K[@]}" get pods,sts,se,pxc -n pxc --no-headers 2>/dev/null | wc -l) == 0 ]] || fail "namespace contents survived"

# clean shutdown on SIGTERM (and no leak under ASan: the exit status says)
kill -TERM "$KPID"
rc=0
wait "$KPID" || rc=$?
KPID=
[[ $rc == 0 ]] || fail "kubesim exited with $rc on SIGTERM"
[[ ! -e $TMP/pid ]] || fail "pid file left behind"
echo "PASS"
