#!/usr/bin/env bash
# soak.sh BUILD_DIR: the long run (`make soak`). Two kubesims (SOAK_PODS pods each, default
# 1000, plain HTTP on 127.0.x.1/.2) churn every few seconds for SOAK_SECONDS (default 3600):
# ServiceEntries created and deleted, pods relabelled, namespaces relabelled for injection
# (sidecar state flips), watches dropped, short 500 and 429 bursts, a forced 410, and every
# 5 minutes a restart of one API server. Beside them runs a lab (`pxcmesh lab up`: two real
# Galera clusters and the channel cluster_b_source) whose channel flaps: stopped and started
# again by `pxcmesh channel stop|start` every step (3 s), and every 3 minutes a node of
# cluster-a hangs (SIGSTOP) for 6 s. Three consoles (tmux, 160x45) watch: one the churning
# kubesims, one the lab (MySQL included, direct), one the lab with every MySQL server through
# the API server (mysql.mode port-forward: a relay per server, a WebSocket stream per
# connection, through the hangs and flaps); `pxcmesh status --follow` watches the kubesims,
# and `pxcmesh serve` runs beside two consoles (one on the kubesims, one on the lab), its
# /metrics scraped every step and its JSON documents every sample.
# Every SOAK_SAMPLE_S (default 60) the RSS and the open file descriptors of each are
# sampled; the run fails when, after a warm-up of two samples, one grows beyond its bound
# (SOAK_RSS_SLACK_KB, default 4096 kB over the warm-up peak; SOAK_FD_SLACK, default 2), or,
# with ten samples or more after the warm-up, when its least-squares slope projects more
# than that bound over the run (a slow leak under the bound); when a process dies, when a
# console or a serve stops following its clusters, when a scrape fails, or when a console or
# a serve exits non-zero (a sanitizer build's leak check fails it).
#
# SOAK_LAB=0 leaves the lab (and MySQL) out (it needs root). SOAK_VALGRIND=1: the consoles
# run under valgrind (memcheck, full leak check) for a shorter run (SOAK_SECONDS default 600
# then); the run fails on any memcheck error or a definite leak (the RSS bound is 16384 kB
# there: memcheck's own memory grows). Exit 0 pass, 1 fail.
set -uo pipefail

