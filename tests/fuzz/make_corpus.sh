#!/usr/bin/env bash
# Seed corpus for the fuzzers: every module of the spec suite's core and SIMD scripts (via
# wast2json) and N modules from binaryen's -ttf (2.0 features; SIMD in one of four).
#   tests/fuzz/make_corpus.sh OUT_DIR [N=500] [SPEC_DIR=../shared/spec]
set -euo pipefail
out=$1
n=${2:-500}
spec=${3:-$(dirname "$0")/../../../shared/spec}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for w in "$spec"/core/*.wast "$spec"/simd/*.wast; do
  [[ -f $w ]] || continue
  name=$(basename "$w" .wast)
  wast2json "$w" -o "$tmp/$name.json" >/dev/null 2>&1 || continue
done
for f in "$tmp"/*.wasm; do cp "$f" "$out/spec-$(basename "$f")"; done
for i in $(seq 1 "$n"); do
  head -c $((500 + RANDOM % 8000)) /dev/urandom >"$tmp/r.bin"
  simd=()
  if ((i % 4 == 0)); then simd=(--enable-simd); fi
  wasm-opt -ttf "$tmp/r.bin" --mvp-features --enable-sign-ext --enable-nontrapping-float-to-int \
    --enable-bulk-memory --enable-multivalue --enable-mutable-globals "${simd[@]}" \
    -o "$out/ttf-$i.wasm" 2>/dev/null || true
done
ls "$out" | wc -l
