#!/usr/bin/env bash
# Builds the benchmark programs (bench/programs/*.c) twice, natively with gcc -O2 and for
# wasm32-wasi with clang-14 -O2 (no SIMD), plus the large module for the compile-throughput
# figures, then checks that every program prints the same checksum in every build: natively,
# under wasmpp (when given) and under node (when installed), on small inputs. Fails otherwise.
#
#   bench/build_programs.sh OUT_DIR [WASMPP_BINARY] [--no-large] [--no-node]
#
# OUT_DIR/native/NAME, OUT_DIR/wasm/NAME.wasm, OUT_DIR/large/large.wasm. Up-to-date outputs are
# kept. CC_NATIVE and CC_WASM override the compilers.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build_programs.sh OUT_DIR [WASMPP_BINARY] [--no-large] [--no-node]}
wasmpp=""
large=1
use_node=1
for a in "${@:2}"; do
  case $a in
    --no-large) large=0 ;;
    --no-node) use_node=0 ;;
    *) wasmpp=$a ;;
  esac
done
cc_native=${CC_NATIVE:-gcc}
cc_wasm=${CC_WASM:-clang-14}
warn=(-Wall -Wextra -Werror)
mkdir -p "$out/native" "$out/wasm" "$out/large"

# Small arguments for the checksum check (the defaults take about a second natively).
declare -A quick=(
  [compress]="1 65536" [hashing]="2 65536" [hashtable]="200000 50000" [indirect]="50"
  [interp]="1" [intloop]="50000" [matmul]="2 64" [parser]="10" [recursion]="25"
  [sort]="2 50000" [stencil]="20 64" [strings]="2 65536"
)

newer() {  # newer TARGET SOURCES...: true when TARGET is missing or older than a source
  local t=$1
  shift
  [[ -e $t ]] || return 0
  local s
  for s in "$@"; do [[ $s -nt $t ]] && return 0; done
  return 1
}

names=()
for src in "$here"/programs/*.c; do
  name=$(basename "$src" .c)
  names+=("$name")
  if newer "$out/native/$name" "$src" "$here/programs/common.h"; then
    "$cc_native" -O2 "${warn[@]}" -o "$out/native/$name" "$src"
  fi
  if newer "$out/wasm/$name.wasm" "$src" "$here/programs/common.h"; then
    "$cc_wasm" --target=wasm32-wasi --sysroot=/usr -O2 "${warn[@]}" -o "$out/wasm/$name.wasm" "$src"
  fi
done
echo "built ${#names[@]} programs (native: $cc_native -O2, wasm: $cc_wasm --target=wasm32-wasi -O2) in $out"

if ((large)); then
  # 1500 generated functions compiled by clang (about 10 s), their bodies repeated 10 times.
  if newer "$out/large/large.wasm" "$here/gen_large_module.py" "$here/replicate_code.py"; then
    python3 "$here/gen_large_module.py" "$out/large/large_gen.c" 1500
    "$cc_wasm" --target=wasm32-wasi -O2 -nostdlib -Wl,--no-entry -Wl,--export-dynamic \
      -o "$out/large/large_base.wasm" "$out/large/large_gen.c"
    python3 "$here/replicate_code.py" "$out/large/large_base.wasm" "$out/large/large.wasm" 10
  fi
  echo "large module: $out/large/large.wasm ($(stat -c %s "$out/large/large.wasm") bytes)"
fi

# The checksum check.
node_bin=""
((use_node)) && node_bin=$(command -v node || true)
failed=0
for name in "${names[@]}"; do
  read -ra args <<< "${quick[$name]:-}"
  want=$("$out/native/$name" "${args[@]}")
  runners=()
  [[ -n $wasmpp ]] && runners+=(wasmpp)
  [[ -n $node_bin ]] && runners+=(node)
  for r in "${runners[@]}"; do
    if [[ $r == wasmpp ]]; then
      got=$("$wasmpp" run "$out/wasm/$name.wasm" "${args[@]}" 2>&1) || true
    else
      got=$("$node_bin" --no-warnings "$here/node_wasi_runner.mjs" "$out/wasm/$name.wasm" "${args[@]}" 2>&1) || true
    fi
    if [[ $got != "$want" ]]; then
      echo "CHECKSUM MISMATCH: $name under $r: native printed '$want', wasm printed '$got'" >&2
      failed=1
    fi
  done
done
((failed)) && exit 1
echo "checksums agree: ${#names[@]} programs, native vs ${runners[*]:-nothing (no wasm runner given)}"
