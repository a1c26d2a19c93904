#!/usr/bin/env bash
# pxcmesh's in-mesh probes through exec against kubesim: `probe dns|tcp|mysql|envoy
# --from-cluster` runs inside pod pxc-cluster-pxc-0 (its resolv.conf, the real mariadb client
# reaching a real mariadbd by the .global name, Envoy's clusters from its istio-proxy) and
# creates no pod; the result says `via: exec pod/...`. The MySQL password travels on stdin:
# it is in no output and in nothing kubesim logged. A user without `create` on pods/exec falls
# back to a probe pod and says why, naming the verb, in the CLI and in the console's Probes
# view; read-only mode with exec refused says that no probe pod may run.
set -euo pipefail
# shellcheck source=kubesim_stream_common.sh
source "$(dirname "$0")/kubesim_stream_common.sh"
: "${PXCMESH:?run through ctest}"
P=pxc-cluster-pxc-0
H=pxc-cluster.cluster-b.global
X=("$PXCMESH" --kubeconfig "$TMP/kc" --context lab)
VIA="via: exec pod/pxc/$P container pxc"

# CODE PATTERN... -- ARGS: run pxcmesh, want exit CODE and every pattern (fixed strings)
check() {
    local want=$1 pats=()
    shift
    while [[ $1 != -- ]]; do pats+=("$1"); shift; done
    shift
    set +e
    out=$("$@" 2>&1)
    local rc=$?
    set -e
    ((rc == want)) || fail "$*: exit $rc, want $want: $out"
    local p
    for p in "${pats[@]}"; do grep -qF -- "$p" <<<"$out" || fail "$*: no '$p' in: $out"; done
}
pods() { kubectl --request-timeout=20s get pods -A -o name | sort; }
before=$(pods)

# Asked first, saying what runs where; without a terminal and --yes nothing runs (exit 1).
check 1 "Cluster lab, namespace pxc: through exec (nothing is created), in pod $P, container pxc, run:" \
    "  mysql to $H: log in and SELECT VERSION() (the password on stdin)" \
    "Where exec cannot run: one short-lived probe pod instead" "no terminal to ask on: pass --yes" -- \
    env PROBE_PW=x setsid -w "${X[@]}" probe mysql $H --from-cluster lab --pod $P --user root --password-env PROBE_PW
check 1 "in the first Running pod with a pxc container, container istio-proxy, run:" \
    "  curl -s localhost:15000/clusters, for $H:3306" \
    "Where exec cannot run: nothing else (read-only mode creates no probe pod)." -- \
    setsid -w "${X[@]}" --readonly probe envoy $H:3306 --from-cluster lab

check 0 "resolves in the pod to $DBIP" "lab: $VIA" "lab/pxc (pod $P)" -- \
    "${X[@]}" probe dns $H --from-cluster lab --yes -o wide
check 1 "does not resolve in the pod" "$VIA" -- \
    "${X[@]}" probe dns pxc-cluster.cluster-x.global --from-cluster lab --yes
check 0 "open from inside the pod" "$VIA" -- "${X[@]}" probe tcp $H:3306 --from-cluster lab --yes
check 1 "connection refused from inside the pod" -- "${X[@]}" probe tcp $H:3307 --from-cluster lab --yes
pass "dns (getent in the pod's own resolv.conf) and tcp from the pxc container, through exec"

check 0 "the server answered the handshake from inside the pod" "$VIA" -- \
    "${X[@]}" probe mysql $H --from-cluster lab --yes
export PROBE_PW=$DBPW
check 0 "MariaDB logged in from inside the pod (" "$VIA" -- \
    "${X[@]}" probe mysql $H:3306 --from-cluster lab --yes --user root --password-env PROBE_PW
grep -qF -- "$DBPW" <<<"$out" && fail "the password is in the output: $out"
export PROBE_PW=wrong-$$
check 1 "login refused: Access denied for user 'root'@" -- \
    "${X[@]}" probe mysql $H --from-cluster lab --yes --user root --password-env PROBE_PW
check 1 '"status": "fail"' '"mysqlErrno": 1045' "\"via\": \"exec pod/pxc/$P container pxc\"" -- \
    "${X[@]}" probe mysql $H --from-cluster lab --yes --user root --password-env PROBE_PW --json --pod $P \
    --timeout 8000 --namespace pxc
export PROBE_PW=$DBPW
check 0 '"status": "ok"' '"flavour": "MariaDB"' '"version": "' -- \
    "${X[@]}" probe mysql $H --from-cluster lab --yes --user root --password-env PROBE_PW --json
