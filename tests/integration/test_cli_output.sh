#!/usr/bin/env bash
# test_cli_output: the command line's conventions against two kubesims (cluster-a, cluster-b).
# - The output contract: status, doctor, channel status, get, probe, generate and version
#   with -o json (jq checks the shape), -o yaml (PyYAML reads the same document as json),
#   -o wide (the extra columns), -o name (kind/NAME lines), -o jsonpath; --json as -o json;
#   an -o a verb cannot give refused with exit 2 and the list of those it has.
# - Choosing clusters: every reading verb defaults to all selected clusters with a CLUSTER
#   column; --cluster NAME narrows (repeatable); --context C alone or with --config; a name
#   that is not there is exit 2 naming those that are.
# - The write verbs (inject, restart, serviceentry): the change is shown, refused without a
#   terminal unless --yes, made with --yes (kubesim's objects checked with curl), refused
#   read-only, and refused when the selection has several clusters and none is named.
# - completion bash sourced in bash completes a verb, a cluster name and -o's values;
#   man -l renders pxcmesh(1).
source "$(dirname "$0")/kube_common.sh"

for c in a b; do
    kt_seed "$KT_DIR/seed-$c" "$c" enabled
    cat >>"$KT_DIR/seed-$c/objects.yaml" <<YAML
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: pxc-cluster-pxc
  namespace: pxc
spec:
  replicas: 0
  serviceName: pxc-cluster-pxc
  selector: {matchLabels: {app.kubernetes.io/component: pxc}}
  template:
    metadata: {labels: {app.kubernetes.io/component: pxc}}
    spec:
      containers: [{name: pxc, image: percona/percona-xtradb-cluster:8.0.36}]
---
apiVersion: v1
kind: Node
metadata: {name: node-2}
status: {addresses: [{type: InternalIP, address: $KT_NET.$([[ $c == a ]] && echo 32 || echo 42)}]}
---
apiVersion: v1
kind: Node
metadata: {name: node-1}
status: {addresses: [{type: InternalIP, address: $KT_NET.$([[ $c == a ]] && echo 31 || echo 41)}]}
YAML
done
ksim_start a 1 "$KT_DIR/seed-a" --insecure-http
ksim_start b 2 "$KT_DIR/seed-b" --insecure-http

CFG=$KT_DIR/config.yaml
cat >"$CFG" <<YAML
kubeconfig: $KT_DIR/kubeconfig
clusters:
  - name: cluster-a
    context: a
  - name: cluster-b
    context: b
YAML
P=(px --config "$CFG")

# run WANT_RC NAME CMD...: stdout in $T.out, stderr in $T.err; the exit code must be WANT_RC.
T=$KT_DIR/out
run() {
    local want=$1 name=$2 rc=0
    shift 2
    "$@" >"$T.out" 2>"$T.err" </dev/null || rc=$?
    [[ $rc == "$want" ]] || fail "$name: exit $rc, want $want: $(head -c 600 "$T.err") $(head -c 300 "$T.out")"
}
# yaml_is_json: the YAML in $T.out is the document $1 holds as JSON.
yaml_is_json() {
    python3 -c 'import json,sys,yaml
y = yaml.safe_load(open(sys.argv[1]))
j = json.load(open(sys.argv[2]))
sys.exit(0 if y == j else 1)' "$T.out" "$1"
}

# ---- status ----
run 0 "status -o json" "${P[@]}" status --no-mysql -o json
jq -e '(.clusters | map(.name)) == ["cluster-a", "cluster-b"] and (.clusters[0].pods | length) == 3' \
    "$T.out" >/dev/null || fail "status -o json shape: $(head -c 400 "$T.out")"
