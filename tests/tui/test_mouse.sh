# test_mouse: a left press focuses the section under the pointer and selects the row, the
# wheel scrolls it, and --no-mouse leaves the mouse alone. Mouse reports are injected as
# the terminal would send them (X10: ESC [ M button x+33 y+33; screen-256color's kmous).
. "$(dirname "$0")/lib.sh"

# press X Y (0-based) / wheel_down X Y (a wheel report has no release)
# A press is followed by its release (button 3), as a terminal sends them.
press() {
    local x y
    x=$(printf '%x' $(($1 + 33))) y=$(printf '%x' $(($2 + 33)))
    keys -H 1b 5b 4d 20 "$x" "$y" 1b 5b 4d 23 "$x" "$y"
}
wheel_down() { keys -H 1b 5b 4d 61 "$(printf '%x' $(($1 + 33)))" "$(printf '%x' $(($2 + 33)))"; }

tui_start 120 40 --replay "$PXC_FIXTURES/snapshot-healthy.json"
wait_for "ServiceEntries"
y=$(screen | grep -n '^│pxc-cluster-pxc-1 ' | cut -d: -f1)
[[ -n $y ]] || fail "no pxc-1 row"
press 5 $((y - 1))
wait_re '^┌─ ▶ Pods ─+ 4/5 ─┐'
# cluster-b's ServiceEntries frame: a click there moves the focus across columns.
yb=$(screen | grep -n 'no ServiceEntries' | cut -d: -f1)
press 70 $((yb - 1))
wait_re '┌─ ▶ ServiceEntries ─+ 0/0 ─┐$'
press 5 $((y - 1))
wait_re '^┌─ ▶ Pods ─+ 4/5 ─┐'
wheel_down 5 $((y - 1))
wait_re '^┌─ ▶ Pods ─+ 5/5 ─┐'
keys q
wait_exit 0

tui_stop
tui_start 120 40 --no-mouse --replay "$PXC_FIXTURES/snapshot-healthy.json"
wait_for "ServiceEntries"
press 5 $((y - 1))
sleep 0.3
screen | grep -q '^┌─ ▶ PXC' || fail "--no-mouse: the focus moved"
keys q
wait_exit 0
echo ok
