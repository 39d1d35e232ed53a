#pragma once
// The threads proposal's instructions in the baseline compiler: atomic loads, stores,
// read-modify-writes, cmpxchg and atomic.fence (machine code in emit_atomics.hpp), and
// memory.atomic.wait32/wait64/notify (builtins over the engine's parking lot).
//
// An atomic access traps "unaligned atomic" unless its effective address is a multiple of its
// size; as in the reference interpreter, that check comes before the bounds check. The bounds
// check itself is memory_address's, the same as for ordinary accesses (guard pages or an
// explicit compare).
#include "wasm/detail/jit/emit_atomics.hpp"
#include "wasm/detail/jit/function_compiler_decl.hpp"

namespace wasm::detail::jit {

inline void FunctionCompiler::visit_atomic(const Instruction& ins) {
  const AtomicDesc d = describe_atomic(ins.op);
  switch (d.kind) {
    case AtomicKind::Fence: emit_atomic_fence(a_); return;
    case AtomicKind::Load: visit_atomic_load(ins, d); return;
    case AtomicKind::Store: visit_atomic_store(ins, d); return;
    case AtomicKind::Rmw: visit_atomic_rmw(ins, d); return;
    case AtomicKind::Cmpxchg: visit_atomic_cmpxchg(ins, d); return;
    case AtomicKind::Notify:
    case AtomicKind::Wait32:
    case AtomicKind::Wait64: visit_atomic_wait_notify(ins, d); return;
  }
}

// Pops the address operand, traps unless the effective address is aligned to `size`, and
// returns the checked operand of the access (memory_address).
inline FunctionCompiler::MemAddress FunctionCompiler::atomic_address(const Instruction& ins,
                                                                     uint32_t size,
                                                                     RegSet pinned) {
  const uint32_t memory = ins.mem.memory;
  const uint64_t offset = ins.mem.offset;
  const uint64_t mask = size - 1;
  const ValType address_type = env_.memory_is64(memory) ? ValType::I64 : ValType::I32;
  if (stack_.back().is_const()) {
    const VarState& top = stack_.back();
    const uint64_t index = address_type == ValType::I64 ? uint64_t(top.imm) : uint32_t(top.imm);
    // The code after an unconditional trap is never run; it is still emitted normally.
    if ((index + offset) & mask) jump_to_trap(TrapCode::HeapMisaligned);
    return memory_address(memory, offset, size, pinned);
  }
  Reg index = pop_to_reg(pinned);
  if (mask != 0) {
    // (index + offset) mod size depends only on offset mod size.
    if ((offset & mask) == 0) {
      a_.test(index.r32(), uint32_t(mask));
    } else {
      a_.lea(a_.r11d, a_.ptr[index.r64() + int32_t(offset & mask)]);
      a_.test(a_.r11d, uint32_t(mask));
    }
    trap_if(Cond::NE, TrapCode::HeapMisaligned);
  }
  push_reg(address_type, index);
  return memory_address(memory, offset, size, pinned);
}

// Pops the top value into a register no other stack entry uses (the caller overwrites it).
inline Reg FunctionCompiler::pop_to_owned_reg(RegSet pinned) {
  const bool was_reg = stack_.back().is_reg();
  Reg r = pop_to_reg(pinned);
  if (was_reg && regs_.is_used(r)) {
    Reg copy = alloc_reg(RegClass::Gpr, pinned | RegSet{r});
    masm::move(a_, copy, r);
    r = copy;
  }
  return r;
}

inline void FunctionCompiler::visit_atomic_load(const Instruction& ins, const AtomicDesc& d) {
  MemAddress m = atomic_address(ins, d.size, {});
  // The address registers are dead after the load: the result may take one of them.
  Reg dst = alloc_reg(RegClass::Gpr, m.regs);
  for (Reg r : RegisterCache::candidates(RegClass::Gpr)) {
    if (m.regs.has(r) && !regs_.is_used(r)) {
      dst = r;
      break;
    }
  }
  emit_atomic_load(a_, dst.r64(), m.exp, d.size);
  push_reg(d.type, dst);
}

inline void FunctionCompiler::visit_atomic_store(const Instruction& ins, const AtomicDesc& d) {
  Reg value = pop_to_owned_reg({});
  MemAddress m = atomic_address(ins, d.size, {value});
  emit_atomic_store(a_, m.exp, value.r64(), d.size);
}

inline void FunctionCompiler::visit_atomic_rmw(const Instruction& ins, const AtomicDesc& d) {
  const bool fetching = d.rmw == AtomicRmw::Add || d.rmw == AtomicRmw::Sub ||
                        d.rmw == AtomicRmw::Xchg;
  if (fetching) {
    Reg value = pop_to_owned_reg({});
    MemAddress m = atomic_address(ins, d.size, {value});
    emit_atomic_rmw_fetch(a_, d.rmw, m.exp, value.r64(), d.size);
    push_reg(d.type, value);
    return;
  }
  // The cmpxchg loop returns the old value in rax: nothing else may live there.
  const Reg rax = Reg::gpr(abi::RAX);
  spill_reg(rax);
  RegSet pinned{rax};
  Reg value = pop_to_reg(pinned);
  pinned.add(value);
  MemAddress m = atomic_address(ins, d.size, pinned);
  Reg tmp = alloc_reg(RegClass::Gpr, pinned | m.regs);
  emit_atomic_rmw_loop(a_, d.rmw, m.exp, value.r64(), tmp.r64(), d.size);
  push_reg(d.type, rax);
}

inline void FunctionCompiler::visit_atomic_cmpxchg(const Instruction& ins, const AtomicDesc& d) {
  const Reg rax = Reg::gpr(abi::RAX);
  spill_reg(rax);
  RegSet pinned{rax};
  Reg replacement = pop_to_reg(pinned);
  pinned.add(replacement);
  const uint32_t expected_index = stack_.height() - 1;
  VarState expected = pop();
  masm::load_var(a_, rax, expected, expected_index);
  MemAddress m = atomic_address(ins, d.size, pinned);
  emit_atomic_cmpxchg(a_, m.exp, replacement.r64(), d.size);
  push_reg(d.type, rax);
}

// wait32/wait64: [address, expected, timeout] -> result; notify: [address, count] -> woken.
// JIT code checks alignment and bounds, then passes the host address to the builtin.
inline void FunctionCompiler::visit_atomic_wait_notify(const Instruction& ins, const AtomicDesc& d) {
  spill_all();  // a slow path: the operands above the address stay in their slots
  const uint32_t above = d.kind == AtomicKind::Notify ? 1 : 2;
  VarState operands[2];
  for (uint32_t i = above; i-- > 0;) operands[i] = pop();
  MemAddress m = atomic_address(ins, d.size, {});
  Reg address = alloc_reg(RegClass::Gpr, m.regs);
  a_.lea(address.r64(), a_.ptr[m.exp]);
  // With guard pages memory_address checks nothing itself: the access faults. The builtin's
  // access would fault outside JIT code, so a load here touches the word first.
  emit_atomic_load(a_, a_.r11, address.r64(), d.size);
  // Whether a memory is shared is part of its type (imports must match it exactly).
  if (d.kind != AtomicKind::Notify && !env_.module.memories[ins.mem.memory].limits.shared)
    jump_to_trap(TrapCode::AtomicWaitNonSharedMemory);
  push_reg(ValType::I64, address);
  for (uint32_t i = 0; i < above; ++i) stack_.push(operands[i]);
  using A = BuiltinArg;
  switch (d.kind) {
    case AtomicKind::Notify:
      call_builtin(Builtin::memory_atomic_notify, {A{true, 0}, A{true, 1}}, true);
      return;
    case AtomicKind::Wait32:
      call_builtin(Builtin::memory_atomic_wait32, {A{true, 0}, A{true, 1}, A{true, 2}}, true);
      return;
    default:
      call_builtin(Builtin::memory_atomic_wait64, {A{true, 0}, A{true, 1}, A{true, 2}}, true);
      return;
  }
}

}  // namespace wasm::detail::jit
