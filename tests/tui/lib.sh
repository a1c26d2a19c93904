# tests/tui/lib.sh: the terminal test harness (tmux regress style). Source it, then:
#   tui_start [W H] ARGS...   run "$PXCMESH ARGS" in a private tmux server at W x H
#                             (default 120 x 40); when it exits the pane shows EXITED:<rc>
#   keys K...                 tmux send-keys (key names: Tab, Escape, Enter, C-c, ...)
#   typed TEXT                send TEXT literally
#   screen                    the pane's text (capture-pane -p)
#   wait_for TEXT [SECS]      poll the pane until it contains TEXT (fixed string), else fail
#   wait_gone TEXT [SECS]     poll until TEXT is gone, else fail
#   wait_re REGEX [SECS]      as wait_for with an extended regex
#   settle                    wait until the screen stops changing (before comparing it)
#   resize W H                resize the window (the program gets SIGWINCH)
#   wait_exit [RC] [SECS]     wait for EXITED:<rc> (default 0), then check the sanitizers
#   dialog_text TITLE         the open dialog's text, its lines joined into one
#   tui_stop                  kill the server before another tui_start in the same test
#   fail MSG                  print MSG and the screen, exit 1
# TUI_ENV (optional) is a shell line run before pxcmesh, e.g. "unset NO_COLOR".
# Everything is pinned: TERM, LANG, TZ, NO_COLOR, ASan/UBSan/LSan options. The server is
# killed on exit. Env: PXCMESH (binary), PXC_FIXTURES, PXC_SOURCE_DIR.
set -u

: "${PXCMESH:?PXCMESH must name the pxcmesh binary}"
: "${PXC_FIXTURES:?PXC_FIXTURES must name tests/fixtures}"
PXC_SOURCE_DIR=${PXC_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

# Each tui_start gets a server of its own (a socket name never reused in this test, so a
# server still shutting down is never contacted again).
TUI_N=0
TUI_SOCK=pxct$$-0
TUI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pxct.XXXXXX")
TUI_T=(tmux -L "$TUI_SOCK" -f /dev/null)
TUI_TERM=${TUI_TERM:-screen-256color}

tui_cleanup() {
    "${TUI_T[@]}" kill-server 2>/dev/null
    rm -rf "$TUI_TMP"
}
trap tui_cleanup EXIT

# End this run (its server and files) before the next tui_start in the same test.
tui_stop() {
    tui_cleanup
    TUI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pxct.XXXXXX")
}

# The pane's text. Callers pipe it into `grep -q`, which exits at the first match; under
# pipefail a writer killed by SIGPIPE would then fail a pipeline whose match was found (seen
# once in CI). So the text is captured whole first, and written with SIGPIPE ignored.
screen() (
    # A subshell: the ignored SIGPIPE stays here, not in the test's shell and its children.
    s=$("${TUI_T[@]}" capture-pane -p -t tui 2>/dev/null) || exit 1
    trap '' PIPE
    printf '%s\n' "$s" 2>/dev/null || true
)

fail() {
    echo "FAIL: $*" >&2
    echo "--- screen:" >&2
    screen >&2
    echo "--- sanitizer logs:" >&2
    cat "$TUI_TMP"/san.* 2>/dev/null >&2
    exit 1
}

# Bounded poll: 0.1 s steps up to SECS (default 10).
tui_poll() {
    local mode=$1 what=$2 secs=${3:-10}
    local n=$((secs * 10)) i
    for ((i = 0; i < n; i++)); do
        case $mode in
        has) screen | grep -qF -- "$what" && return 0 ;;
        gone) screen | grep -qF -- "$what" || return 0 ;;
        re) screen | grep -qE -- "$what" && return 0 ;;
        esac
        sleep 0.1
    done
    return 1
}

