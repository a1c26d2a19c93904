#!/usr/bin/env bash
# test_serve: pxcmesh serve and watch without a lab. serve --replay serves a snapshot:
# /metrics passes Prometheus' own parser and the format's rules (promtext.py), its values
# are the snapshot's (a channel's threads, its errno, NaN for an unknown lag, a gauge per
# finding), /status.json is `status --json --replay` byte for byte, TLS works on
# loopback with a certificate made here; the options refuse what they must (another address
# without TLS or --insecure, half a TLS pair, an address in use). watch exits 1 with a last
# "exit" line when a cluster stays unreachable past --fail-after.
set -uo pipefail
: "${PXCMESH:?PXCMESH must name the pxcmesh binary}"
: "${PXC_FIXTURES:?PXC_FIXTURES must name tests/fixtures}"
: "${PXC_SOURCE_DIR:?}"
PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3 # Debian's, where python3-prometheus-client is
$PY -c 'import prometheus_client' 2>/dev/null ||
    { echo "FAIL: python3-prometheus-client is needed (scripts/deps.sh)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/pxserve.XXXXXX")
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   $*"; }
fail() {
    echo "FAIL $*" >&2
    fails=$((fails + 1))
}
SNAP=$PXC_FIXTURES/snapshot-broken.json

# start_serve NAME ARGS...: serve in the background, its URL in $URL (bounded wait).
start_serve() {
    local name=$1
    shift
    "$PXCMESH" serve "$@" 2>"$T/$name.err" &
    PIDS+=($!)
    URL=""
    for _ in $(seq 1 50); do
        URL=$(sed -n 's/.*serving \(http[^ ]*\).*/\1/p' "$T/$name.err")
        [[ -n $URL ]] && return 0
        kill -0 "${PIDS[-1]}" 2>/dev/null || break
        sleep 0.1
    done
    fail "$name: no URL: $(cat "$T/$name.err")"
    return 1
}

start_serve replay --replay "$SNAP" --listen 127.0.0.1:0
curl -sf "$URL/metrics" -D "$T/h" >"$T/m.txt" || fail "GET /metrics"
grep -qi '^content-type: text/plain; version=0.0.4' "$T/h" && ok "content type text/plain; version=0.0.4" ||
    fail "content type: $(grep -i content-type "$T/h")"
if $PY "$PXC_SOURCE_DIR/tests/integration/promtext.py" check "$T/m.txt" >"$T/samples" 2>"$T/perr"; then
    ok "/metrics passes prometheus_client's parser and the format's rules ($(wc -l <"$T/samples") samples)"
else
    fail "promtext: $(cat "$T/perr")"
