;; memory64 and several memories for memory64_tests.cpp: $m64 (i64 addresses, 1 page, max 70000
;; pages), $small (i32, 1 page) and $big (i64, 2 pages, imported by nobody: defined third).
(module
  (memory $m64 i64 1 70000)
  (memory $small 1 1)
  (memory $big i64 2)
  (func (export "load8") (param i64) (result i32) (i32.load8_u $m64 (local.get 0)))
  (func (export "load32") (param i64) (result i32) (i32.load $m64 (local.get 0)))
  (func (export "load64") (param i64) (result i64) (i64.load $m64 (local.get 0)))
  (func (export "store64") (param i64 i64) (i64.store $m64 (local.get 0) (local.get 1)))
  (func (export "load32_off1") (param i64) (result i32) (i32.load $m64 offset=1 (local.get 0)))
  ;; The largest offset wabt writes: address + offset + size can pass 2^64.
  (func (export "load32_offmax") (param i64) (result i32)
    (i32.load $m64 offset=0xffffffff (local.get 0)))
  ;; An offset beyond a 32-bit displacement.
  (func (export "load32_off2g") (param i64) (result i32)
    (i32.load $m64 offset=0x80000000 (local.get 0)))
  (func (export "store32_off2g") (param i64 i32)
    (i32.store $m64 offset=0x80000000 (local.get 0) (local.get 1)))
  (func (export "v128_load") (param i64) (result i64)
    (i64x2.extract_lane 1 (v128.load $m64 (local.get 0))))
  (func (export "size") (result i64) (memory.size $m64))
  (func (export "grow") (param i64) (result i64) (memory.grow $m64 (local.get 0)))
  (func (export "fill") (param i64 i32 i64) (memory.fill $m64 (local.get 0) (local.get 1) (local.get 2)))
  ;; The other memories.
  (func (export "small_load8") (param i32) (result i32) (i32.load8_u $small (local.get 0)))
  (func (export "small_store8") (param i32 i32) (i32.store8 $small (local.get 0) (local.get 1)))
  (func (export "big_load8") (param i64) (result i32) (i32.load8_u $big (local.get 0)))
  (func (export "big_store8") (param i64 i32) (i32.store8 $big (local.get 0) (local.get 1)))
  (func (export "sizes") (result i64 i32 i64) (memory.size $m64) (memory.size $small) (memory.size $big))
  (func (export "small_grow") (param i32) (result i32) (memory.grow $small (local.get 0)))
  ;; Copies between memories of both address types (the length takes the smaller type, i32).
  (func (export "copy_big_to_small") (param i32 i64 i32)
    (memory.copy $small $big (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_small_to_m64") (param i64 i32 i32)
    (memory.copy $m64 $small (local.get 0) (local.get 1) (local.get 2)))
  ;; A call in between: memory 0's base is reloaded if the callee grew (and moved) it.
  (func $grow_by (param i64) (result i64) (memory.grow $m64 (local.get 0)))
  (func (export "grow_then_store") (param i64 i64) (result i64)
    (drop (call $grow_by (local.get 0)))
    (i64.store $m64 (local.get 1) (i64.const 0x1122334455667788))
    (i64.load $m64 (local.get 1)))
)
