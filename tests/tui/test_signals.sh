# test_signals: SIGTERM, SIGHUP and C-c quit cleanly (exit 0, terminal restored, no
# sanitizer report); a crash signal restores the terminal before the process dies.
. "$(dirname "$0")/lib.sh"

run_and_signal() {
    local sig=$1
    tui_start 100 30 --replay "$PXC_FIXTURES/snapshot-healthy.json"
    wait_for "ServiceEntries"
    local pid
    # The pane runs "sh run.sh"; pxcmesh is its child.
    pid=$(pgrep -n -P "$("${TUI_T[@]}" display -p -t tui '#{pane_pid}')" pxcmesh)
    [[ -n $pid ]] || fail "cannot find the pxcmesh pid"
    kill -s "$sig" "$pid"
}

run_and_signal TERM
wait_exit 0
hasnt "ServiceEntries"
tui_stop

run_and_signal HUP
wait_exit 0
tui_stop

tui_start 100 30 --replay "$PXC_FIXTURES/snapshot-healthy.json"
wait_for "ServiceEntries"
keys C-c
wait_exit 0
hasnt "ServiceEntries"
tui_stop

# SIGSEGV: the crash handler leaves the alternate screen and shows the cursor, then the
# process dies of the signal (128 + 11). Sanitizers would turn this into their own
# report, so only the restore is checked here.
run_and_signal SEGV
tui_poll re "EXITED:[0-9]+" 10 || fail "pxcmesh did not die"
screen | grep -qE "EXITED:(139|1)$" || fail "unexpected exit: $(screen | grep EXITED)"
hasnt "ServiceEntries"
echo ok