BUILD=${1:?usage: scripts/soak.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
PXCMESH=$BUILD/pxcmesh
KSIM_BIN=$BUILD/lab/kubesim
. "$SRC/tests/bench/lib.sh"

VALGRIND=${SOAK_VALGRIND:-0}
SECONDS_TOTAL=${SOAK_SECONDS:-$([[ $VALGRIND == 1 ]] && echo 600 || echo 3600)}
SAMPLE_S=${SOAK_SAMPLE_S:-60}
PODS=${SOAK_PODS:-1000}
# Under valgrind the RSS is memcheck's too (shadow memory grows with the churn): the bound is
# looser there and memcheck's leak check is the memory verdict.
RSS_SLACK_KB=${SOAK_RSS_SLACK_KB:-$([[ $VALGRIND == 1 ]] && echo 16384 || echo 4096)}
FD_SLACK=${SOAK_FD_SLACK:-2}
LAB=${SOAK_LAB:-1}

die() { echo "soak: $*" >&2; exit 1; }
[[ -x $PXCMESH && -x $KSIM_BIN ]] || die "build first: no $PXCMESH or $KSIM_BIN"
for t in tmux jq curl; do command -v $t >/dev/null || die "$t is needed"; done
[[ $VALGRIND == 1 ]] && ! command -v valgrind >/dev/null && die "valgrind is needed for SOAK_VALGRIND=1"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pxsoak.XXXXXX")
NET="127.0.$((100 + ($$ + 50) % 100))"
# 127.225-249: above the 127.20-219 that make check's lab draws its prefix from (tests/CMakeLists.txt).
LAB_PREFIX="127.$((225 + $$ % 25))"
T=(tmux -L pxsoak$$ -f /dev/null)
FPID=
cleanup() {
    "${T[@]}" kill-server 2>/dev/null
    [[ -n $FPID ]] && { kill "$FPID" 2>/dev/null; wait "$FPID" 2>/dev/null; }
    local p
    for p in ${SERVE_PID[@]:-}; do kill "$p" 2>/dev/null; done
    [[ $LAB == 1 ]] && "$PXCMESH" lab down --dir "$WORK/lab" >/dev/null 2>&1
    ksim_down A
    ksim_down B
    if [[ ${SOAK_KEEP:-0} == 1 ]]; then echo "soak: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_seed "$WORK/seed-a" a
bench_seed "$WORK/seed-b" b
ksim_up A "$NET.1" 0 "$WORK" --seed "$WORK/seed-a" --gen-pods "$PODS" --gen-injected --bookmark-interval 5 || die "kubesim A"
ksim_up B "$NET.2" 0 "$WORK" --seed "$WORK/seed-b" --gen-pods "$PODS" --gen-injected --bookmark-interval 5 || die "kubesim B"
PORT_A=${KSIM_URL[A]##*:}
PORT_B=${KSIM_URL[B]##*:}

HOME=$WORK "$PXCMESH" --kubeconfig "$WORK/kubeconfig" --context A --context B \
    status --follow $((SECONDS_TOTAL + 120)) >"$WORK/follow.jsonl" 2>"$WORK/follow.err" &
FPID=$!

# serve NAME ARGS...: pxcmesh serve on a free loopback port; its pid in SERVE_PID[NAME], its
# URL in SERVE_URL[NAME].
declare -A SERVE_PID SERVE_URL
serve() {
    local name=$1
    shift
    HOME=$WORK ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16} "$PXCMESH" "$@" serve \
        --listen 127.0.0.1:0 >"$WORK/serve-$name.out" 2>"$WORK/serve-$name.err" &
    SERVE_PID[$name]=$!
    wait_until 10 grep -q 'serving http' "$WORK/serve-$name.err" ||
        die "serve $name did not start: $(cat "$WORK/serve-$name.err")"
    SERVE_URL[$name]=$(sed -n 's/.*serving \(http[^ ]*\).*/\1/p' "$WORK/serve-$name.err")
}
SCRAPE_FAILS=0
# scrape NAME [all]: /metrics (and with "all" the JSON documents) of serve NAME.
scrape() {
    local u=${SERVE_URL[$1]} p
    for p in /metrics $([[ ${2:-} == all ]] && echo /status.json /findings.json /healthz); do
        curl -sf --max-time 20 "$u$p" -o "$WORK/scrape-$1" ||
            { SCRAPE_FAILS=$((SCRAPE_FAILS + 1)); echo "soak: scrape $1 $p failed" >&2; }
    done
}
serve kube --kubeconfig "$WORK/kubeconfig" --context A --context B

VG=""
if [[ $VALGRIND == 1 ]]; then
    VG="valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite --num-callers=30"
fi
# console NAME ARGS...: a console in tmux window NAME; its pid in $WORK/NAME.pid.
console() {
    local name=$1; shift
    local vg=""
    [[ -n $VG ]] && vg="$VG --log-file=$WORK/valgrind-$name.log"
    cat >"$WORK/$name.sh" <<RUN
export TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1 HOME=$WORK
export ASAN_OPTIONS=\${ASAN_OPTIONS:-quarantine_size_mb=16}
echo \$\$ >$WORK/$name.pid
exec $vg $(printf '%q' "$PXCMESH") $*
RUN
    if "${T[@]}" has-session -t soak 2>/dev/null; then
        "${T[@]}" new-window -d -t soak -n "$name" "sh $WORK/$name.sh; echo EXITED:\$?; sleep 600"
    else
        "${T[@]}" new-session -d -s soak -n "$name" -x 160 -y 45 "sh $WORK/$name.sh; echo EXITED:\$?; sleep 600"
    fi || die "tmux"
    wait_until 10 test -s "$WORK/$name.pid" || die "the $name console did not start"
}
screen_of() { "${T[@]}" capture-pane -p -t "soak:$1" 2>/dev/null; }

console kube --kubeconfig "$WORK/kubeconfig" --context A --context B
CPID=$(cat "$WORK/kube.pid")
wait_until 180 bash -c "tmux -L pxsoak$$ capture-pane -p -t soak:kube | grep -q 'B ● API ok'" ||
    { screen_of kube; die "the console did not show both clusters"; }

LPID=
RPID=
CH=(cluster_b_source --cluster cluster-a)
if [[ $LAB == 1 ]]; then
    echo "soak: starting the lab in $WORK/lab (prefix $LAB_PREFIX)"
    "$PXCMESH" lab up --dir "$WORK/lab" --prefix "$LAB_PREFIX" >"$WORK/lab-up.log" 2>&1 ||
        { tail -20 "$WORK/lab-up.log"; die "lab up failed (it needs root and scripts/deps.sh; SOAK_LAB=0 leaves it out)"; }
    LCFG=(--config "$WORK/lab/pxcmesh.yaml")
    console lab "${LCFG[@]}"
    LPID=$(cat "$WORK/lab.pid")
    serve lab "${LCFG[@]}"
    "${T[@]}" send-keys -t soak:lab 2 # the Channels view
    wait_until 120 bash -c "tmux -L pxsoak$$ capture-pane -p -t soak:lab | grep -q 'cluster_b_source.*Yes'" ||
        { screen_of lab; die "the lab console did not show the channel running"; }
    # The same lab through port-forward relays: the lab's config without its mysql sections,
    # mode port-forward (passwords from the operator's Secret).
    awk '/^    mysql:/ { skip = 1; next }
         skip && /^      / { next }
         { skip = 0; print }
         /^    pxcCluster:/ { print "    mysql:\n      mode: port-forward" }' \
        "$WORK/lab/pxcmesh.yaml" >"$WORK/relay.yaml"
    console relay --config "$WORK/relay.yaml"
    RPID=$(cat "$WORK/relay.pid")
    wait_until 120 bash -c "tmux -L pxsoak$$ capture-pane -p -t soak:relay | grep -qE 'MySQL via port-forward 3 .*MySQL via port-forward 3'" ||
        { screen_of relay; die "the relay console did not reach the lab's servers through port-forward"; }
    "${T[@]}" send-keys -t soak:relay 2
fi

echo "soak: ${SECONDS_TOTAL} s, ${PODS} pods x 2 clusters, samples every ${SAMPLE_S} s$([[ $VALGRIND == 1 ]] && echo ', console under valgrind')"
echo "soak: console pid $CPID, lab console pid ${LPID:--}, relay console pid ${RPID:--}, status --follow pid $FPID, serve pids ${SERVE_PID[*]}, work $WORK"
printf '%8s %10s %6s %10s %6s %10s %6s %10s %6s %10s %6s %10s %6s %8s %6s\n' elapsed console_kB fds follow_kB fds lab_kB fds \
    relay_kB fds serve_kB fds lserve_kB fds events flaps

# One churn step (k counts steps); each is a handful of requests.
churn() {
    local k=$1 cl se
    # Steps 2j and 2j+1 work on the same cluster: create a ServiceEntry, then delete it.
    cl=$([[ $(( (k / 2) % 2 )) == 0 ]] && echo A || echo B)
    se="soak-se-$(( (k / 2) % 7 ))"
    if ((k % 2 == 0)); then
        ksim_req "$cl" POST "$SE_PATH" -H 'Content-Type: application/json' -d "$(se_doc "$se")" -o /dev/null
    else
        ksim_req "$cl" DELETE "$SE_PATH/$se" -o /dev/null
    fi
    # Relabel 20 pods (20 watch events).
    local i base=$(( (k * 20) % PODS ))
    for ((i = 0; i < 20 && base + i < PODS; i++)); do
        printf 'url = "%s/api/v1/namespaces/bench-%d/pods/bench-pod-%05d"\n' "${KSIM_URL[$cl]}" \
            $(((base + i) / 100)) $((base + i))
    done >"$WORK/patch.curl"
    curl -sS --max-time 20 -X PATCH -H 'Content-Type: application/merge-patch+json' \
        -d "{\"metadata\":{\"labels\":{\"soak\":\"s$k\"}}}" -K "$WORK/patch.curl" >/dev/null
    case $((k % 10)) in
    3) ksim_fault "$cl" '{"drop_watches":true}' ;;
    5) ksim_req "$cl" PATCH /api/v1/namespaces/bench-0 -H 'Content-Type: application/merge-patch+json' \
           -d "{\"metadata\":{\"labels\":{\"istio-injection\":\"$([[ $((k % 20)) == 5 ]] && echo disabled || echo enabled)\"}}}" -o /dev/null ;;
    7) ksim_fault "$cl" '{"status":500,"count":5,"drop_watches":true}' ;;
    8) ksim_fault "$cl" '{"status":429,"retry_after":1,"count":3,"drop_watches":true}' ;;
    9) ksim_fault "$cl" '{"compact":true,"drop_watches":true}' ;;
    esac
}