cp "$T.out" "$KT_DIR/status.json"
run 0 "status --json" "${P[@]}" status --no-mysql --json
jq -e '.clusters | length == 2' "$T.out" >/dev/null || fail "status --json is not -o json"
run 0 "status -o yaml" "${P[@]}" status --no-mysql -o yaml
python3 -c 'import sys,yaml; d = yaml.safe_load(open(sys.argv[1])); sys.exit(0 if [c["name"] for c in d["clusters"]] == ["cluster-a", "cluster-b"] else 1)' "$T.out" ||
    fail "status -o yaml: $(head -c 300 "$T.out")"
run 0 "status text" "${P[@]}" status --no-mysql
grep -q '^CLUSTER cluster-a (context a, ' "$T.out" || fail "status text: $(head -3 "$T.out")"
grep -qE '^CLUSTER +NAMESPACE +NAME +PHASE +READY +GALERA +SIZE +SIDECAR$' "$T.out" ||
    fail "status text: no pod table: $(cat "$T.out")"
grep -qE '^cluster-b +pxc +pxc-cluster-pxc-0 +Running' "$T.out" || fail "status text: no PXC pod of b"
grep -qE '^cluster-a +pxc +pxc-cluster-b +pxc-cluster.cluster-b.global' "$T.out" ||
    fail "status text: no ServiceEntry row: $(cat "$T.out")"
grep -q '^FINDINGS: ' "$T.out" || fail "status text: no findings count"
run 0 "status -o wide" "${P[@]}" status --no-mysql -o wide
grep -qE '^CLUSTER +NAMESPACE +NAME +PHASE +READY +GALERA +SIZE +SIDECAR +IP +NODE +RESTARTS +AGE$' \
    "$T.out" || fail "status wide: no wide pod table"
grep -qE "^cluster-a +legacy +old-app .* $KT_NET.252 " "$T.out" || fail "status wide: not every pod"
run 0 "status -o name" "${P[@]}" status --no-mysql -o name
[[ $(cat "$T.out") == $'cluster/cluster-a\ncluster/cluster-b' ]] || fail "status -o name: $(cat "$T.out")"
run 0 "status -o jsonpath" "${P[@]}" status --no-mysql -o 'jsonpath={range .clusters[*]}{.name}={.reachable}{"\n"}{end}'
[[ $(cat "$T.out") == $'cluster-a=true\ncluster-b=true' ]] || fail "status jsonpath: $(cat "$T.out")"
run 2 "status -o nix" "${P[@]}" status -o nix
grep -q "status: -o nix is not one of its outputs (it has: text (no -o), wide, json, yaml, name, jsonpath=TEMPLATE)" "$T.err" ||
    fail "status -o nix: $(cat "$T.err")"
run 2 "status -o bogus" "${P[@]}" status -o bogus
grep -q "unknown output '-o bogus'" "$T.err" || fail "status -o bogus: $(cat "$T.err")"
run 2 "bad jsonpath" "${P[@]}" status -o 'jsonpath={.clusters[0,1]}'
grep -q "jsonpath '{.clusters\[0,1\]}': at column" "$T.err" || fail "bad jsonpath: $(cat "$T.err")"

# --cluster narrows, --context selects alone or with --config
run 0 "status --cluster" "${P[@]}" status --no-mysql -o name --cluster cluster-b
[[ $(cat "$T.out") == cluster/cluster-b ]] || fail "--cluster cluster-b: $(cat "$T.out")"
run 0 "--cluster twice" "${P[@]}" --cluster cluster-b status --no-mysql -o name --cluster cluster-a
[[ $(cat "$T.out") == $'cluster/cluster-a\ncluster/cluster-b' ]] || fail "--cluster x2: $(cat "$T.out")"
run 0 "--config with --context" "${P[@]}" --context a status --no-mysql -o name
[[ $(cat "$T.out") == cluster/cluster-a ]] || fail "--config --context a: $(cat "$T.out")"
run 0 "--context alone" px --context b status --no-mysql -o name
[[ $(cat "$T.out") == cluster/b ]] || fail "--context b: $(cat "$T.out")"
run 2 "--cluster unknown" "${P[@]}" status --no-mysql --cluster nope
grep -q -- "--cluster nope: not in $CFG (its clusters: cluster-a, cluster-b)" "$T.err" ||
    fail "--cluster nope: $(cat "$T.err")"

