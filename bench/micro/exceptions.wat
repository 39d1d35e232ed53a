;; Exception micro-benchmarks with the legacy instructions (try/catch/catch_all/rethrow), which
;; node 20 runs too; exceptions_exnref.wat has the try_table forms. Every export takes an
;; iteration count and returns a checksum (bench/micro/run.sh compares wasmpp's with node's).
(module
  (tag $e (param i32))
  (global $cleanups (mut i32) (i32.const 0))

  ;; k plain frames, then a throw of v.
  (func $throw_at (param $k i32) (param $v i32)
    (if (local.get $k)
      (then (call $throw_at (i32.sub (local.get $k) (i32.const 1)) (local.get $v)))
      (else (throw $e (local.get $v)))))

  ;; k frames that each clean up on the way out (catch_all, rethrow), then a throw of v.
  (func $cleanup_at (param $k i32) (param $v i32)
    (try
      (do
        (if (local.get $k)
          (then (call $cleanup_at (i32.sub (local.get $k) (i32.const 1)) (local.get $v)))
          (else (throw $e (local.get $v)))))
      (catch_all
        (global.set $cleanups (i32.add (global.get $cleanups) (i32.const 1)))
        (rethrow 0))))

  (func $catching (param $n i32) (param $k i32) (param $cleanup i32) (result i32)
    (local $sum i32) (local $payload i32)
    (loop $next
      (if (i32.eqz (local.get $n)) (then (return (i32.add (local.get $sum) (global.get $cleanups)))))
      (try
        (do
          (if (local.get $cleanup)
            (then (call $cleanup_at (local.get $k) (local.get $n)))
            (else (call $throw_at (local.get $k) (local.get $n)))))
        (catch $e
          (local.set $payload)
          (local.set $sum (i32.add (local.get $sum) (i32.mul (local.get $payload) (i32.const 3))))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next))
    (unreachable))

  (func (export "throw_0") (param $n i32) (result i32) (call $catching (local.get $n) (i32.const 0) (i32.const 0)))
  (func (export "throw_10") (param $n i32) (result i32) (call $catching (local.get $n) (i32.const 10) (i32.const 0)))
  (func (export "cleanup_10") (param $n i32) (result i32)
    (global.set $cleanups (i32.const 0))
    (call $catching (local.get $n) (i32.const 10) (i32.const 1)))

  ;; The no-throw path: a call inside a try against the same call without one.
  (func $work (param $i i32) (result i32)
    (i32.xor (i32.mul (local.get $i) (i32.const 0x9e3779b1)) (i32.shr_u (local.get $i) (i32.const 7))))
  (func (export "nothrow_try") (param $n i32) (result i32)
    (local $sum i32)
    (loop $next
      (if (i32.eqz (local.get $n)) (then (return (local.get $sum))))
      (local.set $sum (i32.add (local.get $sum)
        (try (result i32) (do (call $work (local.get $n))) (catch $e))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next))
    (unreachable))
  (func (export "nothrow_plain") (param $n i32) (result i32)
    (local $sum i32)
    (loop $next
      (if (i32.eqz (local.get $n)) (then (return (local.get $sum))))
      (local.set $sum (i32.add (local.get $sum) (call $work (local.get $n))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next))
    (unreachable)))