# One flap of the lab's channel (k counts steps): stop on even steps, start on odd ones; every
# 60 steps (3 min) node 2 of cluster-a hangs for 6 s (the console's poller must time out on it
# and go on with the others).
FLAPS=0
flap() {
    local k=$1
    [[ $LAB == 1 ]] || return 0
    local verb=$([[ $((k % 2)) == 0 ]] && echo stop || echo start)
    "$PXCMESH" channel "$verb" --yes "${CH[@]}" "${LCFG[@]}" --timeout 10 >>"$WORK/flap.log" 2>&1 &&
        FLAPS=$((FLAPS + 1))
    if ((k % 60 == 30)); then
        "$PXCMESH" lab fault hang-node cluster-a 2 --dir "$WORK/lab" >>"$WORK/flap.log" 2>&1
        sleep 6
        "$PXCMESH" lab fault resume-node cluster-a 2 --dir "$WORK/lab" >>"$WORK/flap.log" 2>&1
    fi
}

restart_one() {
    local cl=$1 port
    port=$([[ $cl == A ]] && echo "$PORT_A" || echo "$PORT_B")
    local ip=$NET.$([[ $cl == A ]] && echo 1 || echo 2)
    ksim_down "$cl"
    sleep 2
    ksim_up "$cl" "$ip" "$port" "$WORK" --seed "$WORK/seed-${cl,,}" --gen-pods "$PODS" --gen-injected --bookmark-interval 5 ||
        die "kubesim $cl did not come back"
}