# ---- get ----
run 0 "get pods" "${P[@]}" get pods -n pxc
grep -qE '^CLUSTER +NAME +READY +STATUS +RESTARTS +AGE$' "$T.out" || fail "get pods: $(cat "$T.out")"
grep -qE '^cluster-a +pxc-cluster-pxc-0 +[0-9]/[0-9] +Running +0 ' "$T.out" || fail "get pods a: $(cat "$T.out")"
grep -qE '^cluster-b +pxc-cluster-pxc-0 ' "$T.out" || fail "get pods b: $(cat "$T.out")"
run 0 "get pods -A -o wide" "${P[@]}" get pods -o wide
grep -qE '^CLUSTER +NAMESPACE +NAME +READY +STATUS +RESTARTS +AGE +IP +NODE$' "$T.out" ||
    fail "get wide: $(head -2 "$T.out")"
grep -qE "^cluster-b +legacy +old-app .* $KT_NET.252 " "$T.out" || fail "get wide row: $(cat "$T.out")"
run 0 "get -o name" "${P[@]}" get pods -n pxc -o name
[[ $(cat "$T.out") == $'cluster-a/pod/pxc-cluster-pxc-0\ncluster-b/pod/pxc-cluster-pxc-0' ]] ||
    fail "get -o name: $(cat "$T.out")"
run 0 "get -o name one cluster" "${P[@]}" get se -n pxc -o name --cluster cluster-a
[[ $(cat "$T.out") == serviceentry.networking.istio.io/pxc-cluster-b ]] || fail "get se -o name: $(cat "$T.out")"
run 0 "get -o json one cluster" "${P[@]}" get pods -n pxc -o json --cluster cluster-a
jq -e '.kind == "PodList" and (.items | length) == 1' "$T.out" >/dev/null || fail "get json one: $(head -c 300 "$T.out")"
run 0 "get -o json" "${P[@]}" get pods -n pxc -o json
jq -e '.kind == "List" and ([.items[].metadata.annotations["pxcmesh.io/cluster"]] == ["cluster-a", "cluster-b"])' \
    "$T.out" >/dev/null || fail "get json: $(head -c 300 "$T.out")"
cp "$T.out" "$KT_DIR/get.json"
run 0 "get -o yaml" "${P[@]}" get pods -n pxc -o yaml
yaml_is_json "$KT_DIR/get.json" || fail "get -o yaml is not the -o json document"
run 0 "get -o jsonpath" "${P[@]}" get pods -n pxc -o 'jsonpath={range .items[*]}{.metadata.annotations.pxcmesh\.io/cluster}{end}'
run 0 "get -o jsonpath" "${P[@]}" get ns -o "jsonpath={.items[?(@.metadata.name=='pxc')].metadata.labels['istio-injection']}" --cluster cluster-a
[[ $(cat "$T.out") == enabled ]] || fail "get jsonpath filter: $(cat "$T.out")"
# A kind it does not know is a usage error, said once (not once per cluster).
run 2 "get an unknown kind" "${P[@]}" get frobs
[[ $(grep -c "unknown kind 'frobs'" "$T.err") == 1 ]] || fail "get frobs: $(cat "$T.err")"
run 2 "get secrets" "${P[@]}" get secrets
[[ $(grep -c "does not show secrets" "$T.err") == 1 ]] || fail "get secrets: $(cat "$T.err")"
run 0 "get --context" px --context a get pods -n legacy -o 'jsonpath={.items[0].metadata.name}'
[[ $(cat "$T.out") == old-app ]] || fail "get --context a: $(cat "$T.out")"

