#!/usr/bin/env bash
# A duplicate key on the replica (lab fault break-channel) stops the SQL thread with 1062:
# `pxcmesh channel status` shows the errno, the message and when; fix-channel brings it back.
source "$(dirname "$0")/mysql_lib.sh"
trap '"$PXCMESH" lab fault fix-channel --dir "$DIR" >/dev/null 2>&1; rm -rf "$TMP"' EXIT

poll 60 chan_healthy || fail "the channel is not healthy before the test: $(cat "$TMP/chan.json")"
"$PXCMESH" lab fault break-channel --dir "$DIR" >"$TMP/fault.out" 2>&1 ||
    fail "lab fault break-channel failed: $(cat "$TMP/fault.out")"
sql1062() {
    chan_json
    [[ $(chan lastSqlErrno) == 1062 ]]
}
poll 20 sql1062 && ok "lastSqlErrno 1062" || fail "lastSqlErrno $(chan lastSqlErrno): $(chan lastSqlError)"
[[ $(chan sqlRunning) == No ]] && ok "SQL thread No" || fail "sqlRunning $(chan sqlRunning)"
[[ $(chan ioRunning) == Yes ]] && ok "IO thread still Yes" || fail "ioRunning $(chan ioRunning)"
[[ $(chan lastSqlError) == *"Duplicate entry"* ]] && ok "message: $(chan lastSqlError | cut -c1-100)" ||
    fail "lastSqlError '$(chan lastSqlError)'"
[[ $(chan lastSqlErrorAt) =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T ]] && ok "error time $(chan lastSqlErrorAt)" ||
    fail "lastSqlErrorAt '$(chan lastSqlErrorAt)'"
[[ $(chan lagSeconds) == null ]] && ok "lag unknown while the SQL thread is stopped" ||
    fail "lag '$(chan lagSeconds)' while the SQL thread is stopped"
out=$("$PXCMESH" channel status --config "$CFG" 2>&1)
grep -E "$CHAN +Yes +No .*SQL 1062" <<<"$out" >/dev/null && ok "table shows SQL 1062" || fail "table: $out"

"$PXCMESH" lab fault fix-channel --dir "$DIR" >"$TMP/fix.out" 2>&1 || fail "fix-channel: $(cat "$TMP/fix.out")"
poll 30 chan_healthy && ok "recovered: Yes/Yes, no error" ||
    fail "after fix: IO $(chan ioRunning) SQL $(chan sqlRunning) errno $(chan lastSqlErrno)"
done_tests