fail=0
declare -a C_RSS C_FD F_RSS F_FD L_RSS L_FD R_RSS R_FD S_RSS S_FD LS_RSS LS_FD
t_start=$(now_ms)
next_sample=$t_start
next_restart=$((t_start + 300000))
k=0
n_sample=0
while (( $(now_ms) - t_start < SECONDS_TOTAL * 1000 )); do
    now=$(now_ms)
    if ((now >= next_sample)); then
        proc_alive "$CPID" || { echo "soak: FAIL: the console died"; fail=1; break; }
        proc_alive "$FPID" || { echo "soak: FAIL: status --follow died"; fail=1; break; }
        [[ -z $LPID ]] || proc_alive "$LPID" || { echo "soak: FAIL: the lab console died"; fail=1; break; }
        [[ -z $RPID ]] || proc_alive "$RPID" || { echo "soak: FAIL: the relay console died"; fail=1; break; }
        for s in "${!SERVE_PID[@]}"; do
            proc_alive "${SERVE_PID[$s]}" || { echo "soak: FAIL: serve $s died: $(tail -3 "$WORK/serve-$s.err")"; fail=1; }
            scrape "$s" all
        done
        ((fail == 0)) || break
        S_RSS+=("$(proc_rss_kb "${SERVE_PID[kube]}")"); S_FD+=("$(proc_fds "${SERVE_PID[kube]}")")
        if [[ -n $LPID ]]; then
            LS_RSS+=("$(proc_rss_kb "${SERVE_PID[lab]}")"); LS_FD+=("$(proc_fds "${SERVE_PID[lab]}")")
        fi
        C_RSS+=("$(proc_rss_kb "$CPID")"); C_FD+=("$(proc_fds "$CPID")")
        F_RSS+=("$(proc_rss_kb "$FPID")"); F_FD+=("$(proc_fds "$FPID")")
        if [[ -n $LPID ]]; then L_RSS+=("$(proc_rss_kb "$LPID")"); L_FD+=("$(proc_fds "$LPID")"); fi
        if [[ -n $RPID ]]; then R_RSS+=("$(proc_rss_kb "$RPID")"); R_FD+=("$(proc_fds "$RPID")"); fi
        printf '%8s %10s %6s %10s %6s %10s %6s %10s %6s %10s %6s %10s %6s %8s %6s\n' "$(( (now - t_start) / 1000 ))s" \
            "${C_RSS[-1]}" "${C_FD[-1]}" "${F_RSS[-1]}" "${F_FD[-1]}" "${L_RSS[-1]:--}" "${L_FD[-1]:--}" \
            "${R_RSS[-1]:--}" "${R_FD[-1]:--}" "${S_RSS[-1]}" "${S_FD[-1]}" "${LS_RSS[-1]:--}" "${LS_FD[-1]:--}" \
            "$((k * 20))" "$FLAPS"
        n_sample=$((n_sample + 1))
        next_sample=$((next_sample + SAMPLE_S * 1000))
    fi
    if ((now >= next_restart)); then
        restart_one "$([[ $(( (now - t_start) / 300000 % 2 )) == 1 ]] && echo A || echo B)"
        next_restart=$((next_restart + 300000))
    fi
    churn "$k"
    flap "$k"
    for s in "${!SERVE_PID[@]}"; do scrape "$s"; done
    k=$((k + 1))
    sleep 3
