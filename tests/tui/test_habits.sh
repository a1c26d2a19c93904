# test_habits: the conventions kubectl, k9s and less users have in their hands, on the
# broken replay, at 80x24 and at 200x50:
#   - `/` opens an empty prompt: "/!galera" is typed as such, never appended to the old
#     filter ("galera!galera"); Up recalls the previous filter; the old filter stays in
#     force until the first edit;
#   - the Events title follows the sort ("oldest first" by time ascending);
#   - a write key in a replay says it is read-only and why, not "no action here";
#   - `:` takes resource names and aliases (:se, :po, :ch, :ev, :fi, :ns...);
#   - Ctrl-R in a replay says there is nothing to read again; `l` says what it is kept for.
. "$(dirname "$0")/lib.sh"

for size in "80 24" "200 50"; do
    # shellcheck disable=SC2086
    set -- $size
    W=$1 H=$2
    tui_stop
    tui_start "$W" "$H" --replay "$PXC_FIXTURES/snapshot-broken.json"
    wait_for "REPLAY"

    # ---- the filter prompt, on the Events view (3 events: two of cluster-a)
    keys 3
    wait_for "─ Events (newest first) "
    keys /
    typed "cluster-b"
    keys Enter
    wait_for "/cluster-b  (1 of 3)"
    keys /
    # Empty: the status bar's prompt is "/" alone, the old filter still in force.
    wait_re '^/ *$'
    has "/cluster-b  (1 of 3)"
    typed "!cluster-b"
    wait_re '^/!cluster-b *$'
    wait_for "/!cluster-b  (2 of 3)"
    hasnt "cluster-b!cluster-b"
    keys Enter
    # Up recalls the previous filters, newest first.
    keys /
    wait_re '^/ *$'
    keys Up
    wait_re '^/!cluster-b *$'
    keys Up
    wait_re '^/cluster-b *$'
    wait_for "/cluster-b  (1 of 3)"
    keys Escape # cancels the prompt and clears the filter
    wait_gone "(1 of 3)"

    # ---- the Events title follows the sort
    keys s
    wait_for "─ Events (oldest first) "
    screen | grep -qE '│TIME↑ ' || fail "$W: not sorted by time ascending"
    keys S
    wait_for "─ Events (newest first) "
    keys s
    wait_re '│TIME +AGE↑' # by age, youngest first: the newest first again
    has "─ Events (newest first) "
    keys s
    wait_for "─ Events (by CLUSTER, ascending) "

    # ---- read-only says so
    keys 2
    wait_for "─ Channels "
    keys x
    wait_for "read-only: stop (x) is not allowed (started with --replay)"
    keys 5
    wait_for "─ ServiceEntries (all clusters) "
    keys C-d
    wait_for "read-only: delete (C-d) is not allowed (started with --replay)"

    # ---- : takes resource names and aliases
    keys :
    typed "ch"
    keys Enter
    wait_for "─ Channels "
    keys :
    typed "ev"
    keys Enter
    wait_for "─ Events ("
    keys :
    typed "fi"
    keys Enter
    wait_for "─ Findings "
    keys :
    typed "se"
    keys Enter
    wait_for "─ ServiceEntries (all clusters) "
    keys :
    typed "ns"
    keys Enter
    wait_for "─ Injection "
    keys :
    typed "po"
    keys Enter
    wait_for "▶ Pods"
    keys :
    typed "pxc"
    keys Enter
    wait_for "▶ PXC"
    keys :
    typed "serviceentries"
    keys Enter
    wait_for "─ ServiceEntries (all clusters) "
    keys :
    typed "bogus"
    keys Enter
    wait_for "unknown command 'bogus'"

    # ---- Ctrl-R and l
    keys C-r
    wait_for "refresh: a replay shows a fixed snapshot; nothing to read again"
    keys 1
    wait_for "▶ PXC"
    keys l # on the PXC section: no pod selected
    wait_for "select a pod, a channel or a finding that names one first"
    keys q
    wait_exit 0
done
echo ok