# ---- doctor ----
run 1 "doctor -o json" "${P[@]}" doctor --timeout 20 -o json
jq -e '.findings | length > 0 and all(has("code") and has("fix"))' "$T.out" >/dev/null ||
    fail "doctor json: $(head -c 300 "$T.out")"
cp "$T.out" "$KT_DIR/doctor.json"
run 1 "doctor -o name" "${P[@]}" doctor --timeout 20 -o name
grep -qE '^finding/[A-Z_]+/cluster-[ab]/' "$T.out" || fail "doctor -o name: $(cat "$T.out")"
run 1 "doctor -o wide" "${P[@]}" doctor --timeout 20 -o wide
grep -qE '^SEVERITY +CODE +CLUSTER +OBJECT +SINCE +MESSAGE +FIX$' "$T.out" || fail "doctor wide: $(head -2 "$T.out")"
run 1 "doctor -o yaml" "${P[@]}" doctor --timeout 20 -o yaml --cluster cluster-b
python3 -c 'import sys,yaml; d = yaml.safe_load(open(sys.argv[1])); sys.exit(0 if all(f["cluster"] in ("cluster-b", "") for f in d["findings"]) else 1)' "$T.out" ||
    fail "doctor yaml --cluster cluster-b: $(head -c 300 "$T.out")"
run 2 "doctor --fix -o json" "${P[@]}" doctor --fix -o json
run 1 "doctor --context" "${P[@]}" --context a doctor --timeout 20 -o json
jq -e '(.findings | length > 0) and all(.findings[]; .cluster == "cluster-a" or .cluster == "")' \
    "$T.out" >/dev/null || fail "doctor --config --context a: $(head -c 300 "$T.out")"
run 1 "doctor --context alone" px --context b doctor --timeout 20 -o name
[[ -s $T.out ]] && ! grep -qv '^finding/[A-Z_]*/b/' "$T.out" || fail "doctor --context b: $(cat "$T.out")"
run 2 "doctor --cluster unknown" "${P[@]}" doctor --cluster nope

# ---- channel status ----
run 1 "channel status -o json" "${P[@]}" channel status --timeout 20 -o json
jq -e '.channels | type == "array"' "$T.out" >/dev/null || fail "channel json: $(cat "$T.out")"
run 1 "channel status -o wide" "${P[@]}" channel status --timeout 20 -o wide
grep -qE '^CLUSTER +SERVER +CHANNEL +IO +SQL +LAG +HEALTH +SOURCE +PROBLEM +GTID-GAP +RETRIES +LAG-FROM +IO-STATE$' \
    "$T.out" || fail "channel wide: $(cat "$T.out")"
run 1 "channel status -o yaml" "${P[@]}" channel status --timeout 20 -o yaml
python3 -c 'import sys,yaml; d = yaml.safe_load(open(sys.argv[1])); sys.exit(0 if d["channels"] == [] else 1)' "$T.out" ||
    fail "channel yaml: $(cat "$T.out")"
run 1 "channel status -o name" "${P[@]}" channel status --timeout 20 -o name
# The selection: the servers of the clusters chosen, no others (their unread servers say so).
run 1 "channel status --cluster" "${P[@]}" channel status --timeout 20 --cluster cluster-b
grep -q "cluster-b: pxc-cluster-pxc-0" "$T.err" && ! grep -q "cluster-a:" "$T.err" ||
    fail "channel status --cluster cluster-b: $(cat "$T.err")"
grep -qE '^CLUSTER +SERVER +CHANNEL +IO +SQL +LAG +HEALTH +SOURCE +PROBLEM$' "$T.out" ||
    fail "channel status table: $(cat "$T.out")"
run 1 "channel status --context" px --context a channel status --timeout 20 -o json
jq -e '.channels == []' "$T.out" >/dev/null && grep -q "^pxcmesh channel: a: " "$T.err" &&
    ! grep -q " b: " "$T.err" || fail "channel status --context a: $(cat "$T.err")"
