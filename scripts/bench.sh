#!/usr/bin/env bash
# bench.sh BUILD_DIR: the pxcmesh benchmarks (`make bench`). For N pods per cluster
# (BENCH_SIZES, default "1000 10000"), two kubesims on 127.0.x.1 and 127.0.x.2 (plain HTTP,
# --gen-pods N --gen-injected plus a small seed) are measured against:
#   pxcmesh status --json (peak RSS, wall time), the console in tmux at 200x50 with
#   PXCMESH_TRACE (tui/trace.h) for first frame, RSS, idle CPU and terminal bytes,
#   change-to-screen latency, CPU per 1,000 watch events, relist after a restart (through
#   `status --follow`), the live doctor's run time (the trace's doctor lines) and doctor_run
#   alone (tests/bench/bench_doctor), `pxcmesh serve` beside the console on the same clusters
#   (its idle CPU in the console's idle window, its RSS, and how long a scrape of /metrics
#   and of /status.json takes), and kubectl get pods -A -w -o json on the same servers
#   as the peer.
# It prints every figure with its target and the kubectl figure beside it, writes
# BUILD_DIR/bench-results.json, and exits 0 even when a target is missed (the output says
# MISSED): benchmarks report, tests judge. Exit 1 only when the benchmark itself could
# not run. Every loop is bounded; all traffic stays on 127.0.0.0/8.
#
# The lab's MySQL: a lab (`pxcmesh lab up`: two real Galera clusters and the channel
# cluster_b_source) runs beside the kubesims, and the live console's config gives clusters A
# and B the lab's MySQL servers, so the idle figures include polling six servers and a live
# channel, and a channel stopped and started measures the terminal bytes of a single-channel
# update. The lab also gives the port-forward figures, each against direct in the same run:
# the relay's added time per MySQL status round and the console's RSS per forwarded server
# (bench_portforward). The lab needs root; BENCH_LAB=0 leaves it out.
#
# Every figure is measured BENCH_RUNS times (default 3: one run of a noisy machine proves
# nothing); bench-results.json gives each figure's median as "value", with "min", "max" and
# "runs", and judges "met" on the median. The machine's load average is sampled every 5 s
# throughout and reported beside the figures, so that a reader can tell a quiet run from a
# busy one.
#
# Knobs: BENCH_RUNS, BENCH_SIZES, BENCH_IDLE_S (idle window at the largest N, default 60; smaller sizes
# use 20), BENCH_SAMPLES (latency samples, default 60), BENCH_EVENTS (watch events per
# cluster, default 1000), BENCH_KUBECTL=0 to skip the peer, BENCH_LAB=0 to skip the lab,
# BENCH_PF_ROUNDS (status rounds per port-forward sample, default 300), BENCH_KEEP=1 to keep
# the work directory, BENCH_CREATED_AGO (how many seconds ago the pods were created, default
# 259200: three days; 0 measures a console watching pods that are seconds old).
set -uo pipefail

