#!/usr/bin/env bash
# generate checks its inputs before it writes anything: STATIC endpoints must be IP
# addresses (names need --resolution DNS); remote-secret's --ca-file of 0, 63, 127 ... 4095
# bytes without a final newline (an out-of-bounds write under ASan before), a directory or
# a device, and tokens with line breaks (they added lines to the embedded kubeconfig);
# a token YAML would misread comes back as given. Exit 2 usage, 1 invalid values.
set -euo pipefail
: "${PXCMESH:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { set +e; out=$("$@" 2>&1); rc=$?; set -e; }

SE=("$PXCMESH" generate serviceentry --name pxc-cluster --namespace pxc --remote-cluster cluster-b)
run "${SE[@]}" --endpoint 999.1.1.1
[[ $rc -eq 1 ]] && grep -q "endpoint '999.1.1.1' is not an IPv4 address" <<<"$out" || fail "999.1.1.1: $rc $out"
run "${SE[@]}" --endpoint foo.example.com
[[ $rc -eq 1 ]] && grep -q "for a host name use --resolution DNS" <<<"$out" || fail "a name with STATIC: $rc $out"
run "${SE[@]}" --endpoint foo.example.com --resolution DNS
[[ $rc -eq 0 ]] && grep -q "resolution: DNS" <<<"$out" && grep -q "address: foo.example.com" <<<"$out" ||
  fail "a name with DNS: $rc $out"
run "${SE[@]}" --endpoint 10.0.0.1 --endpoint '[fd00::1]:3307'
[[ $rc -eq 0 ]] || fail "IPv4 and IPv6 endpoints: $rc $out"
run "${SE[@]}" --endpoint 10.0.0.1 --port
[[ $rc -eq 2 ]] || fail "a missing option value is a usage error: $rc $out"

RS=("$PXCMESH" generate remote-secret --cluster-name cluster-b --server https://127.0.0.1:6443
    --token-file "$T/token")
printf 'eyJhbGciOiJSUzI1NiJ9.reader\n' > "$T/token"
for n in 1 63 127 255 511 1023 2047 4095; do
  head -c "$n" /dev/zero | tr '\0' 'A' > "$T/ca"
  run "${RS[@]}" --ca-file "$T/ca" -o json
  [[ $rc -eq 0 ]] || fail "--ca-file of $n bytes: exit $rc: $out"
  jq -r '.stringData["cluster-b"]' <<<"$out" | sed -n 's/^ *certificate-authority-data: //p' |
    base64 -d > "$T/ca.got"
  { cat "$T/ca"; echo; } | cmp -s - "$T/ca.got" || fail "--ca-file of $n bytes: the CA is not the file and one newline"
done
: > "$T/empty"
run "${RS[@]}" --ca-file "$T/empty"
[[ $rc -eq 1 ]] && grep -q -- "--ca-file $T/empty: is empty" <<<"$out" || fail "empty --ca-file: $rc $out"
run "${RS[@]}" --ca-file "$T"
[[ $rc -eq 1 ]] && grep -q "is a directory" <<<"$out" || fail "a directory as --ca-file: $rc $out"
run "${RS[@]}" --ca-file /dev/zero
[[ $rc -eq 1 ]] && grep -q "is a character device" <<<"$out" || fail "/dev/zero as --ca-file: $rc $out"
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' 'A' > "$T/big"
run "${RS[@]}" --ca-file "$T/big"
[[ $rc -eq 1 ]] && grep -q "is larger than 1 MiB" <<<"$out" || fail "a 1 MiB + 1 --ca-file: $rc $out"
# A pipe is a file too (--token-file <(...)).
run "$PXCMESH" generate remote-secret --cluster-name cluster-b --server https://127.0.0.1:6443 \
  --token-file <(printf 'piped.token\n')
[[ $rc -eq 0 ]] && grep -q "token: piped.token" <<<"$out" || fail "a token from a pipe: $rc $out"

# A token with a line break is refused, without showing it.
printf 'abc\ncurrent-context: evil\n' > "$T/token"
run "${RS[@]}"
[[ $rc -eq 1 ]] && grep -q "the token holds a line break (byte 0x0a at offset 3)" <<<"$out" &&
  ! grep -q evil <<<"$out" || fail "a token with a newline: $rc $out"
# A token YAML would misread (an alias, a comment) is quoted in the kubeconfig.
printf '*tok:#x\n' > "$T/token"
run "${RS[@]}" -o json
[[ $rc -eq 0 ]] || fail "a token YAML would misread: $rc $out"
grep -q 'token: "\*tok:#x"' <<<"$(jq -r '.stringData["cluster-b"]' <<<"$out")" ||
  fail "the token is not quoted: $out"
echo "ok"
