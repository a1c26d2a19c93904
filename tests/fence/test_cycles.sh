#!/usr/bin/env bash
# No include cycle among the product's modules (docs/ARCHITECTURE.md). A module is a file
# stem: tui/app.c and tui/app.h are tui/app, and a private X_internal.h belongs to X (the
# files of one module share it: backends/kube/kube_internal.h is backends/kube/kube). A
# module depends on another when one of its files includes one of the other's headers; a
# cycle of those (tui/app -> tui/cmdline -> tui/app) is what this forbids, in base/,
# widgets/, backends/, tui/ and cli/ (the layer fence, tests/fence/test_fence.sh, already
# keeps includes from running up the layers).
#
# It checks the tree, then proves it can fail: on a copy with a cycle planted inside one
# folder and one across two backend folders, it must report both, naming each include.
set -euo pipefail
SRC=${PXC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}

# cycles ROOT: print every include cycle among ROOT's modules; exit 1 if there is one.
cycles() {
    local root=$1
    (
        cd "$root"
        find base widgets backends tui cli -name '*.[ch]' -print0 2>/dev/null | sort -z |
            xargs -0 grep -Hn -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' |
            while IFS=: read -r f n line; do
                [[ $line =~ \"([^\"]+)\" ]] || continue
                inc=${BASH_REMATCH[1]}
                case ${f%%/*} in
                base) dirs=(base) ;;
                widgets) dirs=(widgets base) ;;
                backends) dirs=(backends base) ;;
                tui) dirs=(tui widgets backends base) ;;
                cli) dirs=(cli tui widgets backends base) ;;
                esac
                for d in "${dirs[@]}"; do
                    if [[ -f $d/$inc ]]; then
                        echo "$f $d/$inc $f:$n: #include \"$inc\""
                        break
                    fi
                done
            done
    ) | awk '
        function module(path) {
            sub(/\.[ch]$/, "", path)
            sub(/_internal$/, "", path)
            return path
        }
        # Depth-first search; a grey module met again closes a cycle along the stack.
        function visit(u,    i, v, k, msg) {
            colour[u] = 1
            stack[++depth] = u
            for (i = 1; i <= nout[u]; i++) {
                v = out[u, i]
                if (colour[v] == 1) {
                    for (k = depth; stack[k] != v; k--)
                        ;
                    msg = "include cycle:"
                    for (; k <= depth; k++)
                        msg = msg " " stack[k] " ->"
                    print msg " " v
                    for (k = depth; stack[k] != v; k--)
                        ;
                    for (; k <= depth; k++)
                        print "    " why[stack[k], (k < depth ? stack[k + 1] : v)]
                    found = 1
                } else if (colour[v] == 0) {
                    visit(v)
                }
            }
            depth--
            colour[u] = 2
        }
        {
            a = module($1); b = module($2)
            if (a == b) next
            line = $0; sub(/^[^ ]+ [^ ]+ /, "", line)
            if (!((a, b) in why)) {
                why[a, b] = line
                out[a, ++nout[a]] = b
            }
            nodes[a] = 1; nodes[b] = 1
        }
        END {
            n = 0
            for (m in nodes) order[++n] = m
            # A stable order, so that a cycle is reported the same way every time.
            for (i = 2; i <= n; i++)
                for (j = i; j > 1 && order[j - 1] > order[j]; j--) {
                    t = order[j]; order[j] = order[j - 1]; order[j - 1] = t
                }
            for (i = 1; i <= n; i++)
                if (colour[order[i]] == 0)
                    visit(order[i])
            exit found
        }'
}

fail() { echo "FAIL: $*"; exit 1; }

# 1. The tree has none.
if ! out=$(cycles "$SRC"); then
    echo "$out"
    fail "the tree has include cycles (break them: a narrow interface header, or one module)"
fi
echo "ok: no include cycle among the modules of base/ widgets/ backends/ tui/ cli/"

# 2. Planted cycles are found, each include named.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$SRC" && find base widgets backends tui cli -name '*.[ch]' -print0 | xargs -0 cp --parents -t "$work")
printf '%s\n' '#include "zz_b.h"' >"$work/tui/zz_a.h"
printf '%s\n' '#include "zz_a.h"' >"$work/tui/zz_b.c"
: >"$work/tui/zz_b.h"
printf '%s\n' '#include "probe/zz_y.h"' >"$work/backends/model/zz_x.h"
printf '%s\n' '#include "model/zz_x.h"' >"$work/backends/probe/zz_y_internal.h"
: >"$work/backends/probe/zz_y.h"
if out=$(cycles "$work"); then
    fail "planted cycles were not reported"
fi
echo "$out"
grep -qx 'include cycle: tui/zz_a -> tui/zz_b -> tui/zz_a' <<<"$out" ||
    fail "the cycle tui/zz_a <-> tui/zz_b is not reported as such"
grep -q 'tui/zz_b.c:1: #include "zz_a.h"' <<<"$out" || fail "the cycle's include is not named"
grep -qx 'include cycle: backends/model/zz_x -> backends/probe/zz_y -> backends/model/zz_x' <<<"$out" ||
    fail "the cycle through a private _internal.h header is not reported"
echo "ok: planted cycles are reported with the includes that make them"
echo "PASS: no include cycles"
