# test_idle: an idle console writes next to nothing: after the first frame only the
# clock ticks (a few bytes a second; the target is < 64 bytes/s), and a key that changes
# one selection sends far less than a full repaint.
. "$(dirname "$0")/lib.sh"

tui_start 120 40 --replay "$PXC_FIXTURES/snapshot-healthy.json"
wait_for "ServiceEntries"
sleep 0.5
OUT=$TUI_TMP/pane.out
: >"$OUT"
"${TUI_T[@]}" pipe-pane -O -t tui "cat >>$OUT"
sleep 4
"${TUI_T[@]}" pipe-pane -t tui
idle=$(wc -c <"$OUT")
echo "idle bytes in 4 s: $idle"
((idle > 0)) || fail "the clock did not tick in 4 s"
((idle < 4 * 64)) || fail "idle output $idle bytes in 4 s (target < 64 bytes/s)"

# One selection move: a few rows change, not the whole screen (a full 120x40 repaint is
# several KB).
: >"$OUT"
"${TUI_T[@]}" pipe-pane -O -t tui "cat >>$OUT"
keys Tab
wait_for "─ ▶ Pods"
keys j
wait_re '^┌─ ▶ Pods ─+ 2/5 ─┐'
sleep 0.3
"${TUI_T[@]}" pipe-pane -t tui
moved=$(wc -c <"$OUT")
echo "bytes for Tab + j: $moved"
((moved < 1500)) || fail "Tab + j sent $moved bytes"
keys q
wait_exit 0
echo ok
