;; pooling_tests: a data segment whose offset is an imported global (no memory image).
(module
  (import "env" "offset" (global i32))
  (memory (export "mem") 1)
  (data (global.get 0) "dyn")
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0))))
