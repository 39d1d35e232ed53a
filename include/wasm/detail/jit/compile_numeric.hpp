#pragma once
// Numeric instructions: operands are put where emit_numeric's constraints want them, the
// instruction sequence itself comes from emit_numeric.hpp. Constant integer right-hand sides
// stay immediates. An integer comparison directly followed by br_if or if becomes cmp + jcc.
#include "wasm/detail/jit/emit_nan_canonical.hpp"
#include "wasm/detail/jit/emit_numeric.hpp"
#include "wasm/detail/jit/function_compiler_decl.hpp"

namespace wasm::detail::jit {

namespace numeric_compile_detail {

inline NumOperand operand(Reg r) {
  if (r.is_xmm()) return NumOperand(r.x());
  return NumOperand(r.r64());
}

inline bool is_int_compare(Op op) {
  const OpInfo& info = op_info(op);
  return info.result == Slot::I32 && (info.params[0] == Slot::I32 || info.params[0] == Slot::I64) &&
         ((op >= Op::I32Eqz && op <= Op::I32GeU) || (op >= Op::I64Eqz && op <= Op::I64GeU));
}

inline Scratch scratch() { return Scratch{Xbyak::util::r11, Xbyak::util::xmm15}; }

}  // namespace numeric_compile_detail

// Pops the operands of an integer comparison, emits cmp/test, returns the "true" condition.
inline Cond FunctionCompiler::emit_compare_flags(Op op) {
  using numeric_compile_detail::operand;
  NumOperand rhs = NumOperand::none();
  Reg lhs;
  if (op == Op::I32Eqz || op == Op::I64Eqz) {
    lhs = pop_to_reg();
  } else if (stack_.back().is_const()) {
    rhs = NumOperand::imm(pop().imm);
    lhs = pop_to_reg();
  } else {
    Reg r = pop_to_reg();
    rhs = operand(r);
    lhs = pop_to_reg({r});
  }
  return *emit_int_compare_flags(a_, op, operand(lhs), rhs, a_.r11);
}

// Reads the next instruction; if it is br_if or if, compiles both as compare-and-jump.
inline bool FunctionCompiler::try_fuse_compare(Op op) {
  if (!reader_->next(lookahead_)) throw CompileFailure{"malformed function body"};
  has_lookahead_ = true;
  if (lookahead_.op != Op::BrIf && lookahead_.op != Op::If) return false;
  has_lookahead_ = false;
  ++fuel_pending_;
  flush_fuel();  // before the flags are set
  Cond taken = emit_compare_flags(op);
  if (lookahead_.op == Op::BrIf) emit_br_if(taken, lookahead_.index);
  else open_if(lookahead_.block, taken);
  return true;
}

inline void FunctionCompiler::visit_div_rem(Op op) {
  const Reg rax = Reg::gpr(abi::RAX), rdx = Reg::gpr(abi::RDX);
  const ValType t = slot_type(op_info(op).result);
  NumOperand rhs;
  RegSet pinned{rax, rdx};
  if (stack_.back().is_const()) {
    rhs = NumOperand::imm(pop().imm);
  } else {
    Reg r = pop_to_reg(pinned);
    if (r == rax || r == rdx) {
      Reg moved = alloc_reg(RegClass::Gpr, pinned);
      masm::move(a_, moved, r);
      r = moved;
    }
    pinned.add(r);
    rhs = numeric_compile_detail::operand(r);
  }
  const uint32_t lhs_index = stack_.height() - 1;
  VarState lhs = pop();
  // rax and rdx are clobbered: whatever else lives there goes to its slot first.
  spill_reg(rax);
  spill_reg(rdx);
  masm::load_var(a_, rax, lhs, lhs_index);
  Reg dst = Reg::gpr(uint8_t(div_rem_result_reg(op)));
  emit_numeric(a_, op, NumOperand(dst.r64()), NumOperand(rax.r64()), rhs,
               numeric_compile_detail::scratch(), traps_,
               env_.options.cpu);
  push_reg(t, dst);
}

inline void FunctionCompiler::visit_shift(Op op) {
  const Reg rcx = Reg::gpr(abi::RCX);
  const ValType t = slot_type(op_info(op).result);
  NumOperand rhs;
  RegSet pinned;
  if (stack_.back().is_const()) {
    rhs = NumOperand::imm(pop().imm);
  } else {
    const uint32_t index = stack_.height() - 1;
    VarState count = pop();
    if (!(count.is_reg() && count.reg == rcx)) {
      spill_reg(rcx);
      masm::load_var(a_, rcx, count, index);
    }
    pinned.add(rcx);
    rhs = NumOperand(rcx.r64());
  }
  Reg lhs = pop_to_reg(pinned);
  Reg dst = result_reg(RegClass::Gpr, pinned | RegSet{lhs}, lhs);
  emit_numeric(a_, op, NumOperand(dst.r64()), NumOperand(lhs.r64()), rhs,
               numeric_compile_detail::scratch(), traps_,
               env_.options.cpu);
  push_reg(t, dst);
}

inline void FunctionCompiler::visit_numeric(const Instruction& ins) {
  using numeric_compile_detail::operand;
  const Op op = ins.op;
  if (!is_numeric_op(op)) throw CompileFailure{"instruction not supported by the baseline compiler"};
  if (numeric_compile_detail::is_int_compare(op) && try_fuse_compare(op)) return;
  switch (numeric_constraint(op)) {
    case NumericConstraint::DivRem: visit_div_rem(op); return;
    case NumericConstraint::Shift: visit_shift(op); return;
    case NumericConstraint::None: break;
  }
  const OpInfo& info = op_info(op);
  const ValType result = slot_type(info.result);
  const RegClass result_class = reg_class_of(result);
  if (info.param_count() == 1) {
    Reg src = pop_to_reg();
    Reg dst = result_reg(result_class, {src}, src);
    emit_numeric(a_, op, operand(dst), operand(src), NumOperand::none(),
                 numeric_compile_detail::scratch(), traps_,
               env_.options.cpu);
    if (env_.options.canonicalize_nans && produces_arithmetic_nan(op))
      canonicalize_scalar_nan(a_, dst.x(), result == ValType::F64, a_.r11);
    push_reg(result, dst);
    return;
  }
  const bool int_rhs = info.params[1] == Slot::I32 || info.params[1] == Slot::I64;
  NumOperand rhs;
  RegSet pinned;
  if (int_rhs && stack_.back().is_const()) {
    rhs = NumOperand::imm(pop().imm);
  } else {
    Reg r = pop_to_reg();
    pinned.add(r);
    rhs = operand(r);
  }
  Reg lhs = pop_to_reg(pinned);
  pinned.add(lhs);
  Reg dst = result_reg(result_class, pinned, lhs);
  emit_numeric(a_, op, operand(dst), operand(lhs), rhs, numeric_compile_detail::scratch(),
               traps_, env_.options.cpu);
  if (env_.options.canonicalize_nans && produces_arithmetic_nan(op))
    canonicalize_scalar_nan(a_, dst.x(), result == ValType::F64, a_.r11);
  push_reg(result, dst);
}

}  // namespace wasm::detail::jit
