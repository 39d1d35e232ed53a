#!/usr/bin/env bash
# The benchmark suite in one command: installs what it needs (as root, through
# .ci/install-deps.sh), builds wasmpp, the API and compile benchmarks and the benchmark programs,
# checks the programs' checksums, then times every program natively, under `wasmpp run`,
# `node --liftoff --no-wasm-tier-up` and `node --no-liftoff`, measures compile throughput and the
# API figures, prints the table and writes it to bench/results.md (and bench/results.json).
#
#   bench/run.sh [--update-readme]
#
# Environment: BENCH_BUILD_DIR (default: build-bench in the repository), BENCH_RUNS (runs per
# program and runtime, default 3), BENCH_ONLY (comma-separated program names), BENCH_SKIP
# (comma-separated: programs, compile, api). --update-readme also copies the table into the
# README's "Benchmarks" section. On 2 cores: the measurement about 5 to 7 minutes (with other load on
# the machine); on a fresh Debian 12 machine the packages and the build add 4 to 6 more.
#
# node is Debian's `nodejs` package (18.x on Debian 12; any node >= 18.17 has node:wasi preview1 and
# the V8 flags used here); the table names the version it measured.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BENCH_BUILD_DIR:-$repo/build-bench}
update_readme=0
for a in "$@"; do
  case $a in
    --update-readme) update_readme=1 ;;
    *) echo "usage: bench/run.sh [--update-readme]" >&2; exit 2 ;;
  esac
done

SECONDS=0
if [[ $(id -u) == 0 ]]; then
  bash "$repo/.ci/install-deps.sh"
else
  # Without root, check the packages of .ci/install-deps.sh's list (the one list) instead.
  missing=()
  if command -v dpkg-query > /dev/null; then
    for p in $(sed -n '/^packages=(/,/^)/{/^packages=(/d;/^)/d;s/#.*//;p}' "$repo/.ci/install-deps.sh"); do
      dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing+=("$p")
    done
  fi
  for tool in cmake ninja g++ gcc clang-14 python3 node; do
    command -v "$tool" > /dev/null || missing+=("$tool")
  done
  if ((${#missing[@]})); then
    echo "bench/run.sh: missing: ${missing[*]}; run it as root, or first: sudo bash .ci/install-deps.sh" >&2
    exit 1
  fi
fi
t_packages=$SECONDS

configure=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DWASMPP_BUILD_BENCH=ON)
# A new build directory gets only what the suite needs.
[[ -f $build/CMakeCache.txt ]] || configure+=(-DWASMPP_BUILD_TESTS=OFF)
cmake -S "$repo" -B "$build" "${configure[@]}" > /dev/null
cmake --build "$build" --target wasmpp_cli api_bench compile_bench
t_build=$((SECONDS - t_packages))

bash "$repo/bench/build_programs.sh" "$build/programs" "$build/examples/wasmpp/wasmpp"
t_programs=$((SECONDS - t_packages - t_build))

python3 "$repo/bench/suite.py" --programs "$build/programs" --wasmpp "$build/examples/wasmpp/wasmpp" \
  --api-bench "$build/bench/api_bench" --compile-bench "$build/bench/compile_bench" \
  --runs "${BENCH_RUNS:-3}" ${BENCH_ONLY:+--only "$BENCH_ONLY"} ${BENCH_SKIP:+--skip "$BENCH_SKIP"} \
  --out "$repo/bench/results.md" \
  --prep "packages ${t_packages} s, build ${t_build} s, programs and checksum check ${t_programs} s"
echo "bench/run.sh: $SECONDS s in all (packages ${t_packages} s, build ${t_build} s, programs and checksums ${t_programs} s, measurement $((SECONDS - t_packages - t_build - t_programs)) s)" >&2

if ((update_readme)); then
  python3 - "$repo/README.md" "$repo/bench/results.md" <<'PY'
import sys
readme, results = sys.argv[1], sys.argv[2]
text = open(readme).read()
begin, end = "<!-- bench-results:begin -->", "<!-- bench-results:end -->"
if begin not in text or end not in text:
    sys.exit("README.md has no bench-results markers")
head, rest = text.split(begin, 1)
tail = rest.split(end, 1)[1]
open(readme, "w").write(head + begin + "\n" + open(results).read().strip() + "\n" + end + tail)
print("README.md updated")
PY
fi
