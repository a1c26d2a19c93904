#!/usr/bin/env bash
# test_alerts: docs/alerts.yaml is a Prometheus rule file whose every expression names only
# metrics that `pxcmesh serve` exposes on /metrics, and whose every alert has a severity and
# a runbook naming a code of docs/doctor.md's checks. Parsed as YAML always (PyYAML);
# `promtool check rules` too when promtool is installed (Debian's prometheus package, not a
# dependency of pxcmesh).
set -uo pipefail
: "${PXCMESH:?PXCMESH must name the pxcmesh binary}"
: "${PXC_FIXTURES:?}"
: "${PXC_SOURCE_DIR:?}"
PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3
$PY -c 'import yaml, prometheus_client' 2>/dev/null ||
    { echo "FAIL: python3-yaml and python3-prometheus-client are needed (scripts/deps.sh)" >&2; exit 1; }
RULES=$PXC_SOURCE_DIR/docs/alerts.yaml
T=$(mktemp -d "${TMPDIR:-/tmp}/pxalerts.XXXXXX")
trap '[[ -n ${SP:-} ]] && kill -INT "$SP" 2>/dev/null; rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   $*"; }
fail() {
    echo "FAIL $*" >&2
    fails=$((fails + 1))
}

# The families /metrics has, from a replayed snapshot (every family is written, with or
# without samples).
"$PXCMESH" serve --replay "$PXC_FIXTURES/snapshot-broken.json" --listen 127.0.0.1:0 2>"$T/err" &
SP=$!
URL=""
for _ in $(seq 1 50); do
    URL=$(sed -n 's/.*serving \(http[^ ]*\).*/\1/p' "$T/err")
    [[ -n $URL ]] && break
    sleep 0.1
done
curl -sf "$URL/metrics" >"$T/m.txt" || fail "no /metrics from serve: $(cat "$T/err")"
$PY "$PXC_SOURCE_DIR/tests/integration/promtext.py" families "$T/m.txt" >"$T/families" ||
    fail "promtext families"
codes=$(sed -n 's/^| `\([A-Z_]*\)` |.*/\1/p' "$PXC_SOURCE_DIR/docs/doctor.md" | tr '\n' ' ')

if $PY - "$RULES" "$T/families" "$codes" >"$T/out" 2>&1 <<'PY'; then
import re, sys, yaml
rules_path, fams_path, codes = sys.argv[1], sys.argv[2], set(sys.argv[3].split())
fams = set(open(fams_path).read().split())
doc = yaml.safe_load(open(rules_path))
bad = []
# Identifiers in an expression that are not metric names: PromQL's words and functions,
# and label names (before = != =~ !~, inside by/on/without/ignoring lists).
n = 0
for g in doc["groups"]:
    assert isinstance(g.get("name"), str), "a group without a name"
    for r in g["rules"]:
        n += 1
        name = r.get("alert", "?")
        expr = r.get("expr", "")
        for k in ("alert", "expr"):
            if not isinstance(r.get(k), str) or not r[k]:
                bad.append(f"{name}: no {k}")
        if r.get("labels", {}).get("severity") not in ("warning", "critical"):
            bad.append(f"{name}: severity must be warning or critical")
        rb = r.get("annotations", {}).get("runbook", "")
        if "docs/doctor.md" not in rb:
            bad.append(f"{name}: the runbook does not point at docs/doctor.md")
        named = set(re.findall(r"\b[A-Z][A-Z_]{3,}\b", rb))
        if "{{" not in rb and not (named & codes):
            bad.append(f"{name}: the runbook names no doctor code ({rb})")
        for unknown in named - codes:
            bad.append(f"{name}: the runbook names {unknown}, no code of docs/doctor.md")
        metrics = set(re.findall(r"\bpxcmesh_[a-zA-Z0-9_:]+", expr))
        if not metrics:
            bad.append(f"{name}: the expression names no pxcmesh_ metric")
        for m in sorted(metrics - fams):
            bad.append(f"{name}: {m} is not exposed by /metrics")
        print(f"{name}: {', '.join(sorted(metrics))}")
if bad:
    print("\n".join(bad), file=sys.stderr)
    sys.exit(1)
print(f"{n} rules")
PY
    ok "docs/alerts.yaml parses; every rule names exposed metrics and a doctor code: $(tail -1 "$T/out")"
else
    fail "docs/alerts.yaml: $(cat "$T/out")"
fi
if command -v promtool >/dev/null; then
    promtool check rules "$RULES" >"$T/promtool" 2>&1 && ok "promtool check rules: $(tail -1 "$T/promtool")" ||
        fail "promtool: $(cat "$T/promtool")"
else
    echo "skip promtool check rules (promtool is not installed: Debian's prometheus package)"
fi

((fails == 0)) && echo "all passed" && exit 0
echo "$fails failure(s)" >&2
exit 1
