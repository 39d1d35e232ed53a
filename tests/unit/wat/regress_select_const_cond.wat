(module
  ;; select with a constant-zero condition must give its second operand, here the result of an
  ;; `if` (a block result in a merge register): expected 7 for any argument.
  (func (export "f") (param i32) (result i32)
    (select (i32.const 5)
            (if (result i32) (local.get 0) (then (i32.const 7)) (else (i32.const 7)))
            (i32.const 0))))
