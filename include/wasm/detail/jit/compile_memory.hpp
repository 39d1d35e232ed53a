#pragma once
// Loads, stores, memory.size and table.size.
//
// Effective address = base + zero-extended i32 address + offset. Memory 0's base is pinned in
// r15; other memories load theirs from their definition. With guard pages (the default) a
// 32-bit memory reserves 4 GiB plus a guard region, so an access needs no check when the
// guard covers its offset; otherwise, and in the Explicit mode, the end of the access is
// compared with the memory's current length.
#include "wasm/detail/jit/function_compiler_decl.hpp"

namespace wasm::detail::jit {

namespace memory_detail {

// Same rule as LinearMemory's guard_covers_access: the last byte of the largest index stays
// inside the 4 GiB + guard reservation.
constexpr bool guard_covers(uint64_t guard_bytes, uint64_t offset, uint64_t size) {
  return size >= 1 && offset <= guard_bytes && size <= guard_bytes - offset + 1;
}

constexpr uint64_t kMaxDisp = 0x7FFFFFFF;

}  // namespace memory_detail

inline Reg FunctionCompiler::memory_base_reg(uint32_t memory, RegSet pinned) {
  if (memory == 0) return Reg::gpr(abi::R15);
  const VMOffsets& o = env_.offsets;
  Reg base = alloc_reg(RegClass::Gpr, pinned);
  if (env_.memory_is_imported(memory)) {
    a_.mov(base.r64(), a_.qword[a_.r14 + o.imported_memory_from(memory)]);
    a_.mov(base.r64(), a_.qword[base.r64() + vmlayout::VMMemoryDefinition::base]);
  } else {
    a_.mov(base.r64(), a_.qword[a_.r14 + o.memory_base(env_.defined_memory(memory))]);
  }
  return base;
}

// Traps unless r11 (the zero-extended address) + end_offset <= current length.
inline void FunctionCompiler::emit_bounds_check(uint32_t memory, uint64_t end_offset,
                                                RegSet pinned) {
  const VMOffsets& o = env_.offsets;
  Reg end = alloc_reg(RegClass::Gpr, pinned);
  if (end_offset <= memory_detail::kMaxDisp) {
    a_.lea(end.r64(), a_.ptr[a_.r11 + int32_t(end_offset)]);
  } else {
    a_.mov(end.r64(), end_offset);
    a_.add(end.r64(), a_.r11);
  }
  if (env_.memory_is_imported(memory)) {
    Reg def = alloc_reg(RegClass::Gpr, pinned | RegSet{end});
    a_.mov(def.r64(), a_.qword[a_.r14 + o.imported_memory_from(memory)]);
    a_.cmp(end.r64(), a_.qword[def.r64() + vmlayout::VMMemoryDefinition::current_length]);
  } else {
    a_.cmp(end.r64(), a_.qword[a_.r14 + o.memory_length(env_.defined_memory(memory))]);
  }
  trap_if(Cond::A, TrapCode::MemoryOutOfBounds);
}

// A 64-bit memory (memory64): guard pages cannot cover a 64-bit address, so every access is
// checked: r11 = address; address + offset + size must not carry past 2^64 and must not exceed
// the current length (one add and one compare against the length in the VMContext).
inline FunctionCompiler::MemAddress FunctionCompiler::memory_address64(uint32_t memory,
                                                                       uint64_t offset,
                                                                       uint32_t size,
                                                                       RegSet pinned) {
  using memory_detail::kMaxDisp;
  Reg index = pop_to_reg(pinned);
  a_.mov(a_.r11, index.r64());
  const uint64_t end_offset = offset + size;
  if (end_offset < offset) {
    // offset + size itself passes 2^64: no address works. The access below is never reached.
    jump_to_trap(TrapCode::MemoryOutOfBounds);
    Reg base = memory_base_reg(memory, pinned);
    return {base.r64() + a_.r11, {base}};
  }
  Reg end = alloc_reg(RegClass::Gpr, pinned);
  a_.mov(end.r64(), end_offset);
  a_.add(end.r64(), a_.r11);
  trap_if(Cond::B, TrapCode::MemoryOutOfBounds);  // carry: past 2^64
  const VMOffsets& o = env_.offsets;
  if (env_.memory_is_imported(memory)) {
    Reg def = alloc_reg(RegClass::Gpr, pinned | RegSet{end});
    a_.mov(def.r64(), a_.qword[a_.r14 + o.imported_memory_from(memory)]);
    a_.cmp(end.r64(), a_.qword[def.r64() + vmlayout::VMMemoryDefinition::current_length]);
  } else {
    a_.cmp(end.r64(), a_.qword[a_.r14 + o.memory_length(env_.defined_memory(memory))]);
  }
  trap_if(Cond::A, TrapCode::MemoryOutOfBounds);
  Reg base = memory_base_reg(memory, pinned);
  if (offset <= kMaxDisp) return {base.r64() + a_.r11 + int32_t(offset), {base}};
  // The check passed, so offset < length: the sum cannot wrap.
  Reg sum = alloc_reg(RegClass::Gpr, pinned | RegSet{base});
  a_.mov(sum.r64(), offset);
  a_.add(sum.r64(), a_.r11);
  return {base.r64() + sum.r64(), {base, sum}};
}

// Pops the address operand and returns the operand of the access.
inline FunctionCompiler::MemAddress FunctionCompiler::memory_address(uint32_t memory,
                                                                     uint64_t offset,
                                                                     uint32_t size,
                                                                     RegSet pinned) {
  using memory_detail::kMaxDisp;
  if (env_.memory_is64(memory)) return memory_address64(memory, offset, size, pinned);
  const bool checked = env_.explicit_bounds() ||
                       !memory_detail::guard_covers(env_.options.guard_bytes, offset, size);
  if (!checked && stack_.back().is_const()) {
    uint64_t effective = uint64_t(uint32_t(pop().imm)) + offset;
    Reg base = memory_base_reg(memory, pinned);
    if (effective <= kMaxDisp) return {base.r64() + int32_t(effective), {base}};
    a_.mov(a_.r11, effective);
    return {base.r64() + a_.r11, {base}};
  }
  Reg index = pop_to_reg(pinned);
  if (!checked && offset <= kMaxDisp) {
    // i32 values are zero-extended in their registers: usable as the index directly.
    Reg base = memory_base_reg(memory, pinned | RegSet{index});
    return {base.r64() + index.r64() + int32_t(offset), {base, index}};
  }
  a_.mov(a_.r11d, index.r32());
  if (checked) emit_bounds_check(memory, offset + size, pinned);
  Reg base = memory_base_reg(memory, pinned);
  if (offset <= kMaxDisp) return {base.r64() + a_.r11 + int32_t(offset), {base}};
  Reg sum = alloc_reg(RegClass::Gpr, pinned | RegSet{base});
  a_.mov(sum.r64(), offset);
  a_.add(sum.r64(), a_.r11);
  return {base.r64() + sum.r64(), {base, sum}};
}

inline void FunctionCompiler::visit_load(const Instruction& ins) {
  const OpInfo& info = ins.info();
  const ValType type = slot_type(info.result);
  MemAddress m = memory_address(ins.mem.memory, ins.mem.offset, info.extra, {});
  // The address registers are dead after the load: the result may take one of them.
  Reg dst = alloc_reg(reg_class_of(type), m.regs);
  if (dst.cls() == RegClass::Gpr) {
    for (Reg r : RegisterCache::candidates(RegClass::Gpr)) {
      if (m.regs.has(r) && !regs_.is_used(r)) {
        dst = r;
        break;
      }
    }
  }
  const Xbyak::RegExp& e = m.exp;
  switch (ins.op) {
    case Op::I32Load: a_.mov(dst.r32(), a_.dword[e]); break;
    case Op::I64Load: a_.mov(dst.r64(), a_.qword[e]); break;
    case Op::F32Load: a_.movss(dst.x(), a_.dword[e]); break;
    case Op::F64Load: a_.movsd(dst.x(), a_.qword[e]); break;
    case Op::I32Load8S: a_.movsx(dst.r32(), a_.byte[e]); break;
    case Op::I32Load8U: a_.movzx(dst.r32(), a_.byte[e]); break;
    case Op::I32Load16S: a_.movsx(dst.r32(), a_.word[e]); break;
    case Op::I32Load16U: a_.movzx(dst.r32(), a_.word[e]); break;
    case Op::I64Load8S: a_.movsx(dst.r64(), a_.byte[e]); break;
    case Op::I64Load8U: a_.movzx(dst.r32(), a_.byte[e]); break;
    case Op::I64Load16S: a_.movsx(dst.r64(), a_.word[e]); break;
    case Op::I64Load16U: a_.movzx(dst.r32(), a_.word[e]); break;
    case Op::I64Load32S: a_.movsxd(dst.r64(), a_.dword[e]); break;
    case Op::I64Load32U: a_.mov(dst.r32(), a_.dword[e]); break;
    default: throw CompileFailure{"internal error: not a load"};
  }
  push_reg(type, dst);
}

inline void FunctionCompiler::visit_store(const Instruction& ins) {
  const OpInfo& info = ins.info();
  const uint32_t size = info.extra;
  VarState value = stack_.back();
  Reg reg;
  if (value.is_const()) {
    drop_top();
  } else {
    reg = pop_to_reg();
  }
  RegSet pinned;
  if (!value.is_const()) pinned.add(reg);
  MemAddress m = memory_address(ins.mem.memory, ins.mem.offset, size, pinned);
  const Xbyak::RegExp& e = m.exp;
  if (value.is_const()) {
    uint64_t v = uint64_t(value.imm);
    switch (size) {
      case 1: a_.mov(a_.byte[e], uint8_t(v)); break;
      case 2: a_.mov(a_.word[e], uint16_t(v)); break;
      case 4: a_.mov(a_.dword[e], uint32_t(v)); break;
      default:
        if (masm::fits_i32(int64_t(v))) {
          a_.mov(a_.qword[e], int32_t(v));
        } else {
          a_.mov(a_.dword[e], uint32_t(v));
          a_.mov(a_.dword[e + 4], uint32_t(v >> 32));
        }
        break;
    }
    return;
  }
  switch (ins.op) {
    case Op::F32Store: a_.movss(a_.dword[e], reg.x()); break;
    case Op::F64Store: a_.movsd(a_.qword[e], reg.x()); break;
    default:
      switch (size) {
        case 1: a_.mov(a_.byte[e], reg.r64().cvt8()); break;
        case 2: a_.mov(a_.word[e], reg.r64().cvt16()); break;
        case 4: a_.mov(a_.dword[e], reg.r32()); break;
        default: a_.mov(a_.qword[e], reg.r64()); break;
      }
  }
}

inline void FunctionCompiler::visit_memory_size(uint32_t memory) {
  const VMOffsets& o = env_.offsets;
  Reg dst = alloc_reg(RegClass::Gpr);
  if (env_.memory_is_imported(memory)) {
    a_.mov(dst.r64(), a_.qword[a_.r14 + o.imported_memory_from(memory)]);
    a_.mov(dst.r64(), a_.qword[dst.r64() + vmlayout::VMMemoryDefinition::current_length]);
  } else {
    a_.mov(dst.r64(), a_.qword[a_.r14 + o.memory_length(env_.defined_memory(memory))]);
  }
  a_.shr(dst.r64(), 16);
  push_reg(env_.memory_is64(memory) ? ValType::I64 : ValType::I32, dst);
}

// The element count is a u64; an i32 table never holds more than 2^32-1 elements.
inline void FunctionCompiler::visit_table_size(uint32_t table) {
  const VMOffsets& o = env_.offsets;
  Reg dst = alloc_reg(RegClass::Gpr);
  if (env_.table_is_imported(table)) {
    a_.mov(dst.r64(), a_.qword[a_.r14 + o.imported_table_from(table)]);
    a_.mov(dst.r64(), a_.qword[dst.r64() + vmlayout::VMTableDefinition::current_elements]);
  } else {
    a_.mov(dst.r64(), a_.qword[a_.r14 + o.table_current_elements(env_.defined_table(table))]);
  }
  push_reg(env_.table_is64(table) ? ValType::I64 : ValType::I32, dst);
}

}  // namespace wasm::detail::jit
