#pragma once
// Machine code for every scalar numeric WebAssembly instruction, with exact wasm semantics.
// The single-pass compiler chooses registers (satisfying numeric_constraint(op)) and calls
// emit_numeric once per instruction; traps jump to labels the compiler provides (TrapSink).
//
// Contract for all ops:
//  - Integer values (i32, i64) live in general purpose registers; an i32 value has the upper
//    32 bits of its register zero, and every i32 result produced here keeps that invariant.
//    Float values (f32, f64) live in xmm registers (low lane; the other lanes are don't-care).
//  - lhs is always a register. rhs is a register, or (integer right-hand sides only) an
//    immediate: any value is accepted (i32 ops read its low 32 bits; an i64 immediate beyond a
//    sign-extended imm32 costs a move into scratch). Unary ops and conversions ignore rhs.
//  - Scratch (r11 and xmm15 in the compiler) is clobbered freely; it is never an operand.
//  - Flags are clobbered. Nothing else but dst (and the registers named by the constraint) is
//    written. No memory is touched, nothing is pushed.
//
// Register constraints (numeric_constraint):
//  None   dst, lhs, rhs: any registers of the right classes, with any aliasing (dst == lhs,
//         dst == rhs, lhs == rhs, all three).
//  DivRem i32/i64 div_s, div_u, rem_s, rem_u. lhs in rax; rhs an immediate or a register
//         other than rax and rdx; dst is rax for div and rdx for rem; rax and rdx are both
//         clobbered (whichever is not dst holds garbage afterwards). Immediates are handled
//         here: 0 jumps to the division-by-zero trap unconditionally, ±1 and powers of two
//         become neg/shift/and sequences, anything else divides without the run-time checks.
//  Shift  shl, shr_s, shr_u, rotl, rotr. rhs is an immediate or in rcx; dst and lhs may be any
//         registers, rcx included (dst == rcx goes through scratch).
#include <optional>

#include "wasm/detail/jit/emit_numeric_base.hpp"
#include "wasm/detail/jit/emit_numeric_conv.hpp"
#include "wasm/detail/jit/emit_numeric_float.hpp"
#include "wasm/detail/jit/emit_numeric_int.hpp"

namespace wasm::detail::jit {

enum class NumericConstraint : uint8_t { None, DivRem, Shift };

// The ops emit_numeric handles: every non-SIMD op with fixed operand/result slots and no
// immediate (arithmetic, comparisons, eqz, clz/ctz/popcnt, conversions, reinterpretations,
// sign extensions, saturating truncations).
constexpr bool is_numeric_op(Op op) {
  const OpInfo& info = op_info(op);
  if (info.prefix == 0xFD || info.imm != Imm::None || info.special()) return false;
  if (info.result == Slot::None || info.params[0] == Slot::None) return false;
  for (Slot s : info.params)
    if (s == Slot::V128) return false;
  return info.result != Slot::V128;
}

constexpr NumericConstraint numeric_constraint(Op op) {
  switch (op) {
    case Op::I32DivS: case Op::I32DivU: case Op::I32RemS: case Op::I32RemU:
    case Op::I64DivS: case Op::I64DivU: case Op::I64RemS: case Op::I64RemU:
      return NumericConstraint::DivRem;
    case Op::I32Shl: case Op::I32ShrS: case Op::I32ShrU: case Op::I32Rotl: case Op::I32Rotr:
    case Op::I64Shl: case Op::I64ShrS: case Op::I64ShrU: case Op::I64Rotl: case Op::I64Rotr:
      return NumericConstraint::Shift;
    default:
      return NumericConstraint::None;
  }
}

// Register number (Xbyak/hardware numbering) of the DivRem destination: rax for div, rdx for rem.
constexpr int div_rem_result_reg(Op op) {
  return (op == Op::I32RemS || op == Op::I32RemU || op == Op::I64RemS || op == Op::I64RemU) ? 2 : 0;
}

// Emits `dst = op(lhs, rhs)` (or `dst = op(lhs)`) for an op with is_numeric_op(op).
// Throws std::logic_error if the operands break the contract above (a compiler bug).
inline void emit_numeric(Xbyak::CodeGenerator& a, Op op, NumOperand dst, NumOperand lhs,
                         NumOperand rhs, Scratch scratch, TrapSink& traps,
                         const CpuFeatures& cpu = host_cpu_features()) {
  if (!is_numeric_op(op)) numeric_detail::bad_operands("not a numeric op");
  if (!lhs.is_reg()) numeric_detail::bad_operands("lhs must be a register");
  if (op_info(op).param_count() == 1) rhs = NumOperand::none();
  if (numeric_detail::emit_int_op(a, op, dst, lhs, rhs, scratch, traps, cpu)) return;
  if (numeric_detail::emit_float_op(a, op, dst, lhs, rhs, scratch)) return;
  if (numeric_detail::emit_conversion(a, op, dst, lhs, scratch, traps)) return;
  numeric_detail::bad_operands("unhandled numeric op");
}

}  // namespace wasm::detail::jit
