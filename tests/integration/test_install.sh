#!/usr/bin/env bash
# test_install: what `make install PREFIX=P` installs (it runs `cmake --install BUILD --prefix
# P`, as here; the build itself is left to ctest's tree, which is up to date): the binary,
# pxcmesh(1) where man finds it by name, and the bash, zsh and fish completions where those
# shells look. The installed bash completion, sourced in bash, completes a verb and the
# clusters of a config; the installed page renders with man and no warnings.
set -uo pipefail
: "${PXCMESH:?}" "${PXC_BUILD_DIR:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/pxinstall.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

P=$T/prefix
cmake --install "$PXC_BUILD_DIR" --prefix "$P" >"$T/install.log" 2>&1 ||
    fail "cmake --install: $(tail -5 "$T/install.log")"
for f in bin/pxcmesh share/man/man1/pxcmesh.1 share/bash-completion/completions/pxcmesh \
         share/zsh/site-functions/_pxcmesh share/fish/vendor_completions.d/pxcmesh.fish; do
    [[ -s $P/$f ]] || fail "not installed: $f"
done
[[ -x $P/bin/pxcmesh ]] || fail "bin/pxcmesh is not executable"
[[ $("$P/bin/pxcmesh" version | head -1) == "pxcmesh "* ]] || fail "installed binary: no version"

# The page, found by name under the prefix.
page=$(MANPATH="$P/share/man" MANWIDTH=80 man pxcmesh 2>"$T/man.err") ||
    fail "man pxcmesh: $(cat "$T/man.err")"
grep -q '^PXCMESH(1)' <<<"$page" || fail "man pxcmesh: no title: $(head -3 <<<"$page")"
grep -qE '^ +pxcmesh help \[COMMAND\]' <<<"$page" || fail "man pxcmesh: no help verb"
warn=$(MANWIDTH=80 man --warnings -l "$P/share/man/man1/pxcmesh.1" 2>&1 >/dev/null) || true
[[ -z $warn ]] || fail "man warnings: $warn"

# The installed completions are what the binary prints.
diff <("$P/bin/pxcmesh" completion bash) "$P/share/bash-completion/completions/pxcmesh" >/dev/null ||
    fail "installed bash completion differs from 'completion bash'"
diff <("$P/bin/pxcmesh" completion zsh) "$P/share/zsh/site-functions/_pxcmesh" >/dev/null ||
    fail "installed zsh completion differs from 'completion zsh'"
diff <("$P/bin/pxcmesh" completion fish) "$P/share/fish/vendor_completions.d/pxcmesh.fish" >/dev/null ||
    fail "installed fish completion differs from 'completion fish'"

# Sourced in bash, the installed script completes a verb and a config's clusters (asked of
# the installed binary, the first word on the line).
cat >"$T/kubeconfig" <<'YAML'
apiVersion: v1
kind: Config
clusters:
  - {name: ka, cluster: {server: "http://127.0.0.1:1"}}
  - {name: kb, cluster: {server: "http://127.0.0.1:2"}}
users: [{name: u, user: {token: t}}]
contexts:
  - {name: a, context: {cluster: ka, user: u}}
  - {name: b, context: {cluster: kb, user: u}}
current-context: a
YAML
cat >"$T/config.yaml" <<YAML
kubeconfig: $T/kubeconfig
clusters:
  - {name: east, context: a}
  - {name: west, context: b}
YAML
complete_words() {
    HOME=$T XDG_CONFIG_HOME=$T/xdg bash -c 'source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _pxcmesh
        printf "%s\n" "${COMPREPLY[@]}"' _ "$P/share/bash-completion/completions/pxcmesh" "$@"
}
out=$(complete_words "$P/bin/pxcmesh" doc)
[[ $out == doctor ]] || fail "installed completion of 'doc': $out"
out=$(complete_words "$P/bin/pxcmesh" --config "$T/config.yaml" get pods --cluster "")
[[ $out == $'east\nwest' ]] || fail "installed completion of --cluster: $out"
echo "PASS test_install"
