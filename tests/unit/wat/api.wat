(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (import "env" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello from wasm")
  (func (export "f") (param i32 i32) (result i32)
    (call $log (i32.const 16) (i32.const 15))
    (call $add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "pair") (param i64 f64) (result f64 i64) (local.get 1) (local.get 0))
  (func (export "spin") (loop $l (br $l)))
  (func $deep (export "deep") (param i32) (result i32) (i32.add (i32.const 1) (call $deep (local.get 0))))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "many") (param i32 i64 f32 f64 i32 i64 f32 f64 i32 i64) (result f64)
    (f64.add
      (f64.add (f64.convert_i32_s (local.get 0)) (f64.convert_i64_s (local.get 1)))
      (f64.add
        (f64.add (f64.promote_f32 (local.get 2)) (local.get 3))
        (f64.add
          (f64.add (f64.convert_i32_s (local.get 4)) (f64.convert_i64_s (local.get 5)))
          (f64.add
            (f64.add (f64.promote_f32 (local.get 6)) (local.get 7))
            (f64.add (f64.convert_i32_s (local.get 8)) (f64.convert_i64_s (local.get 9))))))))
)