run 2 "channel status -o nix" "${P[@]}" channel status -o nix
run 2 "channel start -o json" "${P[@]}" channel start x --cluster cluster-a -o json
# The verbs that print what they change have no -o: it is refused, saying so, before anything.
for v in "inject enable legacy" "restart sts/pxc-cluster-pxc" "serviceentry delete x" "apply -f -"; do
    run 2 "$v -o json" "${P[@]}" $v --cluster cluster-a --yes -o json
    grep -q "^pxcmesh: ${v%% *} has no -o outputs: it prints what it does" "$T.err" ||
        fail "$v -o json: $(cat "$T.err")"
done
run 2 "inject --json" "${P[@]}" inject enable legacy --cluster cluster-a --json

# ---- probe ----
run 1 "probe -o json" px probe tcp "$KT_NET.250:1" -o json
jq -e '.kind == "tcp" and .status == "fail" and .cluster == null' "$T.out" >/dev/null || fail "probe json: $(cat "$T.out")"
cp "$T.out" "$KT_DIR/probe.json"
run 1 "probe -o yaml" px probe tcp "$KT_NET.250:1" -o yaml
python3 -c 'import sys,yaml; d = yaml.safe_load(open(sys.argv[1])); sys.exit(0 if d["kind"] == "tcp" and d["target"].endswith(":1") else 1)' "$T.out" ||
    fail "probe yaml: $(cat "$T.out")"
run 1 "probe -o wide" px probe tcp "$KT_NET.250:1" -o wide
grep -qE '^CLUSTER +KIND +TARGET +STATUS +TIME +SUMMARY +FROM$' "$T.out" || fail "probe wide: $(cat "$T.out")"
run 1 "probe -o name" px probe tcp "$KT_NET.250:1" -o name
[[ $(cat "$T.out") == "probe/tcp/$KT_NET.250:1" ]] || fail "probe name: $(cat "$T.out")"
run 2 "probe envoy here" px probe envoy x:1
grep -q -- "--from-cluster C" "$T.err" || fail "probe envoy: $(cat "$T.err")"

# ---- generate ----
G=(px generate namespace --name demo)
run 0 "generate -o json" "${G[@]}" -o json
jq -e '.kind == "Namespace" and .metadata.name == "demo"' "$T.out" >/dev/null || fail "generate json"
cp "$T.out" "$KT_DIR/gen.json"
run 0 "generate -o yaml" "${G[@]}" -o yaml
yaml_is_json "$KT_DIR/gen.json" || fail "generate yaml is not its json"
run 0 "generate -o name" "${G[@]}" -o name
[[ $(cat "$T.out") == namespace/demo ]] || fail "generate name: $(cat "$T.out")"
run 2 "generate -o wide" "${G[@]}" -o wide
grep -q "generate: -o wide is not one of its outputs" "$T.err" || fail "generate wide: $(cat "$T.err")"
run 2 "generate replication-sql -o json" px generate replication-sql --channel c --source-host h -o json
grep -q "replication-sql prints SQL, which has no -o outputs" "$T.err" || fail "replication-sql -o: $(cat "$T.err")"
run 2 "generate replication-sql -o nix" px generate replication-sql --channel c --source-host h -o nix

# ---- version ----
run 0 "version -o json" px version -o json
jq -e '(.version | length > 0) and (.commit | length > 0) and (.libraries | has("libuv") and has("libcurl") and has("jansson") and has("libyaml") and has("ncurses") and has("mariadb-connector-c"))' \
    "$T.out" >/dev/null || fail "version json: $(cat "$T.out")"
cp "$T.out" "$KT_DIR/version.json"
run 0 "version -o yaml" px version -o yaml
yaml_is_json "$KT_DIR/version.json" || fail "version yaml is not its json"
run 2 "version -o wide" px version -o wide

