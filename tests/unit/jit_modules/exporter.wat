(module
  (memory (export "mem") 1)
  (global (export "g") (mut i32) (i32.const 42))
  (table (export "tab") 4 funcref)
  (elem (i32.const 2) func $triple)
  (func $triple (export "triple") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
)
