#pragma once
// The wide-arithmetic proposal in the baseline compiler: a 128-bit integer is two i64 values,
// the low half deeper on the stack. i64.add128 / i64.sub128 add or subtract the low halves and
// then the high halves with the carry or borrow (adc / sbb); i64.mul_wide_s / _u give the full
// product of two i64 values from the one-operand imul / mul, which writes rdx:rax.
#include "wasm/detail/jit/function_compiler_decl.hpp"

namespace wasm::detail::jit {

// [lhs_lo lhs_hi rhs_lo rhs_hi] -> [lo hi]
inline void FunctionCompiler::visit_add_sub128(bool subtract) {
  const Reg rhs_hi = pop_to_reg();
  const Reg rhs_lo = pop_to_reg({rhs_hi});
  const Reg lhs_hi = pop_to_reg({rhs_hi, rhs_lo});
  const Reg lhs_lo = pop_to_reg({rhs_hi, rhs_lo, lhs_hi});
  // The results get registers of their own: an operand register may be shared by several of
  // the four operands, and each one must still be intact when it is read.
  const RegSet operands{lhs_lo, lhs_hi, rhs_lo, rhs_hi};
  const Reg lo = alloc_reg(RegClass::Gpr, operands);
  const Reg hi = alloc_reg(RegClass::Gpr, operands | RegSet{lo});
  a_.mov(lo.r64(), lhs_lo.r64());
  a_.mov(hi.r64(), lhs_hi.r64());  // mov leaves the flags alone: adc/sbb see the low half's
  if (subtract) {
    a_.sub(lo.r64(), rhs_lo.r64());
    a_.sbb(hi.r64(), rhs_hi.r64());
  } else {
    a_.add(lo.r64(), rhs_lo.r64());
    a_.adc(hi.r64(), rhs_hi.r64());
  }
  push_reg(ValType::I64, lo);
  push_reg(ValType::I64, hi);
}

// [lhs rhs] -> [lo hi], as visit_div_rem places its operands.
inline void FunctionCompiler::visit_mul_wide(bool is_signed) {
  const Reg rax = Reg::gpr(abi::RAX), rdx = Reg::gpr(abi::RDX);
  RegSet pinned{rax, rdx};
  Reg rhs = pop_to_reg(pinned);
  if (rhs == rax || rhs == rdx) {
    Reg moved = alloc_reg(RegClass::Gpr, pinned);
    masm::move(a_, moved, rhs);
    rhs = moved;
  }
  const uint32_t lhs_index = stack_.height() - 1;
  VarState lhs = pop();
  // rax and rdx are written: whatever else lives there goes to its slot first.
  spill_reg(rax);
  spill_reg(rdx);
  masm::load_var(a_, rax, lhs, lhs_index);
  if (is_signed) a_.imul(rhs.r64());
  else a_.mul(rhs.r64());
  push_reg(ValType::I64, rax);
  push_reg(ValType::I64, rdx);
}

}  // namespace wasm::detail::jit
