#!/usr/bin/env bash
# Header cost: the time g++ takes to compile an otherwise empty file that includes <wasm.hpp>,
# next to the same for <nlohmann/json.hpp> (Debian nlohmann-json3-dev), at -O0 and -O2, in both
# modes: header-only (the default) and separately compiled (-DWASMPP_SEPARATE_COMPILATION, where
# wasm.hpp only declares what wasm/impl.hpp defines). A third row compiles header_cost_api.cpp, a
# translation unit that uses the API (Linker::func_wrap, Module::compile, get_typed_func,
# TypedFunc::call, Memory::data), separately compiled: what such a file of a user's costs.
# Each figure is the median of RUNS compilations (compiler CPU time and wall time, seconds).
#
#   bench/header_cost.sh [--single] [--runs N]
#     --single   measure single_include/wasm.hpp instead of include/wasm.hpp
#   environment: CXX (default g++), RUNS (default 5)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cxx="${CXX:-g++}"
runs="${RUNS:-5}"
wasm_inc="$root/include"
while (($#)); do
  case "$1" in
    --single) wasm_inc="$root/single_include" ;;
    --runs) runs="$2"; shift ;;
    *) echo "usage: $0 [--single] [--runs N]" >&2; exit 2 ;;
  esac
  shift
done
[[ -f /usr/include/nlohmann/json.hpp ]] || { echo "needs nlohmann/json.hpp (apt-get install nlohmann-json3-dev)" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
printf '#include <wasm.hpp>\n' > "$tmp/wasm.cpp"
printf '#include <nlohmann/json.hpp>\n' > "$tmp/json.cpp"
cp "$root/bench/header_cost_api.cpp" "$tmp/api.cpp"

# median_time FILE FLAGS...: prints "CPU WALL", the medians over $runs compilations of the
# compiler's CPU time (user + sys, which other work on the machine disturbs little) and wall time.
median_time() {
  local src="$1"; shift
  local cpu=() wall=() line
  for ((i = 0; i < runs; i++)); do
    line=$( { TIMEFORMAT='%R %U %S'; time "$cxx" -std=c++20 "$@" -c "$src" -o "$tmp/out.o"; } 2>&1 )
    read -r r u s <<<"$(tail -1 <<<"$line")"
    cpu+=("$(awk "BEGIN{print $u + $s}")")
    wall+=("$r")
  done
  printf '%s %s\n' "$(median "${cpu[@]}")" "$(median "${wall[@]}")"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }

echo "compiler: $("$cxx" --version | head -1); median of $runs runs; wasm.hpp from ${wasm_inc#$root/}/"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (wall time suffers from other work; CPU time much less)"
printf '%-5s %-22s %9s %9s %7s   %9s %9s %7s\n' flags "wasmpp file (mode)" "wasm CPU" "json CPU" ratio "wasm wall" "json wall" ratio
for opt in -O0 -O2; do
  read -r jc jw <<<"$(median_time "$tmp/json.cpp" "$opt")"
  for row in "wasm.hpp (header-only)|$tmp/wasm.cpp|" "wasm.hpp (separate)|$tmp/wasm.cpp|-DWASMPP_SEPARATE_COMPILATION" \
             "API use (separate)|$tmp/api.cpp|-DWASMPP_SEPARATE_COMPILATION"; do
    IFS='|' read -r label src def <<<"$row"
    read -r wc ww <<<"$(median_time "$src" "$opt" -I "$wasm_inc" $def)"
    printf '%-5s %-22s %8ss %8ss %6sx   %8ss %8ss %6sx\n' "$opt" "$label" "$wc" "$jc" \
      "$(awk "BEGIN{printf \"%.2f\", $wc / $jc}")" "$ww" "$jw" "$(awk "BEGIN{printf \"%.2f\", $ww / $jw}")"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
