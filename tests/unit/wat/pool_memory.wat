;; pooling_tests: a memory with data (two overlapping segments, one on the second page) and a
;; funcref table with an element segment.
(module
  (memory (export "mem") 2 6)
  (table $t (export "tab") 2 10 funcref)
  (func $seven (result i32) (i32.const 7))
  (func $eight (result i32) (i32.const 8))
  (elem (table $t) (i32.const 0) func $seven)
  (elem declare func $eight)
  (data (i32.const 16) "hello pool")
  (data (i32.const 20) "POOL")
  (data (i32.const 65636) "far")
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "call") (param i32) (result i32) (call_indirect (result i32) (local.get 0)))
  (func (export "set_eight") (param i32) (table.set $t (local.get 0) (ref.func $eight)))
  (func (export "table_grow") (param i32) (result i32) (table.grow $t (ref.func $eight) (local.get 0))))
