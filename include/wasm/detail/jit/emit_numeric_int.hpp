#pragma once
// Integer instructions of emit_numeric (i32 and i64): ALU ops, comparisons, division and
// remainder, shifts and rotates, clz/ctz/popcnt, sign extensions and wrap/extend.
#include <optional>

#include "wasm/detail/jit/emit_numeric_base.hpp"

namespace wasm::detail::jit {

namespace numeric_detail {

using Xbyak::CodeGenerator;
using Xbyak::Reg;
using Xbyak::Reg32;
using Xbyak::Reg64;

// The register of an integer operand at the operation width.
inline Reg ireg(const NumOperand& o, bool wide) {
  if (!o.is_gpr()) bad_operands("expected a general purpose register");
  return wide ? Reg(o.r64()) : Reg(o.r32());
}

inline bool wide_int_op(Op op) { return op_info(op).params[0] == Slot::I64; }

enum class Alu : uint8_t { Add, Sub, Mul, And, Or, Xor };

inline void alu_rr(CodeGenerator& a, Alu k, const Reg& d, const Reg& s) {
  switch (k) {
    case Alu::Add: a.add(d, s); break;
    case Alu::Sub: a.sub(d, s); break;
    case Alu::Mul: a.imul(d, s); break;
    case Alu::And: a.and_(d, s); break;
    case Alu::Or: a.or_(d, s); break;
    case Alu::Xor: a.xor_(d, s); break;
  }
}

inline void alu_ri(CodeGenerator& a, Alu k, const Reg& d, int32_t v) {
  switch (k) {
    case Alu::Add: a.add(d, uint32_t(v)); break;
    case Alu::Sub: a.sub(d, uint32_t(v)); break;
    case Alu::Mul: a.imul(d, d, v); break;
    case Alu::And: a.and_(d, uint32_t(v)); break;
    case Alu::Or: a.or_(d, uint32_t(v)); break;
    case Alu::Xor: a.xor_(d, uint32_t(v)); break;
  }
}

// dst = lhs <k> rhs with any aliasing among dst, lhs and rhs.
inline void emit_alu(CodeGenerator& a, Alu k, bool wide, NumOperand dst, NumOperand lhs,
                     NumOperand rhs, const Scratch& scratch) {
  Reg d = ireg(dst, wide), l = ireg(lhs, wide);
  if (rhs.is_imm()) {
    int64_t v = wide ? rhs.imm_value() : int64_t(int32_t(rhs.imm_value()));
    if (!fits_simm32(v)) {  // i64 immediate beyond imm32: go through the scratch register
      a.mov(scratch.gpr, v);
      emit_alu(a, k, wide, dst, lhs, NumOperand(scratch.gpr), scratch);
      return;
    }
    if (k == Alu::Mul) {
      a.imul(d, l, int(v));
    } else if (k == Alu::Add && !dst.same_reg(lhs) && v != 0) {
      a.lea(d, a.ptr[lhs.r64() + int(v)]);
    } else {
      mov_gpr(a, wide, dst.idx(), lhs.idx());
      if (v != 0 || k == Alu::And) alu_ri(a, k, d, int32_t(v));
    }
    return;
  }
  Reg r = ireg(rhs, wide);
  if (dst.same_reg(lhs)) {
    alu_rr(a, k, d, r);
  } else if (dst.same_reg(rhs)) {
    if (k == Alu::Sub) {  // d = l - d
      a.neg(d);
      a.add(d, l);
    } else {
      alu_rr(a, k, d, l);  // commutative
    }
  } else if (k == Alu::Add) {
    a.lea(d, a.ptr[lhs.r64() + rhs.r64()]);
  } else {
    mov_gpr(a, wide, dst.idx(), lhs.idx());
    alu_rr(a, k, d, r);
  }
}

}  // namespace numeric_detail

// Emits only the flag-setting instruction (cmp/test) of an integer comparison or eqz and
// returns the condition under which the wasm result is 1; std::nullopt (and nothing emitted)
// for any other op. lhs must be a register; rhs a register or an immediate (ignored for eqz).
// An i64 immediate that does not fit a sign-extended imm32 is loaded into `scratch` first.
inline std::optional<CompareCond> emit_int_compare_flags(
    Xbyak::CodeGenerator& a, Op op, NumOperand lhs, NumOperand rhs,
    const Xbyak::Reg64& scratch = Xbyak::util::r11) {
  using numeric_detail::ireg;
  CompareCond cond;
  bool eqz = false;
  switch (op) {
    case Op::I32Eqz: case Op::I64Eqz: eqz = true; cond = CompareCond::E; break;
    case Op::I32Eq: case Op::I64Eq: cond = CompareCond::E; break;
    case Op::I32Ne: case Op::I64Ne: cond = CompareCond::NE; break;
    case Op::I32LtS: case Op::I64LtS: cond = CompareCond::L; break;
    case Op::I32LtU: case Op::I64LtU: cond = CompareCond::B; break;
    case Op::I32GtS: case Op::I64GtS: cond = CompareCond::G; break;
    case Op::I32GtU: case Op::I64GtU: cond = CompareCond::A; break;
    case Op::I32LeS: case Op::I64LeS: cond = CompareCond::LE; break;
    case Op::I32LeU: case Op::I64LeU: cond = CompareCond::BE; break;
    case Op::I32GeS: case Op::I64GeS: cond = CompareCond::GE; break;
    case Op::I32GeU: case Op::I64GeU: cond = CompareCond::AE; break;
    default: return std::nullopt;
  }
  bool wide = numeric_detail::wide_int_op(op);
  Xbyak::Reg l = ireg(lhs, wide);
  if (eqz) {
    a.test(l, l);
  } else if (rhs.is_imm()) {
    int64_t v = wide ? rhs.imm_value() : int64_t(int32_t(rhs.imm_value()));
    if (v == 0) {
      a.test(l, l);  // same flags as cmp l, 0 (CF = OF = 0)
    } else if (numeric_detail::fits_simm32(v)) {
      a.cmp(l, uint32_t(int32_t(v)));
    } else {
      a.mov(scratch, v);
      a.cmp(l, scratch);
    }
  } else {
    a.cmp(l, ireg(rhs, wide));
  }
  return cond;
}

namespace numeric_detail {

// i32/i64 comparison or eqz producing 0/1 in dst.
inline void emit_int_compare(CodeGenerator& a, Op op, NumOperand dst, NumOperand lhs,
                             NumOperand rhs, const Scratch& scratch) {
  if (!dst.is_gpr()) bad_operands("compare destination must be a gpr");
  bool clear_first = !dst.same_reg(lhs) && !dst.same_reg(rhs) &&
                     !(rhs.is_imm() && dst.same_reg(NumOperand(scratch.gpr)));
  if (clear_first) a.xor_(dst.r32(), dst.r32());
  CompareCond c = *emit_int_compare_flags(a, op, lhs, rhs, scratch.gpr);
  if (clear_first) {
    emit_setcc8(a, c, dst.r64().cvt8());
  } else {
    emit_setcc(a, c, dst.r64());
  }
}

// Division and remainder; see NumericConstraint::DivRem.
inline void emit_divrem(CodeGenerator& a, Op op, NumOperand dst, NumOperand lhs, NumOperand rhs,
                        const Scratch& scratch, TrapSink& traps) {
  bool wide = wide_int_op(op);
  bool is_signed = op == Op::I32DivS || op == Op::I32RemS || op == Op::I64DivS || op == Op::I64RemS;
  bool is_rem = op == Op::I32RemS || op == Op::I32RemU || op == Op::I64RemS || op == Op::I64RemU;
  const int kRax = 0, kRdx = 2;
  if (!lhs.is_gpr() || lhs.idx() != kRax) bad_operands("div/rem lhs must be rax");
  if (!dst.is_gpr() || dst.idx() != (is_rem ? kRdx : kRax)) bad_operands("div/rem dst must be rax (div) or rdx (rem)");
  if (rhs.is_gpr() ? (rhs.idx() == kRax || rhs.idx() == kRdx || rhs.idx() == scratch.gpr.getIdx())
                   : !rhs.is_imm())
    bad_operands("div/rem rhs must be an immediate or a register other than rax/rdx");
  Reg rax = wide ? Reg(Xbyak::util::rax) : Reg(Xbyak::util::eax);
  Reg rdx = wide ? Reg(Xbyak::util::rdx) : Reg(Xbyak::util::edx);
  auto sign_extend = [&] { wide ? a.cqo() : a.cdq(); };
  auto divide = [&](const Reg& r) {
    if (is_signed) {
      sign_extend();
      a.idiv(r);
    } else {
      a.xor_(Xbyak::util::edx, Xbyak::util::edx);
      a.div(r);
    }
  };

  if (rhs.is_imm()) {
    uint64_t u = wide ? uint64_t(rhs.imm_value()) : uint64_t(uint32_t(rhs.imm_value()));
    int64_t s = wide ? rhs.imm_value() : int64_t(int32_t(rhs.imm_value()));
    if (u == 0) {
      a.jmp(traps.trap_label(TrapCode::IntegerDivisionByZero), CodeGenerator::T_NEAR);
      return;
    }
    if (is_signed && (s == -1 || s == 1)) {
      if (is_rem) {
        a.xor_(Xbyak::util::edx, Xbyak::util::edx);
      } else if (s == -1) {
        a.neg(rax);  // overflows exactly for INT_MIN
        trap_if(a, CompareCond::O, traps, TrapCode::IntegerOverflow);
      }
      return;
    }
    if (!is_signed && (u & (u - 1)) == 0) {  // power of two
      if (is_rem) {
        uint64_t mask = u - 1;
        a.mov(rdx, rax);
        if (!wide || mask <= uint64_t(INT32_MAX)) {
          a.and_(rdx, uint32_t(mask));
        } else {
          a.mov(scratch.gpr, mask);
          a.and_(rdx, scratch.gpr);
        }
      } else if (u != 1) {
        a.shr(rax, __builtin_ctzll(u));
      }
      return;
    }
    if (is_signed && s > 1 && (s & (s - 1)) == 0) {
      // Positive power of two 2^k: shift with rounding toward zero. bias = 2^k - 1 for
      // negative dividends, else 0; quotient = (x + bias) >> k (arithmetic), and the
      // remainder is x - ((x + bias) & -2^k).
      int k = __builtin_ctzll(uint64_t(s));
      int bits = wide ? 64 : 32;
      a.mov(rdx, rax);
      a.sar(rdx, bits - 1);
      a.shr(rdx, bits - k);
      if (!is_rem) {
        a.add(rax, rdx);
        a.sar(rax, k);
        return;
      }
      a.add(rdx, rax);
      if (k < 32) {
        a.and_(rdx, uint32_t(~uint64_t(0) << k));  // sign-extended imm32 = -2^k
      } else {
        a.mov(scratch.gpr, ~uint64_t(0) << k);
        a.and_(rdx, scratch.gpr);
      }
      a.sub(rax, rdx);
      a.mov(rdx, rax);
      return;
    }
    Reg s_reg = wide ? Reg(scratch.gpr) : Reg(scratch.gpr.cvt32());
    if (wide) a.mov(scratch.gpr, s);
    else a.mov(scratch.gpr.cvt32(), uint32_t(u));
    divide(s_reg);  // divisor is neither 0 nor -1: no checks needed
    return;
  }

  Reg r = ireg(rhs, wide);
  a.test(r, r);
  trap_if(a, CompareCond::E, traps, TrapCode::IntegerDivisionByZero);
  if (!is_signed) {
    divide(r);
    return;
  }
  LocalLabel general, done;
  a.cmp(r, uint32_t(-1));
  general.jcc(a, CompareCond::NE);
  if (is_rem) {
    a.xor_(Xbyak::util::edx, Xbyak::util::edx);  // x rem_s -1 = 0, even for INT_MIN
  } else {
    a.neg(rax);  // x div_s -1 = -x; overflows exactly for INT_MIN
    trap_if(a, CompareCond::O, traps, TrapCode::IntegerOverflow);
  }
  done.jmp(a);
  general.bind(a);
  divide(r);
  done.bind(a);
}

enum class ShiftKind : uint8_t { Shl, ShrS, ShrU, Rotl, Rotr };

inline void shift_cl(CodeGenerator& a, ShiftKind k, const Reg& d) {
  switch (k) {
    case ShiftKind::Shl: a.shl(d, a.cl); break;
    case ShiftKind::ShrS: a.sar(d, a.cl); break;
    case ShiftKind::ShrU: a.shr(d, a.cl); break;
    case ShiftKind::Rotl: a.rol(d, a.cl); break;
    case ShiftKind::Rotr: a.ror(d, a.cl); break;
  }
}

inline void shift_imm(CodeGenerator& a, ShiftKind k, const Reg& d, int n) {
  switch (k) {
    case ShiftKind::Shl: a.shl(d, n); break;
    case ShiftKind::ShrS: a.sar(d, n); break;
    case ShiftKind::ShrU: a.shr(d, n); break;
    case ShiftKind::Rotl: a.rol(d, n); break;
    case ShiftKind::Rotr: a.ror(d, n); break;
  }
}

// Shifts and rotates; see NumericConstraint::Shift. The count is masked as wasm requires (x86
// masks a cl count the same way: & 31 for 32-bit, & 63 for 64-bit operands).
inline void emit_shift(CodeGenerator& a, ShiftKind k, bool wide, NumOperand dst, NumOperand lhs,
                       NumOperand rhs, const Scratch& scratch) {
  Reg d = ireg(dst, wide);
  if (rhs.is_imm()) {
    int n = int(rhs.imm_value() & (wide ? 63 : 31));
    mov_gpr(a, wide, dst.idx(), lhs.idx());
    if (n != 0) shift_imm(a, k, d, n);
    return;
  }
  const int kRcx = 1;
  if (!rhs.is_gpr() || rhs.idx() != kRcx) bad_operands("shift count must be rcx or an immediate");
  if (dst.idx() != kRcx) {
    mov_gpr(a, wide, dst.idx(), lhs.idx());
    shift_cl(a, k, d);
  } else {  // the destination is the count register: shift in scratch
    Reg s = wide ? Reg(scratch.gpr) : Reg(scratch.gpr.cvt32());
    mov_gpr(a, wide, scratch.gpr.getIdx(), lhs.idx());
    shift_cl(a, k, s);
    a.mov(d, s);
  }
}

inline void emit_clz(CodeGenerator& a, bool wide, NumOperand dst, NumOperand lhs,
                     const Scratch& scratch, const CpuFeatures& cpu) {
  Reg d = ireg(dst, wide), l = ireg(lhs, wide);
  if (cpu.lzcnt) {
    if (!dst.same_reg(lhs)) a.xor_(dst.r32(), dst.r32());  // break the false dependency
    a.lzcnt(d, l);
    return;
  }
  // bsr gives the index of the highest set bit (ZF and an undefined dst for 0); clz = idx ^ (w-1).
  Reg s = wide ? Reg(scratch.gpr) : Reg(scratch.gpr.cvt32());
  a.mov(scratch.gpr.cvt32(), wide ? 127 : 63);  // 127 ^ 63 = 64, 63 ^ 31 = 32
  a.bsr(d, l);
  a.cmovz(d, s);
  a.xor_(d, wide ? 63 : 31);
}

inline void emit_ctz(CodeGenerator& a, bool wide, NumOperand dst, NumOperand lhs,
                     const Scratch& scratch, const CpuFeatures& cpu) {
  Reg d = ireg(dst, wide), l = ireg(lhs, wide);
  if (cpu.bmi1) {
    if (!dst.same_reg(lhs)) a.xor_(dst.r32(), dst.r32());
    a.tzcnt(d, l);
    return;
  }
  Reg s = wide ? Reg(scratch.gpr) : Reg(scratch.gpr.cvt32());
  a.mov(scratch.gpr.cvt32(), wide ? 64 : 32);
  a.bsf(d, l);
  a.cmovz(d, s);
}

inline void emit_popcnt(CodeGenerator& a, bool wide, NumOperand dst, NumOperand lhs,
                        const Scratch& scratch, const CpuFeatures& cpu) {
  Reg d = ireg(dst, wide), l = ireg(lhs, wide);
  if (cpu.popcnt) {
    if (!dst.same_reg(lhs)) a.xor_(dst.r32(), dst.r32());
    a.popcnt(d, l);
    return;
  }
  // SWAR bit count in two registers (dst and scratch). 64-bit masks do not fit an immediate,
  // so each step is arranged to need the mask only once, in scratch.
  mov_gpr(a, wide, dst.idx(), lhs.idx());
  if (!wide) {
    Reg32 d32 = dst.r32(), s = scratch.gpr.cvt32();
    a.mov(s, d32); a.shr(s, 1); a.and_(s, 0x55555555u); a.sub(d32, s);
    a.mov(s, d32); a.and_(d32, 0x33333333u); a.shr(s, 2); a.and_(s, 0x33333333u); a.add(d32, s);
    a.mov(s, d32); a.shr(s, 4); a.add(d32, s); a.and_(d32, 0x0F0F0F0Fu);
    a.imul(d32, d32, 0x01010101); a.shr(d32, 24);
    return;
  }
  Reg64 d64 = dst.r64(), s = scratch.gpr;
  // x -= (x & 0xAA..) >> 1
  a.mov(s, 0xAAAAAAAAAAAAAAAAull); a.and_(s, d64); a.shr(s, 1); a.sub(d64, s);
  // x = (x & 0x33..) + ((x & 0xCC..) >> 2), with x & 0x33.. = x - (x & 0xCC..)
  a.mov(s, 0xCCCCCCCCCCCCCCCCull); a.and_(s, d64); a.sub(d64, s); a.shr(s, 2); a.add(d64, s);
  // x = (x + (x >> 4)) & 0x0F..
  a.mov(s, d64); a.shr(s, 4); a.add(d64, s); a.mov(s, 0x0F0F0F0F0F0F0F0Full); a.and_(d64, s);
  // sum of the bytes
  a.mov(s, 0x0101010101010101ull); a.imul(d64, s); a.shr(d64, 56);
}

// Sign extensions, wrap and extend.
inline void emit_int_extend(CodeGenerator& a, Op op, NumOperand dst, NumOperand lhs) {
  if (!dst.is_gpr() || !lhs.is_gpr()) bad_operands("extend operands must be gprs");
  Reg64 d = dst.r64(), l = lhs.r64();
  switch (op) {
    case Op::I32WrapI64: a.mov(d.cvt32(), l.cvt32()); break;  // always: clears the upper half
    case Op::I64ExtendI32U: mov_gpr(a, false, dst.idx(), lhs.idx()); break;
    case Op::I64ExtendI32S: case Op::I64Extend32S: a.movsxd(d, l.cvt32()); break;
    case Op::I32Extend8S: a.movsx(d.cvt32(), l.cvt8()); break;
    case Op::I32Extend16S: a.movsx(d.cvt32(), l.cvt16()); break;
    case Op::I64Extend8S: a.movsx(d, l.cvt8()); break;
    case Op::I64Extend16S: a.movsx(d, l.cvt16()); break;
    default: bad_operands("not an extension");
  }
}

// Every integer op with integer operands and result; false if `op` is not one.
inline bool emit_int_op(CodeGenerator& a, Op op, NumOperand dst, NumOperand lhs, NumOperand rhs,
                        const Scratch& scratch, TrapSink& traps, const CpuFeatures& cpu) {
  bool wide = wide_int_op(op);
  switch (op) {
    case Op::I32Add: case Op::I64Add: emit_alu(a, Alu::Add, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32Sub: case Op::I64Sub: emit_alu(a, Alu::Sub, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32Mul: case Op::I64Mul: emit_alu(a, Alu::Mul, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32And: case Op::I64And: emit_alu(a, Alu::And, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32Or: case Op::I64Or: emit_alu(a, Alu::Or, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32Xor: case Op::I64Xor: emit_alu(a, Alu::Xor, wide, dst, lhs, rhs, scratch); return true;

    case Op::I32Eqz: case Op::I32Eq: case Op::I32Ne: case Op::I32LtS: case Op::I32LtU:
    case Op::I32GtS: case Op::I32GtU: case Op::I32LeS: case Op::I32LeU: case Op::I32GeS:
    case Op::I32GeU:
    case Op::I64Eqz: case Op::I64Eq: case Op::I64Ne: case Op::I64LtS: case Op::I64LtU:
    case Op::I64GtS: case Op::I64GtU: case Op::I64LeS: case Op::I64LeU: case Op::I64GeS:
    case Op::I64GeU:
      emit_int_compare(a, op, dst, lhs, rhs, scratch);
      return true;

    case Op::I32DivS: case Op::I32DivU: case Op::I32RemS: case Op::I32RemU:
    case Op::I64DivS: case Op::I64DivU: case Op::I64RemS: case Op::I64RemU:
      emit_divrem(a, op, dst, lhs, rhs, scratch, traps);
      return true;

    case Op::I32Shl: case Op::I64Shl: emit_shift(a, ShiftKind::Shl, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32ShrS: case Op::I64ShrS: emit_shift(a, ShiftKind::ShrS, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32ShrU: case Op::I64ShrU: emit_shift(a, ShiftKind::ShrU, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32Rotl: case Op::I64Rotl: emit_shift(a, ShiftKind::Rotl, wide, dst, lhs, rhs, scratch); return true;
    case Op::I32Rotr: case Op::I64Rotr: emit_shift(a, ShiftKind::Rotr, wide, dst, lhs, rhs, scratch); return true;

    case Op::I32Clz: case Op::I64Clz: emit_clz(a, wide, dst, lhs, scratch, cpu); return true;
    case Op::I32Ctz: case Op::I64Ctz: emit_ctz(a, wide, dst, lhs, scratch, cpu); return true;
    case Op::I32Popcnt: case Op::I64Popcnt: emit_popcnt(a, wide, dst, lhs, scratch, cpu); return true;

    case Op::I32WrapI64: case Op::I64ExtendI32S: case Op::I64ExtendI32U:
    case Op::I32Extend8S: case Op::I32Extend16S: case Op::I64Extend8S: case Op::I64Extend16S:
    case Op::I64Extend32S:
      emit_int_extend(a, op, dst, lhs);
      return true;
    default:
      return false;
  }
}

}  // namespace numeric_detail

}  // namespace wasm::detail::jit
