#!/usr/bin/env bash
# Builds and runs the unit tests, the spec runner over the core suite and the examples with
# AddressSanitizer + UndefinedBehaviorSanitizer, and the threads test with ThreadSanitizer, each
# in its own build tree under BUILD_DIR. Any sanitizer report fails the run.
#   tests/sanitize/run_sanitizers.sh SOURCE_DIR BUILD_DIR [asan|tsan|all]
# ctest runs it as sanitize/asan-ubsan and sanitize/tsan (tests/sanitize/CMakeLists.txt).
#
# The runtime turns faults in JIT code (guard pages, stack probes) into traps with its own
# SIGSEGV/SIGBUS/SIGILL/SIGFPE handler, so ASan is told to leave those signals alone.
set -euo pipefail
src=$(cd "$1" && pwd)
build=$2
what=${3:-all}
mkdir -p "$build"
build=$(cd "$build" && pwd)
jobs=${WASMPP_SANITIZE_JOBS:-2}
spec_dir=${WASMPP_SPEC_DIR:-$src/../shared/spec}

configure() {  # DIR FLAGS
  cmake -S "$src" -B "$1" -G Ninja -DCMAKE_BUILD_TYPE= \
    "-DCMAKE_CXX_FLAGS=$2" -DWASMPP_INSTALL=OFF -DWASMPP_SANITIZE_NESTED=ON \
    "-DWASMPP_SPEC_DIR=$spec_dir" >"$1.configure.log" 2>&1 || { cat "$1.configure.log"; exit 1; }
}

# Each step's start is printed with the seconds since the start (CI logs show where time goes).
step() { echo "== [${SECONDS}s] $*"; }

export ASAN_OPTIONS=handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:allow_user_segv_handler=1:detect_leaks=1:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87
export LSAN_OPTIONS=suppressions=$src/tests/sanitize/lsan.supp:print_suppressions=0
export TSAN_OPTIONS=halt_on_error=1:exitcode=88

if [[ $what == asan || $what == all ]]; then
  tree=$build/asan-ubsan
  configure "$tree" "-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
  examples=$(cd "$src/examples" && ls *.cpp | sed 's/\.cpp$//')
  targets="unit_tests spec-runner"
  for e in $examples; do targets+=" example_$e"; done
  step "building $targets (asan+ubsan)"
  cmake --build "$tree" -j "$jobs" --target $targets
  step "unit tests (asan+ubsan; without [large])"
  "$tree/tests/unit/unit_tests" "~[large]"
  step "spec core (asan+ubsan)"
  "$tree/tests/spec/spec-runner" --pins "$src/tests/spec/pins.tsv" "$spec_dir"/core/*.wast | tail -3
  for e in $examples; do
    step "example $e (asan+ubsan)"
    (cd "$tree/examples" && "./$e" >/dev/null)
  done
fi

if [[ $what == tsan || $what == all ]]; then
  tree=$build/tsan
  configure "$tree" "-O1 -g -fsanitize=thread"
  step "building threads_test (tsan)"
  cmake --build "$tree" -j "$jobs" --target threads_test
  step "threads test (tsan)"
  # Without address-space randomization where that is allowed: TSan's fixed shadow layout does
  # not fit every kernel's mmap randomization.
  norandom=()
  if setarch "$(uname -m)" -R true 2>/dev/null; then norandom=(setarch "$(uname -m)" -R); fi
  "${norandom[@]}" "$tree/tests/sanitize/threads_test"
fi
echo "sanitizers: clean (${SECONDS}s)"
