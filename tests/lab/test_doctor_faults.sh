#!/usr/bin/env bash
# The probes issue's "done when": on each lab fault `pxcmesh doctor` names the cause with
# the right code, and the fix it prints, run verbatim in a shell, clears it. Runs against the
# shared check lab and leaves it as it found it (each fault is undone, also on failure).
set -euo pipefail
: "${PXCMESH:?}" "${PXC_LAB_DIR:?}"
DIR=$PXC_LAB_DIR
CFG=$DIR/pxcmesh.yaml
export KUBECONFIG=$DIR/kubeconfig
# The printed commands say `pxcmesh`: this build's.
PATH=$(dirname "$PXCMESH"):$PATH
T=$(mktemp -d)
restore() {
    "$PXCMESH" lab fault label-namespace --dir "$DIR" >/dev/null 2>&1 || true
    "$PXCMESH" lab fault apply-serviceentry --dir "$DIR" >/dev/null 2>&1 || true
    for n in 1 2 3; do "$PXCMESH" lab fault start-node cluster-b "$n" --dir "$DIR" >/dev/null 2>&1 || true; done
    "$PXCMESH" lab fault restart-pods cluster-a --dir "$DIR" >/dev/null 2>&1 || true
    "$PXCMESH" lab fault fix-channel --dir "$DIR" >/dev/null 2>&1 || true
    rm -rf "$T"
}
trap restore EXIT
fail() { echo "FAIL: $*" >&2; [[ -f $T/doc.json ]] && jq -c '.findings[] | [.code, .cluster, .object]' "$T/doc.json" >&2; exit 1; }
ok() { echo "ok - $*"; }

doctor() { "$PXCMESH" doctor --config "$CFG" --json --timeout 20 >"$T/doc.json" 2>"$T/doc.err" || true; }
has() { # code cluster
    doctor
    jq -e --arg c "$1" --arg k "$2" '.findings | any(.code == $c and .cluster == $k)' "$T/doc.json" >/dev/null
}
lacks() { ! has "$@"; }
poll() { # seconds cmd...
    local end=$((SECONDS + $1)); shift
    until "$@"; do ((SECONDS < end)) || return 1; sleep 1; done
}
hint() { jq -r --arg c "$1" '[.findings[] | select(.code == $c)][0].hint' "$T/doc.json"; }
# The printed fix of CODE on CLUSTER, and running it verbatim.
fixcmd() { jq -r --arg c "$1" --arg k "$2" '[.findings[] | select(.code == $c and .cluster == $k)][0].fix.command' "$T/doc.json"; }
run_fix() {
    local cmd
    cmd=$(fixcmd "$1" "$2")
    [[ -n $cmd && $cmd != null ]] || fail "$1 on $2 has no command"
    bash -c "$cmd" </dev/null >"$T/fix.out" 2>&1 || fail "$1 on $2: '$cmd' failed: $(tail -3 "$T/fix.out")"
}
channel_ok() {
    "$PXCMESH" channel status --json --config "$CFG" >"$T/ch.json" 2>/dev/null &&
        jq -e '.channels | any(.name == "cluster_b_source" and .ioRunning == "Yes" and .sqlRunning == "Yes")' "$T/ch.json" >/dev/null
}

poll 60 channel_ok || fail "the channel is not running before the test"
doctor
jq -e '[.findings[] | select(.severity == "error")] | length == 0' "$T/doc.json" >/dev/null ||
    fail "the healthy lab has error findings"
ok "healthy lab: no error finding"

# 1. Namespace unlabelled -> NS_NOT_INJECTED in each cluster, each with its own kubectl
#    line (--context); both, run as printed, clear it.
"$PXCMESH" lab fault unlabel-namespace --dir "$DIR" >/dev/null
poll 20 has NS_NOT_INJECTED cluster-a || fail "unlabel-namespace: no NS_NOT_INJECTED"
[[ $(fixcmd NS_NOT_INJECTED cluster-a) == "kubectl --kubeconfig $DIR/kubeconfig --context cluster-a label namespace pxc istio-injection=enabled --overwrite" ]] ||
    fail "fix: $(fixcmd NS_NOT_INJECTED cluster-a)"
[[ $(fixcmd NS_NOT_INJECTED cluster-b) == *"--context cluster-b label namespace pxc"* ]] ||
    fail "fix: $(fixcmd NS_NOT_INJECTED cluster-b)"
