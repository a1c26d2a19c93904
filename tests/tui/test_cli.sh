# test_cli: the command line outside the console: --help and help [COMMAND], --version, an
# unknown option (one line and the usage, exit 2), an unknown command, a malformed or missing replay
# (refused before curses starts, with the loader's line:col, exit 1), status and doctor on a
# --replay snapshot narrowed by --cluster and --context (other verbs refuse --replay), and
# docs/keys.md equal to `pxcmesh keys --markdown`.
set -u
: "${PXCMESH:?}" "${PXC_FIXTURES:?}"
SRC=${PXC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# --version is `pxcmesh version`: the version first, then the commit and the libraries.
out=$("$PXCMESH" --version) || fail "--version exit $?"
[[ $(head -1 <<<"$out") == "pxcmesh 0.1.0" ]] || fail "--version printed '$out'"
grep -qE '^commit ([0-9a-f]{12}(-dirty)?|unknown)$' <<<"$out" || fail "--version: no commit: $out"
grep -q '^libuv ' <<<"$out" || fail "--version: no libuv: $out"
out=$("$PXCMESH" -V) || fail "-V exit $?"
[[ $(head -1 <<<"$out") == "pxcmesh 0.1.0" ]] || fail "-V printed '$out'"

out=$("$PXCMESH" --help) || fail "--help exit $?"
grep -q '^usage: pxcmesh \[options\]' <<<"$out" || fail "--help has no usage: $out"
grep -q -- '--replay FILE' <<<"$out" || fail "--help lacks --replay"
grep -q -- '--no-color' <<<"$out" || fail "--help lacks --no-color"
"$PXCMESH" -h >/dev/null || fail "-h exit $?"
# `help` is --help; `help COMMAND` is COMMAND --help; an unknown one is exit 2.
[[ $("$PXCMESH" help) == "$out" ]] || fail "help is not --help"
diff <("$PXCMESH" help channel) <("$PXCMESH" channel --help) >/dev/null || fail "help channel"
grep -q '^usage: pxcmesh status ' <("$PXCMESH" help status) || fail "help status"
grep -q '^  pxcmesh help \[COMMAND\]' <<<"$out" || fail "--help does not list help"
"$PXCMESH" help frobnicate >/dev/null 2>"$T/err"
[[ $? -eq 2 ]] || fail "help frobnicate: exit not 2"
grep -q "unknown command 'frobnicate'" "$T/err" || fail "help frobnicate: $(cat "$T/err")"
# Global options are accepted after the subcommand too.
out=$("$PXCMESH" keys --ascii) || fail "keys --ascii exit $?"
grep -q 'Quit pxcmesh' <<<"$out" || fail "keys output: $out"

"$PXCMESH" --foo >"$T/out" 2>"$T/err"
rc=$?
[[ $rc -eq 2 ]] || fail "unknown option: exit $rc, expected 2"
[[ -s $T/out ]] && fail "unknown option printed on stdout"
[[ $(head -1 "$T/err") == "pxcmesh: unknown option '--foo'" ]] || fail "first line: $(head -1 "$T/err")"
grep -q '^usage: pxcmesh' "$T/err" || fail "no usage after the error"

"$PXCMESH" frobnicate 2>"$T/err"
[[ $? -eq 2 ]] || fail "unknown command: exit not 2"
grep -q "unknown command 'frobnicate'" "$T/err" || fail "unknown command: $(cat "$T/err")"

"$PXCMESH" --replay 2>"$T/err"
[[ $? -eq 2 ]] || fail "--replay without a value: exit not 2"
grep -q "option '--replay' needs a value" "$T/err" || fail "$(cat "$T/err")"

# A malformed snapshot is refused before curses: line:col on stderr, exit 1, nothing else.
printf '{\n  "schemaVersion": 1,\n  "clusters": [\n    {"name": "a",}\n  ]\n}\n' >"$T/bad.json"
"$PXCMESH" --replay "$T/bad.json" >"$T/out" 2>"$T/err" </dev/null
rc=$?
[[ $rc -eq 1 ]] || fail "malformed replay: exit $rc, expected 1"
grep -qE "bad.json:4:[0-9]+: " "$T/err" || fail "malformed replay message: $(cat "$T/err")"
[[ -s $T/out ]] && fail "malformed replay wrote to stdout (curses started?)"
"$PXCMESH" --replay "$T/missing.json" 2>"$T/err" </dev/null
[[ $? -eq 1 ]] || fail "missing replay: exit not 1"
grep -q "missing.json" "$T/err" || fail "missing replay message: $(cat "$T/err")"

# A good snapshot without a terminal: a clear refusal, not a garbled screen.
"$PXCMESH" --replay "$PXC_FIXTURES/snapshot-healthy.json" </dev/null >"$T/out" 2>"$T/err"
[[ $? -eq 1 ]] || fail "no terminal: exit not 1"
grep -q "needs a terminal" "$T/err" || fail "no terminal: $(cat "$T/err")"

# status, doctor and serve with --replay read the snapshot and contact nothing (no config, no
# kubeconfig here: a live status would fail); status prints it as the file has it. Other
# verbs refuse --replay, naming the ones that read it.
( export HOME=$T KUBECONFIG= XDG_CONFIG_HOME=$T
  "$PXCMESH" --replay "$PXC_FIXTURES/snapshot-healthy.json" status >"$T/out" 2>"$T/err" ||
      fail "status --replay: exit $?: $(cat "$T/err")"
  grep -q '^CLUSTER cluster-a (context k3d-cluster-a' "$T/out" || fail "status --replay: $(head -3 "$T/out")"
  [[ -s $T/err ]] && fail "status --replay wrote to stderr: $(cat "$T/err")"
  "$PXCMESH" status --json --replay "$PXC_FIXTURES/snapshot-healthy.json" >"$T/out" ||
      fail "status --json --replay: exit $?"
  diff -u "$PXC_FIXTURES/snapshot-healthy.json" "$T/out" || fail "status --json --replay differs from the file"
  "$PXCMESH" --replay "$PXC_FIXTURES/snapshot-healthy.json" doctor >"$T/out" 2>"$T/err"
  [[ $? -le 1 && ! -s $T/err ]] || fail "doctor --replay: $(cat "$T/err")"
  # --cluster narrows a snapshot too; a name it lacks is a usage error.
  out=$("$PXCMESH" --replay "$PXC_FIXTURES/snapshot-healthy.json" status -o name --cluster cluster-b) ||
      fail "status --replay --cluster: exit $?"
  [[ $out == cluster/cluster-b ]] || fail "status --replay --cluster: $out"
  out=$("$PXCMESH" --replay "$PXC_FIXTURES/snapshot-broken.json" doctor -o name --cluster cluster-b)
  [[ -n $out ]] && ! grep -qv '^finding/[A-Z_]*/cluster-b/' <<<"$out" || fail "doctor --replay --cluster: $out"
  # --context keeps the snapshot's clusters of that kubeconfig context
  out=$("$PXCMESH" --replay "$PXC_FIXTURES/snapshot-healthy.json" --context k3d-cluster-a status -o name) ||
      fail "status --replay --context: exit $?"
  [[ $out == cluster/cluster-a ]] || fail "status --replay --context: $out"
  out=$("$PXCMESH" --replay "$PXC_FIXTURES/snapshot-broken.json" doctor -o name --context k3d-cluster-b)
  [[ -n $out ]] && ! grep -qv '^finding/[A-Z_]*/cluster-b/' <<<"$out" || fail "doctor --replay --context: $out"
  "$PXCMESH" --replay "$PXC_FIXTURES/snapshot-healthy.json" status --context nope 2>"$T/err"
  [[ $? -eq 2 ]] && grep -q -- "--context nope: no cluster of the snapshot" "$T/err" ||
      fail "status --replay --context nope: $(cat "$T/err")"
  "$PXCMESH" --replay "$PXC_FIXTURES/snapshot-healthy.json" status --cluster nope 2>"$T/err"
  [[ $? -eq 2 ]] && grep -q "the snapshot has no such cluster" "$T/err" || fail "--cluster nope: $(cat "$T/err")"
  "$PXCMESH" --replay "$T/missing.json" status 2>"$T/err"
  [[ $? -eq 1 ]] && grep -q "missing.json" "$T/err" || fail "status --replay missing: $(cat "$T/err")"
  "$PXCMESH" --replay "$PXC_FIXTURES/snapshot-healthy.json" channel status >"$T/out" 2>"$T/err"
  [[ $? -eq 2 && ! -s $T/out ]] || fail "channel status --replay: not a usage error"
  grep -q "^pxcmesh: --replay FILE is read by the console and by status, doctor and serve; 'channel' works on the live clusters" "$T/err" ||
      fail "channel status --replay: $(cat "$T/err")"
) || exit 1

# docs/keys.md is generated from the key table.
"$PXCMESH" keys --markdown >"$T/keys.md" || fail "keys --markdown exit $?"
diff -u "$SRC/docs/keys.md" "$T/keys.md" ||
    fail "docs/keys.md is stale: run '$PXCMESH keys --markdown > docs/keys.md'"
"$PXCMESH" keys --bogus 2>/dev/null
[[ $? -eq 2 ]] || fail "keys --bogus: exit not 2"
echo "ok"
