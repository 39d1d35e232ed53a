(module
  (import "env" "table" (table 4 funcref))
  (import "env" "memory" (memory 1))
  (import "env" "started" (func $started))
  (func $a (result i32) (i32.const 11))
  (func $b (result i32) (i32.const 22))
  ;; Element segments are applied first and fit: their writes stay even though a later
  ;; data segment fails.
  (elem (i32.const 1) $a $b)
  (data (i32.const 0) "ok")
  ;; Out of bounds: the memory has one page.
  (data (i32.const 65535) "xy")
  (start $started))