ok "unlabelled namespace: NS_NOT_INJECTED, one kubectl line per cluster"
run_fix NS_NOT_INJECTED cluster-a
run_fix NS_NOT_INJECTED cluster-b
poll 20 lacks NS_NOT_INJECTED cluster-a || fail "label did not clear NS_NOT_INJECTED"
ok "the printed labels clear it"

# 2. Sidecar removed -> POD_NO_SIDECAR; the hint's rollout restart clears it.
"$PXCMESH" lab fault remove-sidecar --dir "$DIR" >/dev/null
poll 20 has POD_NO_SIDECAR cluster-a || fail "remove-sidecar: no POD_NO_SIDECAR"
cmd=$(fixcmd POD_NO_SIDECAR cluster-a)
[[ $cmd == "kubectl --kubeconfig $DIR/kubeconfig --context cluster-a rollout restart statefulset pxc-cluster-pxc -n pxc" ]] || fail "fix: $cmd"
ok "sidecar removed: POD_NO_SIDECAR with '$cmd'"
run_fix POD_NO_SIDECAR cluster-a
kubectl --context cluster-a label pod pxc-cluster-pxc-0 -n pxc percona.com/replicationPod=true --overwrite >/dev/null 2>&1 || true
poll 30 lacks POD_NO_SIDECAR cluster-a || fail "restart did not clear POD_NO_SIDECAR"
ok "the restart clears it"
poll 60 channel_ok || fail "the channel did not recover after the restart"

# 3. ServiceEntry deleted -> SE_MISSING (with the channel's 2005 under it); the hint's
#    generate | apply clears it.
"$PXCMESH" lab fault delete-serviceentry --dir "$DIR" >/dev/null
poll 30 has SE_MISSING cluster-a || fail "delete-serviceentry: no SE_MISSING"
ok "ServiceEntry deleted: SE_MISSING"
poll 30 has CH_IO_ERROR cluster-a && {
    jq -e '(.findings | map(.code)) as $codes | .findings[] | select(.code == "CH_IO_ERROR") | .cause != null and $codes[.cause] == "SE_MISSING"' "$T/doc.json" >/dev/null ||
        fail "CH_IO_ERROR does not point at SE_MISSING"
    ok "the channel's IO error (2005) is chained to SE_MISSING"
    # --probe: from the channel's own pod, through exec, no pod created
    "$PXCMESH" doctor --config "$CFG" --probe --timeout 20 >"$T/probe.out" 2>&1 || true
    grep -q "^In-mesh checks, from the pod that runs each failing channel:" "$T/probe.out" &&
        grep -qE '^    dns +pxc-cluster.cluster-b.global +fail +does not resolve in the pod' "$T/probe.out" &&
        grep -q "^          via: exec pod/pxc/.* container pxc" "$T/probe.out" &&
        grep -q "^          via: exec pod/pxc/.* container istio-proxy" "$T/probe.out" &&
        ! grep -q "via: probe pod" "$T/probe.out" || fail "doctor --probe: $(cat "$T/probe.out")"
    "$PXCMESH" doctor --config "$CFG" --probe --json --timeout 20 >"$T/probe.json" 2>/dev/null || true
    jq -e '.inMeshChecks | length >= 3 and all(.via | startswith("exec pod/pxc/")) and any(.kind == "mysql" and .channel == "cluster_b_source")' \
        "$T/probe.json" >/dev/null || fail "doctor --probe --json: $(jq -c .inMeshChecks "$T/probe.json")"
    for c in cluster-a cluster-b; do
        ! kubectl --context $c get pods -A -o name | grep -q pxcmesh-probe || fail "a probe pod in $c"
    done
    ok "doctor --probe checks from the channel's pod through exec, creating no pod"
}
[[ $(fixcmd SE_MISSING cluster-a) == "pxcmesh generate serviceentry --name pxc-cluster --namespace pxc --remote-cluster cluster-b --endpoints-from-cluster cluster-b --config $CFG | pxcmesh apply -f - --config $CFG --cluster cluster-a --yes" ]] ||
    fail "fix: $(fixcmd SE_MISSING cluster-a)"
run_fix SE_MISSING cluster-a
poll 30 lacks SE_MISSING cluster-a || fail "the generated ServiceEntry did not clear SE_MISSING"
ok "the printed generate | apply clears it"
"$PXCMESH" --config "$CFG" generate serviceentry --name pxc-cluster --namespace pxc --remote-cluster cluster-b \
    --endpoints-from-cluster cluster-b >"$T/se.yaml" || fail "generate failed"
poll 60 channel_ok || fail "the channel did not recover with the generated ServiceEntry"
ok "the channel runs through the generated ServiceEntry"

