#pragma once
// Short machine-code sequences the compiler needs in many places: moving values of any type
// between registers, frame slots, constants and memory. Nothing here knows about the value
// stack; function_compiler.hpp decides what goes where.
#include <xbyak/xbyak.h>

#include <cstdint>

#include "wasm/detail/jit/frame_layout.hpp"
#include "wasm/detail/jit/regs.hpp"
#include "wasm/detail/jit/value_stack.hpp"

namespace wasm::detail::jit::masm {

using Xbyak::CodeGenerator;

// Memory operands are passed as RegExp (base + index*scale + disp); the width comes from the
// value's type at the point of use.
inline Xbyak::RegExp slot_addr(CodeGenerator& a, uint32_t index) {
  return a.rbp + frame::slot(index);
}

inline bool fits_i32(int64_t v) { return v == int64_t(int32_t(v)); }

// reg <- reg, whole register (the value's type does not matter).
inline void move(CodeGenerator& a, Reg dst, Reg src) {
  if (dst == src) return;
  if (dst.is_xmm()) a.movaps(dst.x(), src.x());
  else a.mov(dst.r64(), src.r64());
}

// A v128 constant on the value stack is always zero (VarState::imm cannot hold 16 bytes; other
// v128 constants are materialised in a register at once).
inline void load_const(CodeGenerator& a, Reg dst, ValType type, int64_t imm) {
  if (dst.is_xmm()) {
    if (imm == 0) {
      a.xorps(dst.x(), dst.x());
    } else if (type == ValType::F32) {
      a.mov(Xbyak::Reg32(abi::R11), uint32_t(imm));
      a.movd(dst.x(), Xbyak::Reg32(abi::R11));
    } else {
      a.mov(Xbyak::Reg64(abi::R11), imm);
      a.movq(dst.x(), Xbyak::Reg64(abi::R11));
    }
    return;
  }
  if (imm == 0) {
    a.xor_(dst.r32(), dst.r32());
  } else if (type == ValType::I32 || (imm > 0 && imm <= int64_t(UINT32_MAX))) {
    a.mov(dst.r32(), uint32_t(imm));  // zero-extends
  } else {
    a.mov(dst.r64(), imm);  // xbyak picks the sign-extended imm32 form when it fits
  }
}

// reg <- memory of the value's type.
inline void load(CodeGenerator& a, Reg dst, ValType type, const Xbyak::RegExp& src) {
  switch (type) {
    case ValType::I32: a.mov(dst.r32(), a.dword[src]); break;
    case ValType::F32: a.movss(dst.x(), a.dword[src]); break;
    case ValType::F64: a.movsd(dst.x(), a.qword[src]); break;
    case ValType::V128: a.movdqu(dst.x(), a.xword[src]); break;
    default: a.mov(dst.r64(), a.qword[src]); break;
  }
}

// memory <- reg, storing exactly the value's width.
inline void store(CodeGenerator& a, const Xbyak::RegExp& dst, ValType type, Reg src) {
  switch (type) {
    case ValType::I32: a.mov(a.dword[dst], src.r32()); break;
    case ValType::F32: a.movss(a.dword[dst], src.x()); break;
    case ValType::F64: a.movsd(a.qword[dst], src.x()); break;
    case ValType::V128: a.movdqu(a.xword[dst], src.x()); break;
    default: a.mov(a.qword[dst], src.r64()); break;
  }
}

// memory <- constant, without a register unless a 64-bit value needs one (then r11).
inline void store_const(CodeGenerator& a, const Xbyak::RegExp& dst, ValType type, int64_t imm) {
  if (type == ValType::V128) {  // always zero (see load_const)
    a.mov(a.qword[dst], 0);
    a.mov(a.qword[dst + 8], 0);
  } else if (valtype_size(type) == 4) {
    a.mov(a.dword[dst], uint32_t(imm));
  } else if (fits_i32(imm)) {
    a.mov(a.qword[dst], int32_t(imm));
  } else {
    a.mov(Xbyak::Reg64(abi::R11), imm);
    a.mov(a.qword[dst], Xbyak::Reg64(abi::R11));
  }
}

// memory <- memory: 8 bytes through r11 (4-byte values carry harmless upper bytes), a v128
// through xmm15.
inline void copy_mem(CodeGenerator& a, const Xbyak::RegExp& dst, const Xbyak::RegExp& src,
                     ValType type) {
  if (type == ValType::V128) {
    a.movdqu(Xbyak::Xmm(15), a.xword[src]);
    a.movdqu(a.xword[dst], Xbyak::Xmm(15));
    return;
  }
  if (valtype_size(type) == 4) {
    a.mov(Xbyak::Reg32(abi::R11), a.dword[src]);
    a.mov(a.dword[dst], Xbyak::Reg32(abi::R11));
    return;
  }
  a.mov(Xbyak::Reg64(abi::R11), a.qword[src]);
  a.mov(a.qword[dst], Xbyak::Reg64(abi::R11));
}

// reg <- wherever the value is; `slot_index` is the entry's own slot.
inline void load_var(CodeGenerator& a, Reg dst, const VarState& s, uint32_t slot_index) {
  switch (s.loc) {
    case VarState::Loc::Reg: move(a, dst, s.reg); break;
    case VarState::Loc::Const: load_const(a, dst, s.type, s.imm); break;
    case VarState::Loc::Stack: load(a, dst, s.type, slot_addr(a, slot_index)); break;
  }
}

// memory <- wherever the value is.
inline void store_var(CodeGenerator& a, const Xbyak::RegExp& dst, const VarState& s,
                      uint32_t slot_index) {
  switch (s.loc) {
    case VarState::Loc::Reg: store(a, dst, s.type, s.reg); break;
    case VarState::Loc::Const: store_const(a, dst, s.type, s.imm); break;
    case VarState::Loc::Stack: copy_mem(a, dst, slot_addr(a, slot_index), s.type); break;
  }
}

}  // namespace wasm::detail::jit::masm
