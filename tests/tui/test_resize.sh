# test_resize: the overview at 40x10 (the minimum layout: one column, summary lines,
# paging), at 80x24 (two columns), a 20x5 terminal that is too small (it says the size
# it needs), and back to 120x40 with everything drawn again; a storm of resizes ends in
# the right layout.
. "$(dirname "$0")/lib.sh"

tui_start 120 40 --replay "$PXC_FIXTURES/snapshot-healthy.json"
wait_for "ServiceEntries"
resize 40 10
wait_for "clusters 1-1 of 2"
has "cluster-a"
hasnt "cluster-b ● API"
# Summary lines instead of frames; the focus marker stays on PXC.
screen | grep -q '^▶ PXC' || fail "40x10: no summary line for the focused section"
# Paging: ] shows cluster-b.
keys ']'
wait_for "cluster-b ● API ok"
wait_for "clusters 2-2 of 2"
keys '['
wait_for "cluster-a ● API ok"
# Right at the edge pages too.
keys Right
wait_for "cluster-b ● API ok"
keys Left
wait_for "cluster-a ● API ok"

resize 80 24
wait_re '^cluster-a .*cluster-b '
hasnt "clusters 1-1 of 2"
has "┌─ ▶ PXC"

resize 20 5
wait_for "small: pxcmesh needs"
j=$(screen_joined)
grep -qF "terminal 20x5 is too small: pxcmesh needs at least 40x10" <<<"$j" || fail "message: $j"
resize 39 10
wait_for "39x10"
resize 120 40
wait_for "ServiceEntries"
hasnt "too small"
screen | grep -qE '^cluster-a .*API ok.* +cluster-b .*API ok' || fail "120x40 not restored"
screen | grep -q 'pxc-cluster-pxc-2' || fail "pods not redrawn"

# A storm of resizes coalesces; the last size wins.
for s in "60 20" "100 30" "45 12" "130 35" "90 30"; do resize $s; done
wait_re '^cluster-a .*API ok.* +cluster-b .*API ok'
# The status bar sits on the last line of the 30-line pane, the header on the first.
wait_re '^ pxcmesh  REPLAY'
screen | sed -n 30p | grep -q '<?> help' || fail "status bar not on line 30 after the storm"
keys q
wait_exit 0
echo ok
