# tests/lab/mysql_lib.sh: helpers of the MySQL lab tests (sourced by test_mysql_*.sh).
# The lab (ctest fixture lab/up) runs channel cluster_b_source on cluster-a node 1, reading
# from cluster-b; its pxcmesh.yaml reaches every node directly with the monitor/operator users.
set -uo pipefail

: "${PXC_LAB_DIR:?run through ctest (PXC_LAB_DIR is set by tests/CMakeLists.txt)}"
: "${PXCMESH:?run through ctest (PXCMESH is set by tests/CMakeLists.txt)}"
command -v jq >/dev/null || { echo "FAIL: jq is needed (apt-get install -y jq)" >&2; exit 1; }
DIR=$PXC_LAB_DIR
CFG=$DIR/pxcmesh.yaml
CHAN=cluster_b_source
fails=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() { printf 'ok   %s\n' "$*"; }
fail() {
    printf 'FAIL %s\n' "$*" >&2
    fails=$((fails + 1))
}
done_tests() {
    ((fails == 0)) && echo "all passed" && exit 0
    echo "$fails failure(s)" >&2
    exit 1
}
# poll CMD for up to N seconds (bounded; never a bare sleep)
poll() {
    local n=$1
    shift
    local end=$((SECONDS + n))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS >= end)) && return 1
        sleep 0.5
    done
}
[[ -f $DIR/state && $(cat "$DIR/state") == ready ]] || {
    echo "FAIL the lab in $DIR is not ready (state: $(cat "$DIR/state" 2>/dev/null || echo none))" >&2
    exit 1
}
[[ -f $CFG ]] || { echo "FAIL no $CFG" >&2; exit 1; }

# The channel object of cluster_b_source in cluster-a, from `pxcmesh channel status --json`,
# into $TMP/chan.json (and the whole output in $TMP/status.json). Returns the exit code.
chan_json() {
    local rc
    "$PXCMESH" channel status --json --timeout 20 --config "$CFG" >"$TMP/status.json" 2>"$TMP/status.err"
    rc=$?
    jq -e --arg c "$CHAN" '[.channels[] | select(.name == $c and .cluster == "cluster-a")] | .[0]' \
        "$TMP/status.json" >"$TMP/chan.json" 2>/dev/null || echo null >"$TMP/chan.json"
    return $rc
}
# field of the channel object (jq path without the dot), as raw text
chan() { jq -r ".$1" "$TMP/chan.json"; }
# true when the channel shows IO $1 and SQL $2
chan_is() {
    chan_json
    [[ $(chan ioRunning) == "$1" && $(chan sqlRunning) == "$2" ]]
}
# the channel is healthy again: both threads Yes, no error numbers
chan_healthy() {
    chan_json
    [[ $(chan ioRunning) == Yes && $(chan sqlRunning) == Yes && $(chan lastIoErrno) == 0 &&
        $(chan lastSqlErrno) == 0 ]]
}
