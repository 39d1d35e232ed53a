#!/usr/bin/env bash
# The wasmpp CLI beyond WASI programs: --invoke with parameters and results, --fuel, traps,
# usage errors and `compile`.   cli_test.sh WASMPP WORKDIR
set -u
wasmpp=$1 work=$2
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
cat > m.wat <<'WAT'
(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "mul64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.mul)
  (func (export "half") (param f64) (result f64) local.get 0 f64.const 0.5 f64.mul)
  (func (export "pair") (result i32 f32) i32.const -7 f32.const 1.25)
  (func $spin (export "spin") (loop br 0))
  (func $divide (export "divide") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s))
WAT
wat2wasm --debug-names m.wat -o m.wasm || exit 1
cat > proposals.wat <<'WAT'
(module
  (tag $oops (param i32))
  (func $count (param i32 i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (local.get 1))
      (else (return_call $count (i32.sub (local.get 0) (i32.const 1)) (i32.add (local.get 1) (i32.const 2))))))
  (func (export "count") (param i32) (result i32) (return_call $count (local.get 0) (i32.const 0)))
  (func (export "escape") (throw $oops (i32.const 3))))
WAT
wat2wasm --enable-tail-call --enable-exceptions proposals.wat -o proposals.wasm || exit 1
failures=0
expect() {  # expect NAME WANT_STATUS WANT_STDOUT_OR_STDERR_SUBSTRING -- command...
  local name=$1 want_rc=$2 want_text=$3
  shift 4
  "$@" > out.txt 2> err.txt
  local rc=$?
  if [ "$rc" = "$want_rc" ] && grep -qF -- "$want_text" out.txt err.txt; then
    echo "ok: $name"
  else
    echo "FAILED: $name (status $rc, want $want_rc and '$want_text')"; cat out.txt err.txt
    failures=$((failures + 1))
  fi
}
expect "invoke add" 0 "5" -- "$wasmpp" run --invoke add m.wasm 2 3
expect "invoke add wraps" 0 "-2" -- "$wasmpp" run --invoke add m.wasm 0xffffffff -1
expect "invoke mul64" 0 "-9223372036854775808" -- "$wasmpp" run --invoke mul64 m.wasm 4611686018427387904 -2
expect "invoke half" 0 "1.25" -- "$wasmpp" run --invoke half m.wasm 2.5
expect "invoke multi-value" 0 "1.25" -- "$wasmpp" run --invoke pair m.wasm
expect "trap exit status and backtrace" 134 "divide" -- "$wasmpp" run --invoke divide m.wasm 1 0
expect "trap message" 134 "integer divide by zero" -- "$wasmpp" run --invoke divide m.wasm 1 0
expect "fuel runs out" 134 "all fuel consumed" -- "$wasmpp" run --fuel 10000 --invoke spin m.wasm
expect "wrong argument count" 2 "takes 2 arguments" -- "$wasmpp" run --invoke add m.wasm 1
expect "bad number" 2 "cannot read" -- "$wasmpp" run --invoke add m.wasm 1 x
expect "missing export" 1 "no exported function" -- "$wasmpp" run --invoke nope m.wasm
expect "no _start" 1 "_start" -- "$wasmpp" run m.wasm
expect "missing file" 1 "cannot read" -- "$wasmpp" run nothing.wasm
printf 'neither a module binary nor text' > junk.bin
expect "not wasm" 1 "magic header not detected" -- "$wasmpp" run junk.bin
expect "run text" 0 "12" -- "$wasmpp" run --invoke add m.wat 5 7
expect "unknown option" 2 "unknown option" -- "$wasmpp" run --frobnicate m.wasm
expect "missing preopen" 1 "cannot open directory" -- "$wasmpp" run --dir /does/not/exist --invoke add m.wasm 1 2
expect "proposal off by default" 1 "failed to load" -- "$wasmpp" run --invoke count proposals.wasm 3
expect "--enable-FEATURE" 0 "2000000" -- "$wasmpp" run --enable-tail-call --enable-exceptions --invoke count \
  proposals.wasm 1000000
expect "--enable-all" 0 "8" -- "$wasmpp" run --enable-all --invoke count proposals.wasm 4
expect "unknown feature" 2 "unknown feature" -- "$wasmpp" run --enable-nonsense --invoke count proposals.wasm 4
expect "uncaught exception" 1 "uncaught wasm exception" -- "$wasmpp" run --enable-all --invoke escape proposals.wasm
expect "compile with a proposal" 0 "machine code" -- "$wasmpp" compile --enable-all proposals.wasm
expect "compile" 0 "machine code" -- "$wasmpp" compile m.wasm
expect "help" 0 "wasmpp run" -- "$wasmpp" --help
echo "$failures failures"
[ "$failures" = 0 ]
