;; exceptions.wat with the WebAssembly 3.0 instructions (try_table, catch_all_ref, throw_ref),
;; for wasmpp only: node 20's V8 has no exnref and wabt 1.0.32 cannot assemble it (wasmpp's
;; text parser reads this file). Same exports, same checksums as exceptions.wat.
(module
  (tag $e (param i32))
  (global $cleanups (mut i32) (i32.const 0))

  (func $throw_at (param $k i32) (param $v i32)
    (if (local.get $k)
      (then (call $throw_at (i32.sub (local.get $k) (i32.const 1)) (local.get $v)))
      (else (throw $e (local.get $v)))))

  (func $cleanup_at (param $k i32) (param $v i32)
    (local $exn exnref)
    (local.set $exn
      (block $unwind (result exnref)
        (try_table (catch_all_ref $unwind)
          (if (local.get $k)
            (then (call $cleanup_at (i32.sub (local.get $k) (i32.const 1)) (local.get $v)))
            (else (throw $e (local.get $v)))))
        (return)))
    (global.set $cleanups (i32.add (global.get $cleanups) (i32.const 1)))
    (throw_ref (local.get $exn)))

  (func $catching (param $n i32) (param $k i32) (param $cleanup i32) (result i32)
    (local $sum i32)
    (loop $next
      (if (i32.eqz (local.get $n)) (then (return (i32.add (local.get $sum) (global.get $cleanups)))))
      (block $done
        (local.set $sum (i32.add (local.get $sum) (i32.mul (i32.const 3)
          (block $caught (result i32)
            (try_table (catch $e $caught)
              (if (local.get $cleanup)
                (then (call $cleanup_at (local.get $k) (local.get $n)))
                (else (call $throw_at (local.get $k) (local.get $n)))))
            (br $done))))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next))
    (unreachable))

  (func (export "throw_0") (param $n i32) (result i32) (call $catching (local.get $n) (i32.const 0) (i32.const 0)))
  (func (export "throw_10") (param $n i32) (result i32) (call $catching (local.get $n) (i32.const 10) (i32.const 0)))
  (func (export "cleanup_10") (param $n i32) (result i32)
    (global.set $cleanups (i32.const 0))
    (call $catching (local.get $n) (i32.const 10) (i32.const 1)))

  (func $work (param $i i32) (result i32)
    (i32.xor (i32.mul (local.get $i) (i32.const 0x9e3779b1)) (i32.shr_u (local.get $i) (i32.const 7))))
  (func (export "nothrow_try") (param $n i32) (result i32)
    (local $sum i32)
    (loop $next
      (if (i32.eqz (local.get $n)) (then (return (local.get $sum))))
      (local.set $sum (i32.add (local.get $sum)
        (block $caught (result i32)
          (try_table (result i32) (catch $e $caught) (call $work (local.get $n))))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next))
    (unreachable)))
