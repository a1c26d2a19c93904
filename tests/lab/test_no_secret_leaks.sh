#!/usr/bin/env bash
# test_no_secret_leaks: no secret of the lab shows up where it should not. The secrets are
# collected from the lab itself (every value of the seed's Secrets, the passwords of
# secrets.env and the option files, the bearer tokens of kubesim's tokens file, the bodies
# of kubesim's TLS private keys); then pxcmesh is exercised on the lab (status, doctor,
# channel status, get (secrets refused), generate, apply --dry-run of a Secret, probe, the
# console in tmux with PXCMESH_TRACE and --log, serve (every endpoint scraped, its --log)
# and watch -o json-lines, lab status, the same verbs on the private
# pod network where pxcmesh reads the passwords through the API server) while `ps` is
# sampled, and every byte written is searched:
#   - outputs (each command's stdout and stderr, the console's log, trace and screens, the
#     ps samples, the lab's logs) must hold no secret at all;
#   - every other file under the lab directory and this test's temporary directory (HOME
#     of the commands included) may hold one only if its mode is 0600.
# The one output that holds a secret by design, `generate remote-secret` (a kubeconfig
# with the remote reader token, what `istioctl create-remote-secret` prints), goes where
# the user asks (stdout, here a 0600 file) and nowhere else; it is excluded below by name.
# A finding names the file, its mode and the secret, never the secret's value.
# shellcheck source=../tui/lib.sh
. "$(dirname "$0")/../tui/lib.sh"
: "${PXC_LAB_DIR:?run through ctest (PXC_LAB_DIR is set by tests/CMakeLists.txt)}"
: "${PXC_LAB_PREFIX:?run through ctest}"
set -uo pipefail
DIR=$PXC_LAB_DIR
PREFIX=$PXC_LAB_PREFIX
CFG=$DIR/pxcmesh.yaml
# The usual umask of a user: a file pxcmesh creates without care would be world-readable.
umask 022

T=$(mktemp -d "${TMPDIR:-/tmp}/pxcleak.XXXXXX")
OUT=$T/out
SEC=$T/secret
mkdir -p "$OUT" "$T/home"
(umask 077 && mkdir "$SEC")
SAMPLER=
PRIVATE=0

# The harness's fail prints the screen; a leaking screen must not reach the test log.
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
cleanup() {
    rm -f "$T/sampling"
    [[ -n $SAMPLER ]] && kill "$SAMPLER" 2>/dev/null && wait "$SAMPLER" 2>/dev/null
    if ((PRIVATE)); then
        "$PXCMESH" lab up --dir "$DIR" --prefix "$PREFIX" >"$T/restore.out" 2>&1 ||
            { echo "FAIL could not switch the lab back to the direct pod network" >&2; }
    fi
    tui_cleanup
    rm -rf "$T"
}
trap cleanup EXIT
poll() { # SECS CMD...: bounded poll, 0.2 s steps
    local end=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        ((SECONDS >= end)) && return 1
        sleep 0.2
    done
}
[[ $(cat "$DIR/state" 2>/dev/null) == ready ]] || fail "the lab in $DIR is not ready"
[[ -f $CFG ]] || fail "no $CFG"

