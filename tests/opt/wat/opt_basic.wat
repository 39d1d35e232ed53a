;; Functions for the optimizing tier's builder and passes (tests/unit/opt_*.cpp).
(module
  (memory 1)
  (global $g (mut i32) (i32.const 7))
  (global $k i32 (i32.const 100))
  ;; 0: straight-line arithmetic
  (func $add (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  ;; 1: a loop summing 0..n-1
  (func $sum (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (block $out
      (loop $top
        (br_if $out (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $top)))
    (local.get $s))
  ;; 2: if/else with a result
  (func $max (export "max") (param i32 i32) (result i32)
    (if (result i32) (i32.gt_s (local.get 0) (local.get 1))
      (then (local.get 0)) (else (local.get 1))))
  ;; 3: constants that fold
  (func $consts (export "consts") (result i32)
    (i32.mul (i32.add (i32.const 2) (i32.const 3)) (i32.shl (i32.const 1) (i32.const 35))))
  ;; 4: division by a constant zero must stay (it traps)
  (func $divz (export "divz") (param i32) (result i32)
    (i32.div_u (local.get 0) (i32.const 0)))
  ;; 5: memory in a loop: store i*3 at 4*i, then sum the loads
  (func $mem (export "mem") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $fill
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (i32.mul (local.get $i) (i32.const 3)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (local.get $n))))
    (local.set $i (i32.const 0))
    (loop $read
      (local.set $s (i32.add (local.get $s) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $read (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))
  ;; 6: calls within the module, globals
  (func $callee (param i32) (result i32) (i32.add (local.get 0) (global.get $k)))
  (func $caller (export "caller") (param i32) (result i32)
    (global.set $g (call $callee (local.get 0)))
    (i32.add (global.get $g) (global.get $g)))
  ;; 8: invariant arithmetic and an immutable global in a loop
  (func $licm (export "licm") (param $n i32) (param $a i32) (result i32) (local $i i32) (local $s i32)
    (block $out
      (loop $top
        (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s)
          (i32.add (i32.mul (local.get $a) (local.get $a)) (global.get $k))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $top)))
    (local.get $s))
  ;; 9: division and remainder by constants
  (func $divs (export "divs") (param i32) (result i32)
    (i32.add (i32.add (i32.div_s (local.get 0) (i32.const 7)) (i32.div_u (local.get 0) (i32.const 10)))
             (i32.add (i32.rem_s (local.get 0) (i32.const 8)) (i32.rem_u (local.get 0) (i32.const 16)))))
  ;; 10: repeated divisions by one divisor (the second needs no zero check), common subexpressions
  (func $divcheck (export "divcheck") (param i32 i32) (result i32)
    (i32.add (i32.div_u (local.get 0) (local.get 1))
             (i32.add (i32.rem_u (local.get 0) (local.get 1)) (i32.div_u (local.get 0) (local.get 1)))))
  ;; 11: i64 division by a constant
  (func $div64 (export "div64") (param i64) (result i64)
    (i64.add (i64.div_s (local.get 0) (i64.const 1000)) (i64.div_u (local.get 0) (i64.const 3))))
  ;; 12: multi-value block, br_table, select
  (func $switch (export "switch") (param i32) (result i32)
    (block $d (block $c (block $b (block $a
      (br_table $a $b $c $d (local.get 0)))
      (return (i32.const 10)))
      (return (i32.const 20)))
      (return (select (i32.const 30) (i32.const 31) (local.get 0))))
    (i32.const 40))
  ;; 13: SIMD passes through the builder
  (func $simd (export "simd") (param i32) (result i32)
    (i32x4.extract_lane 2 (i32x4.add (i32x4.splat (local.get 0)) (v128.const i32x4 1 2 3 4))))
)
