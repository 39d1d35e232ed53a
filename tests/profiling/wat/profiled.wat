;; The module the profiling tests announce: named and unnamed functions, a call chain into a
;; host function (for a debugger's backtrace) and a loop that runs long enough to be sampled.
(module
  (import "env" "host_break" (func $host_break (param i32)))
  (func $wasm_inner (param i32)
    (call $host_break (i32.add (local.get 0) (i32.const 1))))
  (func $wasm_outer (export "run") (param i32)
    (call $wasm_inner (i32.mul (local.get 0) (i32.const 2))))
  ;; No name: profilers show it as wasm-function[3].
  (func (param i32) (result i32)
    (i32.xor (local.get 0) (i32.const 0x5bd1e995)))
  (func $hot_loop (export "spin") (param $n i32) (result i32)
    (local $acc i32)
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (call 3 (i32.add (local.get $acc) (local.get $n))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again)))
    (local.get $acc)))
