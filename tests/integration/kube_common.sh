# kube_common.sh: helpers for the tests/integration/test_kube_*.sh scripts (sourced, not a
# test itself). Each test runs its own kubesim(s) on a private loopback address, so tests
# can run in parallel and never collide with a lab; everything started is killed by pid in
# the EXIT trap. Waits are bounded polls, never bare sleeps.
set -euo pipefail

: "${PXCMESH:?PXCMESH (the pxcmesh binary) must be set by ctest}"
: "${PXC_BUILD_DIR:?PXC_BUILD_DIR must be set by ctest}"
KUBESIM="$PXC_BUILD_DIR/lab/kubesim"
[[ -x "$KUBESIM" ]] || { echo "FAIL: kubesim not built at $KUBESIM" >&2; exit 1; }
command -v jq >/dev/null || { echo "FAIL: jq is needed (apt-get install -y jq)" >&2; exit 1; }

KT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pxkube.XXXXXX")
KT_PIDS=()
# A loopback /24 of our own: 127.<90..189>.<pid-based>.x
KT_NET="127.$((90 + $$ % 100)).$(( ($$ / 100) % 250 + 1 ))"
export PXC_LOG_DIR="$KT_DIR"

# On a failure (fail, or a command that set -e stops on), show what each kubesim said:
# a server that died says why there, and the directory is removed at exit.
kt_dump() {
    local f
    # The clients' debug logs (a test's --log FILE in KT_DIR): what they did last.
    for f in "$KT_DIR"/*.log; do
        [[ -f $f ]] || continue
        echo "--- $(basename "$f") (last lines)" >&2
        tail -n 30 "$f" | cut -c1-240 >&2
    done
    for f in "$KT_DIR"/ksim-*.out; do
        [[ -f $f ]] || continue
        echo "--- $(basename "$f") (last lines)" >&2
        tail -n 15 "$f" >&2
    done
    for f in "${!KSIM_PID_@}"; do
        kill -0 "${!f}" 2>/dev/null || echo "--- ${f#KSIM_PID_}: kubesim pid ${!f} is not running" >&2
    done
}
trap kt_dump ERR

kt_cleanup() {
    local p
    for p in "${KT_PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${KT_PIDS[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    if [[ "${KT_KEEP:-}" == 1 ]]; then echo "kept $KT_DIR" >&2; else rm -rf "$KT_DIR"; fi
}
trap kt_cleanup EXIT

fail() { echo "FAIL: $*" >&2; kt_dump; exit 1; }
pass() { echo "ok: $*"; }

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds; 1 on timeout.
wait_for() {
    local limit=$1; shift
    local end=$(( $(date +%s%N) / 1000000 + limit * 1000 ))
    until "$@" >/dev/null 2>&1; do
        (( $(date +%s%N) / 1000000 < end )) || return 1
        sleep 0.05
    done
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# ksim_start NAME HOSTNUM SEEDDIR [kubesim args...]: start kubesim as context NAME on
# $KT_NET.HOSTNUM (port chosen by kubesim unless KSIM_PORT_<NAME> is set), writing its
# context into $KT_DIR/kubeconfig. Sets KSIM_URL_<NAME>, KSIM_PID_<NAME>.
ksim_start() {
    local name=$1 host=$2 seed=$3; shift 3
    local portvar="KSIM_PORT_$name" port=0
    [[ -n "${!portvar:-}" ]] && port=${!portvar}
    local out="$KT_DIR/ksim-$name.out"
    : >"$out"
    "$KUBESIM" --listen "$KT_NET.$host:$port" --seed "$seed" --context "$name" \
        --write-kubeconfig "$KT_DIR/kubeconfig" --state-dir "$KT_DIR/state-$name" \
        "$@" >"$out" 2>&1 &
    local pid=$!
    KT_PIDS+=("$pid")
    printf -v "KSIM_PID_$name" '%s' "$pid"
    wait_for 20 grep -q 'listening on' "$out" || { cat "$out" >&2; fail "kubesim $name did not start"; }
    local url
    url=$(grep -o 'listening on [^ ]*' "$out" | head -1 | awk '{print $3}')
    printf -v "KSIM_URL_$name" '%s' "$url"
    printf -v "KSIM_PORT_$name" '%s' "${url##*:}"
}

ksim_stop() {
    local pidvar="KSIM_PID_$1"
    kill "${!pidvar}" 2>/dev/null || true
    wait "${!pidvar}" 2>/dev/null || true
}

# ksim_curl NAME METHOD PATH [curl args...]: a raw request to kubesim NAME (plain HTTP).
ksim_curl() {
    local urlvar="KSIM_URL_$1" method=$2 path=$3; shift 3
    curl -sS --max-time 10 -X "$method" "$@" "${!urlvar}$path"
}

ksim_fault() { ksim_curl "$1" POST /_ksim/fault -H 'Content-Type: application/json' -d "$2" >/dev/null; }

# The seed both clusters share the shape of (the lab's, in small). Pod IPs are loopback
# addresses where nothing listens: the MySQL pollers that live.c starts for PXC pods must
# not send traffic off this machine.
kt_seed() {
    local dir=$1 cluster=$2 labelled=$3
    mkdir -p "$dir"
    cat >"$dir/objects.yaml" <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: pxc
  labels: {istio-injection: "$labelled"}
---
apiVersion: v1
kind: Namespace
metadata:
  name: legacy
---
apiVersion: v1
kind: Namespace
metadata:
  name: istio-system
---
apiVersion: v1
kind: Pod
metadata:
  name: istiod-7d4f
  namespace: istio-system
  labels: {app: istiod, istio.io/rev: default, sidecar.istio.io/inject: "false"}
spec:
  containers:
  - name: discovery
    image: docker.io/istio/pilot:1.22.3
status:
  phase: Running
  podIP: $KT_NET.251
---
apiVersion: v1
kind: Pod
metadata:
  name: pxc-cluster-pxc-0
  namespace: pxc
  labels: {app.kubernetes.io/component: pxc, app.kubernetes.io/instance: pxc-cluster}
spec:
  containers:
  - name: pxc
    image: percona/percona-xtradb-cluster:8.0.36
status:
  phase: Running
  podIP: $KT_NET.250
---
apiVersion: v1
kind: Pod
metadata:
  name: old-app
  namespace: legacy
spec:
  containers:
  - name: app
    image: busybox
status:
  phase: Running
  podIP: $KT_NET.252
---
apiVersion: pxc.percona.com/v1
kind: PerconaXtraDBCluster
metadata:
  name: pxc-cluster
  namespace: pxc
spec:
  secretsName: pxc-secrets
  pxc:
    size: 3
---
apiVersion: v1
kind: Secret
metadata:
  name: pxc-secrets
  namespace: pxc
data:
  monitor: $(printf 'monitor-pass-%s' "$cluster" | base64)
YAML
    if [[ "$cluster" == a ]]; then
        cat >>"$dir/objects.yaml" <<'YAML'
---
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata:
  name: pxc-cluster-b
  namespace: pxc
spec:
  hosts: [pxc-cluster.cluster-b.global]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 3306, name: mysql, protocol: TCP}]
  endpoints: [{address: 127.0.20.1}, {address: 127.0.20.2}]
YAML
    fi
}

# Run pxcmesh with the test kubeconfig; never read the user's own config.
px() { HOME="$KT_DIR" XDG_CONFIG_HOME="$KT_DIR/xdg" "$PXCMESH" --kubeconfig "$KT_DIR/kubeconfig" "$@"; }
