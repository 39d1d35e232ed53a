;; pooling_tests: calls element 0 of an imported table.
(module
  (import "env" "table" (table 2 funcref))
  (func (export "call0") (result i32) (call_indirect (result i32) (i32.const 0))))
