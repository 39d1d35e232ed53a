#!/usr/bin/env bash
# Runs one C test program both ways and compares them.
#   run_program.sh WASMPP CLANG HOST_CC SOURCE WORKDIR
# The program is compiled for wasm32-wasi (clang, Debian's wasi-libc in /usr) and natively,
# then run with the same arguments, environment, stdin and a fresh scratch directory each
# (the wasm guest gets its scratch directory preopened as "."). Stdout, stderr, the exit code
# and the files left in the scratch directory must be identical.
#
# Directives in the source, one per line:
#   //! ARGS: a b c           arguments
#   //! ENV: K=V              an environment variable (repeatable)
#   //! STDIN: text           stdin contents (a line; repeatable); default: empty
#   //! SETUP: command        shell command run in each scratch directory first (repeatable)
#   //! WASM_ONLY             run only under wasmpp (sandbox behaviour differs from native by design)
#   //! EXIT: n               expected exit code (default: whatever native gives, or 0)
#   //! STDERR_HAS: text      stderr must contain text (repeatable; for wasm-only runs)
#   //! CFLAGS: flags         extra compiler flags for both builds
#   //! WASM_CFLAGS: flags    extra compiler flags for the wasm32-wasi build only (e.g. -mtail-call)
#   //! WASMPP_FLAGS: flags   extra `wasmpp run` options (e.g. --enable-tail-call)
#   //! WASM_HAS: opcode      the module's disassembly (wasm-objdump -d) must contain the
#                             instruction (repeatable), so a test of a proposal cannot pass
#                             on code that does not use it
set -u
wasmpp=$1 clang=$2 cc=$3 src=$4 work=$5
name=$(basename "$src" .c)
incdir=$(dirname "$src")
rm -rf "$work" && mkdir -p "$work"

directive() { sed -n "s|^//! $1: \{0,1\}||p" "$src"; }
eval "args=($(directive ARGS))"
mapfile -t envs < <(directive ENV)
mapfile -t setups < <(directive SETUP)
wasm_only=$(grep -c '^//! WASM_ONLY' "$src")
expect_exit=$(directive EXIT)
mapfile -t stderr_has < <(directive STDERR_HAS)
directive STDIN > "$work/stdin"
read -r -a cflags <<< "$(directive CFLAGS)"
read -r -a wasm_cflags <<< "$(directive WASM_CFLAGS)"
read -r -a wasmpp_flags <<< "$(directive WASMPP_FLAGS)"
mapfile -t wasm_has < <(directive WASM_HAS)

fail() { echo "FAIL $name: $*"; exit 1; }

"$clang" --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -I"$incdir" "${cflags[@]}" "${wasm_cflags[@]}" \
  -o "$work/$name.wasm" "$src" -lm || fail "wasm32-wasi compile"
for op in "${wasm_has[@]}"; do
  wasm-objdump -d "$work/$name.wasm" > "$work/$name.objdump" || fail "WASM_HAS needs wasm-objdump (package wabt)"
  grep -qw -- "$op" "$work/$name.objdump" || fail "the module has no $op instruction"
  echo "$name.wasm uses $op ($(grep -cw -- "$op" "$work/$name.objdump") times)"
done
if [ "$wasm_only" = 0 ]; then
  "$cc" -O2 -Wall -Wextra -D_GNU_SOURCE -I"$incdir" "${cflags[@]}" -o "$work/$name.native" "$src" -lm || fail "native compile"
fi

setup() {  # scratch directory, plus a sibling "outside" that sandbox tests try to reach
  mkdir -p "$1/scratch" "$1/outside"
  echo "secret" > "$1/outside/secret"
  for s in "${setups[@]}"; do (cd "$1/scratch" && OUTSIDE="$1/outside" bash -c "$s") || fail "setup: $s"; done
}

# wasm run
setup "$work/wasm"
envflags=()
for e in "${envs[@]}"; do envflags+=(--env "$e"); done
(cd "$work/wasm/scratch" && "$wasmpp" run "${wasmpp_flags[@]}" --dir .::. "${envflags[@]}" "$work/$name.wasm" \
   "${args[@]}" < "$work/stdin" > "$work/wasm/stdout" 2> "$work/wasm/stderr")
wasm_rc=$?

if [ "$wasm_only" != 0 ]; then
  want=${expect_exit:-0}
  [ "$wasm_rc" = "$want" ] || { cat "$work/wasm/stdout" "$work/wasm/stderr"; fail "exit $wasm_rc, want $want"; }
  for s in "${stderr_has[@]}"; do
    grep -qF -- "$s" "$work/wasm/stderr" || { cat "$work/wasm/stderr"; fail "stderr lacks '$s'"; }
  done
  cat "$work/wasm/stdout"
  [ "$(cd "$work/wasm/outside" && find . | sort | tr '\n' ' ')" = ". ./secret " ] || fail "the guest changed a directory outside its sandbox"
  echo "PASS $name (wasm only, exit $wasm_rc)"
  exit 0
fi

# native run
setup "$work/native"
(cd "$work/native/scratch" && env -i "${envs[@]}" "$work/$name.native" "${args[@]}" \
   < "$work/stdin" > "$work/native/stdout" 2> "$work/native/stderr")
native_rc=$?

ok=1
diff -u "$work/native/stdout" "$work/wasm/stdout" || { echo "stdout differs"; ok=0; }
diff -u "$work/native/stderr" "$work/wasm/stderr" || { echo "stderr differs"; ok=0; }
[ "$native_rc" = "$wasm_rc" ] || { echo "exit code: native $native_rc, wasm $wasm_rc"; ok=0; }
if [ -n "$expect_exit" ] && [ "$native_rc" != "$expect_exit" ]; then echo "exit $native_rc, want $expect_exit"; ok=0; fi
listing() { (cd "$1" && find . -printf '%y %p -> %l\n' | sort); }
diff -u <(listing "$work/native/scratch") <(listing "$work/wasm/scratch") || { echo "file trees differ"; ok=0; }
diff -r --no-dereference "$work/native/scratch" "$work/wasm/scratch" || { echo "file contents differ"; ok=0; }
[ "$ok" = 1 ] || fail "native and wasm runs differ"
echo "PASS $name (exit $wasm_rc, $(wc -c < "$work/wasm/stdout") bytes of stdout identical)"
