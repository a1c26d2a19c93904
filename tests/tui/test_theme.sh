# test_theme: :theme NAME switches live (colours change on screen), completes names with
# Tab, and a missing or broken theme is an error in the status bar (file:line and the
# reason) while the old theme stays; --theme at start, NO_COLOR and --no-color.
. "$(dirname "$0")/lib.sh"

THEMES=$(mktemp -d "${TMPDIR:-/tmp}/pxct-themes.XXXXXX")
trap 'tui_cleanup; rm -rf "$THEMES"' EXIT
cp "$PXC_SOURCE_DIR"/themes/*.theme "$THEMES"/
printf 'palette  a=colour39\n\ntabel.header = fg=a,bold\n' >"$THEMES/broken.theme"
export PXC_THEMES_DIR=$THEMES

# Colours on: the escapes in the pane carry 256-colour SGRs.
TUI_ENV="unset NO_COLOR" tui_start 120 40 --replay "$PXC_FIXTURES/snapshot-healthy.json"
wait_for "Channels"
colours() { "${TUI_T[@]}" capture-pane -p -e -t tui | head -n -1 | grep -oE '\[[0-9;]*m' | sort -u | tr '\n' ' '; }
settle
before=$(colours)
grep -qE '38;5;|48;5;' <<<"$before" || fail "no 256-colour escapes with colours on: $before"
keys :
typed "theme li"
keys Tab
wait_for "theme light"
keys Enter
wait_for "theme light active" # the status bar confirms
settle
after=$(colours)
[[ $before != "$after" ]] || fail "colours did not change after :theme light"
# A theme that does not exist: an error, the light theme stays.
keys :
typed "theme nosuch"
keys Enter
wait_for "nosuch"
settle
screen | tail -1 | grep -qi "not found\|no theme" || fail "no 'not found' error: $(screen | tail -1)"
[[ $(colours) == "$after" ]] || fail "colours changed after a failed :theme"
# A broken file: file:line and the reason with a suggestion.
keys :
typed "theme broken"
keys Enter
wait_for "broken.theme:3: unknown element 'tabel.header'"
settle
[[ $(colours) == "$after" ]] || fail "colours changed after a broken theme"
# A file that is not a theme (a password file): the error names the file and the line, never
# what the line says.
printf 'root:$6$SECRETHASH$x:19000:0:99999:7:::\n' >"$THEMES/shadow"
keys :
typed "theme $THEMES/shadow"
keys Enter
wait_for "shadow:1: not a theme line"
hasnt "SECRETHASH"
# A FIFO nobody writes: refused at once, and the console keeps answering (the file is read
# on a worker, never on the loop).
mkfifo "$THEMES/fifo.theme"
keys :
typed "theme fifo"
keys Enter
wait_for "not a regular file (a FIFO); give a file" 5
keys '?'
wait_for "pxcmesh keys" 5
keys Escape
wait_gone "pxcmesh keys" 5
[[ $(colours) == "$after" ]] || fail "colours changed after a refused theme"
# Back to the default.
keys :
typed "theme default"
keys Enter
wait_for "theme default active"
settle
[[ $(colours) == "$before" ]] || fail "default theme colours differ from the start"
keys :
typed "theme"
keys Enter
wait_for "usage: :theme NAME"
keys q
wait_exit 0

# --theme with a bad name: the default stays in force and the status bar says why.
tui_stop
TUI_ENV="unset NO_COLOR" tui_start 120 40 --theme broken --replay "$PXC_FIXTURES/snapshot-healthy.json"
wait_for "broken.theme:3: unknown element"
has "default theme in use: "
settle
[[ $(colours) == "$before" ]] || fail "--theme broken: not the default colours"
keys q
wait_exit 0

# --no-color: no colour escapes at all (bold and reverse remain).
tui_stop
TUI_ENV="unset NO_COLOR" tui_start 120 40 --no-color --replay "$PXC_FIXTURES/snapshot-healthy.json"
wait_for "Channels"
settle
c=$(colours)
grep -qE '3[0-9];|4[0-9];|38;5|48;5|\[3[0-7]m|\[4[0-7]m' <<<"$c" && fail "--no-color drew colours: $c"
keys q
wait_exit 0

# NO_COLOR in the environment (lib.sh's default) does the same.
tui_stop
tui_start 120 40 --replay "$PXC_FIXTURES/snapshot-healthy.json"
wait_for "Channels"
settle
c=$(colours)
grep -qE '38;5|48;5|\[3[0-7]m|\[4[0-7]m' <<<"$c" && fail "NO_COLOR drew colours: $c"
keys q
wait_exit 0
echo ok