wait_for() { tui_poll has "$1" "${2:-10}" || fail "timed out waiting for '$1'"; }
wait_gone() { tui_poll gone "$1" "${2:-10}" || fail "'$1' still shown"; }
wait_re() { tui_poll re "$1" "${2:-10}" || fail "timed out waiting for /$1/"; }
# The header names the view shown: the Overview's own "Channels" box must not pass for the
# Channels view (a race seen in CI).
wait_view() { tui_poll re "^ pxcmesh .* $1( |\$)" "${2:-10}" || fail "timed out waiting for view '$1'"; }

# Wait (bounded, 3 s) until two captures 0.1 s apart are equal, attributes included: the
# last frame has been fully written.
settle() {
    local a b i
    a=$("${TUI_T[@]}" capture-pane -p -e -t tui)
    for ((i = 0; i < 30; i++)); do
        sleep 0.1
        b=$("${TUI_T[@]}" capture-pane -p -e -t tui)
        [[ $a == "$b" ]] && return 0
        a=$b
    done
    fail "the screen did not settle"
}

# Assert without waiting (the screen is known to be settled).
has() { screen | grep -qF -- "$1" || fail "expected '$1' on the screen"; }
hasnt() { ! screen | grep -qF -- "$1" || fail "did not expect '$1' on the screen"; }

keys() { "${TUI_T[@]}" send-keys -t tui "$@"; }
typed() { "${TUI_T[@]}" send-keys -t tui -l -- "$1"; }

resize() { "${TUI_T[@]}" resize-window -t tui -x "$1" -y "$2"; }

tui_start() {
    local w=120 h=40
    if [[ $# -ge 2 && $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ ]]; then
        w=$1 h=$2
        shift 2
    fi
    local args="" a
    for a in "$@"; do args+=" $(printf '%q' "$a")"; done
    # The program's sanitizer reports go to files (never onto the screen under test).
    cat >"$TUI_TMP/run.sh" <<RUN
export TERM=$TUI_TERM LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$TUI_TMP/san.asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$TUI_TMP/san.ubsan"
export LSAN_OPTIONS="suppressions=$PXC_SOURCE_DIR/tests/lsan.supp"
export PXC_THEMES_DIR="${PXC_THEMES_DIR:-}"
${TUI_ENV:-}
cd "$TUI_TMP"
# C-c reaches the whole foreground group: the shell must outlive it to print EXITED.
trap 'true' INT
$(printf '%q' "$PXCMESH")$args
echo "EXITED:\$?"
exec sleep 600
RUN
    TUI_N=$((TUI_N + 1))
    TUI_SOCK=pxct$$-$TUI_N
    TUI_T=(tmux -L "$TUI_SOCK" -f /dev/null)
    "${TUI_T[@]}" new-session -d -s tui -x "$w" -y "$h" "sh $TUI_TMP/run.sh" ||
        fail "cannot start tmux"
}

wait_exit() {
    local rc=${1:-0} secs=${2:-10}
    tui_poll re "EXITED:[0-9]+" "$secs" || fail "pxcmesh did not exit"
    screen | grep -qF "EXITED:$rc" || fail "pxcmesh exited with $(screen | grep -o 'EXITED:[0-9]*'), expected $rc"
    if ls "$TUI_TMP"/san.* >/dev/null 2>&1; then
        fail "sanitizer reports"
    fi
}

# The pane's text joined into one line (for messages that wrap in tiny terminals).
screen_joined() { screen | tr -s ' \n' '  '; }

# The text of the open dialog titled TITLE, its wrapped lines joined into one (spaces
# squeezed): what is inside its borders, whatever is drawn around it.
dialog_text() {
    screen | LC_ALL=C.UTF-8 awk -v t="┌─ $1 " '
        !c { c = index($0, t); next }
        {
            s = substr($0, c + 1)
            if (substr(s, 1, 1) == "└") exit
            i = index(s, "│")
            if (i) s = substr(s, 1, i - 1)
            print s
        }' | tr -s ' \n' '  '
}
