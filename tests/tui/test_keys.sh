# test_keys: focus moves with Tab / Shift-Tab and Left/Right (marked "▶" in the section
# title), / filters the focused table (incrementally; Enter keeps, Esc clears), table keys
# move the selection, sorting cycles, and an unbound key says so in the status bar.
. "$(dirname "$0")/lib.sh"

tui_start 120 40 --replay "$PXC_FIXTURES/snapshot-healthy.json"
wait_for "REPLAY"
# The start focus is cluster-a's PXC section.
screen | grep -q '^┌─ ▶ PXC .*┌─ PXC ' || fail "start focus not on cluster-a PXC"
keys Tab
wait_for "─ ▶ Pods"
screen | grep -q '^┌─ ▶ Pods .*┌─ Pods ' || fail "Tab: focus not on cluster-a Pods"
keys Tab Tab Tab
# Past the last section of cluster-a: cluster-b's PXC.
wait_re '┌─ PXC .*┌─ ▶ PXC '
keys BTab
wait_re '^┌─ ▶ Channels'
keys Right
wait_re '┌─ Channels .*┌─ ▶ Channels'
keys Left Tab # back to cluster-a, then wrap to cluster-b PXC
wait_re '┌─ PXC .*┌─ ▶ PXC '
keys BTab BTab # cluster-a ServiceEntries
wait_re '^┌─ ▶ ServiceEntries'
keys BTab # cluster-a Pods
wait_re '^┌─ ▶ Pods'

# Filter the focused table (cluster-a's pods): incremental, then Enter keeps it.
keys /
wait_re '^/ *'
typed "pxc-1"
wait_for "1/1 of 5"
# cluster-a's column keeps pxc-1 only; cluster-b's pods are not filtered.
screen | grep -q '^│pxc-cluster-pxc-1 ' || fail "filtered row missing"
! screen | grep -q '^│pxc-cluster-pxc-[02] ' || fail "filter kept other rows"
[[ $(screen | grep -c 'pxc-cluster-pxc-2') -eq 1 ]] || fail "filter leaked into cluster-b"
keys Enter
wait_for "/pxc-1"
has "1/1 of 5"
# A negated filter keeps the rows that do not match.
keys /
keys C-u
typed "!pxc-cluster"
keys Enter
wait_for "1/2 of 5"
# Esc clears the filter.
keys Escape
wait_re '^┌─ ▶ Pods ─+ 1/5 ─┐'
screen | grep -q '^│pxc-cluster-pxc-0 ' || fail "Esc did not clear the filter"

# Selection: j moves down, G to the last row, g back.
keys j
wait_re '^┌─ ▶ Pods ─+ 2/5 ─┐'
keys G
wait_re '^┌─ ▶ Pods ─+ 5/5 ─┐'
keys g
wait_re '^┌─ ▶ Pods ─+ 1/5 ─┐'
keys Down Down
wait_re '^┌─ ▶ Pods ─+ 3/5 ─┐'
keys Up
wait_re '^┌─ ▶ Pods ─+ 2/5 ─┐' 
# Sort: s sorts by the first column (name), so the operator pod follows istiod.
keys s
wait_re '│NAME[↑^] '
keys S
wait_re '│NAME[↓v] '

# A key with no action here says so; a write key says that it is read-only, and why; the
# logs of the selected pod, that a replay has no cluster to read them from.
keys Z
wait_for "Z: no action here (press ? for the keys)"
keys x
wait_for "read-only: stop (x) is not allowed (started with --replay)"
keys l
wait_re "no log of [a-z-]+/[a-z0-9-]+: a replay has no cluster to read it from"
keys q
wait_exit 0
echo ok
