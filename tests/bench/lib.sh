# tests/bench/lib.sh: helpers for scripts/bench.sh, scripts/soak.sh and the fault tests
# (sourced, not run). Process figures come from /proc, never from the program under test:
#   proc_hwm_kb PID / proc_rss_kb PID    VmHWM (peak) / VmRSS (now) in kB
#   proc_cpu_ticks PID                   utime + stime in clock ticks (getconf CLK_TCK)
#   proc_fds PID                         open file descriptors
#   now_ms                               wall-clock ms (bash's EPOCHREALTIME, no fork)
#   wait_until SECS CMD...               poll CMD every 50 ms, 1 on timeout
#   cpu_settle PID [QUIET_MS] [SECS]     wait until PID has used no CPU for QUIET_MS
#   ksim_up NAME IP PORT DIR ARGS...     start kubesim NAME on IP:PORT (0: any), plain HTTP,
#                                        its context written into DIR/kubeconfig
#   ksim_down NAME                       stop it (SIGTERM, then wait)
#   ksim_req NAME METHOD PATH [curl args] one request to it
#   bench_seed DIR CLUSTER               the small seed every benchmark cluster carries
#   stats_median / stats_p99 / stats_max read numbers on stdin
# Every loop is bounded by a count or a deadline; traffic goes to 127.0.0.0/8 only.

CLK_TCK=$(getconf CLK_TCK)

proc_status_kb() { awk -v k="$2:" '$1 == k { print $2; found = 1 } END { if (!found) print -1 }' "/proc/$1/status" 2>/dev/null || echo -1; }
proc_hwm_kb() { proc_status_kb "$1" VmHWM; }
proc_rss_kb() { proc_status_kb "$1" VmRSS; }
# Fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends the command name
# (a name may contain spaces).
proc_cpu_ticks() {
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo -1; return; }
    s=${s##*) }
    set -- $s
    echo $(( ${12} + ${13} ))
}
proc_fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
proc_alive() { [[ -d /proc/$1 ]] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

now_ms() { local t=${EPOCHREALTIME/./}; echo $(( t / 1000 )); }

wait_until() {
    local secs=$1; shift
    local end=$(( $(now_ms) + secs * 1000 ))
    until "$@" >/dev/null 2>&1; do
        (( $(now_ms) < end )) || return 1
        sleep 0.05
    done
}

# cpu_settle PID [QUIET_MS=1500] [SECS=180]: PID's CPU counter has not moved for QUIET_MS.
cpu_settle() {
    local pid=$1 quiet=${2:-1500} secs=${3:-180}
    local end=$(( $(now_ms) + secs * 1000 )) last=-2 since cur
    since=$(now_ms)
    while (( $(now_ms) < end )); do
        proc_alive "$pid" || return 1
        cur=$(proc_cpu_ticks "$pid")
        if [[ $cur != "$last" ]]; then
            last=$cur
            since=$(now_ms)
        elif (( $(now_ms) - since >= quiet )); then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# --------------------------------------------------------------------------- kubesim

declare -A KSIM_PID KSIM_URL KSIM_ARGS
KSIM_BIN=${KSIM_BIN:-}

ksim_up() {
    local name=$1 ip=$2 port=$3 dir=$4; shift 4
    local out="$dir/ksim-$name.out"
    : >"$out"
    KSIM_ARGS[$name]="$*"
    "$KSIM_BIN" --listen "$ip:$port" --insecure-http --context "$name" \
        --write-kubeconfig "$dir/kubeconfig" --state-dir "$dir/state-$name" "$@" >"$out" 2>&1 &
    KSIM_PID[$name]=$!
    if ! wait_until 120 grep -q 'listening on' "$out"; then
        cat "$out" >&2
        echo "kubesim $name did not start on $ip:$port" >&2
        return 1
    fi
    KSIM_URL[$name]=$(grep -o 'listening on [^ ]*' "$out" | head -1 | awk '{print $3}')
}

ksim_down() {
    local pid=${KSIM_PID[$1]:-}
    [[ -n $pid ]] || return 0
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    KSIM_PID[$1]=
}

ksim_req() {
    local name=$1 method=$2 path=$3; shift 3
    curl -sS --max-time 10 -X "$method" "$@" "${KSIM_URL[$name]}$path"
}

ksim_fault() {
    ksim_req "$1" POST /_ksim/fault -H 'Content-Type: application/json' -d "$2" >/dev/null
}

# The small seed each benchmark cluster carries next to the generated pods: a labelled
# namespace with a PXC cluster, its pod and one ServiceEntry, so that every pane of the
# overview has rows.
bench_seed() {
    local dir=$1 cluster=$2
    mkdir -p "$dir"
    cat >"$dir/objects.yaml" <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: pxc
  labels: {istio-injection: enabled}
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
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata:
  name: pxc-peer-of-$cluster
  namespace: pxc
spec:
  hosts: [pxc-cluster.peer-of-$cluster.global]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 3306, name: mysql, protocol: TCP}]
  endpoints: [{address: 127.0.20.1}]
YAML
}

# A ServiceEntry document named NAME (for create/delete latency samples).
se_doc() {
    printf '{"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry","metadata":{"name":"%s","namespace":"pxc"},"spec":{"hosts":["%s.bench.global"],"ports":[{"number":3306,"name":"mysql","protocol":"TCP"}],"resolution":"STATIC","location":"MESH_INTERNAL","endpoints":[{"address":"127.0.30.1"}]}}' "$1" "$1"
}
SE_PATH=/apis/networking.istio.io/v1/namespaces/pxc/serviceentries

# --------------------------------------------------------------------------- statistics

stats_median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else print a[int((NR + 1) / 2)] }'; }
# The nearest-rank p99: with fewer than 100 samples it is the maximum.
stats_p99() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) { print "nan"; exit } r = int(NR * 0.99 + 0.999999); if (r > NR) r = NR; print a[r] }'; }
stats_max() { sort -n | tail -1; }
