#pragma once
// Locals, globals, drop, select and the reference instructions.
//
// Locals are the bottom entries of the value stack, so they are cached exactly like stack
// values: local.get of a local in a register pushes the same register (one more use);
// local.set makes the local point at the value's register or constant. A register is never
// modified in place while another entry uses it, so these aliases are safe.
#include "wasm/detail/jit/function_compiler_decl.hpp"

namespace wasm::detail::jit {

inline void FunctionCompiler::visit_local_get(uint32_t index) {
  VarState local = stack_[index];
  switch (local.loc) {
    case Loc::Reg: push_reg(local.type, local.reg); return;
    case Loc::Const: push_const(local.type, local.imm); return;
    case Loc::Stack: {
      // Load once and keep the local cached in the register.
      Reg r = alloc_reg(reg_class_of(local.type));
      masm::load(a_, r, local.type, masm::slot_addr(a_, index));
      stack_[index] = VarState::in_reg(local.type, r);
      regs_.inc(r);
      push_reg(local.type, r);
      return;
    }
  }
}

inline void FunctionCompiler::visit_local_set(uint32_t index, bool tee) {
  const uint32_t top = stack_.height() - 1;
  VarState value = stack_[top];
  if (value.is_stack()) {
    // A value only in its slot (which later pushes reuse): bring it into a register.
    Reg r = alloc_reg(reg_class_of(value.type));
    masm::load(a_, r, value.type, masm::slot_addr(a_, top));
    value = VarState::in_reg(value.type, r);
    stack_[top] = value;
    regs_.inc(r);
  }
  VarState& local = stack_[index];
  if (local.is_reg()) regs_.dec(local.reg);
  local = value;
  if (value.is_reg()) regs_.inc(value.reg);
  if (!tee) drop_top();
}

// The address of a global's value: inline in the VMContext, or behind the import's pointer
// (loaded into a register not in `pinned`).
inline Xbyak::RegExp FunctionCompiler::global_addr(uint32_t index, RegSet pinned) {
  const VMOffsets& o = env_.offsets;
  if (!env_.global_is_imported(index)) return a_.r14 + o.global(env_.defined_global(index));
  Reg p = alloc_reg(RegClass::Gpr, pinned);
  a_.mov(p.r64(), a_.qword[a_.r14 + o.imported_global_from(index)]);
  return Xbyak::RegExp(p.r64());
}

inline void FunctionCompiler::visit_global_get(uint32_t index) {
  ValType t = env_.module.globals[index].type;
  RegClass cls = reg_class_of(t);
  if (!env_.global_is_imported(index)) {
    Reg r = alloc_reg(cls);
    masm::load(a_, r, t, global_addr(index, {}));
    push_reg(t, r);
    return;
  }
  Xbyak::RegExp addr = global_addr(index, {});
  Reg pointer = Reg::gpr(uint8_t(addr.getBase().getIdx()));
  // An integer value can replace its own pointer.
  Reg r = cls == RegClass::Gpr ? pointer : alloc_reg(cls, {pointer});
  masm::load(a_, r, t, addr);
  push_reg(t, r);
}

inline void FunctionCompiler::visit_global_set(uint32_t index) {
  ValType t = env_.module.globals[index].type;
  if (stack_.back().is_const()) {
    int64_t v = pop().imm;
    Xbyak::RegExp addr = global_addr(index, {});
    masm::store_const(a_, addr, t, v);
    return;
  }
  Reg value = pop_to_reg();
  Xbyak::RegExp addr = global_addr(index, {value});
  masm::store(a_, addr, t, value);
}

inline void FunctionCompiler::visit_drop() { drop_top(); }

// select: cond ? v1 : v2, as a cmov for integers and a short branch for floats.
inline void FunctionCompiler::visit_select() {
  if (stack_.back().is_const()) {
    // Known condition: keep one operand's state as it is (raw pops keep its register use).
    bool take_first = pop().imm != 0;
    if (take_first) {
      drop_top();
    } else {
      // The second operand moves down one stack position. A value living in its own stack
      // slot would then be read from the slot of its new position, so take it into a register.
      ValType t = stack_.back().type;
      Reg second = pop_to_reg();
      drop_top();
      push_reg(t, second);
    }
    return;
  }
  Reg cond = pop_to_reg();
  Reg v2 = pop_to_reg({cond});
  ValType t = stack_.back().type;
  uint32_t v1_index = stack_.height() - 1;
  VarState v1 = pop();
  Reg dst;
  if (v1.is_reg()) {
    dst = result_reg(reg_class_of(t), {cond, v2, v1.reg}, v1.reg);
    masm::move(a_, dst, v1.reg);
  } else {
    dst = alloc_reg(reg_class_of(t), {cond, v2});
    masm::load_var(a_, dst, v1, v1_index);
  }
  a_.test(cond.r32(), cond.r32());
  if (dst.is_xmm()) {
    LabelId keep = labels_.make();
    labels_.jcc(a_, Cond::NE, keep);
    masm::move(a_, dst, v2);
    labels_.bind(a_, keep);
  } else if (t == ValType::I32) {
    a_.cmovz(dst.r32(), v2.r32());
  } else {
    a_.cmovz(dst.r64(), v2.r64());
  }
  push_reg(t, dst);
}

inline void FunctionCompiler::visit_ref_is_null() {
  Reg ref = pop_to_reg();
  Reg dst = result_reg(RegClass::Gpr, {ref}, ref);
  a_.test(ref.r64(), ref.r64());
  emit_setcc(a_, Cond::E, dst.r64());
  push_reg(ValType::I32, dst);
}

inline void FunctionCompiler::visit_ref_func(uint32_t index) {
  Reg dst = alloc_reg(RegClass::Gpr);
  a_.lea(dst.r64(), a_.ptr[a_.r14 + env_.offsets.func_ref(index)]);
  push_reg(ValType::ref_index(env_.module.func_types[index], false), dst);
}

inline void FunctionCompiler::visit_ref_as_non_null() {
  const ValType t = stack_.back().type;
  Reg ref = pop_to_reg();
  a_.test(ref.r64(), ref.r64());
  trap_if(Cond::E, TrapCode::NullReference);
  push_reg(t.as_nullable(false), ref);
}

}  // namespace wasm::detail::jit