done

# Growth: compare every sample after the warm-up with the warm-up's peak; and with ten
# samples or more after it, the least-squares slope (per hour, and projected over the
# samples' span), which a slow leak shows before it crosses the bound.
check_growth() {
    local what=$1 slack=$2; shift 2
    local -a v=("$@")
    ((${#v[@]} > 2)) || return 0
    local base=$(( v[0] > v[1] ? v[0] : v[1] )) i
    for ((i = 2; i < ${#v[@]}; i++)); do
        if ((v[i] > base + slack)); then
            echo "soak: FAIL: $what grew from $base to ${v[i]} (sample $((i + 1)); bound +$slack)"
            return 1
        fi
    done
    local slope
    slope=$(printf '%s\n' "${v[@]:2}" | awk -v dt="$SAMPLE_S" '
        { x[NR] = (NR - 1) * dt; y[NR] = $1; sx += x[NR]; sy += $1 }
        END { if (NR < 2) { print 0; exit } mx = sx / NR; my = sy / NR
              for (i = 1; i <= NR; i++) { num += (x[i] - mx) * (y[i] - my); den += (x[i] - mx) ^ 2 }
              printf "%.3f", num / den }')
    local per_h projected n=$((${#v[@]} - 2))
    per_h=$(awk -v s="$slope" 'BEGIN { printf "%.0f", s * 3600 }')
    projected=$(awk -v s="$slope" -v n="$n" -v dt="$SAMPLE_S" 'BEGIN { printf "%.0f", s * (n - 1) * dt }')
    if ((n >= 10 && projected > slack)); then
        echo "soak: FAIL: $what trends up: slope $per_h per hour, $projected over the run (bound +$slack)"
        return 1
    fi
    echo "soak: $what flat: warm-up $base, last ${v[-1]}, max $(printf '%s\n' "${v[@]:2}" | sort -n | tail -1), slope $per_h per hour (bound +$slack)"
}
if ((fail == 0)); then
    check_growth "console RSS kB" "$RSS_SLACK_KB" "${C_RSS[@]}" || fail=1
    check_growth "console fds" "$FD_SLACK" "${C_FD[@]}" || fail=1
    check_growth "status --follow RSS kB" "$RSS_SLACK_KB" "${F_RSS[@]}" || fail=1
    check_growth "status --follow fds" "$FD_SLACK" "${F_FD[@]}" || fail=1
    check_growth "serve RSS kB" "$RSS_SLACK_KB" "${S_RSS[@]}" || fail=1
    check_growth "serve fds" "$FD_SLACK" "${S_FD[@]}" || fail=1
    if [[ -n $LPID ]]; then
        check_growth "lab console RSS kB" "$RSS_SLACK_KB" "${L_RSS[@]}" || fail=1
        check_growth "lab console fds" "$FD_SLACK" "${L_FD[@]}" || fail=1
        check_growth "lab serve RSS kB" "$RSS_SLACK_KB" "${LS_RSS[@]}" || fail=1
        check_growth "lab serve fds" "$FD_SLACK" "${LS_FD[@]}" || fail=1
    fi
    if [[ -n $RPID ]]; then
        check_growth "relay console RSS kB" "$RSS_SLACK_KB" "${R_RSS[@]}" || fail=1
        check_growth "relay console fds" "$FD_SLACK" "${R_FD[@]}" || fail=1
    fi
fi
((SCRAPE_FAILS == 0)) || { echo "soak: FAIL: $SCRAPE_FAILS scrapes of serve failed"; fail=1; }
# The console must still be live and current: a last change shows on its screen.
ksim_req A POST "$SE_PATH" -H 'Content-Type: application/json' -d "$(se_doc soak-final)" -o /dev/null
if ! wait_until 30 bash -c "tmux -L pxsoak$$ capture-pane -p -t soak:kube | grep -q soak-final"; then
    echo "soak: FAIL: the console no longer follows cluster A"
    fail=1
fi
if ! wait_until 30 bash -c "curl -sf --max-time 10 ${SERVE_URL[kube]}/metrics | grep -q 'serviceentry=\"soak-final\"'"; then
    echo "soak: FAIL: serve no longer follows cluster A"
    fail=1
fi
# The lab console must still follow the channel: start it (it may be stopped) and see it run.
if [[ -n $LPID ]]; then
    "$PXCMESH" channel start --yes "${CH[@]}" "${LCFG[@]}" --timeout 10 >>"$WORK/flap.log" 2>&1
    if ! wait_until 30 bash -c "tmux -L pxsoak$$ capture-pane -p -t soak:lab | grep -q 'cluster_b_source.*Yes.*Yes'"; then
        screen_of lab
        echo "soak: FAIL: the lab console no longer follows the channel"
        fail=1
    fi
    if [[ -n $RPID ]] && ! wait_until 30 bash -c "tmux -L pxsoak$$ capture-pane -p -t soak:relay | grep -q 'cluster_b_source.*Yes.*Yes'"; then
        screen_of relay
        echo "soak: FAIL: the relay console no longer follows the channel through port-forward"
        fail=1
    fi
fi

windows=(kube)
[[ -n $LPID ]] && windows+=(lab)
[[ -n $RPID ]] && windows+=(relay)
for w in "${windows[@]}"; do
    "${T[@]}" send-keys -t "soak:$w" q
    wait_until 60 bash -c "tmux -L pxsoak$$ capture-pane -p -t soak:$w | grep -q EXITED:" ||
        { echo "soak: FAIL: the $w console did not quit"; fail=1; }
    screen_of "$w" | grep -q 'EXITED:0' || { echo "soak: FAIL: $w console exit: $(screen_of "$w" | grep -o 'EXITED:[0-9]*')"; fail=1; }
    if [[ $VALGRIND == 1 ]]; then
        vlog=$WORK/valgrind-$w.log
        if grep -qE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]' "$vlog"; then
            echo "soak: FAIL: valgrind ($w console):"
            grep -E 'ERROR SUMMARY|definitely lost|indirectly lost' "$vlog"
            cp "$vlog" "$BUILD/soak-valgrind-$w.log"
            echo "soak: full log in $BUILD/soak-valgrind-$w.log"
            fail=1
        else
            echo "soak: valgrind clean ($w console): $(grep -E 'ERROR SUMMARY' "$vlog" | sed 's/^==[0-9]*== //')"
        fi
    fi
done
for s in "${!SERVE_PID[@]}"; do
    kill -INT "${SERVE_PID[$s]}"
    wait "${SERVE_PID[$s]}"
    rc=$?
    ((rc == 0)) || { echo "soak: FAIL: serve $s exit $rc: $(tail -5 "$WORK/serve-$s.err")"; fail=1; }
done
# A flap that does nothing is a soak that tests less than it says (a confirmation once made
# every one fail): most of them must have run.
if [[ $LAB == 1 ]] && ((k >= 4 && FLAPS * 2 < k)); then
    echo "soak: FAIL: only $FLAPS of $k channel stops/starts ran: $(tail -3 "$WORK/flap.log")"
    fail=1
fi
echo "soak: $k churn steps, $((k * 20)) pod relabels, $FLAPS channel stops/starts, $n_sample samples: $([[ $fail == 0 ]] && echo PASS || echo FAIL)"
exit $fail
