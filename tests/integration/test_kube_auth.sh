#!/usr/bin/env bash
# test_kube_auth: every way of authenticating and verifying TLS that a kubeconfig offers,
# against one HTTPS kubesim: CA + client certificate (inline data and file paths), bearer
# token, token file, an exec plugin script (and a failing one), tls-server-name (right and
# wrong), insecure-skip-tls-verify; and the refusals in words: a wrong token (401), a
# read-only identity listing a forbidden resource (403), an untrusted server certificate.
source "$(dirname "$0")/kube_common.sh"

kt_seed "$KT_DIR/seed" a enabled
ksim_start T 1 "$KT_DIR/seed" --token admintok --readonly-token rotok --forbid pods
S=$KSIM_URL_T
ST="$KT_DIR/state-T"
[[ -f "$ST/ca.crt" && -f "$ST/client.crt" ]] || fail "kubesim wrote no PKI in $ST"

# kc NAME USER-YAML [CLUSTER-EXTRA-YAML]: a kubeconfig with one context NAME.
kc() {
    local name=$1 user=$2 cluster=${3:-"certificate-authority: $ST/ca.crt"}
    cat >"$KT_DIR/kc-$name" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: $S
    $cluster
users:
- name: u
  user:
    $user
contexts:
- name: $name
  context: {cluster: c, user: u}
current-context: $name
YAML
}

# st NAME: run status --json for context NAME; sets RC and OUT.
st() {
    RC=0
    OUT=$(HOME="$KT_DIR" XDG_CONFIG_HOME="$KT_DIR/xdg" "$PXCMESH" status --json --no-mysql --timeout 15 \
        --kubeconfig "$KT_DIR/kc-$1" --context "$1" 2>"$KT_DIR/err-$1") || RC=$?
}
ok_case() {
    st "$1"
    [[ $RC == 0 ]] || { cat "$KT_DIR/err-$1" >&2; echo "$OUT" | jq '.clusters[0].error' >&2; fail "$1: exit $RC, want 0"; }
    [[ $(echo "$OUT" | jq -r '.clusters[0].pods | length') -ge 2 ]] || fail "$1: pods not listed"
    pass "$1"
}
err_case() {
    local name=$1 want=$2
    st "$name"
    [[ $RC == 1 ]] || fail "$name: exit $RC, want 1"
    local e
    e=$(echo "$OUT" | jq -r '.clusters[0].error')
    [[ "$e" =~ $want ]] || fail "$name: error '$e' does not match /$want/"
    pass "$name: $e"
}

# The kubeconfig kubesim wrote: inline CA and client certificate data.
cp "$KT_DIR/kubeconfig" "$KT_DIR/kc-T"
ok_case T

kc certfiles "client-certificate: $ST/client.crt
    client-key: $ST/client.key"
ok_case certfiles

kc bearer "token: admintok"
ok_case bearer

printf 'admintok\n' >"$KT_DIR/token"
kc tokenfile "tokenFile: $KT_DIR/token"
ok_case tokenfile

# An exec credential plugin (client.authentication.k8s.io/v1), run without a shell.
cat >"$KT_DIR/plugin.sh" <<'SH'
#!/bin/sh
[ -n "$KUBERNETES_EXEC_INFO" ] || { echo "no KUBERNETES_EXEC_INFO" >&2; exit 3; }
echo "$(date +%s%N)" >>"$(dirname "$0")/plugin.calls"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"admintok"}}\n'
SH
chmod +x "$KT_DIR/plugin.sh"
kc exec "exec:
      apiVersion: client.authentication.k8s.io/v1
      command: $KT_DIR/plugin.sh
      interactiveMode: Never"
ok_case exec
# One plugin run serves every informer's requests (the credential is cached and shared).
[[ $(wc -l <"$KT_DIR/plugin.calls") == 1 ]] || fail "exec plugin ran $(wc -l <"$KT_DIR/plugin.calls") times, want 1"
pass "exec plugin ran once for all requests"

# A plugin whose first token has been revoked: the 401 invalidates the cached credential
# and the request is retried once with a fresh one.
cat >"$KT_DIR/rotplugin.sh" <<'SH'
#!/bin/sh
f="$(dirname "$0")/rot.calls"
echo x >>"$f"
tok=revoked
[ "$(wc -l <"$f")" -ge 2 ] && tok=admintok
printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s"}}\n' "$tok"
SH
chmod +x "$KT_DIR/rotplugin.sh"
kc rotexec "exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: $KT_DIR/rotplugin.sh"
ok_case rotexec
[[ $(wc -l <"$KT_DIR/rot.calls") == 2 ]] || fail "rotating plugin ran $(wc -l <"$KT_DIR/rot.calls") times, want 2"
pass "401 with an exec credential: refreshed once and retried"

cat >"$KT_DIR/badplugin.sh" <<'SH'
#!/bin/sh
echo "error: no credentials for this cluster" >&2
exit 1
SH
chmod +x "$KT_DIR/badplugin.sh"
kc badexec "exec:
      apiVersion: client.authentication.k8s.io/v1
      command: $KT_DIR/badplugin.sh
      interactiveMode: Never"
err_case badexec "badplugin.sh.*no credentials"

kc sni "token: admintok" "certificate-authority: $ST/ca.crt
    tls-server-name: kubesim"
ok_case sni
kc badsni "token: admintok" "certificate-authority: $ST/ca.crt
    tls-server-name: wrong.example"
err_case badsni "certificate|SSL|TLS"

kc insecure "token: admintok" "insecure-skip-tls-verify: true"
ok_case insecure
[[ $(echo "$OUT" | jq -r '.clusters[0].insecure') == true ]] || fail "insecure flag not reported"

kc noca "token: admintok" "# no CA: the system trust store"
err_case noca "not trusted|certificate"

kc wrongtoken "token: nope"
err_case wrongtoken "^unauthorized: cannot get /version \\(401 from $S\\)"

kc readonly "token: rotok"
err_case readonly "^forbidden: cannot list pods \\(403 from $S\\)"
# ... and the rest of what that identity may read is still there.
[[ $(echo "$OUT" | jq -r '.clusters[0].serviceEntries | length') == 1 ]] || fail "readonly: SEs missing"
pass "a 403 on one resource leaves the others listed"

# A token with a line break would inject a header line: refused, saying where it came from,
# also when the token file gets it while the client runs (it is read again after a 401; the
# kubeconfig's token and a file read when resolving are tested in test_kcfg).
printf 'nope\n' >"$KT_DIR/rot-token"
kc rotfile "tokenFile: $KT_DIR/rot-token"
HOME="$KT_DIR" XDG_CONFIG_HOME="$KT_DIR/xdg" "$PXCMESH" status --follow 30 \
    --kubeconfig "$KT_DIR/kc-rotfile" --context rotfile >"$KT_DIR/rot.jsonl" 2>/dev/null &
KT_PIDS+=("$!")
rot_err() { tail -n 1 "$KT_DIR/rot.jsonl" | jq -e ".clusters[0].error | test(\"$1\")" >/dev/null; }
wait_for 15 rot_err "unauthorized" || fail "rotfile: no 401 first: $(tail -n 1 "$KT_DIR/rot.jsonl")"
printf 'admintok\r\nX-Injected: 1\n' >"$KT_DIR/rot-token"
wait_for 15 rot_err "token file $KT_DIR/rot-token \\\\(read again after a 401\\\\): the token holds a line break" ||
    fail "rotfile: a CRLF token read after a 401 was not refused: $(tail -n 1 "$KT_DIR/rot.jsonl")"
pass "a token with a line break written to the token file is refused when read again"