# 4. Wrong endpoint -> SE_ENDPOINT_UNKNOWN; regenerating from the cluster clears it.
P=${PXC_LAB_PREFIX:-127.1}
"$PXCMESH" generate serviceentry --name pxc-cluster --namespace pxc --remote-cluster cluster-b \
    --endpoint "$P.99.9" >"$T/bad.yaml"
"$PXCMESH" --config "$CFG" apply -f "$T/bad.yaml" --cluster cluster-a --yes >/dev/null
poll 20 has SE_ENDPOINT_UNKNOWN cluster-a || fail "wrong endpoint: no SE_ENDPOINT_UNKNOWN"
ok "wrong endpoint: SE_ENDPOINT_UNKNOWN"
"$PXCMESH" --config "$CFG" apply -f "$T/se.yaml" --cluster cluster-a --yes >/dev/null
poll 20 lacks SE_ENDPOINT_UNKNOWN cluster-a || fail "the regenerated entry did not clear it"
ok "the entry from the cluster's nodes clears it"
poll 60 channel_ok || fail "the channel did not recover"

# 5. Duplicate key -> CH_SQL_ERROR 1062; fixing the row and starting clears it.
"$PXCMESH" lab fault break-channel --dir "$DIR" >/dev/null
poll 30 has CH_SQL_ERROR cluster-a || fail "break-channel: no CH_SQL_ERROR"
jq -e '.findings[] | select(.code == "CH_SQL_ERROR") | .message | test("1062")' "$T/doc.json" >/dev/null ||
    fail "CH_SQL_ERROR without 1062"
ok "duplicate key: CH_SQL_ERROR 1062"
"$PXCMESH" lab fault fix-channel --dir "$DIR" >/dev/null
poll 30 lacks CH_SQL_ERROR cluster-a || fail "fix-channel did not clear CH_SQL_ERROR"
ok "repairing the row and starting the channel clears it"

# 6. Source node down -> GALERA_SIZE on cluster-b; starting it clears it.
out=$("$PXCMESH" lab fault stop-source --dir "$DIR")
n=$(sed -n 's/.*stopped cluster-b\/\([123]\).*/\1/p' <<<"$out" | head -1)
[[ -n $n ]] || fail "stop-source said: $out"
poll 40 has GALERA_SIZE cluster-b || fail "source node down: no GALERA_SIZE"
ok "source node down: GALERA_SIZE"
"$PXCMESH" lab fault start-node cluster-b "$n" --dir "$DIR" >/dev/null
poll 120 lacks GALERA_SIZE cluster-b || fail "starting the node did not clear GALERA_SIZE"
ok "starting the node clears it"
poll 60 channel_ok || fail "the channel is not running at the end"

# 7. Wrong source host -> CH_SOURCE_UNKNOWN; `doctor --fix` previews the statements in the
#    dialect (--dry-run changes nothing), then runs them (--yes) and the channel is back.
"$PXCMESH" lab fault wrong-host --dir "$DIR" >/dev/null
poll 30 has CH_SOURCE_UNKNOWN cluster-a || fail "wrong-host: no CH_SOURCE_UNKNOWN"
lacks SE_MISSING cluster-a || fail "SE_MISSING claimed for the unknown cluster-x"
ok "wrong source host: CH_SOURCE_UNKNOWN"
"$PXCMESH" doctor --config "$CFG" --fix CH_SOURCE_UNKNOWN --dry-run >"$T/fix.out" 2>&1 ||
    fail "doctor --fix --dry-run: $(cat "$T/fix.out")"
grep -q "CHANGE MASTER 'cluster_b_source' TO MASTER_HOST='pxc-cluster.cluster-b.global'" "$T/fix.out" &&
    grep -q "not run (--dry-run)" "$T/fix.out" || fail "dry run: $(cat "$T/fix.out")"
has CH_SOURCE_UNKNOWN cluster-a || fail "--dry-run changed something"
ok "doctor --fix --dry-run shows the statements and changes nothing"
"$PXCMESH" doctor --config "$CFG" --fix CH_SOURCE_UNKNOWN --yes >"$T/fix.out" 2>&1 ||
    fail "doctor --fix --yes: $(cat "$T/fix.out")"
grep -q "  done" "$T/fix.out" || fail "doctor --fix: $(cat "$T/fix.out")"
poll 30 lacks CH_SOURCE_UNKNOWN cluster-a || fail "doctor --fix did not clear CH_SOURCE_UNKNOWN"
poll 60 channel_ok || fail "the channel is not running after doctor --fix"
ok "doctor --fix --yes repoints the channel"
echo "all ok"
