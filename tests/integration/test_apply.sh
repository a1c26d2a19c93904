#!/usr/bin/env bash
# generate | apply against kubesim: dry-run diff, apply, unchanged re-apply, a changed
# field shown as a diff, validation errors named by field, read-only refusal; and the
# result checked with kubectl, the independent client. Then what used to go wrong: a
# manifest of three whose second object is invalid or refused applies nothing; a refusal
# midway (after the dry run) says what was and was not applied; a live label the manifest
# does not set and a reordered endpoint list are no change; a Secret's stringData change
# is applied and no value is printed; NUL bytes, bad UTF-8, devices, directories and
# oversized input are refused with their position or a clear limit.
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
---
apiVersion: v1
kind: Node
metadata: {name: node-0}
status: {addresses: [{type: InternalIP, address: 127.0.91.30}]}
---
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata:
  name: live-se
  namespace: pxc
  labels: {app.kubernetes.io/instance: pxc-cluster}
spec:
  hosts: [pxc-cluster.cluster-c.global]
  addresses: [240.240.7.7]
  ports: [{number: 3306, name: tcp-mysql, protocol: TCP}]
  location: MESH_INTERNAL
  resolution: STATIC
  endpoints: [{address: 127.0.20.2}, {address: 127.0.20.1}]
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: pxc}
data: {password: b2xkLXBhc3N3b3Jk}
Y
"$KUBESIM" --listen 127.0.91.1:0 --insecure-http --seed "$T/seed" \
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
# node-0 (127.0.91.30) sorts first by name, last by address: the endpoints are in address order.
[[ $(grep 'address:' <<<"$out" | tr -d ' -' | paste -sd,) == 'address:"127.0.91.21",address:"127.0.91.22",address:"127.0.91.30"' ]] \
  || fail "endpoints from the cluster's nodes, in address order: $out"
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

se() { # NAME NAMESPACE PORT
  printf 'apiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\nmetadata: {name: %s, namespace: %s}\n' "$1" "$2"
  printf 'spec:\n  hosts: [%s.global]\n  ports: [{number: %s, name: tcp-mysql, protocol: TCP}]\n' "$1" "$3"
  printf '  resolution: STATIC\n  endpoints: [{address: 127.0.30.1}]\n'
}
absent() { ! "${K[@]}" get serviceentry -n "$1" "$2" >/dev/null 2>&1; }

# Three documents, the second invalid: each is checked, nothing is applied.
{ se w-a pxc 3306; echo ---; se w-b pxc '"abc"'; echo ---; se w-c pxc 3306; } > "$T/three.yaml"
set +e
err=$("${P[@]}" apply -f "$T/three.yaml" --yes 2>&1); rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q 'document 2: ServiceEntry w-b: spec.ports\[0\].number' <<<"$err" &&
  grep -q 'nothing applied: 1 of 3 objects is not valid' <<<"$err" || fail "invalid second document: $rc $err"
absent pxc w-a && absent pxc w-c || fail "a manifest with an invalid object was applied in part"

# The second refused by the server's dry run (no such namespace): the others are
# previewed, nothing is applied.
{ se w-a pxc 3306; echo ---; se w-b nons 3306; echo ---; se w-c pxc 3306; } > "$T/three.yaml"
set +e
out=$("${P[@]}" apply -f "$T/three.yaml" --yes 2>&1); rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q 'document 2: ServiceEntry nons/w-b: the server refuses it (dry run)' <<<"$out" &&
  grep -q 'ServiceEntry pxc/w-c on sim-a: will be created' <<<"$out" &&
  grep -q 'nothing applied: 1 of 3 objects failed the preview' <<<"$out" || fail "refused second document: $rc $out"
absent pxc w-a && absent pxc w-c || fail "a manifest with a refused object was applied in part"

# Refused midway: the dry run passes, then the second object's namespace goes away before
# the operator answers. The first stays applied, the third is not attempted, and the
# output says so object by object. (script gives the apply a terminal to ask on.)
"${K[@]}" create namespace gone >/dev/null
{ se m-a pxc 3306; echo ---; se m-b gone 3306; echo ---; se m-c pxc 3306; } > "$T/mid.yaml"
mkfifo "$T/answer"
script -qfec "$(printf '%q ' "${P[@]}") apply -f $T/mid.yaml" "$T/mid.out" <"$T/answer" >/dev/null 2>&1 &
SPID=$!
exec 3>"$T/answer"
for _ in $(seq 100); do grep -q "apply 3 objects to cluster sim-a" "$T/mid.out" && break; sleep 0.1; done
grep -q "apply 3 objects to cluster sim-a (3 new, 0 changed)?" "$T/mid.out" || { exec 3>&-; fail "no question: $(cat "$T/mid.out")"; }
"${K[@]}" delete namespace gone >/dev/null
echo y >&3
exec 3>&-
set +e
wait "$SPID"; rc=$?
set -e
out=$(tr -d '\r' <"$T/mid.out")
[[ $rc -eq 1 ]] && grep -q '^pxcmesh apply: applied 1 of 3:$' <<<"$out" &&
  grep -q '^  ServiceEntry pxc/m-a applied$' <<<"$out" &&
  grep -q '^  ServiceEntry gone/m-b NOT applied: .*namespaces "gone" not found' <<<"$out" &&
  grep -q '^  ServiceEntry pxc/m-c not attempted$' <<<"$out" || fail "midway refusal: $rc $out"
