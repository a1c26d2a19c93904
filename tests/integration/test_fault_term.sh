#!/usr/bin/env bash
# test_fault_term: terminal faults against the live console (two kubesims, tmux).
# - Hostile names: cluster A carries pods named with wide CJK characters, a combining
#   accent, and terminal escape sequences (colour, set-title, bell). Every screen line keeps
#   the terminal's width in display cells, box borders stay aligned, the escapes never
#   reach the terminal (the pane title is untouched).
# - Invalid UTF-8 cannot come through the API (JSON is UTF-8; kubesim's answers are decoded
#   by jansson) nor through a snapshot: a snapshot with 0xff in a name is refused with
#   file:line:column, before curses starts.
# - A resize storm (40 sizes in a bounded loop, 20x5 up to 200x60) ends with an intact
#   screen at the last size; 20x5 says the size needed.
# - LANG=C (no UTF-8): the whole screen is ASCII, the hostile names included.
# The console runs under the sanitizers in `make check`; their reports fail the test.
# A private TMPDIR: other suites sweep /tmp/pxkube.* (kube_common.sh's prefix).
FAULT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pxfault.XXXXXX")
export TMPDIR=$FAULT_TMP
source "$(dirname "$0")/kube_common.sh"
command -v python3 >/dev/null || fail "python3 is needed to count display cells"

TMUX_SOCK=pxtt$$
T=(tmux -L "$TMUX_SOCK" -f /dev/null)
trap '"${T[@]}" kill-server 2>/dev/null; kt_cleanup; rmdir "$FAULT_TMP" 2>/dev/null' EXIT

kt_seed "$KT_DIR/seed-a" a enabled
kt_seed "$KT_DIR/seed-b" b enabled
pod() {
    printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","namespace":"pxc"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}\n' "$1"
}
i=0
for n in '数据库-pxc-宽字符-0' 'e\u0301-combining-pod' 'esc\u001b[31mred\u001b]0;pwned\u0007-pod' \
    '非常长的名字非常长的名字非常长的名字非常长的名字非常长的名字非常长的名字'; do
    pod "$n" >"$KT_DIR/seed-a/hostile-$((i++)).json"
done
ksim_start A 1 "$KT_DIR/seed-a" --insecure-http
ksim_start B 2 "$KT_DIR/seed-b" --insecure-http

