# test_help: ? opens the help generated from the key table (every global description,
# the table keys, the : commands), it scrolls and searches, Esc closes it and the
# overview is drawn again; the status bar's hints come from the same table. The terminal
# is tall so that the whole global section fits on the first page. At 200x50 no
# description is cut; at 80x24 they are cut to the box.
. "$(dirname "$0")/lib.sh"

tui_start 120 60 --replay "$PXC_FIXTURES/snapshot-healthy.json"
wait_for "REPLAY"
# Hints in the status bar, from the KEY_HINT rows.
has "<q> quit"
has "<?> help"
keys '?'
wait_for "pxcmesh keys"
# Every global row's description is shown, as the keymap says it.
while IFS= read -r desc; do
    screen | grep -qF -- "$desc" || fail "help lacks '$desc'"
done < <("$PXCMESH" keys | awk '$1 == "global"' | cut -c39-)
has "Select the next row"
has "j/Down"
# Scroll to the end: the commands section.
keys G
wait_for ":theme NAME"
has "Switch the colour theme"
# Search within the help.
keys /
typed "sort"
wait_for "Sort by the next column"
hasnt "Quit pxcmesh"
keys Escape # leave the search
# The help overlay's own keys (further down than the first page as scopes grow).
keys /
typed "close the help"
wait_for "Esc/q/?"
keys Escape # leave the search
keys Escape # close the help
wait_gone "pxcmesh keys"
wait_for "ServiceEntries"
screen | grep -q 'pxc-cluster-pxc-0' || fail "overview not redrawn after help"
# :help opens it too.
keys :
typed "help"
keys Enter
wait_for "pxcmesh keys"
keys q
wait_gone "pxcmesh keys"
keys q
wait_exit 0

# At 200x50 the box grows past its usual 100 cells for the descriptions that need it: none
# is cut. At 80x24 it fits the terminal and cuts them with an ellipsis.
tui_stop
tui_start 200 50 --replay "$PXC_FIXTURES/snapshot-healthy.json"
wait_for "REPLAY"
keys '?'
wait_for "pxcmesh keys"
has "Open the command line (:view NAME, :se, :pods... and :help)"
keys /
typed "probe"
wait_for "Probe the selected row's host from this machine (DNS, TCP); no rows: every ServiceEntry host"
keys Escape Escape
wait_gone "pxcmesh keys"
keys q
wait_exit 0
tui_stop
tui_start 80 24 --replay "$PXC_FIXTURES/snapshot-healthy.json"
wait_for "REPLAY"
keys '?'
wait_for "pxcmesh keys"
screen | grep -qE '^.?.│  : +Open the command line \(:view NAME, :se, :pods\.\.\. a… +│' ||
    fail "80x24: the help's description is not cut to the box"
keys q
wait_gone "pxcmesh keys"
keys q
wait_exit 0
echo ok
