;; The program of unwind_legacy.wat (see there: the frames, run's arguments and results) with
;; the WebAssembly 3.0 instructions: each $level frame's cleanup is a catch_all_ref handler that
;; releases the resource and continues the exception with throw_ref; the catching frame and the
;; caller use try_table catch clauses that branch with the payload.
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
    (local $exn exnref)
    (call $acquire (local.get $n))
    (local.set $exn
      (block $unwind (result exnref)
        (try_table (catch_all_ref $unwind)
          (if (i32.eq (local.get $n) (local.get $fail_at)) (then (call $fail (local.get $n) (local.get $kind))))
          (if (i32.lt_u (local.get $n) (local.get $depth))
            (then
              (if (i32.eq (local.get $n) (local.get $catch_at))
                (then
                  (block $done
                    (drop
                      (block $caught (result i32)
                        (try_table (catch $other $caught)
                          (call $level (i32.add (local.get $n) (i32.const 1)) (local.get $depth) (local.get $fail_at)
                                       (local.get $catch_at) (local.get $kind)))
                        (br $done)))
                    (call $note (i32.const 5))))
                (else
                  (call $level (i32.add (local.get $n) (i32.const 1)) (local.get $depth) (local.get $fail_at)
                               (local.get $catch_at) (local.get $kind)))))))
        (call $release (local.get $n))
        (return)))
    ;; the cleanup on the way out, then the same exception continues
    (call $release (local.get $n))
    (global.set $cleanups (i32.add (global.get $cleanups) (i32.const 1)))
    (throw_ref (local.get $exn)))

  (func (export "run") (param $depth i32) (param $fail_at i32) (param $catch_at i32) (param $kind i32)
                       (result i32 i32 i32 i64)
    (global.set $live (i32.const 0))
    (global.set $cleanups (i32.const 0))
    (global.set $log (i64.const 0))
    (block $escaped (result i32)
      (i32.add
        (block $other_escaped (result i32)
          (try_table (catch $err $escaped) (catch $other $other_escaped)
            (call $level (i32.const 1) (local.get $depth) (local.get $fail_at) (local.get $catch_at) (local.get $kind)))
          (br $escaped (i32.const -1)))
        (i32.const 1000000)))
    (global.get $live)
    (global.get $cleanups)
    (global.get $log)))