fi
# What the snapshot says, as gauges. Its channel: IO Connecting, errno 2005, lag unknown.
want() {
    grep -qxF "$1" "$T/samples" && ok "$1" || fail "no sample '$1'; near: $(grep -F "${1%%\{*}" "$T/samples" | head -3)"
}
jq -r '.clusters[] | .name as $c | .channels[]? | [$c, .server, .name, .ioRunning, .lastIoErrno] | @tsv' "$SNAP" >"$T/chans"
read -r c s n io eno <"$T/chans"
L="{channel=\"$n\",cluster=\"$c\",server=\"$s\"}"
[[ $io == Yes ]] && iov=1.0 || iov=0.0
want "pxcmesh_channel_io_running$L $iov"
want "pxcmesh_channel_last_io_errno$L $eno.0"
lag=$(jq -r --arg n "$n" '[.clusters[].channels[]? | select(.name == $n)][0].lagSeconds' "$SNAP")
if [[ $lag == null ]]; then
    grep -qE "^pxcmesh_channel_lag_seconds\{channel=\"$n\",cluster=\"$c\",lag_source=\"[^\"]*\",server=\"$s\"\} nan$" "$T/samples" &&
        ok "lag unknown: NaN, never 0" || fail "lag: $(grep channel_lag_seconds "$T/samples")"
fi
for code in $(jq -r '.findings[].code' "$SNAP" | sort -u); do
    grep -q "^pxcmesh_doctor_finding{.*code=\"$code\"" "$T/samples" || fail "no finding gauge for $code"
done
ok "a gauge for each of the snapshot's $(jq '.findings | length' "$SNAP") findings"
"$PXCMESH" status --json --replay "$SNAP" >"$T/status.want"
curl -sf "$URL/status.json" >"$T/status.got"
cmp -s "$T/status.want" "$T/status.got" && ok "/status.json is status --json, byte for byte" ||
    fail "/status.json differs: $(diff "$T/status.want" "$T/status.got" | head -5)"
curl -sf "$URL/findings.json" | jq -e --slurpfile s "$SNAP" '(.findings | map(.code)) == ($s[0].findings | map(.code))' >/dev/null &&
    ok "/findings.json has the snapshot's findings" || fail "/findings.json"
[[ $(curl -sf "$URL/healthz") == ok ]] && ok "/healthz" || fail "/healthz"
# Twenty scrapes at once: each answered whole.
for i in $(seq 1 20); do curl -sf "$URL/metrics" -o "$T/par.$i" & done
wait_all() { for j in $(jobs -p); do [[ " ${PIDS[*]} " == *" $j "* ]] || wait "$j"; done; }
wait_all
bad=0
for i in $(seq 1 20); do cmp -s <(grep -v _age_seconds "$T/par.$i") <(grep -v _age_seconds "$T/m.txt") || bad=$((bad + 1)); done
((bad == 0)) && ok "20 scrapes at once, all whole" || fail "$bad of 20 parallel scrapes differ"

# Another serve on the same address: refused, exit 1, saying so.
port=${URL##*:}
"$PXCMESH" serve --replay "$SNAP" --listen "127.0.0.1:$port" >/dev/null 2>"$T/busy.err"
rc=$?
[[ $rc == 1 ]] && grep -q "cannot serve on 127.0.0.1:$port" "$T/busy.err" && ok "address in use: exit 1" ||
    fail "address in use: exit $rc: $(cat "$T/busy.err")"
kill -INT "${PIDS[0]}"
wait "${PIDS[0]}"
rc=$?
[[ $rc == 0 ]] && ok "serve: exit 0 on SIGINT" || fail "serve exit $rc on SIGINT"

# Usage: what is refused before anything binds.
usage() {
    local want=$1
    shift
    "$PXCMESH" "$@" >/dev/null 2>"$T/u.err"
    local rc=$?
    [[ $rc == 2 ]] && grep -qF -- "$want" "$T/u.err" && ok "$* -> 2: $want" ||
        fail "$*: exit $rc: $(cat "$T/u.err")"
}
usage "is not a loopback address" serve --replay "$SNAP" --listen 0.0.0.0:9713
usage "is not a loopback address" serve --replay "$SNAP" --listen '[::]:9713'
usage "give --tls-cert and --tls-key together" serve --replay "$SNAP" --tls-cert "$T/x"
usage "is not an IP address" serve --replay "$SNAP" --listen localhost:9713
usage "port '99999'" serve --replay "$SNAP" --listen 127.0.0.1:99999
usage "the only output is json-lines" watch -o yaml
usage "--fail-after needs a duration" watch --fail-after soon
usage "--replay FILE is read by" watch --replay "$SNAP"

# TLS on loopback with a certificate made here.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || fail "openssl"
start_serve tls --replay "$SNAP" --listen 127.0.0.1:0 --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
[[ $URL == https://* ]] && ok "TLS: $URL" || fail "TLS URL '$URL'"
[[ $(curl -sf --cacert "$T/cert.pem" "$URL/healthz") == ok ]] && ok "TLS: /healthz over https" ||
    fail "TLS healthz"
curl -sf "${URL/https/http}/healthz" >/dev/null 2>&1 && fail "plain HTTP answered on the TLS port" ||
    ok "TLS: no plain HTTP on it"
kill -INT "${PIDS[-1]}"
wait "${PIDS[-1]}" || fail "serve (TLS) exit $?"

# watch: a cluster whose API refuses, --fail-after 2s: exit 1, last line type exit.
cat >"$T/kubeconfig.yaml" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: down, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: down, context: {cluster: down, user: u}}]
current-context: down
EOF
timeout -k 2 30 "$PXCMESH" watch -o json-lines --fail-after 2s --kubeconfig "$T/kubeconfig.yaml" \
    --context down >"$T/w.jsonl" 2>"$T/w.err" </dev/null
rc=$?
[[ $rc == 1 ]] && ok "watch --fail-after 2s: exit 1" || fail "watch exit $rc: $(cat "$T/w.err")"
tail -1 "$T/w.jsonl" | jq -e '.type == "exit" and .event == "fail-after" and .cluster == "down"' >/dev/null &&
    ok "last line: $(tail -1 "$T/w.jsonl" | jq -r .message | cut -c1-100)" || fail "last line: $(tail -1 "$T/w.jsonl")"
jq -e . "$T/w.jsonl" >/dev/null && ok "every line is JSON" || fail "not JSON: $(cat "$T/w.jsonl")"

((fails == 0)) && echo "all passed" && exit 0
echo "$fails failure(s)" >&2
exit 1
