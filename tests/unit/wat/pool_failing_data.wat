;; pooling_tests: the element segment puts $peek into the imported table, the first data
;; segment fits, the second is out of bounds. Instantiation fails with the first data
;; segment's write visible to $peek (so this module must not get a memory image).
(module
  (import "env" "table" (table 2 funcref))
  (memory 1)
  (func $peek (result i32) (i32.load8_u (i32.const 0)))
  (elem (i32.const 0) $peek)
  (data (i32.const 0) "A")
  (data (i32.const 65535) "xy"))
