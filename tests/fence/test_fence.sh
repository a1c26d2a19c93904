#!/usr/bin/env bash
# The layer fence of docs/ARCHITECTURE.md, proven on a copy of the tree: the unbroken copy
# builds its widget and backend libraries, and each breach fails to build with a message
# that names it:
#   1. a widget that includes a backend header and calls model_touch;
#   2. a widget that reaches a backend header by a relative path;
#   3. a backend that includes curses, and the Kubernetes client that includes the model;
#   4. a widget test that calls a backend function through a prototype of its own (no
#      include at all): it fails to link, since a widget test links pxwidgets alone.
set -euo pipefail
SRC=${PXC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)

copy_tree() { # copy_tree DEST: the sources as a clone would have them (no build trees)
    mkdir -p "$1"
    if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$SRC" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$1" 2>/dev/null) || true
    else
        (cd "$SRC" && tar --exclude='./build*' -cf - .) | tar -C "$1" -xf -
    fi
}

configure() { # configure TREE
    cmake -S "$1" -B "$1/b" "${gen[@]}" -DCMAKE_BUILD_TYPE=Debug -DPXC_TESTS=ON >"$1/configure.log" 2>&1 ||
        { cat "$1/configure.log"; echo "FAIL: the copy in $1 does not configure"; exit 1; }
}

# expect_fail TREE TARGET PATTERN WHAT
expect_fail() {
    if cmake --build "$1/b" --target "$2" >"$1/build.log" 2>&1; then
        echo "FAIL: $4 built; the fence let it through"
        exit 1
    fi
    if ! grep -Eq "$3" "$1/build.log"; then
        cat "$1/build.log"
        echo "FAIL: $4 failed to build, but not with /$3/ (see the log above)"
        exit 1
    fi
    echo "ok: $4 fails to build: $(grep -Em1 "$3" "$1/build.log" | sed 's/^[[:space:]]*//')"
}

# 0. The unbroken copy builds both libraries (so that a failure below is the breach's).
t0=$work/clean
copy_tree "$t0"
configure "$t0"
cmake --build "$t0/b" --target pxwidgets pxbackends >"$t0/build.log" 2>&1 ||
    { cat "$t0/build.log"; echo "FAIL: the unbroken copy does not build"; exit 1; }
echo "ok: the unbroken copy builds pxwidgets and pxbackends"

# 1. widgets/spark.c includes a backend header and calls it.
t1=$work/widget-include
copy_tree "$t1"
printf '%s\n' '#include "model/model.h"' 'void spark_breach(void);' \
    'void spark_breach(void) { model_touch(NULL, 0); }' >>"$t1/widgets/spark.c"
configure "$t1"
expect_fail "$t1" pxwidgets 'model/model\.h' 'a widget including "model/model.h"'

# 2. The same through a relative path, which no include directory can stop.
t2=$work/widget-relative
copy_tree "$t2"
printf '%s\n' '#include "../backends/model/model.h"' >>"$t2/widgets/spark.c"
configure "$t2"
expect_fail "$t2" pxwidgets 'relative path' 'a widget including "../backends/model/model.h"'

# 3. A backend includes curses.
t3=$work/backend-curses
copy_tree "$t3"
printf '%s\n' '#include <curses.h>' >>"$t3/backends/model/model.c"
configure "$t3"
expect_fail "$t3" pxbackends 'curses\.h>, which backends/ must not use' 'a backend including <curses.h>'

# 3b. The Kubernetes client reaches into the model.
t5=$work/kube-model
copy_tree "$t5"
printf '%s\n' '#include "model/model.h"' >>"$t5/backends/kube/kube.c"
configure "$t5"
expect_fail "$t5" pxbackends 'never sees the model' 'the Kubernetes client including "model/model.h"'

# 4. A widget test calling a backend function without any include: the link fails.
t4=$work/widget-link
copy_tree "$t4"
cat >"$t4/tests/unit/widgets/test_breach.c" <<'C'
struct model;
void model_touch(struct model *m, unsigned bits);
int main(void) { model_touch((struct model *)0, 0); return 0; }
C
configure "$t4"
expect_fail "$t4" test_breach "undefined reference to .model_touch" 'a widget test calling model_touch'
echo "PASS: the layer fence holds"
