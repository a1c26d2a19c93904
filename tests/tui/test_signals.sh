# test_signals: SIGTERM, SIGHUP and C-c quit cleanly (exit 0, no sanitizer report); every
# signal that ends the process gives the terminal back whole: SIGQUIT (Ctrl-\), SIGSEGV and
# SIGABRT die of the signal after a handler has left the alternate screen, turned the keypad
# (application) mode and mouse reporting off, shown the cursor and restored the termios
# (echo, icanon). tmux's pane flags and `stty -a` on the pane's tty check each.
. "$(dirname "$0")/lib.sh"

# No core files from the signals that dump one.
TUI_ENV="ulimit -c 0"

start() {
    tui_start 100 30 --replay "$PXC_FIXTURES/snapshot-healthy.json"
    wait_for "ServiceEntries"
}
pane() { "${TUI_T[@]}" display -p -t tui "$1"; }
# alternate screen, keypad (DECKPAM), cursor keys (DECCKM), any mouse reporting
modes() { pane '#{alternate_on} #{keypad_flag} #{keypad_cursor_flag} #{mouse_any_flag}'; }
signal() {
    local pid
    # The pane runs "sh run.sh"; pxcmesh is its child.
    pid=$(pgrep -n -P "$(pane '#{pane_pid}')" pxcmesh)
    [[ -n $pid ]] || fail "cannot find the pxcmesh pid"
    kill -s "$1" "$pid"
}
# The terminal as pxcmesh left it: no alternate screen, keypad and mouse off, echo and
# canonical input on.
restored() {
    local sig=$1 m tty s
    m=$(modes)
    [[ $m == "0 0 0 0" ]] || fail "SIG$sig: terminal modes (alternate keypad cursor-keys mouse) are '$m', want '0 0 0 0'"
    tty=$(pane '#{pane_tty}')
    s=$(stty -a -F "$tty") || fail "SIG$sig: stty on $tty failed"
    grep -qE '(^|[ ;])echo( |;|$)' <<<"$s" || fail "SIG$sig: echo is off after exit: $s"
    grep -qE '(^|[ ;])icanon( |;|$)' <<<"$s" || fail "SIG$sig: icanon is off after exit: $s"
    hasnt "ServiceEntries"
    echo "ok: SIG$sig: terminal restored ($m; echo icanon)"
}

# The clean quits.
for sig in TERM HUP; do
    start
    [[ $(modes) == "1 1 1 1" ]] || fail "running: modes '$(modes)', want '1 1 1 1' (the checks below would prove nothing)"
    signal "$sig"
    wait_exit 0
    restored "$sig"
    tui_stop
done
start
keys C-c
wait_exit 0
restored INT
tui_stop

# The signals that end the process: it dies of the signal (128 + N). Sanitizers may turn a
# SEGV into their own report (exit 1); only the restore is checked for those.
for sig in QUIT SEGV ABRT; do
    start
    signal "$sig"
    tui_poll re "EXITED:[0-9]+" 10 || fail "SIG$sig: pxcmesh did not die"
    n=$(kill -l "$sig")
    screen | grep -qE "EXITED:($((128 + n))|1)$" || fail "SIG$sig: unexpected exit: $(screen | grep EXITED)"
    restored "$sig"
    tui_stop
done
echo ok
