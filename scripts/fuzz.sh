#!/usr/bin/env bash
# make fuzz: build every tests/fuzz/fuzz_*.c target with clang's libFuzzer (ASan+UBSan)
# and run each for a bounded time (FUZZ_SECONDS, default 60) from its seed corpus.
# A crash leaves its input in build-fuzz/crashes/<target>/; copy it into
# tests/fuzz/corpus/<target>/ with the fix, and `make check` replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${FUZZ_SECONDS:-60}
B=build-fuzz
command -v clang >/dev/null || { echo "fuzz.sh: clang is needed (apt-get install -y clang)" >&2; exit 1; }
if ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "libclang-rt-$(clang --version | sed -n 's/.*version \([0-9]*\).*/\1/p;q')-dev"
  else
    echo "fuzz.sh: libFuzzer runtime missing (Debian: libclang-rt-14-dev)" >&2; exit 1
  fi
fi
CC=clang cmake -S . -B "$B" -DPXC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
cmake --build "$B" -j "$(nproc)" --target $targets
seeds() { # the same seed directories the ctest replay uses
  case "$1" in
    kubeconfig) echo tests/fixtures/kubeconfig ;;
    config) echo tests/fixtures/config ;;
    snapshot) echo tests/fixtures ;;
    replstat) echo tests/fixtures/mysql ;;
    theme) echo themes ;;
    yaml_roundtrip) echo tests/fixtures/kubeconfig ;; # real YAML read as bytes: strings of every kind
    *) ;;
  esac
}
status=0
for t in $targets; do
  short=${t#fuzz_}
  work="$B/corpus/$short"; crashes="$B/crashes/$short"
  mkdir -p "$work" "$crashes"
  echo "== $t for ${SECS}s"
  if ! "$B/tests/$t" -max_total_time="$SECS" -max_len=65536 -artifact_prefix="$crashes/" \
      -print_final_stats=1 "$work" tests/fuzz/corpus/"$short" $(seeds "$short") 2>"$B/$t.log"; then
    echo "!! $t found a crash: $(ls "$crashes" | head -1) (log: $B/$t.log)"; status=1
  fi
  grep -E "stat::number_of_executed_units|cov:" "$B/$t.log" | tail -2 || true
done
exit $status
