#!/usr/bin/env bash
# test_file_refusals: a FIFO (no writer) or /dev/zero given where pxcmesh reads a file: the
# config, the kubeconfig, a snapshot, a MySQL option file (and its !include). Each is refused
# within a few seconds, exit 1, with the file named and what it is. Before, a FIFO blocked the
# reader in open() forever (the console never started and ignored SIGTERM) and /dev/zero as an
# option file grew `channel status` by gigabytes a second.
set -uo pipefail
: "${PXCMESH:?PXCMESH must name the pxcmesh binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/pxfile.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
fail() {
    echo "FAIL: $*" >&2
    fails=$((fails + 1))
}
ok() { echo "ok: $*"; }

mkfifo "$T/fifo"
# A config whose MySQL servers are read directly, the status user's password from an option
# file: `channel status` needs no Kubernetes to reach the password.
config() {
    cat >"$T/pxcmesh.yaml" <<EOF
kubeconfig: $T/kubeconfig.yaml
clusters:
  - name: a
    context: a
    mysql:
      mode: direct
      servers: [{name: a-0, host: 127.0.0.1, port: 1}]
      passwordFrom:
        optionFile: {path: $1}
EOF
}
cat >"$T/kubeconfig.yaml" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: a, cluster: {server: "http://127.0.0.1:1"}}]
users: [{name: a, user: {token: t}}]
contexts: [{name: a, context: {cluster: a, user: a}}]
current-context: a
EOF
printf '[client]\npassword = x\n!include %s\n' "$T/fifo" >"$T/include-fifo.cnf"

# expect NAME WANT CMD...: exit $RC (default 1) within 10 s and WANT (a fixed string) on
# stderr.
expect() {
    local name=$1 want=$2
    shift 2
    local t0=$SECONDS rc
    timeout -k 2 10 "$@" </dev/null >"$T/out" 2>"$T/err"
    rc=$?
    if ((rc == 124 || rc == 137)); then
        fail "$name: still running after 10 s (blocked on the file?)"
    elif ((rc != ${RC:-1})); then
        fail "$name: exit $rc, want ${RC:-1}: $(head -c 400 "$T/err")"
    elif ! grep -qF -- "$want" "$T/err"; then
        fail "$name: stderr lacks '$want': $(head -c 400 "$T/err")"
    else
        ok "$name: refused in $((SECONDS - t0)) s: $(grep -F -m1 -- "$want" "$T/err" | cut -c1-150)"
    fi
}

fifo_msg="$T/fifo: not a regular file (a FIFO); give a file"
zero_msg="/dev/zero: not a regular file (a character device); give a file"

expect "config FIFO" "$fifo_msg" "$PXCMESH" --config "$T/fifo" status
expect "config /dev/zero" "$zero_msg" "$PXCMESH" --config /dev/zero status
expect "kubeconfig FIFO" "$fifo_msg" "$PXCMESH" --kubeconfig "$T/fifo" --context a status
expect "snapshot FIFO (console)" "$fifo_msg" "$PXCMESH" --replay "$T/fifo"
RC=2 expect "snapshot /dev/zero (doctor)" "$zero_msg" "$PXCMESH" --replay /dev/zero doctor
config "$T/fifo"
expect "optionFile FIFO" "$fifo_msg" "$PXCMESH" --config "$T/pxcmesh.yaml" channel status
config /dev/zero
expect "optionFile /dev/zero" "$zero_msg" "$PXCMESH" --config "$T/pxcmesh.yaml" channel status
config "$T/include-fifo.cnf"
expect "optionFile !include FIFO" "$fifo_msg" "$PXCMESH" --config "$T/pxcmesh.yaml" channel status

((fails == 0)) && echo "all passed" && exit 0
exit 1
