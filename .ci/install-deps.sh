#!/usr/bin/env bash
# Installs what building and testing wasmpp needs on Debian 12 (run as root).
# The README's commands and CI both call this; it is the one list of packages.
set -euo pipefail
packages=(
  g++ cmake ninja-build            # toolchain
  libxbyak-dev librange-v3-dev     # the library's dependencies (header-only)
  catch2                           # tests only
  nlohmann-json3-dev               # bench/header_cost.sh compares our header cost with its
  wabt                             # wat2wasm (unit tests' modules), wast2json (fuzz corpus)
  python3 pkg-config               # single-header generator check, installed-package check
  clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32  # WASI test programs and the demo
  binaryen                         # differential execution against V8 (tests/differential)
  libbenchmark-dev nodejs          # bench/run.sh (node >= 18.17 for node:wasi)
  gdb                              # tests/profiling: gdb names wasm frames (skipped without it)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
