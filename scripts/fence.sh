#!/usr/bin/env bash
# fence.sh SRC LAYER: the layer fence of docs/ARCHITECTURE.md, checked on every build of
# that layer's library (CMake runs it before compiling). The include directories already
# keep other layers' headers out of reach; this catches what they cannot: a relative path
# ("../backends/..."), a system header of a library the layer must not use (curses in
# backends, libuv or jansson in widgets), and a backend header named without its folder.
# Prints every breach as FILE:LINE: what and why, and exits 1 if there is one.
set -uo pipefail
src=${1:?usage: fence.sh SRC LAYER}
layer=${2:?usage: fence.sh SRC LAYER}
cd "$src" || exit 2

# Which project folders each layer may include from, and which system headers it may not.
curses='(n?curses(w)?/)?(n?curses|term|panel|menu|form)\.h'
netlibs='uv\.h|uv/.*|curl/.*|jansson\.h|yaml\.h|mysql\.h|mariadb/.*|ares\.h|wslay/.*'
case $layer in
base)     dirs=(base);                        deny="$curses|$netlibs" ;;
widgets)  dirs=(widgets base);                deny="$netlibs" ;;
backends) dirs=(backends base);               deny="$curses" ;;
tui)      dirs=(tui widgets backends base);   deny="" ;;
cli)      dirs=(cli tui widgets backends base); deny="" ;;
*) echo "fence.sh: unknown layer '$layer' (base, widgets, backends, tui, cli)" >&2; exit 2 ;;
esac

bad=0
breach() { echo "fence: $1" >&2; bad=1; }

while IFS= read -r -d '' f; do
    n=0
    re_inc='^[[:space:]]*#[[:space:]]*include[[:space:]]*(["<])([^">]+)[">]'
    while IFS= read -r line; do
        n=$((n + 1))
        [[ $line =~ $re_inc ]] || continue
        kind=${BASH_REMATCH[1]} inc=${BASH_REMATCH[2]}
        if [[ $inc == *..* ]]; then
            breach "$f:$n: includes \"$inc\" by a relative path; name it from its layer's folder"
            continue
        fi
        if [[ $kind == '<' ]]; then
            if [[ -n $deny && $inc =~ ^($deny)$ ]]; then
                breach "$f:$n: includes <$inc>, which $layer/ must not use (docs/ARCHITECTURE.md: the layer fence)"
            fi
            continue
        fi
        [[ ($inc == version.h || $inc == commit.h) && $layer == cli ]] && continue # generated into the build tree
        found=""
        for d in "${dirs[@]}"; do
            [[ -f $d/$inc ]] && { found=$d; break; }
        done
        # The Kubernetes client hands objects to a sink (backends/live wires it to the
        # model); it never reads or writes the model itself.
        if [[ $layer == backends && $f == backends/kube/* && $inc == model/* ]]; then
            breach "$f:$n: includes \"$inc\": the Kubernetes client never sees the model; hand objects to its sink (struct kube_sink)"
            continue
        fi
        if [[ -z $found ]]; then
            owner=""
            for d in base widgets backends tui cli lab; do
                [[ -f $d/$inc ]] && { owner=$d; break; }
            done
            if [[ -n $owner ]]; then
                breach "$f:$n: includes \"$inc\" from $owner/, which $layer/ may not see (it may include ${dirs[*]})"
            elif [[ $layer == backends && -f $(dirname "$f")/$inc ]]; then
                breach "$f:$n: includes \"$inc\" without its folder; write \"$(basename "$(dirname "$f")")/$inc\""
            else
                breach "$f:$n: includes \"$inc\", which is in none of ${dirs[*]}"
            fi
        fi
    done <"$f"
done < <(find "$layer" -name '*.[ch]' -print0 | sort -z)
exit $bad
