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
# README's "Benchmarks" section. About 5 minutes on an idle 2-core machine.
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

if [[ $(id -u) == 0 ]]; then
  bash "$repo/.ci/install-deps.sh"
else
  for tool in cmake ninja g++ gcc clang-14 python3 node; do
    command -v "$tool" > /dev/null || { echo "bench/run.sh: $tool is missing; run as root (or bash .ci/install-deps.sh)" >&2; exit 1; }
  done
fi

configure=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DWASMPP_BUILD_BENCH=ON)
# A new build directory gets only what the suite needs.
[[ -f $build/CMakeCache.txt ]] || configure+=(-DWASMPP_BUILD_TESTS=OFF)
cmake -S "$repo" -B "$build" "${configure[@]}" > /dev/null
cmake --build "$build" --target wasmpp_cli api_bench compile_bench

bash "$repo/bench/build_programs.sh" "$build/programs" "$build/examples/wasmpp/wasmpp"

python3 "$repo/bench/suite.py" --programs "$build/programs" --wasmpp "$build/examples/wasmpp/wasmpp" \
  --api-bench "$build/bench/api_bench" --compile-bench "$build/bench/compile_bench" \
  --runs "${BENCH_RUNS:-3}" ${BENCH_ONLY:+--only "$BENCH_ONLY"} ${BENCH_SKIP:+--skip "$BENCH_SKIP"} \
  --out "$repo/bench/results.md"

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