# ---- the write verbs ----
label() { ksim_curl "$1" GET /api/v1/namespaces/"$2" | jq -r '.metadata.labels["istio-injection"] // "none"'; }
run 2 "inject: two clusters" "${P[@]}" inject enable legacy --yes
grep -q "acts on one cluster and the selection has 2 (cluster-a, cluster-b): say which with --cluster NAME" "$T.err" ||
    fail "inject two clusters: $(cat "$T.err")"
run 1 "inject without a terminal" setsid -w env HOME="$KT_DIR" XDG_CONFIG_HOME="$KT_DIR/xdg" \
    "$PXCMESH" --kubeconfig "$KT_DIR/kubeconfig" --config "$CFG" inject enable legacy --cluster cluster-a
grep -q "no terminal to ask on: pass --yes" "$T.err" || fail "inject no tty: $(cat "$T.err")"
grep -qE "^\+ +istio-injection: enabled$" "$T.out" || fail "inject preview: $(cat "$T.out")"
[[ $(label a legacy) == none ]] || fail "inject ran without a yes"
run 0 "inject --dry-run" "${P[@]}" inject enable legacy --cluster cluster-a --dry-run
grep -q "not run (--dry-run)" "$T.out" || fail "inject dry: $(cat "$T.out")"
run 1 "inject --readonly" "${P[@]}" --readonly inject enable legacy --cluster cluster-a --yes
grep -q "read-only" "$T.err" || fail "inject readonly: $(cat "$T.err")"
run 0 "inject enable" "${P[@]}" inject enable legacy --cluster cluster-a --yes
[[ $(label a legacy) == enabled ]] || fail "inject enable: label $(label a legacy)"
[[ $(label b legacy) == none ]] || fail "inject enable touched cluster-b"
run 0 "inject disable" px --context a inject disable legacy --yes
grep -qE "^- +istio-injection: enabled$" "$T.out" && ! grep -q "^+" "$T.out" || fail "inject disable preview: $(cat "$T.out")"
[[ $(label a legacy) == none ]] || fail "inject disable: label $(label a legacy)"

run 0 "restart" "${P[@]}" restart sts/pxc-cluster-pxc --cluster cluster-b --yes
grep -q "rollout restart" "$T.out" || fail "restart preview: $(cat "$T.out")"
ksim_curl b GET /apis/apps/v1/namespaces/pxc/statefulsets/pxc-cluster-pxc |
    jq -e '.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] | length > 0' >/dev/null ||
    fail "restart: no restartedAt annotation"
run 2 "restart: no name" "${P[@]}" restart --cluster cluster-b

se_eps() { ksim_curl a GET /apis/networking.istio.io/v1beta1/namespaces/pxc/serviceentries/pxc-cluster-b | jq -c '[.spec.endpoints[].address]'; }
run 0 "serviceentry create --dry-run" "${P[@]}" serviceentry create --for-cluster cluster-b --cluster cluster-a --dry-run
grep -q "regenerate ServiceEntry pxc/pxc-cluster-b for pxc-cluster.cluster-b.global" "$T.out" &&
    grep -q "$KT_NET.41" "$T.out" || fail "se create preview: $(cat "$T.out")"
[[ $(se_eps) == '["127.0.20.1","127.0.20.2"]' ]] || fail "se dry run changed it: $(se_eps)"
run 0 "serviceentry create" "${P[@]}" serviceentry create --for-cluster cluster-b --yes
[[ $(se_eps) == "[\"$KT_NET.41\",\"$KT_NET.42\"]" ]] || fail "se create: $(se_eps)"
run 0 "serviceentry delete" "${P[@]}" serviceentry delete pxc-cluster-b --cluster cluster-a --yes
grep -q "Removed whole:" "$T.out" && grep -q "^- kind: ServiceEntry" "$T.out" ||
    fail "se delete preview: $(cat "$T.out")"
[[ $(ksim_curl a GET /apis/networking.istio.io/v1beta1/namespaces/pxc/serviceentries/pxc-cluster-b | jq -r .code) == 404 ]] ||
    fail "se delete: still there"