# ---------------------------------------------------------------- the lab's secrets
# needle -> what it is. Values only ever go through files and builtins, never into the
# arguments of a program (the ps samples would see them).
declare -A NAME_OF=()
n_pw=0 n_tok=0 n_key=0
add() {
    ((${#2} >= 12)) || fail "secret '$1' is shorter than 12 characters: too short to search for"
    [[ -n ${NAME_OF[$2]:-} ]] || NAME_OF[$2]=$1
}
# a value as written, and as a Secret's data (base64, padding dropped: a prefix of either)
add_value() {
    add "$1" "$2"
    add "$1 (base64)" "$(printf '%s' "$2" | base64 -w0 | tr -d =)"
}

# Every value of every Secret in the seed kubesim was started from.
seen=()
while IFS=$'\t' read -r name b64; do
    v=$(printf '%s' "$b64" | base64 -d)
    add_value "$name" "$v"
    seen+=("$v")
done < <(python3 - "$DIR"/kubesim/*/seed/*.yaml <<'PY'
import base64, sys, yaml
for path in sys.argv[1:]:
    with open(path) as f:
        for d in yaml.safe_load_all(f):
            if not isinstance(d, dict) or d.get("kind") != "Secret":
                continue
            md = d.get("metadata", {})
            where = "seed Secret %s/%s" % (md.get("namespace"), md.get("name"))
            for k, v in (d.get("data") or {}).items():
                print("%s key %s\t%s" % (where, k, v))
            for k, v in (d.get("stringData") or {}).items():
                print("%s key %s\t%s" % (where, k, base64.b64encode(str(v).encode()).decode()))
PY
)
n_pw=$(printf '%s\n' "${seen[@]}" | sort -u | wc -l)
((n_pw >= 7)) || fail "the seed's Secrets hold $n_pw distinct values, expected the 6 MySQL passwords and the reader token"
while IFS='=' read -r k v; do
    [[ $k == PW_* || $k == *TOKEN* ]] && add_value "secrets.env $k" "$v"
done <"$DIR/secrets.env"
for f in "$DIR"/?-*.cnf; do
    v=$(sed -n 's/^password=//p' "$f")
    [[ -n $v ]] && add_value "password of $(basename "$f")" "$v"
done
while IFS=, read -r tok who _; do
    [[ -n $tok ]] || continue
    add_value "bearer token of $who (kubesim/tokens)" "$tok"
    n_tok=$((n_tok + 1))
done <"$DIR/kubesim/tokens"
((n_tok >= 2)) || fail "kubesim/tokens holds $n_tok tokens, expected the sync loop's and the reader's"
# A private key shows as its PEM (the third line is past the header every P-256 key
# shares) or, in a kubeconfig, as the base64 of the whole PEM (from byte 82 on).
for f in "$DIR"/kubesim/*/state/*.key; do
    rel=${f#"$DIR"/}
    add "TLS key $rel (PEM)" "$(sed -n 3p "$f")"
    add "TLS key $rel (base64 of the PEM)" "$(base64 -w0 <"$f" | cut -c111-170)"
    n_key=$((n_key + 1))
done
((n_key >= 8)) || fail "found $n_key TLS private keys under $DIR/kubesim/*/state, expected 4 per kubesim"
printf '%s\n' "${!NAME_OF[@]}" >"$SEC/needles"
# shellcheck disable=SC1091
source "$DIR/secrets.env"
echo "ok   ${#NAME_OF[@]} search strings: $n_pw seed Secret values, $n_tok bearer tokens, $n_key TLS keys, and the lab's passwords"

# ------------------------------------------------- ps, sampled while everything runs
touch "$T/sampling"
(
    while [[ -e $T/sampling ]]; do
        echo "--- ps sample"
        ps -ww -eo args
        sleep 0.05
    done >>"$OUT/ps.txt" 2>&1
) &
SAMPLER=$!

# ------------------------------------------------------------- the product at work
# Every file pxcmesh might write on its own (state, cache, history) lands under $T.
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config XDG_STATE_HOME=$T/home/.local/state \
    XDG_CACHE_HOME=$T/home/.cache
run() { # NAME CMD...: stdout and stderr into $OUT/NAME.{out,err}; returns CMD's status
    local name=$1
    shift
    "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
}
px() { "$PXCMESH" --config "$CFG" "$@"; }
verbs() { # SUFFIX: the read-only verbs, on the pod network the lab has now
    run "status-json$1" px status --json --timeout 20
    jq -e '.clusters | length == 2' "$OUT/status-json$1.out" >/dev/null ||
        fail "status --json$1 is not a snapshot of both clusters: $(head -c 300 "$OUT/status-json$1.err")"
    run "status$1" px status --timeout 20
    run "doctor$1" px doctor --timeout 20
    run "doctor-json$1" px doctor --json --timeout 20
    run "channel-status$1" px channel status --timeout 20
    run "channel-status-json$1" px channel status --json --timeout 20
    serve_and_watch "$1"
}
# serve and watch on the lab: every endpoint of serve scraped into $OUT, watch's lines too,
# both with --log.
SERVE_URL=""
serve_reads_channel() { curl -sf "$SERVE_URL/metrics" | grep -q '^pxcmesh_channel_io_running{cluster="cluster-a"'; }
serve_and_watch() { # SUFFIX
    # Not through px: `px ... &` is a subshell that ignores SIGINT (bash's rule for a
    # background job), and the SIGINT below must reach pxcmesh itself.
    "$PXCMESH" --config "$CFG" serve --listen 127.0.0.1:0 --log "$OUT/serve$1.log" >"$OUT/serve$1.out" 2>"$OUT/serve$1.err" &
    local sp=$!
    "$PXCMESH" --config "$CFG" watch -o json-lines --log "$OUT/watch$1.log" >"$OUT/watch$1.out" 2>"$OUT/watch$1.err" &
    local wp=$!
    poll 10 grep -q 'serving http' "$OUT/serve$1.err" || fail "serve$1 did not start: $(head -c 300 "$OUT/serve$1.err")"
    SERVE_URL=$(sed -n 's/.*serving \(http[^ ]*\).*/\1/p' "$OUT/serve$1.err")
    poll 30 serve_reads_channel || fail "serve$1: no channel in /metrics"
    local p
    for p in metrics status.json findings.json healthz; do
        curl -sf "$SERVE_URL/$p" >"$OUT/serve$1-${p//./-}.out" || fail "serve$1: GET /$p failed"
    done
    jq -e '.clusters | length == 2' "$OUT/serve$1-status-json.out" >/dev/null ||
        fail "serve$1: /status.json is not a snapshot of both clusters"
    poll 30 grep -q '"type":"synced"' "$OUT/watch$1.out" || fail "watch$1: no synced line"
    kill -INT "$sp" "$wp"
    wait "$sp" || fail "serve$1 exit $?"
    wait "$wp" || fail "watch$1 exit $?"
    [[ -s $OUT/serve$1.log && -s $OUT/watch$1.log ]] || fail "serve$1/watch$1 wrote no --log"
}
verbs ""
echo "ok   serve (/metrics, /status.json, /findings.json, /healthz) and watch -o json-lines"
run get-pods px get pods -n pxc
run get-pxc-yaml px get pxc -n pxc -o yaml
run get-se-json px get se -A -o json
run get-namespaces px get namespaces
grep -q pxc-cluster-pxc-0 "$OUT/get-pods.out" || fail "get pods did not list the lab's pods"
for how in "secrets -n pxc" "secret pxc-cluster-secrets -n pxc -o yaml" "secrets -A -o json"; do
    # shellcheck disable=SC2086
    run get-secret px get $how
    rc=$?
    if [[ $rc != 2 ]] || ! grep -q "does not show secrets" "$OUT/get-secret.err"; then
        fail "get $how: expected the refusal (exit 2), got exit $rc"
    fi
    mv "$OUT/get-secret.out" "$OUT/get-${how//[ \/]/_}.out"
    mv "$OUT/get-secret.err" "$OUT/get-${how//[ \/]/_}.err"
done
echo "ok   get refuses secrets"

# A changed Secret, previewed: the diff must not show the live values.
cat >"$T/secret.yaml" <<'EOF'
apiVersion: v1
kind: Secret
metadata:
  name: pxc-cluster-secrets
  namespace: pxc
type: Opaque
stringData:
  monitor: a-new-value-that-is-not-secret
EOF
run apply-dry-run px apply --dry-run -f "$T/secret.yaml" --cluster cluster-a ||
    fail "apply --dry-run of a Secret failed: $(head -c 300 "$OUT/apply-dry-run.err")"
grep -q "will change" "$OUT/apply-dry-run.out" || fail "apply --dry-run: the changed Secret is not a change"

# Passwords given through the environment are not echoed back.
PW_GIVEN=$PW_REPLICATION run gen-repl-sql px generate replication-sql --channel cluster_b_source \
    --source-host pxc-cluster.cluster-b.global --user replication --password-env PW_GIVEN ||
    fail "generate replication-sql failed: $(head -c 300 "$OUT/gen-repl-sql.err")"
PW_GIVEN=$PW_MONITOR run probe-mysql px probe mysql "$PREFIX.10.2:3306" --user monitor \
    --password-env PW_GIVEN --json
jq -e '.status == "ok"' "$OUT/probe-mysql.out" >/dev/null ||
    fail "probe mysql as monitor did not log in: $(head -c 300 "$OUT/probe-mysql.out")"

# The exception: generate remote-secret prints the reader token inside the kubeconfig of
# the Secret it makes, by design; stdout is where the user asked for it (here a file only
# its owner reads). Its stderr is an ordinary output, and it writes nowhere else.
(
    umask 077
    px generate remote-secret --from-cluster cluster-b >"$SEC/remote-secret.yaml" 2>"$OUT/remote-secret.err"
) || fail "generate remote-secret failed: $(cat "$OUT/remote-secret.err")"
reader=$(cat "$DIR/kubesim/reader-token")
grep -qF -f <(printf '%s\n' "$reader") "$SEC/remote-secret.yaml" ||
    fail "generate remote-secret: the reader token is not in its output, so excluding that output proves nothing"
unset reader
echo "ok   generate remote-secret: the token goes to stdout only"

run lab-status "$PXCMESH" lab status --dir "$DIR" || fail "lab status failed"

# The console, live, with its debug log and trace, through its views.
# shellcheck disable=SC2034 # read by tui_start
TUI_ENV="export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config XDG_STATE_HOME=$T/home/.local/state XDG_CACHE_HOME=$T/home/.cache PXCMESH_TRACE=$OUT/console.trace"
tui_start 140 45 --config "$CFG" --log "$OUT/console.log"
wait_for " LIVE " 15
wait_re '^cluster-a ● API ok.* +cluster-b ● API ok' 30
wait_re '│pxc-cluster-pxc-0 +Running +Synced' 30
screen >"$OUT/screen-overview.txt"
keys 2
wait_re '│cluster-a .*cluster_b_source .*Yes +Yes ' 15
screen >"$OUT/screen-channels.txt"
keys Enter
wait_for "Channel cluster_b_source on" 10
wait_for "History (newest first)" 10
screen >"$OUT/screen-channel-detail.txt"
keys Escape
for v in "3:Events (newest first)" "4:Findings (errors first)" "5:ServiceEntries (all clusters)" \
    "6:Injection (needing action first)" "8:Set up replication"; do
    keys "${v%%:*}"
    wait_for "${v#*:}" 10
    screen >"$OUT/screen-${v%%:*}.txt"
done
keys q
wait_exit 0 15
[[ -s $OUT/console.trace ]] || fail "PXCMESH_TRACE wrote nothing to $OUT/console.trace"
[[ -s $OUT/console.log ]] || fail "--log wrote nothing to $OUT/console.log"
echo "ok   console: overview, channels, detail, events, findings, serviceentries, injection, setup"

# The private pod network: pxcmesh finds the servers and their passwords through the API.
PRIVATE=1
"$PXCMESH" lab up --dir "$DIR" --prefix "$PREFIX" --pod-network private >"$OUT/lab-up-private.out" 2>"$OUT/lab-up-private.err" ||
    fail "lab up --pod-network private: $(tail -5 "$OUT/lab-up-private.err")"
verbs "-private"
"$PXCMESH" lab up --dir "$DIR" --prefix "$PREFIX" >"$OUT/lab-up-direct.out" 2>"$OUT/lab-up-direct.err" ||
    fail "lab up (back to direct): $(tail -5 "$OUT/lab-up-direct.err")"
PRIVATE=0
echo "ok   status, doctor, channel status on the private pod network"

# The sampling is worth something only if it saw the sync loop's requests (each lives for
# a few milliseconds, several a second).
sync_seen() { grep -Eq "^curl .*https://${PREFIX//./\\.}\.(10|20)\.100:6443/" "$OUT/ps.txt"; }
poll 20 sync_seen || fail "the ps samples never caught the DNS sync loop's curl"
rm -f "$T/sampling"
wait "$SAMPLER"
SAMPLER=
echo "ok   $(grep -c '^--- ps sample' "$OUT/ps.txt") ps samples, $(grep -Ec "^curl .*:6443/" "$OUT/ps.txt") of them caught a curl of the sync loop"

# ------------------------------------------------------------------------- the search
# outputs: no secret at all; other files: only in mode 0600.
is_output() {
    case $1 in
    "$OUT"/* | "$TUI_TMP"/* | "$DIR"/log/* | "$DIR"/??/*.log | "$DIR"/??/*.log.*) return 0 ;;
    esac
    return 1
}
n_files=$(find "$DIR" "$T" "$TUI_TMP" -type f | wc -l)
while IFS= read -r -d '' f && IFS= read -r hit; do
    mode=$(stat -c %a "$f" 2>/dev/null) || continue
    if is_output "$f"; then
        echo "LEAK $f (mode $mode, an output): ${NAME_OF[$hit]:-?}"
    elif [[ $mode != 600 ]]; then
        echo "LEAK $f (mode $mode, not 600): ${NAME_OF[$hit]:-?}"
    else
        continue
    fi
done < <(find "$DIR" "$T" "$TUI_TMP" -type f ! -path "$SEC/needles" -print0 |
    xargs -0 grep -aoF --null -H -f "$SEC/needles" -- 2>/dev/null | sort -u) >"$T/leaks.txt"
leaks=$(sort -u "$T/leaks.txt" | tee /dev/stderr | wc -l)
if ((leaks)); then
    echo "FAIL $leaks secret(s) found where they do not belong (searched $n_files files)" >&2
    exit 1
fi
echo "ok   no secret in any output, and none in a file whose mode is not 0600 ($n_files files searched)"
echo "all passed"
