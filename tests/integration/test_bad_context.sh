#!/usr/bin/env bash
# test_bad_context: an unusable context (a name the kubeconfig lacks, a CA that is not a
# certificate, an empty server URL) in status, doctor, channel status and get: each says
# what is wrong with the context, exits 1, and closes every libuv handle. Before, status and
# doctor printed "internal error: libuv handles left open at exit" too (the first sync was
# reported from inside live_start, and its uv_stop() was left for the closing run).
set -uo pipefail
: "${PXCMESH:?PXCMESH must name the pxcmesh binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/pxctx.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
fail() {
    echo "FAIL: $*" >&2
    fails=$((fails + 1))
}

echo "not a certificate" >"$T/ca.pem"
cat >"$T/kubeconfig.yaml" <<EOF
apiVersion: v1
kind: Config
clusters:
  - {name: empty, cluster: {server: ""}}
  - {name: badca, cluster: {server: "https://127.0.0.1:1", certificate-authority: $T/ca.pem}}
users: [{name: u, user: {token: t}}]
contexts:
  - {name: empty, context: {cluster: empty, user: u}}
  - {name: badca, context: {cluster: badca, user: u}}
current-context: badca
EOF

declare -A why=(
    [nosuch]="context \"nosuch\" not found in $T/kubeconfig.yaml; contexts: empty, badca"
    [empty]="clusters[0].cluster: cluster \"empty\" has no server URL"
    [badca]="clusters[1].cluster.certificate-authority: not a PEM certificate (no -----BEGIN line)"
)
for ctx in nosuch empty badca; do
    for verb in status doctor "channel status" "get pods"; do
        # shellcheck disable=SC2086 # the verb is two words for channel and get
        timeout -k 2 30 "$PXCMESH" --kubeconfig "$T/kubeconfig.yaml" --context "$ctx" $verb \
            </dev/null >"$T/out" 2>"$T/err"
        rc=$?
        all=$(cat "$T/out" "$T/err")
        if ((rc != 1)); then
            fail "$ctx $verb: exit $rc, want 1: $all"
        elif ! grep -qF -- "${why[$ctx]}" <<<"$all"; then
            fail "$ctx $verb: does not say '${why[$ctx]}': $all"
        elif grep -qiE "internal|handles left open|see the error above" <<<"$all"; then
            fail "$ctx $verb: $(grep -iE 'internal|handles|above' <<<"$all")"
        else
            echo "ok: $ctx $verb: exit 1, says: $(grep -F -m1 -- "${why[$ctx]}" <<<"$all" | cut -c1-120)"
        fi
    done
done
((fails == 0)) && echo "all passed" && exit 0
exit 1
