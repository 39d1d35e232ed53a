#!/usr/bin/env bash
# Tail-call and exception micro-benchmarks on wasmpp and node, timed in the same run:
#   bench/micro/run.sh [BUILD_DIR]      (default: build/ in the repository, configured with the
#                                        benchmarks on; micro_bench is built there if needed)
# Each export runs BENCH_REPS times (default 3) per runtime and the best time counts; both
# runtimes time the call inside their process, compile excluded. The checksums of both must
# agree (and the exnref module's must equal the legacy module's). Not a test: nothing here
# asserts a time. Needs wabt's wat2wasm and node (20's V8 has tail calls and legacy exceptions
# on by default, no exnref: exceptions_exnref.wat runs on wasmpp only).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
reps=${BENCH_REPS:-3}
nice -n 15 cmake --build "$build" --target micro_bench -- -j1 > /dev/null
driver=$build/bench/micro_bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
wat2wasm --enable-tail-call "$here/tail_calls.wat" -o "$work/tail_calls.wasm"
wat2wasm --enable-exceptions "$here/exceptions.wat" -o "$work/exceptions.wasm"

tail_specs=(mutual:100000000 mutual_loop:100000000 indirect:100000000 rotate8:100000000)
exn_specs=(throw_0:100000 throw_10:100000 cleanup_10:100000 nothrow_try:100000000 nothrow_plain:100000000)
exnref_specs=(throw_0:100000 throw_10:100000 cleanup_10:100000 nothrow_try:100000000)

# Lines "MODULE NAME N RESULT MS" per runtime.
for m in tail_calls exceptions; do
  specs=("${tail_specs[@]}")
  [ $m = exceptions ] && specs=("${exn_specs[@]}")
  "$driver" "$work/$m.wasm" "$reps" "${specs[@]}" | sed "s/^/$m /" >> "$work/wasmpp.txt"
  node "$here/node_micro.mjs" "$work/$m.wasm" "$reps" "${specs[@]}" | sed "s/^/$m /" >> "$work/node.txt"
done
"$driver" "$here/exceptions_exnref.wat" "$reps" "${exnref_specs[@]}" | sed "s/^/exnref /" >> "$work/wasmpp.txt"

echo "wasmpp $(git -C "$here" rev-parse --short HEAD) vs node $(node --version) (V8 $(node -p process.versions.v8)), best of $reps"
awk '
  FNR == NR { node[$1 " " $2] = $4 " " $5; next }
  {
    key = $1 " " $2; n = $3; res = $4; ms = $5
    ref = key; if ($1 == "exnref") ref = "exceptions " $2
    split(node[ref], o, " ")
    ok = (o[1] == res) ? "ok" : "MISMATCH(node " o[1] ")"
    if ($1 == "exnref") printf "%-26s %10d %10.1f %10s %8s %9.2f  %s\n", key, n, ms, "-", "-", ms * 1e6 / n, ok
    else printf "%-26s %10d %10.1f %10.1f %8.2f %9.2f  %s\n", key, n, ms, o[2], ms / o[2], ms * 1e6 / n, ok
    if (o[1] != res) bad = 1
  }
  BEGIN { printf "%-26s %10s %10s %10s %8s %9s  %s\n", "benchmark", "N", "wasmpp ms", "node ms", "ratio", "ns/iter", "checksum" }
  END { exit bad }
' "$work/node.txt" "$work/wasmpp.txt"