! grep -rqF -- "$DBPW" "$TMP"/ksim.out || fail "kubesim logged the password"
pass "mysql: the handshake alone, a login with --user (password on stdin), access denied"

check 0 "Envoy knows outbound|3306||$H (1 endpoint)" "via: exec pod/pxc/$P container istio-proxy" -- \
    "${X[@]}" probe envoy $H:3306 --from-cluster lab --yes
check 1 "Envoy has no cluster outbound|3306||pxc-cluster.cluster-c.global" -- \
    "${X[@]}" probe envoy pxc-cluster.cluster-c.global:3306 --from-cluster lab --yes
pass "envoy: curl localhost:15000/clusters in the istio-proxy container"

[[ $(pods) == "$before" ]] || fail "exec probes created pods: $(diff <(echo "$before") <(pods))"
pass "no pod was created"

# A user who may not exec: a probe pod instead, saying why; it is deleted afterwards.
token_kc() {
    local f=$TMP/kc-$1
    cp "$TMP/kc" "$f"
    kubectl --kubeconfig "$f" config set-credentials "$1" --token "$2" >/dev/null
    kubectl --kubeconfig "$f" config set-context lab --user "$1" >/dev/null
    echo "$f"
}
NX=("$PXCMESH" --kubeconfig "$(token_kc noexec "$NOEXEC_TOKEN")" --context lab)
WHY="forbidden: cannot create pods/exec in namespace pxc (the RBAC verb 'create' on 'pods/exec' is needed)"
check 0 "resolves in the mesh to $DBIP" "via: probe pod (exec not possible: $WHY)" -- \
    "${NX[@]}" probe dns $H --from-cluster lab --yes
wait_for 10 bash -c "[[ \"\$(kubectl --request-timeout=20s get pods -A -o name | sort)\" == \"$before\" ]]" ||
    fail "the fallback probe pod was not deleted: $(pods)"
check 0 "\"via\": \"probe pod (exec not possible: $WHY)\"" -- \
    "${NX[@]}" probe tcp $H:3306 --from-cluster lab --yes --json
check 1 "cannot probe through exec: $WHY" \
    "lab: via: none (exec not possible: $WHY; no probe pod: read-only mode (--readonly) forbids creating a probe pod)" -- \
    "${NX[@]}" --readonly probe dns $H --from-cluster lab --yes
pass "no create on pods/exec: a probe pod, the RBAC verb named; in read-only mode, neither"

# The console, as the same user: P on the ServiceEntry asks, naming exec; each probe's
# detail in the Probes view names the refused verb and the probe pod that ran instead.
T=(tmux -L "pxpe$$" -f /dev/null)
trap '"${T[@]}" kill-server 2>/dev/null || true; cleanup' EXIT
cat >"$TMP/console.sh" <<RUN
export TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1 HOME=$TMP
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$TMP/san.asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$TMP/san.ubsan"
export LSAN_OPTIONS="suppressions=$PXC_SOURCE_DIR/tests/lsan.supp"
$(printf '%q ' "${NX[@]}")
echo "EXITED:\$?"
exec sleep 600
RUN
"${T[@]}" new-session -d -s c -x 200 -y 50 "sh $TMP/console.sh" || fail "cannot start tmux"
scr() (
    s=$("${T[@]}" capture-pane -p -t c 2>/dev/null) || exit 1
    trap '' PIPE
    printf '%s\n' "$s" 2>/dev/null || true
)
on_screen() { scr | grep -qF -- "$1"; }
want() { wait_for "$1" on_screen "$2" || fail "console: no '$2' on: $(scr)"; }
want 20 "lab"
"${T[@]}" send-keys -t c 5
want 10 "pxc-cluster.cluster-b.global"
"${T[@]}" send-keys -t c P
want 10 "─ Run probes in the mesh "
want 2 "Cluster lab, namespace pxc: run in a Running pxc pod through exec"
"${T[@]}" send-keys -t c y
"${T[@]}" send-keys -t c 7
want 10 "─ Probes (newest first) "
want 60 "via: probe pod (exec not possible: $WHY)"
"${T[@]}" send-keys -t c q
want 10 "EXITED:0"
if ls "$TMP"/san.* >/dev/null 2>&1; then fail "sanitizer reports from the console: $(cat "$TMP"/san.*)"; fi
pass "the console: exec refused, the RBAC verb named in the probe's detail"

check 2 "--pod, --namespace and --image are for a probe in a cluster" -- \
    "$PXCMESH" --kubeconfig "$TMP/kc" probe dns $H --pod $P
echo ok