run 1 "serviceentry delete: gone" "${P[@]}" serviceentry delete pxc-cluster-b --cluster cluster-a --yes
grep -q "no ServiceEntry pxc-cluster-b in cluster cluster-a" "$T.err" || fail "se delete gone: $(cat "$T.err")"
run 0 "serviceentry create: new" "${P[@]}" serviceentry create --for-cluster cluster-b --cluster cluster-a --yes
ksim_curl a GET /apis/networking.istio.io/v1beta1/namespaces/pxc/serviceentries/pxc-cluster-cluster-b |
    jq -e '.spec.hosts == ["pxc-cluster.cluster-b.global"]' >/dev/null || fail "se create new: not there"

# ---- completion and the manual ----
run 0 "completion bash" px completion bash
cp "$T.out" "$KT_DIR/comp.bash"
complete_words() { # prints COMPREPLY for the words given (the last one being completed)
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _pxcmesh; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$KT_DIR/comp.bash" "$@"
}
export HOME="$KT_DIR" XDG_CONFIG_HOME="$KT_DIR/xdg"
out=$(complete_words "$PXCMESH" st)
[[ $out == status ]] || fail "completion of 'st': $out"
out=$(complete_words "$PXCMESH" se)
[[ $out == $'serviceentry\nserve' ]] || fail "completion of 'se': $out"
out=$(complete_words "$PXCMESH" help ch)
[[ $out == channel ]] || fail "completion of 'help ch': $out"
out=$(complete_words "$PXCMESH" --config "$CFG" status --cluster "")
[[ $out == $'cluster-a\ncluster-b' ]] || fail "completion of --cluster: $out"
out=$(complete_words "$PXCMESH" --config "$CFG" get pods --cluster cluster-)
[[ $out == $'cluster-a\ncluster-b' ]] || fail "completion of --cluster cluster-: $out"
out=$(complete_words "$PXCMESH" --kubeconfig "$KT_DIR/kubeconfig" status --context "")
[[ $out == $'a\nb' ]] || fail "completion of --context: $out"
out=$(complete_words "$PXCMESH" channel status -o "")
[[ $(tr '\n' ' ' <<<"$out") == "wide json yaml name jsonpath= " ]] || fail "completion of -o: $out"
out=$(complete_words "$PXCMESH" channel "")
grep -qx start <<<"$out" && grep -qx -- --yes <<<"$out" || fail "completion after channel: $out"
run 0 "completion zsh" px completion zsh
head -1 "$T.out" | grep -qx '#compdef pxcmesh' || fail "zsh completion header"
run 0 "completion fish" px completion fish
grep -q "complete -c pxcmesh -l cluster -x -a '(pxcmesh __complete clusters 2>/dev/null)'" "$T.out" ||
    fail "fish completion: no --cluster"
run 2 "completion tcsh" px completion tcsh

MAN=$PXC_BUILD_DIR/pxcmesh.1
[[ -f $MAN ]] || fail "no $MAN (the build makes it)"
page=$(MANWIDTH=80 man -l "$MAN" 2>/dev/null) || fail "man -l $MAN failed"
grep -q '^PXCMESH(1)' <<<"$page" || fail "man: no title"
grep -qE '^ +pxcmesh inject enable\|disable NAMESPACE' <<<"$page" || fail "man: no inject"
grep -qE '^ +--cluster NAME$' <<<"$page" || fail "man: no --cluster"
grep -qE '^ +q +Quit pxcmesh' <<<"$page" || fail "man: no key table"
warn=$(MANWIDTH=80 man --warnings -l "$MAN" 2>&1 >/dev/null) || true
[[ -z $warn ]] || fail "man warnings: $warn"
diff <("$PXCMESH" __man) "$MAN" >/dev/null || fail "the built page differs from pxcmesh __man"

pass "test_cli_output"