! absent pxc m-a && absent pxc m-c || fail "midway: kubectl sees another outcome than the one printed"

# The live ServiceEntry has a label of its own and its endpoints in another order: the
# diff adds pxcmesh's labels and removes nothing.
"$PXCMESH" generate serviceentry --name pxc-cluster --namespace pxc --remote-cluster cluster-c \
  --object-name live-se --address 240.240.7.7 --endpoint 127.0.20.1 --endpoint 127.0.20.2 > "$T/live.yaml"
out=$("${P[@]}" apply -f "$T/live.yaml" --dry-run)
grep -q '^+     app.kubernetes.io/managed-by: pxcmesh$' <<<"$out" || fail "labels not shown as added: $out"
! grep -q -e '^- ' -e 'labels: {}' -e 'address' <<<"$out" || fail "the diff removes what the apply keeps: $out"
grep -v '^  *app.kubernetes.io/managed-by\|^  *pxcmesh.dev\|^  labels:$' "$T/live.yaml" > "$T/live-nolabels.yaml"
out=$("${P[@]}" apply -f "$T/live-nolabels.yaml" --dry-run)
grep -q 'ServiceEntry pxc/live-se on sim-a: unchanged' <<<"$out" || fail "reordered endpoints shown as a change: $out"

# A Secret's stringData changed: a change, applied, and no value printed.
printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: pxc}\nstringData: {password: new-password}\n' > "$T/secret.yaml"
out=$("${P[@]}" apply -f "$T/secret.yaml" --yes)
grep -q 'Secret pxc/creds on sim-a: will change' <<<"$out" && grep -q '^+   password: <hidden, changed>$' <<<"$out" &&
  grep -q 'Secret pxc/creds: applied' <<<"$out" || fail "stringData change: $out"
! grep -q -e 'new-password' -e 'bmV3LXBhc3N3b3Jk' -e 'old-password' -e 'b2xkLXBhc3N3b3Jk' <<<"$out" || fail "a Secret value in the output: $out"
[[ $("${K[@]}" get secret creds -n pxc -o jsonpath='{.data.password}') == bmV3LXBhc3N3b3Jk ]] || fail "the Secret was not changed"
out=$("${P[@]}" apply -f "$T/secret.yaml" --yes)
grep -q 'Secret pxc/creds on sim-a: unchanged' <<<"$out" || fail "the same stringData again: $out"

# Input that is not a manifest.
refused() { # WANT ARGS...: exit 1 and WANT in the message
  local want=$1; shift
  set +e; err=$("$@" 2>&1); rc=$?; set -e
  [[ $rc -eq 1 ]] && grep -qF -- "$want" <<<"$err" || fail "$*: exit $rc: $err (want: $want)"
}
{ se n-a pxc 3306; printf -- '---\0\n'; se n-b pxc 3306; } > "$T/nul.yaml"
refused "$T/nul.yaml:9:4: a NUL byte" "${P[@]}" apply -f "$T/nul.yaml" --yes
absent pxc n-a || fail "a manifest with a NUL byte was applied"
{ se u-a pxc 3306; printf 'metadata:\n  labels: {x: "caf\xe9"}\n'; } > "$T/utf8.yaml"
refused "$T/utf8.yaml:10:20: invalid trailing UTF-8 octet" "${P[@]}" apply -f "$T/utf8.yaml" --yes
refused "/dev/zero: is a character device, not a file" "${P[@]}" apply -f /dev/zero --yes
refused "$T: is a directory" "${P[@]}" apply -f "$T" --yes
set +e
err=$(head -c $((16 * 1024 * 1024 + 1)) /dev/zero | "${P[@]}" apply -f - --yes 2>&1); rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q '<stdin>: is larger than 16 MiB' <<<"$err" || fail "oversized stdin: $rc $err"
echo "ok"
