#!/usr/bin/env bash
# test_channel_hung: `channel stop` when the server that would run the channel never answers
# (a listener that accepts and stays silent, as a SIGSTOPped mysqld does). The only error is
# the real one, the timeout in words; it does not also claim "no channel ... on cluster",
# which the operator would read as "the channel is gone". Exit 1, within the timeouts.
set -uo pipefail
: "${PXCMESH:?PXCMESH must name the pxcmesh binary}"
command -v python3 >/dev/null || { echo "FAIL: python3 is needed" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/pxhung.XXXXXX")
HUNG_PID=
trap '[[ -n $HUNG_PID ]] && kill "$HUNG_PID" 2>/dev/null; rm -rf "$T"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# The silent server: accepts every connection, reads nothing, writes nothing.
python3 -u -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1])
held = []
while True:
    c, _ = s.accept()
    held.append(c)
' >"$T/port" 2>"$T/hung.err" &
HUNG_PID=$!
for _ in $(seq 50); do
    [[ -s $T/port ]] && break
    sleep 0.1
done
port=$(cat "$T/port")
[[ $port =~ ^[0-9]+$ ]] || fail "the silent server did not start: $(cat "$T/hung.err")"

cat >"$T/pxcmesh.yaml" <<EOF
clusters:
  - name: cluster-a
    context: a
    mysql:
      mode: direct
      servers: [{name: pxc-0, host: 127.0.0.1, port: $port}]
      passwordFrom: {env: PXC_TEST_PW}
      actionPasswordFrom: {env: PXC_TEST_PW}
      connectTimeoutSeconds: 1
      readTimeoutSeconds: 1
      writeTimeoutSeconds: 1
EOF
export PXC_TEST_PW=x
t0=$SECONDS
timeout -k 2 30 "$PXCMESH" channel stop --yes cluster_b_source --cluster cluster-a \
    --config "$T/pxcmesh.yaml" </dev/null >"$T/out" 2>"$T/err"
rc=$?
took=$((SECONDS - t0))
((rc == 1)) || fail "exit $rc, want 1: $(cat "$T/err")"
((took <= 15)) || fail "took ${took}s with timeouts of 1 s"
grep -q "pxc-0 (127.0.0.1:$port): .*no answer within 1 s" "$T/err" ||
    fail "the timeout is not said in words: $(cat "$T/err")"
grep -q "no channel" "$T/err" && fail "claims the channel does not exist: $(cat "$T/err")"
[[ $(wc -l <"$T/err") -eq 1 ]] || fail "more than the one real error: $(cat "$T/err")"
[[ -s $T/out ]] && fail "printed on stdout: $(cat "$T/out")"
echo "ok: exit 1 in ${took}s: $(cat "$T/err")"
