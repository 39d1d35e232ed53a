;; Unwinding through frames that hold resources, with the legacy instructions: each $level
;; frame acquires a resource, and its catch_all releases it and rethrows, the way a C++
;; destructor runs during unwinding. unwind_exnref.wat is the same program with try_table and
;; throw_ref; unwind_test.sh gives both the same arguments and hand-computed expectations.
;;
;; run(depth, fail_at, catch_at, kind) calls $level 1..depth; frame fail_at throws n*10 with
;; tag $err (kind 0) or $other (kind 1); frame catch_at catches $other from deeper frames and
;; carries on. It returns the escaping payload (-1: none; $other adds 1000000), the resources
;; still held, the cleanups run while unwinding, and a log of decimal digits from frames 1..4:
;; acquire n -> n, release n -> n+5, throw -> 0, catch -> 5.
(module
  (tag $err (param i32))
  (tag $other (param i32))
  (global $live (mut i32) (i32.const 0))
  (global $cleanups (mut i32) (i32.const 0))
  (global $log (mut i64) (i64.const 0))

  (func $note (param $digit i32)
    (global.set $log (i64.add (i64.mul (global.get $log) (i64.const 10)) (i64.extend_i32_u (local.get $digit)))))
  (func $acquire (param $n i32)
    (global.set $live (i32.add (global.get $live) (i32.const 1)))
    (if (i32.le_u (local.get $n) (i32.const 4)) (then (call $note (local.get $n)))))
  (func $release (param $n i32)
    (global.set $live (i32.sub (global.get $live) (i32.const 1)))
    (if (i32.le_u (local.get $n) (i32.const 4)) (then (call $note (i32.add (local.get $n) (i32.const 5))))))
  (func $fail (param $n i32) (param $kind i32)
    (call $note (i32.const 0))
    (if (local.get $kind)
      (then (throw $other (i32.mul (local.get $n) (i32.const 10))))
      (else (throw $err (i32.mul (local.get $n) (i32.const 10))))))

  (func $level (param $n i32) (param $depth i32) (param $fail_at i32) (param $catch_at i32) (param $kind i32)
    (call $acquire (local.get $n))
    (try
      (do
        (if (i32.eq (local.get $n) (local.get $fail_at)) (then (call $fail (local.get $n) (local.get $kind))))
        (if (i32.lt_u (local.get $n) (local.get $depth))
          (then
            (if (i32.eq (local.get $n) (local.get $catch_at))
              (then
                (try
                  (do (call $level (i32.add (local.get $n) (i32.const 1)) (local.get $depth) (local.get $fail_at)
                                   (local.get $catch_at) (local.get $kind)))
                  (catch $other (drop) (call $note (i32.const 5)))))
              (else
                (call $level (i32.add (local.get $n) (i32.const 1)) (local.get $depth) (local.get $fail_at)
                             (local.get $catch_at) (local.get $kind)))))))
      (catch_all
        ;; the cleanup on the way out, then the same exception continues
        (call $release (local.get $n))
        (global.set $cleanups (i32.add (global.get $cleanups) (i32.const 1)))
        (rethrow 0)))
    (call $release (local.get $n)))

  (func (export "run") (param $depth i32) (param $fail_at i32) (param $catch_at i32) (param $kind i32)
                       (result i32 i32 i32 i64)
    (global.set $live (i32.const 0))
    (global.set $cleanups (i32.const 0))
    (global.set $log (i64.const 0))
    (try (result i32)
      (do
        (call $level (i32.const 1) (local.get $depth) (local.get $fail_at) (local.get $catch_at) (local.get $kind))
        (i32.const -1))
      (catch $err)
      (catch $other (i32.add (i32.const 1000000))))
    (global.get $live)
    (global.get $cleanups)
    (global.get $log)))