BUILD=${1:?usage: scripts/bench.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
PXCMESH=$BUILD/pxcmesh
KSIM_BIN=$BUILD/lab/kubesim
. "$SRC/tests/bench/lib.sh"

RUNS=${BENCH_RUNS:-3}
SIZES=${BENCH_SIZES:-"1000 10000"}
IDLE_S=${BENCH_IDLE_S:-60}
SAMPLES=${BENCH_SAMPLES:-60}
EVENTS=${BENCH_EVENTS:-1000}
KUBECTL=${BENCH_KUBECTL:-1}
LAB=${BENCH_LAB:-1}
LARGEST=$(tr ' ' '\n' <<<"$SIZES" | sort -n | tail -1)
# The clusters are measured in their steady state: pods created days ago (kubesim
# --created-ago), as on a production cluster. Pods seconds old show an AGE that moves every
# second (as kubectl's and k9s' do), and the console redraws them: that is not idle.
AGO=${BENCH_CREATED_AGO:-259200}

die() { echo "bench: $*" >&2; exit 1; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, not '$RUNS'"
[[ -x $PXCMESH ]] || die "no pxcmesh at $PXCMESH; build first (make build)"
[[ -x $KSIM_BIN ]] || die "no kubesim at $KSIM_BIN; build first (make build)"
for t in tmux jq curl; do command -v $t >/dev/null || die "$t is needed (scripts/deps.sh)"; done
if [[ $KUBECTL == 1 ]] && ! command -v kubectl >/dev/null; then
    echo "bench: kubectl not found: the peer figures are skipped" >&2
    KUBECTL=0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pxbench.XXXXXX")
NET="127.0.$((100 + $$ % 100))"
# 127.250-254: outside make check's lab prefixes (127.20-219) and the soak's (127.225-249).
LAB_PREFIX="127.$((250 + $$ % 5))"
TMUX_SOCK=pxbench$$
T=(tmux -L "$TMUX_SOCK" -f /dev/null)
RESULTS=$WORK/results.tsv
: >"$RESULTS"
EXTRA_PIDS=()

cleanup() {
    local p
    "${T[@]}" kill-server 2>/dev/null
    for p in "${EXTRA_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${EXTRA_PIDS[@]}"; do wait "$p" 2>/dev/null; done
    for p in "${!KSIM_PID[@]}"; do ksim_down "$p"; done
    [[ $LAB == 1 ]] && "$PXCMESH" lab down --dir "$WORK/lab" >/dev/null 2>&1
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then echo "bench: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ reporting

# record NAME VALUE UNIT TARGET MET PEER NOTE: one figure of run $RUN (VALUE/PEER "null" when
# unknown, TARGET "" when none, MET true/false/null). TARGET is "< X" (the value), ">= Nx"
# (the peer's value over ours), or both joined by ", ": the summary re-judges the median by it.
record() {
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" "$RUN" >>"$RESULTS"
    local peer=""
    [[ $6 != null ]] && peer="peer $6 $3"
    local verdict=""
    [[ $5 == true ]] && verdict="met"
    [[ $5 == false ]] && verdict="MISSED"
    printf '  %-30s %12s %-4s  %-14s %-26s %-7s %s\n' "$1" "$2" "$3" "${4:+target $4}" "$peer" \
        "$verdict" "$7"
}
# lt A B / ge A B: float comparisons that say "null" when a side is unknown.
cmp() { [[ $1 == null || $2 == null || $1 == nan || $2 == nan ]] && { echo null; return; }
        awk -v a="$1" -v b="$2" -v op="$3" 'BEGIN { r = op == "lt" ? a < b : a >= b; print r ? "true" : "false" }'; }
fmt() { awk -v v="$1" -v d="${2:-1}" 'BEGIN { if (v == "null" || v == "nan") print "null"; else printf "%.*f\n", d, v }'; }
name_for() { if [[ $N == "$LARGEST" ]]; then echo "$1"; else echo "${1}_n$N"; fi; }

# ------------------------------------------------------------------ the console in tmux

TRACE=
# console_start NAME TRACEFILE ARGS...: the console in a tmux window NAME at 200x50.
console_start() {
    local win=$1 trace=$2; shift 2
    local args="" a
    for a in "$@"; do args+=" $(printf '%q' "$a")"; done
    : >"$trace"
    cat >"$WORK/run-$win.sh" <<RUN
export TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1
export HOME=$WORK XDG_CONFIG_HOME=$WORK/xdg PXCMESH_TRACE=$trace
cd $WORK
echo \$\$ >$WORK/pid-$win
exec $(printf '%q' "$PXCMESH")$args
RUN
    rm -f "$WORK/pid-$win"
    if "${T[@]}" has-session -t bench 2>/dev/null; then
        "${T[@]}" new-window -d -t bench -n "$win" "sh $WORK/run-$win.sh" || return 1
    else
        "${T[@]}" new-session -d -s bench -n "$win" -x 200 -y 50 "sh $WORK/run-$win.sh" || return 1
    fi
    wait_until 10 test -s "$WORK/pid-$win" || return 1
    cat "$WORK/pid-$win"
}
console_keys() { "${T[@]}" send-keys -t "bench:$1" "${@:2}"; }
console_screen() { "${T[@]}" capture-pane -p -t "bench:$1" 2>/dev/null; }
console_stop() {
    local win=$1 pid=$2
    console_keys "$win" q
    wait_until 10 bash -c "! kill -0 $pid 2>/dev/null" || kill "$pid" 2>/dev/null
    "${T[@]}" kill-window -t "bench:$win" 2>/dev/null
}
trace_get() { awk -v k="$2" '$1 == k { print $2; exit }' "$1"; }
# The wall-minus-mono offset of a trace (its start line has both clocks).
trace_offset() { awk '$1 == "start" { print $3 - $2; exit }' "$1"; }

# ------------------------------------------------------------------ one size

bench_size() {
    N=$1
    local d=$WORK/r$RUN/n$N
    mkdir -p "$d"
    local idle=$IDLE_S
    [[ $N != "$LARGEST" ]] && idle=$(( IDLE_S < 20 ? IDLE_S : 20 ))
    echo
    echo "== $N pods per cluster, 2 clusters (kubesim on $NET.1 and $NET.2) =="
    bench_seed "$d/seed-a" a
    bench_seed "$d/seed-b" b
    local t0
    t0=$(now_ms)
    ksim_up A "$NET.1" 0 "$d" --seed "$d/seed-a" --gen-pods "$N" --gen-injected --created-ago "$AGO" || die "kubesim A"
    ksim_up B "$NET.2" 0 "$d" --seed "$d/seed-b" --gen-pods "$N" --gen-injected --created-ago "$AGO" || die "kubesim B"
    echo "  (kubesims up in $(( $(now_ms) - t0 )) ms)"
    local KC=$d/kubeconfig
    local PX=("$PXCMESH" --kubeconfig "$KC" --context A --context B)
    # The live console: the same clusters, with the lab's MySQL when it runs.
    local LIVE=("${PX[@]:1}")
    if [[ $LAB == 1 ]]; then
        lab_config "$KC" >"$d/pxcmesh.yaml"
        LIVE=(--config "$d/pxcmesh.yaml")
    fi

    # --- status --json: one list of everything, peak RSS
    local st
    HOME=$WORK /usr/bin/time -o "$d/status.time" -f '%M %e %U %S' "${PX[@]}" status --json \
        >"$d/snap.json" 2>"$d/status.err"
    local st_kb st_wall st_u st_s
    # the last line: GNU time puts "Command exited with non-zero status 1" first when status
    # exits 1 (a MySQL server of the config could not be read)
    read -r st_kb st_wall st_u st_s < <(tail -n 1 "$d/status.time")
    local npods
    npods=$(jq '[.clusters[].pods | length] | add' "$d/snap.json" 2>/dev/null || echo 0)
    [[ $npods -ge $((2 * N)) ]] || { cat "$d/status.err" >&2; die "status --json saw $npods pods, expected $((2 * N))"; }
    local st_mb
    st_mb=$(fmt "$(awk -v k="$st_kb" 'BEGIN{print k/1024}')")
    record "$(name_for status_rss_peak)" "$st_mb" MB "< 40" "$(cmp "$st_mb" 40 lt)" null \
        "pxcmesh status --json, $npods pods, ${st_wall} s wall"

    # --- one cluster read whole, beside kubectl's list of the same pods: status --json of A
    # alone (Kubernetes only, as kubectl), kubectl get pods -A -o json, and its table form
    # (the server renders the Table)
    local t_st t_kj=null t_kt=null
    t0=$(now_ms)
    HOME=$WORK "$PXCMESH" --kubeconfig "$KC" --context A status --json --no-mysql \
        >"$d/status-A.json" 2>>"$d/status.err" || die "status --json --context A failed: $(tail -3 "$d/status.err")"
    t_st=$(( $(now_ms) - t0 ))
    if [[ $KUBECTL == 1 ]]; then
        t0=$(now_ms)
        kubectl --kubeconfig "$KC" --context A get pods -A -o json >/dev/null 2>>"$d/kubectl.err" &&
            t_kj=$(( $(now_ms) - t0 ))
        t0=$(now_ms)
        kubectl --kubeconfig "$KC" --context A get pods -A >/dev/null 2>>"$d/kubectl.err" &&
            t_kt=$(( $(now_ms) - t0 ))
    fi
    record "$(name_for status_json_one_cluster)" "$t_st" ms "" null "$t_kj" \
        "pxcmesh status --json --no-mysql --context A ($((N + 2)) pods); kubectl get pods -A -o json: ${t_kj} ms, its table: ${t_kt} ms"

    # --- replay: time to the first frame (3 runs, median)
    local ff_replay=() i pid
    for i in 1 2 3; do
        pid=$(console_start replay "$d/trace-replay-$i" --replay "$d/snap.json") || die "console (replay)"
        wait_until 60 grep -q '^synced_frame' "$d/trace-replay-$i"
        ff_replay+=("$(trace_get "$d/trace-replay-$i" first_frame)")
        console_stop replay "$pid"
    done
    local ffr
    ffr=$(printf '%s\n' "${ff_replay[@]}" | grep -E '^[0-9]+$' | stats_median)
    record "$(name_for first_frame_replay)" "$ffr" ms "< 100" "$(cmp "$ffr" 100 lt)" null \
        "replay of the $npods-pod snapshot (runs: ${ff_replay[*]})"

    # --- live console
    TRACE=$d/trace-live
    local cpid
    cpid=$(console_start live "$TRACE" "${LIVE[@]}") || die "console (live)"
    if ! wait_until 180 grep -q '^synced_frame' "$TRACE"; then
        console_screen live >&2
        die "the live console did not sync within 180 s"
    fi
    local ff sf
    ff=$(trace_get "$TRACE" first_frame)
    sf=$(trace_get "$TRACE" synced_frame)
    record "$(name_for first_frame)" "$ff" ms "< 150" "$(cmp "$ff" 150 lt)" null \
        "live: first frame showing both clusters answering"
    record "$(name_for synced_frame)" "$sf" ms "< 2000" "$(cmp "$sf" 2000 lt)" null \
        "live: first frame with all $((2 * N)) pods listed (LIST of 2 x $N pods)"
    # --- serve beside it: the same clusters (and MySQL), no screen, no scraper while idle
    local spid surl
    HOME=$WORK "$PXCMESH" "${LIVE[@]}" serve --listen 127.0.0.1:0 >/dev/null 2>"$d/serve.err" &
    spid=$!
    EXTRA_PIDS+=($spid)
    wait_until 10 grep -q 'serving http' "$d/serve.err" || die "serve did not start: $(cat "$d/serve.err")"
    surl=$(sed -n 's/.*serving \(http[^ ]*\).*/\1/p' "$d/serve.err")
    serve_pods() { curl -sf --max-time 30 "$1/metrics" | awk '$1 ~ /^pxcmesh_cluster_pods\{/ { n += $2 } END { print n + 0 }'; }
    serve_listed() { (( $(serve_pods "$surl") >= 2 * N )); }
    wait_until 180 serve_listed || die "serve did not list the $((2 * N)) pods within 180 s"
    cpu_settle "$spid" 1500 60
    cpu_settle "$cpid" 1500 60
    sleep 2
    local hwm_sync
    hwm_sync=$(proc_hwm_kb "$cpid")

    # --- idle: CPU, terminal bytes (trace and pty), RSS
    local off
    off=$(trace_offset "$TRACE")
    : >"$d/pty-idle"
    "${T[@]}" pipe-pane -O -t bench:live "cat >>$d/pty-idle"
    local c0 c1 w0 w1 sc0 sc1
    c0=$(proc_cpu_ticks "$cpid")
    sc0=$(proc_cpu_ticks "$spid")
    w0=$(now_ms)
    sleep "$idle"
    c1=$(proc_cpu_ticks "$cpid")
    sc1=$(proc_cpu_ticks "$spid")
    w1=$(now_ms)
    "${T[@]}" pipe-pane -t bench:live
    local secs cpu_pct tbytes pbytes mchanges
    secs=$(awk -v a="$w0" -v b="$w1" 'BEGIN { print (b - a) / 1000 }')
    cpu_pct=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v s="$secs" 'BEGIN { printf "%.3f", t / hz / s * 100 }')
    tbytes=$(awk -v a=$((w0 - off)) -v b=$((w1 - off)) '$1 == "frame" && $2 >= a && $2 < b && $3 >= 0 { n += $3 } END { print n + 0 }' "$TRACE")
    mchanges=$(awk -v a=$((w0 - off)) -v b=$((w1 - off)) '$1 == "model_change" && $2 >= a && $2 < b { n++ } END { print n + 0 }' "$TRACE")
    pbytes=$(wc -c <"$d/pty-idle")
    local rss_kb hwm_kb
    rss_kb=$(proc_rss_kb "$cpid")
    hwm_kb=$(proc_hwm_kb "$cpid")
    # serve: the same window; then one scrape of each document (the first renders it).
    local s_cpu s_rss s_hwm s_metrics_ms s_status_ms
    s_cpu=$(awk -v t=$((sc1 - sc0)) -v hz="$CLK_TCK" -v s="$secs" 'BEGIN { printf "%.3f", t / hz / s * 100 }')
    s_rss=$(awk -v k="$(proc_rss_kb "$spid")" 'BEGIN { printf "%.1f", k / 1024 }')
    s_metrics_ms=$(curl -sf --max-time 60 -o /dev/null -w '%{time_total}' "$surl/metrics" | awk '{ printf "%.1f", $1 * 1000 }')
    s_status_ms=$(curl -sf --max-time 60 -o /dev/null -w '%{time_total}' "$surl/status.json" | awk '{ printf "%.1f", $1 * 1000 }')
    s_hwm=$(awk -v k="$(proc_hwm_kb "$spid")" 'BEGIN { printf "%.1f", k / 1024 }')
    kill -INT "$spid"
    wait "$spid" 2>/dev/null

    # --- kubectl, the peer: RSS after its list, idle CPU, and later CPU per event
    local k_rss=null k_hwm=null k_idle=null kpids=() kp
    if [[ $KUBECTL == 1 ]]; then
        for ctx in A B; do
            kubectl --kubeconfig "$KC" --context "$ctx" get pods -A -w -o json >/dev/null 2>"$d/kubectl-$ctx.err" &
            kpids+=($!)
            EXTRA_PIDS+=($!)
        done
        local kok=1
        for kp in "${kpids[@]}"; do
            # Its list is done when it has used no CPU for 3 s.
            cpu_settle "$kp" 3000 300 || kok=0
        done
        if [[ $kok == 1 ]]; then
            local kr=0 kh=0 kc0=0 kc1=0
            for kp in "${kpids[@]}"; do
                kr=$((kr + $(proc_rss_kb "$kp")))
                kh=$((kh + $(proc_hwm_kb "$kp")))
                kc0=$((kc0 + $(proc_cpu_ticks "$kp")))
            done
            sleep 10
            for kp in "${kpids[@]}"; do kc1=$((kc1 + $(proc_cpu_ticks "$kp"))); done
            k_rss=$(awk -v k="$kr" 'BEGIN { printf "%.1f", k / 1024 }')
            k_hwm=$(awk -v k="$kh" 'BEGIN { printf "%.1f", k / 1024 }')
            k_idle=$(awk -v t=$((kc1 - kc0)) -v hz="$CLK_TCK" 'BEGIN { printf "%.3f", t / hz / 10 / 2 * 100 }')
        else
            echo "  kubectl did not finish its list in 300 s: no peer figures" >&2
        fi
    fi

    local rss_mb hwm_mb ratio met
    rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')
    hwm_mb=$(awk -v k="$hwm_kb" 'BEGIN { printf "%.1f", k / 1024 }')
    ratio=null
    [[ $k_rss != null ]] && ratio=$(awk -v a="$k_rss" -v b="$rss_mb" 'BEGIN { printf "%.0f", a / b }')
    # The 25x target is set for 2 x 10,000 pods; smaller sizes only print the ratio.
    local rss_target="< 40"
    met=$(cmp "$rss_mb" 40 lt)
    if ((N >= 10000)); then
        rss_target="< 40, >= 25x"
        if [[ $met == true && $ratio != null ]]; then met=$(cmp "$ratio" 25 ge); fi
    fi
    record "$(name_for rss)" "$rss_mb" MB "$rss_target" "$met" "$k_rss" \
        "console steady (after ${idle} s idle); kubectl x2 steady; ratio ${ratio}x"
    met=$(cmp "$hwm_mb" 40 lt)
    record "$(name_for rss_peak)" "$hwm_mb" MB "< 40" "$met" "$k_hwm" \
        "console VmHWM (at sync: $(awk -v k="$hwm_sync" 'BEGIN { printf "%.1f", k / 1024 }') MB); kubectl x2 VmHWM"
    record "$(name_for idle_cpu)" "$cpu_pct" "%" "< 0.2" "$(cmp "$cpu_pct" 0.2 lt)" "$k_idle" \
        "$((c1 - c0)) ticks in ${secs} s of one core; $mchanges model changes meanwhile"
    record "$(name_for serve_idle_cpu)" "$s_cpu" "%" "< 0.3" "$(cmp "$s_cpu" 0.3 lt)" null \
        "pxcmesh serve beside the console, same window, no scraper: $((sc1 - sc0)) ticks in ${secs} s"
    record "$(name_for serve_rss)" "$s_rss" MB "< 40" "$(cmp "$s_rss" 40 lt)" null \
        "serve steady, before its first scrape; VmHWM ${s_hwm} MB after scraping /metrics and /status.json"
    record "$(name_for serve_scrape_metrics)" "${s_metrics_ms:-null}" ms "" null null \
        "GET /metrics once (rendered on the loop when asked)"
    record "$(name_for serve_scrape_status)" "${s_status_ms:-null}" ms "" null null \
        "GET /status.json once, $((2 * N)) pods"
    local tps pps
    tps=$(awk -v b="$tbytes" -v s="$secs" 'BEGIN { printf "%.1f", b / s }')
    pps=$(awk -v b="$pbytes" -v s="$secs" 'BEGIN { printf "%.1f", b / s }')
    record "$(name_for idle_tty_bytes)" "$tps" "B/s" "< 64" "$(cmp "$tps" 64 lt)" null \
        "trace: $tbytes B in ${secs} s; pty (tmux pipe-pane): $pps B/s"

    # --- change-to-screen latency: create/delete a ServiceEntry, alternating clusters
    local lat=() upd=() s name cl op ok
    for ((s = 0; s < SAMPLES; s++)); do
        cl=$([[ $((s % 2)) == 0 ]] && echo A || echo B)
        name="bench-se-${cl,,}-$(( s / 4 ))"
        op=$([[ $(( (s / 2) % 2 )) == 0 ]] && echo create || echo delete)
        local lines prevseq t0m r
        lines=$(wc -l <"$TRACE")
        prevseq=$(awk '$1 == "frame" { s = $4 } END { print s + 0 }' "$TRACE")
        t0=$(now_ms)
        t0m=$((t0 - off))
        if [[ $op == create ]]; then
            ksim_req "$cl" POST "$SE_PATH" -H 'Content-Type: application/json' -d "$(se_doc "$name")" -o /dev/null
        else
            ksim_req "$cl" DELETE "$SE_PATH/$name" -o /dev/null
        fi
        r=$(latency_sample "$lines" "$t0m" "$prevseq" "$op" "$name.bench")
        if [[ -n $r ]]; then
            lat+=("${r% *}")
            upd+=("${r#* }")
        fi
        sleep 0.1
    done
    local p50 p99 ub
    p50=$(printf '%s\n' "${lat[@]}" | stats_median)
    p99=$(printf '%s\n' "${lat[@]}" | stats_p99)
    ub=$(printf '%s\n' "${upd[@]}" | grep -E '^[0-9]+$' | stats_median)
    record "$(name_for change_to_screen_p50)" "$p50" ms "" null null \
        "${#lat[@]} of $SAMPLES samples: ServiceEntry create/delete to the frame showing it"
    record "$(name_for change_to_screen_p99)" "$p99" ms "< 100" "$(cmp "$p99" 100 lt)" null \
        "max $(printf '%s\n' "${lat[@]}" | stats_max) ms"
    record "$(name_for update_tty_bytes)" "$ub" B "" null null \
        "median bytes of the frame that showed one ServiceEntry change"

    # --- a single-channel update (the lab's channel stopped, then started, by the CLI)
    [[ $LAB == 1 ]] && bench_channel "$d"

    # --- a full repaint at 200x50 (C-l)
    local lines fb
    sleep 1.2
    lines=$(wc -l <"$TRACE")
    console_keys live C-l
    wait_until 5 awk -v l="$lines" 'NR > l && $1 == "frame" { f = 1 } END { exit !f }' "$TRACE"
    fb=$(awk -v l="$lines" 'NR > l && $1 == "frame" { print $3; exit }' "$TRACE")
    record "$(name_for full_redraw_tty_bytes)" "$fb" B "" null null "one C-l repaint of the 200x50 screen"

    # --- CPU per 1,000 watch events: relabel EVENTS pods per cluster (one curl each)
    local e0 e1 k0=0 k1=0 cfg ev_ms
    for cl in A B; do
        cfg=$d/patch-$cl.curl
        : >"$cfg"
        for ((i = 0; i < EVENTS && i < N; i++)); do
            printf 'url = "%s/api/v1/namespaces/bench-%d/pods/bench-pod-%05d"\n' \
                "${KSIM_URL[$cl]}" $((i / 100)) "$i" >>"$cfg"
        done
    done
    cpu_settle "$cpid" 1000 30
    e0=$(proc_cpu_ticks "$cpid")
    if [[ ${#kpids[@]} -gt 0 ]]; then for kp in "${kpids[@]}"; do k0=$((k0 + $(proc_cpu_ticks "$kp"))); done; fi
    t0=$(now_ms)
    local cpids=()
    for cl in A B; do
        curl -sS --max-time 120 -X PATCH -H 'Content-Type: application/merge-patch+json' \
            -d "{\"metadata\":{\"labels\":{\"bench-round\":\"r$N\"}}}" -K "$d/patch-$cl.curl" >/dev/null &
        cpids+=($!)
    done
    wait "${cpids[@]}"
    ev_ms=$(( $(now_ms) - t0 ))
    cpu_settle "$cpid" 1500 60
    e1=$(proc_cpu_ticks "$cpid")
    local n_ev=$(( 2 * (EVENTS < N ? EVENTS : N) ))
    local per k_per=null
    per=$(awk -v t=$((e1 - e0)) -v hz="$CLK_TCK" -v n="$n_ev" 'BEGIN { printf "%.3f", t / hz / n * 1000 }')
    if [[ ${#kpids[@]} -gt 0 && $k_rss != null ]]; then
        for kp in "${kpids[@]}"; do cpu_settle "$kp" 1500 60; done
        for kp in "${kpids[@]}"; do k1=$((k1 + $(proc_cpu_ticks "$kp"))); done
        k_per=$(awk -v t=$((k1 - k0)) -v hz="$CLK_TCK" -v n="$n_ev" 'BEGIN { printf "%.3f", t / hz / n * 1000 }')
    fi
    record "$(name_for cpu_per_1000_events)" "$per" "s" "" null "$k_per" \
        "$n_ev pod relabels sent in $ev_ms ms; console CPU until settled"
    if [[ ${#kpids[@]} -gt 0 ]]; then
        for kp in "${kpids[@]}"; do kill "$kp" 2>/dev/null; wait "$kp" 2>/dev/null; done
    fi

    # --- relist after kubesim A restarts (seen through status --follow on A)
    HOME=$WORK "$PXCMESH" --kubeconfig "$KC" --context A status --follow 300 >"$d/follow.jsonl" 2>"$d/follow.err" &
    local fpid=$!
    EXTRA_PIDS+=($fpid)
    wait_until 120 bash -c "tail -n1 '$d/follow.jsonl' | jq -e '.clusters[0].pods >= $N and .clusters[0].reachable' >/dev/null" ||
        echo "  status --follow did not sync" >&2
    # The pods A holds now (a line may be half written: read until it parses).
    local want p0=""
    for ((i = 0; i < 100; i++)); do
        p0=$(tail -n1 "$d/follow.jsonl" | jq -r '.clusters[0].pods' 2>/dev/null)
        [[ $p0 =~ ^[0-9]+$ ]] && ((p0 >= N)) && break
        sleep 0.1
    done
    want=$((p0 + 1))
    local port=${KSIM_URL[A]##*:}
    ksim_down A
    wait_until 10 bash -c "tail -n1 '$d/follow.jsonl' | jq -e '.clusters[0].reachable == false' >/dev/null"
    # The restarted server has one pod more: the relist is complete when the model has it.
    ksim_up A "$NET.1" "$port" "$d" --seed "$d/seed-a" --gen-pods $((N + 1)) --gen-injected --created-ago "$AGO" || die "kubesim A restart"
    local tr0 tr1 relist=null
    tr0=$(now_ms)
    if wait_until 120 bash -c "tail -n1 '$d/follow.jsonl' | jq -e '.clusters[0].pods == $want and .clusters[0].reachable and .clusters[0].error == \"\"' >/dev/null"; then
        tr1=$(tail -n1 "$d/follow.jsonl" | jq -r .t_ms)
        relist=$((tr1 - tr0))
    fi
    record "$(name_for relist_after_restart)" "$relist" ms "< 3000" "$(cmp "$relist" 3000 lt)" null \
        "kubesim A back on its port -> its $want pods listed again (includes reconnect backoff)"
    kill "$fpid" 2>/dev/null
    wait "$fpid" 2>/dev/null

    # --- the live doctor: every run of the console's doctor over this size (sync, idle,
    # latency samples, events, relist), from the trace's doctor lines: its time on the loop
    # per run, and per model change it answered (runs coalesce changes). No target: a report.
    local drun dp99 dmax druns dchg dper
    drun=$(awk '$1 == "doctor" { print $3 / 1000 }' "$TRACE" | stats_median)
    dp99=$(awk '$1 == "doctor" { print $3 / 1000 }' "$TRACE" | stats_p99)
    dmax=$(awk '$1 == "doctor" { print $3 / 1000 }' "$TRACE" | stats_max)
    druns=$(awk '$1 == "doctor" { n++ } END { print n + 0 }' "$TRACE")
    dchg=$(awk '$1 == "doctor" { n += $4 } END { print n + 0 }' "$TRACE")
    dper=$(awk '$1 == "doctor" { us += $3; c += $4 } END { if (c == 0) print "null"; else printf "%.1f", us / c }' "$TRACE")
    record "$(name_for doctor_live_run_ms)" "$(fmt "$drun" 3)" ms "" null null \
        "the console's doctor, median of $druns runs (p99 $(fmt "$dp99" 3) ms, max $(fmt "$dmax" 3) ms), on the loop"
    record "$(name_for doctor_per_change_us)" "$dper" "us" "" null null \
        "its time over the $dchg model changes it answered (coalesced into $druns runs)"

    console_stop live "$cpid"
    ksim_down A
    ksim_down B

    # --- doctor_run alone at the same size (tests/bench/bench_doctor.c), a healthy model
    local bd
    if bd=$("$BUILD/tests/bench_doctor" "$N" 200 2>/dev/null); then
        record "$(name_for doctor_run_ms)" "$(jq -r .run_ms_median <<<"$bd")" ms "" null null \
            "doctor_collect over 2 x $N pods, median of 200 (p99 $(jq -r .run_ms_p99 <<<"$bd") ms)"
    fi
}

# lab_config KUBECONFIG: a console config for clusters A and B of the bench's kubesims, each
# with the MySQL servers of the lab's cluster-a / cluster-b (from the lab's own config).
lab_config() {
    printf 'kubeconfig: %s\nrefreshSeconds: 2\nclusters:\n' "$1"
    local cl
    for cl in a b; do
        printf '  - name: %s\n    context: %s\n    pxcCluster: pxc-cluster\n' "${cl^^}" "${cl^^}"
        awk -v want="cluster-$cl" '
            /^  - name: / { inside = ($3 == want); mysql = 0; next }
            inside && /^    mysql:/ { mysql = 1 }
            inside && mysql { print }' "$WORK/lab/pxcmesh.yaml"
    done
}

# bench_channel DIR: stop and start the lab's channel (CLI, as an operator would from another
# terminal) BENCH_CHANNEL_FLAPS times; each time, the bytes of the frame that showed the
# channel's new state on the overview, and the time to it (bounded by the 2 s MySQL refresh).
bench_channel() {
    local d=$1 s ok=0 lat=() upd=()
    local CH=(cluster_b_source --cluster A --config "$d/pxcmesh.yaml" --timeout 10)
    local off
    off=$(trace_offset "$TRACE")
    if ! wait_until 30 bash -c "tmux -L $TMUX_SOCK capture-pane -p -t bench:live | grep -qE 'cluster_b_source .*Yes/Yes'"; then
        console_screen live >&2
        echo "  the channel does not show Yes/Yes on the console: no channel figures" >&2
        return 0
    fi
    for ((s = 0; s < ${BENCH_CHANNEL_FLAPS:-6}; s++)); do
        local verb want lines prevseq t0 r
        verb=$([[ $((s % 2)) == 0 ]] && echo stop || echo start)
        want=$([[ $verb == stop ]] && echo 'cluster_b_source .*No/No' || echo 'cluster_b_source .*Yes/Yes')
        sleep 2.5 # settle: the next MySQL refresh of the previous step is drawn
        lines=$(wc -l <"$TRACE")
        prevseq=$(awk '$1 == "frame" { s = $4 } END { print s + 0 }' "$TRACE")
        t0=$(now_ms)
        "$PXCMESH" channel "$verb" --yes "${CH[@]}" >>"$d/channel.log" 2>&1 || { echo "  channel $verb failed: $(tail -1 "$d/channel.log")" >&2; continue; }
        r=$(LATENCY_WAIT_MS=5000 latency_sample "$lines" "$((t0 - off))" "$prevseq" match "$want")
        if [[ -n $r ]]; then
            lat+=("${r% *}")
            upd+=("${r#* }")
            ok=$((ok + 1))
        fi
    done
    "$PXCMESH" channel start --yes "${CH[@]}" >>"$d/channel.log" 2>&1 # leave it running
    local ub med
    ub=$(printf '%s\n' "${upd[@]}" | grep -E '^[0-9]+$' | stats_median)
    med=$(printf '%s\n' "${lat[@]}" | grep -E '^[0-9]+$' | stats_median)
    record "$(name_for channel_update_tty_bytes)" "$ub" B "" null null \
        "median bytes of the frame that showed the channel stopped or started ($ok of ${BENCH_CHANNEL_FLAPS:-6})"
    record "$(name_for channel_change_to_screen_p50)" "$med" ms "" null null \
        "pxcmesh channel stop|start to the frame showing it; includes up to 2 s of MySQL refresh"
}

# latency_sample LINES T0MONO PREVSEQ OP TEXT: the frames after T0 that drew a newer model,
# in order, until the screen shows the change (TEXT present after create, absent after
# delete, the extended regex TEXT matching for match); prints "ms bytes" of that frame,
# nothing after 3 s (LATENCY_WAIT_MS).
latency_sample() {
    local lines=$1 t0m=$2 prevseq=$3 op=$4 text=$5
    local end=$(( $(now_ms) + ${LATENCY_WAIT_MS:-3000} )) seen=0 f fms fbytes k
    while (( $(now_ms) < end )); do
        mapfile -t cand < <(awk -v l="$lines" -v t="$t0m" -v p="$prevseq" \
            'NR > l && $1 == "frame" && $2 >= t && $4 > p { print $2, $3 }' "$TRACE")
        for ((k = seen; k < ${#cand[@]}; k++)); do
            f=${cand[$k]}
            fms=${f% *}
            fbytes=${f#* }
            # tmux may not have read the frame yet: give it up to 200 ms.
            local tries
            for tries in 1 2 3 4 5 6 7 8 9 10; do
                if [[ $op == match ]]; then
                    console_screen live | grep -qE -- "$text" && { echo "$((fms - t0m)) $fbytes"; return; }
                elif [[ $op == create ]]; then
                    console_screen live | grep -qF -- "$text" && { echo "$((fms - t0m)) $fbytes"; return; }
                else
                    console_screen live | grep -qF -- "$text" || { echo "$((fms - t0m)) $fbytes"; return; }
                fi
                sleep 0.02
            done
            seen=$((k + 1))
        done
        sleep 0.02
    done
}

# bench_portforward: what reaching MySQL through the API server costs, each figure against
# direct in the same run, on the bench's lab:
# - the relay's added time per status round: one mariadb session runs a status round's
#   statements (replica status, wsrep status, read_only/version) BENCH_PF_ROUNDS times through
#   `pxcmesh port-forward` (the relay the console uses: one WebSocket stream per connection)
#   and straight to the server; each minus a session that only connects, divided by the
#   rounds; three samples each way, medians. The stream goes to a plain-HTTP kubesim whose pod
#   map sends the pod to the lab's cluster-a node 1, so that the figure is the relay's and the
#   API server's relaying, not TLS record pacing of kubesim's TLS upgrade path;
# - the same through the lab's own kubesim (TLS), with kubectl port-forward as the peer: the
#   path a real cluster's users take, reported, not judged (kubesim's TLS upgrade forwarding
#   writes a message in many small records, and kubectl suffers it too);
# - the console's RSS per forwarded server: the settled console on the lab with every server
#   through a relay (mysql.mode port-forward, passwords from the operator's Secret) minus the
#   settled console with the lab's direct config, over the six servers.
bench_portforward() {
    local d=$WORK/r$RUN/pf
    mkdir -p "$d/seed"
    echo
    echo "== MySQL through port-forward vs direct (the lab's servers, run $RUN) =="
    local host
    host=$(awk -F= '$1 == "host" { print $2 }' "$WORK/lab/a-monitor.cnf")
    printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: pxc}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: pxc-cluster-pxc-0\n  namespace: pxc\n  annotations: {ksim.pxcmesh.dev/pod-ip: 10.244.0.9}\nspec:\n  containers: [{name: pxc, image: percona}]\n' \
        >"$d/seed/pod.yaml"
    echo "pxc/pxc-cluster-pxc-0 addr=$host" >"$d/pods.map"
    ksim_up PF "$NET.3" 0 "$d" --seed "$d/seed" --pod-map "$d/pods.map" || { echo "  kubesim PF: no port-forward figures" >&2; return 0; }
    local rounds=${BENCH_PF_ROUNDS:-300} i
    : >"$d/empty.sql"
    : >"$d/round.sql"
    for ((i = 0; i < rounds; i++)); do
        printf "SHOW ALL SLAVES STATUS;\nSHOW GLOBAL STATUS LIKE 'wsrep%%';\nSELECT @@read_only, @@version;\n" \
            >>"$d/round.sql"
    done
    session_ms() { # HOST PORT SQLFILE: wall ms of one mariadb session running SQLFILE
        local t0
        t0=$(now_ms)
        mariadb --defaults-file="$WORK/lab/a-monitor.cnf" -h "$1" -P "$2" --connect-timeout=10 \
            <"$3" >/dev/null 2>>"$d/mariadb.err" || { echo null; return; }
        echo $(( $(now_ms) - t0 ))
    }
    # per_round PORT: three samples of (session - connect-only) / rounds through PORT and
    # direct, alternated; sets PR_DIR, PR_VIA (ms a round, medians) and PR_CONNECT (ms).
    per_round() {
        local k dir=() via=() con=() c0 c1 p0 p1
        for k in 1 2 3; do
            c0=$(session_ms "$host" 3306 "$d/empty.sql")
            c1=$(session_ms "$host" 3306 "$d/round.sql")
            p0=$(session_ms 127.0.0.1 "$1" "$d/empty.sql")
            p1=$(session_ms 127.0.0.1 "$1" "$d/round.sql")
            [[ $c0 == null || $c1 == null || $p0 == null || $p1 == null ]] && continue
            dir+=("$(awk -v a="$c1" -v b="$c0" -v r="$rounds" 'BEGIN { printf "%.4f", (a - b) / r }')")
            via+=("$(awk -v a="$p1" -v b="$p0" -v r="$rounds" 'BEGIN { printf "%.4f", (a - b) / r }')")
            con+=("$p0")
        done
        PR_DIR=null PR_VIA=null PR_CONNECT=null
        ((${#via[@]} > 0)) || return 1
        PR_DIR=$(printf '%s\n' "${dir[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
        PR_VIA=$(printf '%s\n' "${via[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
        PR_CONNECT=$(printf '%s\n' "${con[@]}" | stats_median)
    }
    # forward NAME CMD...: start a port-forward printing "Forwarding from 127.0.0.1:PORT";
    # sets FW_PID and FW_PORT (empty when it did not start)
    forward() {
        local name=$1
        shift
        "$@" >"$d/$name.out" 2>"$d/$name.err" &
        FW_PID=$!
        EXTRA_PIDS+=("$FW_PID")
        FW_PORT=
        wait_until 20 grep -q '^Forwarding from 127.0.0.1:' "$d/$name.out" &&
            FW_PORT=$(sed -n 's/^Forwarding from 127.0.0.1:\([0-9]*\) .*/\1/p' "$d/$name.out" | head -1)
    }
    local added=null
    forward relay "$PXCMESH" --kubeconfig "$d/kubeconfig" --context PF port-forward pxc-cluster-pxc-0 :3306 -n pxc
    if [[ -n $FW_PORT ]] && per_round "$FW_PORT"; then
        added=$(awk -v p="$PR_VIA" -v q="$PR_DIR" 'BEGIN { printf "%.3f", p - q }')
        record pf_round_added "$added" ms "< 5" "$(cmp "$added" 5 lt)" null \
            "relay's added time per status round ($rounds rounds a sample; direct $PR_DIR ms, through the relay $PR_VIA ms a round; plain-HTTP kubesim with a pod map)"
        record pf_session_connect "$PR_CONNECT" ms "" null null \
            "a new MySQL session through the relay: the stream's upgrade and the MySQL handshake"
    else
        tail -3 "$d/relay.err" "$d/mariadb.err" >&2
        echo "  no mariadb session through the relay: no round figures" >&2
    fi
    kill -TERM "$FW_PID" 2>/dev/null
    wait "$FW_PID" 2>/dev/null
    ksim_down PF

    # the lab's own TLS kubesim, pxcmesh and kubectl side by side
    local ours=null peer=null
    forward relay-tls "$PXCMESH" --kubeconfig "$WORK/lab/kubeconfig" --context cluster-a port-forward pxc-cluster-pxc-0 :3306 -n pxc
    [[ -n $FW_PORT ]] && per_round "$FW_PORT" && ours=$(awk -v p="$PR_VIA" -v q="$PR_DIR" 'BEGIN { printf "%.3f", p - q }')
    kill -TERM "$FW_PID" 2>/dev/null
    wait "$FW_PID" 2>/dev/null
    if [[ $KUBECTL == 1 ]]; then
        forward kubectl kubectl --kubeconfig "$WORK/lab/kubeconfig" --context cluster-a -n pxc port-forward pod/pxc-cluster-pxc-0 :3306
        [[ -n $FW_PORT ]] && per_round "$FW_PORT" && peer=$(awk -v p="$PR_VIA" -v q="$PR_DIR" 'BEGIN { printf "%.3f", p - q }')
        kill -TERM "$FW_PID" 2>/dev/null
        wait "$FW_PID" 2>/dev/null
    fi
    record pf_round_added_tls "$ours" ms "" null "$peer" \
        "the same through the lab's TLS kubesim (its upgrade path sends small records); peer: kubectl port-forward"

    # RSS per forwarded server: the console direct, then through relays, each settled.
    awk '/^    mysql:/ { skip = 1; next }
         skip && /^      / { next }
         { skip = 0; print }
         /^    pxcCluster:/ { print "    mysql:\n      mode: port-forward" }' \
        "$WORK/lab/pxcmesh.yaml" >"$d/pf.yaml"
    local rss=() want w cpid
    for w in direct port-forward; do
        local cfg=$WORK/lab/pxcmesh.yaml
        [[ $w == port-forward ]] && cfg=$d/pf.yaml
        cpid=$(console_start "pf$RUN-${w%%-*}" "$d/trace-$w" --config "$cfg") || { rss+=(null); continue; }
        want="MySQL via $w 3 .*MySQL via $w 3"
        if ! wait_until 60 bash -c "tmux -L $TMUX_SOCK capture-pane -p -t bench:pf$RUN-${w%%-*} | grep -qE '$want'" ||
           ! wait_until 60 bash -c "tmux -L $TMUX_SOCK capture-pane -p -t bench:pf$RUN-${w%%-*} | grep -qE 'pxc-cluster-pxc-2 +Running +Synced 3 .*pxc-cluster-pxc-2 +Running +Synced 3'"; then
            console_screen "pf$RUN-${w%%-*}" >&2
            echo "  the console ($w) did not show every server: no RSS figure" >&2
            rss+=(null)
        else
            sleep 6 # three MySQL refreshes: every server's connection is open and used
            cpu_settle "$cpid" 1500 30 >/dev/null
            rss+=("$(proc_rss_kb "$cpid")")
        fi
        console_stop "pf$RUN-${w%%-*}" "$cpid"
    done
    local per=null
    [[ ${rss[0]} != null && ${rss[1]} != null ]] &&
        per=$(awk -v a="${rss[1]}" -v b="${rss[0]}" 'BEGIN { printf "%.0f", (a - b) / 6 }')
    record pf_rss_per_server "$per" KB "< 512" "$(cmp "$per" 512 lt)" null \
        "console RSS through relays minus direct, over 6 servers (${rss[1]} - ${rss[0]} kB)"
}

# ------------------------------------------------------------------ main

echo "pxcmesh benchmarks: $PXCMESH ($(cd "$SRC" && git rev-parse --short HEAD 2>/dev/null || echo '?')), $(nproc) cores, $(date -u +%FT%TZ)"
echo "command: scripts/bench.sh $BUILD   (BENCH_SIZES=\"$SIZES\" BENCH_IDLE_S=$IDLE_S BENCH_SAMPLES=$SAMPLES BENCH_EVENTS=$EVENTS BENCH_RUNS=$RUNS BENCH_CREATED_AGO=$AGO)"
START=$(now_ms)
if [[ $LAB == 1 && $(id -u) != 0 ]]; then
    echo "bench: the lab needs root: MySQL figures skipped (BENCH_LAB=0 says so quietly)" >&2
    LAB=0
fi
if [[ $LAB == 1 ]]; then
    echo "lab: starting it in $WORK/lab (prefix $LAB_PREFIX) for the MySQL figures"
    if ! "$PXCMESH" lab up --dir "$WORK/lab" --prefix "$LAB_PREFIX" >"$WORK/lab-up.log" 2>&1; then
        tail -20 "$WORK/lab-up.log" >&2
        echo "bench: lab up failed: MySQL figures skipped" >&2
        LAB=0
    fi
fi
# The machine's load through the whole bench: 1-minute load average every 5 s.
LOADS=$WORK/load.tsv
( while :; do cut -d' ' -f1 /proc/loadavg >>"$LOADS"; sleep 5; done ) &
EXTRA_PIDS+=("$!")
for ((RUN = 1; RUN <= RUNS; RUN++)); do
    echo
    echo "=== run $RUN of $RUNS (load average now $(cut -d' ' -f1-3 /proc/loadavg)) ==="
    for n in $SIZES; do
        bench_size "$n"
    done
    [[ $LAB == 1 ]] && bench_portforward
done

# One entry per figure: the median of its runs as the value, min/max beside it, and the
# target judged on the median (and on the peer's median for a ">= Nx" ratio).
jq -Rn --arg cmd "scripts/bench.sh $BUILD" --arg sizes "$SIZES" --argjson runs "$RUNS" \
   --rawfile loads "$LOADS" --arg cores "$(nproc)" '
  def num: if . == "null" or . == "nan" or . == "" then null else tonumber end;
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
              else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def round3: if . == null then null else (. * 1000 | round) / 1000 end;
  def judge($t; $v; $p):
    if $t == null or $v == null then null
    else [ $t | split(", ")[] |
           if startswith("< ") then $v < (.[2:] | tonumber)
           elif startswith(">= ") and endswith("x") then
             (if $p == null then null else ($p / $v) >= (.[3:-1] | tonumber) end)
           else null end ]
         | if any(. == false) then false elif all(. == true) then true else null end end;
  ([ $loads | split("\n")[] | select(length > 0) | tonumber ]) as $l
  | [ [ inputs ] | to_entries[] | .key as $i | .value | split("\t") |
        { name: .[0], value: (.[1] | num), unit: .[2], idx: $i,
          target: (if .[3] == "" then null else .[3] end), peer: (.[5] | num), note: .[6],
          run: (.[7] | tonumber) } ] as $all
  | { command: $cmd, sizes: ($sizes | split(" ") | map(tonumber)), runs: $runs,
      generated: (now | todate), cores: ($cores | tonumber),
      load: { min: ($l | min), median: ($l | median | round3), max: ($l | max),
              samples: ($l | length), note: "1-minute load average every 5 s during the bench" },
      results: [ $all | group_by(.name) | sort_by(.[0].idx)[] |
        ([ .[].value | select(. != null) ]) as $vs
        | ([ .[].peer | select(. != null) ]) as $ps
        | ($vs | median | round3) as $m | ($ps | median | round3) as $pm
        | { name: .[0].name, value: $m, min: ($vs | min), max: ($vs | max), runs: ($vs | length),
            unit: .[0].unit, target: .[0].target, peer: $pm,
            met: judge(.[0].target; $m; $pm), values: [ .[].value ], note: (.[-1].note) } ] }' \
   <"$RESULTS" >"$BUILD/bench-results.json" || die "cannot write $BUILD/bench-results.json"
echo
echo "== summary: median of $RUNS run(s) [min .. max]; load average $(jq -r '.load | "\(.min) .. \(.max), median \(.median)"' "$BUILD/bench-results.json") on $(nproc) cores =="
jq -r '.results[] | [ .name, (.value | tostring), "[\(.min) .. \(.max)]", .unit,
         (if .target then "target " + .target else "" end),
         (if .peer != null then "peer \(.peer)" else "" end),
         (if .met == true then "met" elif .met == false then "MISSED" else "" end) ] | @tsv' \
   "$BUILD/bench-results.json" | awk -F'\t' '{ printf "  %-30s %10s %-22s %-4s %-16s %-16s %s\n", $1, $2, $3, $4, $5, $6, $7 }'
missed=$(jq -r '[.results[] | select(.met == false) | .name] | join(", ")' "$BUILD/bench-results.json")
if [[ -n $missed ]]; then
    echo "TARGETS MISSED: $missed"
else
    echo "all targets met"
fi
echo "results: $BUILD/bench-results.json ($(( ($(now_ms) - START) / 1000 )) s)"
