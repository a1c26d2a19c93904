#!/usr/bin/env bash
# prof_sync.sh PXCMESH KUBESIM OUTDIR [RUNS]: where the synced frame's time goes
# (docs/performance.md). The console runs under `perf record --call-graph dwarf` in tmux at
# 200x50 against two kubesims of 10,000 injected pods each (Kubernetes only, no MySQL) and
# is quit as soon as its trace says synced_frame; RUNS times (default 3). Prints each run's
# first and synced frame (slower than without perf) and kubesim's CPU over the same window,
# then the console's CPU by stage over the runs (scripts/prof_stages.py). Comparing two
# builds: the same KUBESIM for both, so that the server side is the same.
set -uo pipefail
PX=${1:?usage: prof_sync.sh PXCMESH KUBESIM OUTDIR [RUNS]}
KS=${2:?usage: prof_sync.sh PXCMESH KUBESIM OUTDIR [RUNS]}
OUT=${3:?usage: prof_sync.sh PXCMESH KUBESIM OUTDIR [RUNS]}
RUNS=${4:-3}
SRC=$(cd "$(dirname "$0")/.." && pwd)
for t in perf tmux python3; do command -v $t >/dev/null || { echo "prof_sync: $t is needed" >&2; exit 1; }; done
mkdir -p "$OUT"
W=$(mktemp -d "${TMPDIR:-/tmp}/pxprof.XXXXXX")
. "$SRC/tests/bench/lib.sh"
KSIM_BIN=$KS
T=(tmux -L "pxprof$$" -f /dev/null)
trap '"${T[@]}" kill-server 2>/dev/null; ksim_down A; ksim_down B; rm -rf "$W"' EXIT
NET="127.0.$((100 + ($$ + 70) % 100))"
bench_seed "$W/seed-a" a
bench_seed "$W/seed-b" b
ksim_up A "$NET.1" 0 "$W" --seed "$W/seed-a" --gen-pods 10000 --gen-injected || exit 1
ksim_up B "$NET.2" 0 "$W" --seed "$W/seed-b" --gen-pods 10000 --gen-injected || exit 1
cat >"$W/px.yaml" <<Y
kubeconfig: $W/kubeconfig
refreshSeconds: 2
clusters:
  - name: A
    context: A
    pxcCluster: pxc-cluster
  - name: B
    context: B
    pxcCluster: pxc-cluster
Y
ks_ticks() {
    echo $(($(awk '{print $14 + $15}' "/proc/${KSIM_PID[A]}/stat") + $(awk '{print $14 + $15}' "/proc/${KSIM_PID[B]}/stat")))
}
data=()
for r in $(seq "$RUNS"); do
    tr=$OUT/trace-$r
    rm -f "$tr"
    k0=$(ks_ticks)
    "${T[@]}" new-session -d -s p -x 200 -y 50 "env TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1 HOME=$W PXCMESH_TRACE=$tr perf record -F 499 --call-graph dwarf,16384 -o $OUT/perf-$r.data -- $PX --config $W/px.yaml 2>$OUT/perf-$r.err"
    wait_until 60 grep -q synced_frame "$tr" || echo "run $r: no synced frame in 60 s" >&2
    k1=$(ks_ticks)
    "${T[@]}" send-keys -t p q
    wait_until 20 bash -c "! ${T[*]} has-session -t p 2>/dev/null"
    echo "run $r: $(grep -E '^(first_frame|synced_frame)' "$tr" | tr '\n' ' ')kubesim_cpu_ms $(((k1 - k0) * 1000 / $(getconf CLK_TCK)))"
    "${T[@]}" kill-server 2>/dev/null
    data+=("$OUT/perf-$r.data")
done
python3 "$SRC/scripts/prof_stages.py" "${data[@]}"
