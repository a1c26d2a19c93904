# test_stale: stale data shows its age instead of passing for current, and never blocks.
# From the healthy snapshot, a copy where cluster-b's API stopped answering 14 s before
# the snapshot (reachable false, last contact 14 s earlier) and skips TLS verification,
# and where cluster-a's channel was last read 45 s before (over 3 refresh intervals of
# the default 2 s). The header names the cluster with its last contact and the insecure
# TLS; the overview and the Channels view grey the channel and say how old it is; the
# channel sorts with the problems; its detail says it is stale. The keys keep working.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || fail "jq is needed (apt-get install -y jq)"

snap=$TUI_TMP/stale.json
jq '(.clusters[] | select(.name == "cluster-b")) |= (.reachable = false | .insecure = true
        | .updatedAt = "2026-11-25T07:59:46Z" | .error = "Get https://127.0.0.1:6444/api: context deadline exceeded")
    | (.clusters[] | select(.name == "cluster-a") | .channels[]) |= (.updatedAt = "2026-11-25T07:59:15Z")' \
    "$PXC_FIXTURES/snapshot-healthy.json" >"$snap" || fail "jq"

tui_start 160 45 --replay "$snap"
wait_for "REPLAY"
# The header: which cluster, how long ago; and the insecure TLS per cluster.
has "cluster-b: last contact 14s ago"
has "insecure TLS: cluster-b"
# The overview: the column says how old its data is; the channel row shows its age.
has "API unreachable  data from 14s ago"
screen | grep -q '│cluster_b_source .*stale 45s' || fail "overview: channel not marked stale"
has "Channels ✗1" # a stale channel is a problem, counted and floated
has "cluster-b ──cluster_b_source (stale 45s)──▶ cluster-a" # the topology line too
# The Channels view: the age in words, and the row keeps its place among problems.
keys 2
wait_view Channels
screen | grep -q '│cluster-a .*cluster_b_source .*stale: last read 45s ago' ||
    fail "channels: no stale age"
# The detail: stale first, and "Last read" with the time.
keys Enter
wait_for "Channel cluster_b_source on pxc-cluster-pxc-0"
screen | grep -q '│Stale  *no answer from the server for 45s' || fail "detail: not stale"
screen | grep -q '│Last read      2026-11-25 07:59:15 UTC (45s ago)' || fail "detail: last read"
keys Escape
wait_view Channels
keys q
wait_exit 0

# The same snapshot untouched: nothing is stale, nothing unreachable.
tui_stop
tui_start 160 45 --replay "$PXC_FIXTURES/snapshot-healthy.json"
wait_for "REPLAY"
settle
hasnt "last contact"
hasnt "stale"
hasnt "insecure TLS"
keys q
wait_exit 0
echo ok