# console_run NAME W H LANG: the live console in its own tmux session.
console_run() {
    local s=$1 w=$2 h=$3 lang=$4
    cat >"$KT_DIR/run-$s.sh" <<RUN
export TERM=screen-256color LANG=$lang LC_ALL=$lang TZ=UTC NO_COLOR=1 HOME=$KT_DIR
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$KT_DIR/san.asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$KT_DIR/san.ubsan"
export LSAN_OPTIONS="suppressions=$PXC_SOURCE_DIR/tests/lsan.supp"
$(printf '%q' "$PXCMESH") --kubeconfig $KT_DIR/kubeconfig --context A --context B
echo "EXITED:\$?"
exec sleep 600
RUN
    "${T[@]}" new-session -d -s "$s" -x "$w" -y "$h" "sh $KT_DIR/run-$s.sh" || fail "cannot start tmux"
}
# Captured whole, written with SIGPIPE ignored (in a subshell): `scr X | grep -q` must not
# fail under pipefail because grep left at its match while tmux was still writing.
scr() (
    s=$("${T[@]}" capture-pane -p -t "$1" 2>/dev/null) || exit 1
    trap '' PIPE
    printf '%s\n' "$s" 2>/dev/null || true
)
on_screen() { scr "$1" | grep -qE -- "$2"; }
# cells_ok SESSION W: every captured line is at most W display cells wide, and every line
# that starts a box row (│) ends it at the same column as the line above it.
cells_ok() {
    scr "$1" | python3 -c '
import sys, unicodedata
w = int(sys.argv[1]); bad = []
def cells(s):
    n = 0
    for ch in s:
        if unicodedata.combining(ch): continue
        n += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return n
for i, line in enumerate(sys.stdin.read().split("\n"), 1):
    line = line.rstrip(" ")
    if cells(line) > w: bad.append("line %d is %d cells: %r" % (i, cells(line), line))
    if any(ord(c) < 32 or ord(c) == 127 for c in line): bad.append("line %d has a control character: %r" % (i, line))
if bad:
    print("\n".join(bad)); sys.exit(1)
' "$2"
}
# borders_ok SESSION: the boxes of the left column (where the hostile names are) close at
# the same cell on every line: the cell of the first box's top-right corner.
borders_ok() {
    scr "$1" | python3 -c '
import sys, unicodedata
def cells(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = sys.stdin.read().split("\n"); bad = []; edge = None
closer = {"┌": "┐", "│": "│", "└": "┘"}
for i, l in enumerate(lines, 1):
    if not l or l[0] not in closer: continue
    want = closer[l[0]]
    at = [cells(l[:k]) for k, c in enumerate(l) if c == want and k > 0]
    if edge is None:
        if not at: bad.append("line %d: box without a right edge: %r" % (i, l)); break
        edge = at[0]; continue
    if edge not in at: bad.append("line %d: no %s at cell %d: %r" % (i, want, edge, l))
if edge is None: bad.append("no box on the screen")
if bad:
    print("\n".join(bad[:5])); sys.exit(1)
'
}

# ---- hostile names, UTF-8, 160x45. A's PXC cluster names a Secret that is gone: the
# console must say so and wait for the next refresh, not read it again at once (it did:
# thousands of GETs a second, a third of a core).
ksim_curl A DELETE /api/v1/namespaces/pxc/secrets/pxc-secrets >/dev/null
console_run u 160 45 C.UTF-8
wait_for 20 on_screen u '数据库-pxc-宽字符' || fail "CJK pod not shown: $(scr u)"
wait_for 10 on_screen u '^B ' || true
out=$(cells_ok u 160) || fail "layout broken by hostile names: $out"$'\n'"$(scr u)"
out=$(borders_ok u) || fail "box borders misaligned: $out"$'\n'"$(scr u)"
scr u | grep -q 'red' || fail "the escape-named pod is not shown at all"
title=$("${T[@]}" display -p -t u '#{pane_title}')
[[ $title != *pwned* ]] || fail "an escape sequence in a pod name reached the terminal (title: $title)"
pass "wide, combining and escape-laden names keep the layout (160 cells a line)"
cpid=$(pgrep -P "$("${T[@]}" display -p -t u '#{pane_pid}')" | head -1)
[[ -n $cpid ]] || fail "cannot find the console's pid"
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
t0=$(ticks "$cpid")
sleep 5
used=$(( $(ticks "$cpid") - t0 ))
hz=$(getconf CLK_TCK)
(( used * 100 < 5 * hz * 20 )) || fail "idle console used $used ticks in 5 s (over 20% of a core)"
pass "idle with a missing Secret: $used ticks in 5 s"

# ---- invalid UTF-8 in a snapshot: refused with its location, no crash
python3 - "$PXC_FIXTURES/snapshot-healthy.json" "$KT_DIR/bad-utf8.json" <<'PY'
import sys, json
src = open(sys.argv[1], 'rb').read()
name = json.loads(src)['clusters'][0]['pods'][0]['name'].encode()
open(sys.argv[2], 'wb').write(src.replace(name, b'bad-\xff\xfe-' + '宽'.encode() + b'-pod', 1))
PY
rc=0
msg=$("$PXCMESH" --replay "$KT_DIR/bad-utf8.json" </dev/null 2>&1) || rc=$?
[[ $rc == 1 ]] || fail "snapshot with invalid UTF-8: exit $rc, expected 1 ($msg)"
grep -qE 'bad-utf8\.json:[0-9]+:[0-9]+: .*0xff' <<<"$msg" || fail "invalid UTF-8 not located: $msg"
pass "invalid UTF-8 refused at the door: $msg"

# ---- resize storm, then the last size is drawn whole; 20x5 says what it needs
sizes=(20x5 200x60 41x11 80x24 33x7 150x50 60x15 120x40 39x10 100x30)
for ((i = 0; i < 40; i++)); do
    s=${sizes[$((i % ${#sizes[@]}))]}
    "${T[@]}" resize-window -t u -x "${s%x*}" -y "${s#*x}"
    ((i % 7 == 0)) && sleep 0.05
done
"${T[@]}" resize-window -t u -x 20 -y 5
wait_for 10 bash -c "tmux -L $TMUX_SOCK capture-pane -p -t u | tr -s ' \n' '  ' | grep -q 'needs at least'" ||
    fail "20x5: no too-small message: $(scr u)"
"${T[@]}" resize-window -t u -x 132 -y 43
wait_for 10 on_screen u '^ pxcmesh .*LIVE' || fail "after the storm: no header: $(scr u)"
wait_for 10 on_screen u '^A .*API ok' || fail "after the storm: cluster A column missing: $(scr u)"
scr u | sed -n 43p | grep -q '<?> help' || fail "after the storm: status bar not on line 43: $(scr u)"
scr u | grep -q 'too small' && fail "after the storm: still says too small"
out=$(cells_ok u 132) || fail "after the storm: $out"
out=$(borders_ok u) || fail "after the storm, borders: $out"$'\n'"$(scr u)"
pass "resize storm of 40 sizes ends intact at 132x43"

# ---- non-UTF-8 locale: ASCII only, the hostile names included
console_run c 120 40 C
wait_for 20 on_screen c '^ pxcmesh .*LIVE' || fail "LANG=C: console did not start: $(scr c)"
wait_for 20 on_screen c 'combining' || fail "LANG=C: pods not shown: $(scr c)"
nonascii=$(scr c | LC_ALL=C grep -n '[^ -~]' | head -3 || true)
[[ -z $nonascii ]] || fail "LANG=C: non-ASCII on the screen: $nonascii"
out=$(cells_ok c 120) || fail "LANG=C: $out"
pass "LANG=C renders ASCII only"

for s in u c; do
    "${T[@]}" send-keys -t "$s" q
    wait_for 10 on_screen "$s" 'EXITED:0' || fail "console ($s) did not quit cleanly: $(scr "$s")"
done
if ls "$KT_DIR"/san.* >/dev/null 2>&1; then cat "$KT_DIR"/san.* >&2; fail "sanitizer reports"; fi
pass "terminal faults survived"
