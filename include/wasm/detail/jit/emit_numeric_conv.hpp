#pragma once
// Conversions of emit_numeric between integer and float classes: truncations (trapping and
// saturating), int -> float conversions, demote/promote and reinterpretations.
//
// cvttss2si/cvttsd2si return the "integer indefinite" value (INT_MIN of the width) for NaN and
// out-of-range inputs, which is also the correct result for inputs that truncate to INT_MIN. So
// the fast path is one conversion and one compare, and the slow path, taken only when the result
// is INT_MIN, tells the cases apart.
#include <cstring>

#include "wasm/detail/jit/emit_numeric_base.hpp"

namespace wasm::detail::jit::numeric_detail {

using Xbyak::CodeGenerator;
using Xbyak::Reg;
using Xbyak::Xmm;

inline void cvtt(CodeGenerator& a, bool f64, const Reg& d, const Xmm& x) {
  if (f64) a.cvttsd2si(d, x);
  else a.cvttss2si(d, x);
}

inline void cvtsi2f(CodeGenerator& a, bool f64, const Xmm& d, const Reg& r) {
  if (f64) a.cvtsi2sd(d, r);
  else a.cvtsi2ss(d, r);
}

inline void ucomi_f(CodeGenerator& a, bool f64, const Xmm& x, const Xmm& y) {
  if (f64) a.ucomisd(x, y);
  else a.ucomiss(x, y);
}

// scratch.xmm = the constant `value` as an f32 or f64.
inline void load_float_const(CodeGenerator& a, bool f64, const Scratch& s, double value) {
  if (f64) {
    uint64_t bits;
    std::memcpy(&bits, &value, 8);
    a.mov(s.gpr, bits);
    a.movq(s.xmm, s.gpr);
  } else {
    float f = float(value);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    a.mov(s.gpr.cvt32(), bits);
    a.movd(s.xmm, s.gpr.cvt32());
  }
}

// Sign bit of the f32/f64 in x into bit 0 of the scratch gpr (others zero).
inline void sign_bit(CodeGenerator& a, bool f64, const Xmm& x, const Scratch& s) {
  if (f64) a.movmskpd(s.gpr.cvt32(), x);
  else a.movmskps(s.gpr.cvt32(), x);
  a.and_(s.gpr.cvt32(), 1);
}

// Signed truncation (trapping or saturating) to i32 (wide = false) or i64.
inline void emit_trunc_signed(CodeGenerator& a, bool f64, bool wide, bool sat, NumOperand dst,
                              NumOperand lhs, const Scratch& s, TrapSink& traps) {
  Reg d = wide ? Reg(dst.r64()) : Reg(dst.r32());
  Xmm x = lhs.x();
  LocalLabel done;
  cvtt(a, f64, d, x);
  a.cmp(d, 1);  // overflows exactly when d == INT_MIN
  done.jcc(a, CompareCond::NO);
  if (sat) {
    LocalLabel nan;
    ucomi_f(a, f64, x, x);
    nan.jcc(a, CompareCond::P);
    sign_bit(a, f64, x, s);
    done.jcc(a, CompareCond::NE);  // negative: INT_MIN is right (exact or saturated)
    a.not_(d);                     // positive overflow: INT_MAX
    done.jmp(a);
    nan.bind(a);
    a.xor_(dst.r32(), dst.r32());
  } else if (f64 && !wide) {
    // f64 -> i32: every x in (-2^31 - 1, -2^31] truncates to INT_MIN legitimately.
    load_float_const(a, true, s, -2147483649.0);
    a.ucomisd(x, s.xmm);
    trap_if(a, CompareCond::P, traps, TrapCode::BadConversionToInteger);
    trap_if(a, CompareCond::BE, traps, TrapCode::IntegerOverflow);  // x <= -2^31 - 1
    sign_bit(a, true, x, s);
    trap_if(a, CompareCond::E, traps, TrapCode::IntegerOverflow);  // x >= 2^31
  } else {
    // The only in-range input giving INT_MIN is exactly -2^(N-1): the next float below it is
    // already a whole unit (or more) lower.
    load_float_const(a, f64, s, wide ? -9223372036854775808.0 : -2147483648.0);
    ucomi_f(a, f64, x, s.xmm);
    trap_if(a, CompareCond::P, traps, TrapCode::BadConversionToInteger);
    trap_if(a, CompareCond::NE, traps, TrapCode::IntegerOverflow);
  }
  done.bind(a);
}

// Unsigned truncation to i32: a 64-bit conversion is exact for every in-range input, and the
// result is in range iff its upper 32 bits are zero (negatives, NaN and INT64_MIN have them set).
inline void emit_trunc_u32(CodeGenerator& a, bool f64, bool sat, NumOperand dst, NumOperand lhs,
                           const Scratch& s, TrapSink& traps) {
  Xmm x = lhs.x();
  LocalLabel done;
  cvtt(a, f64, dst.r64(), x);
  a.mov(s.gpr, dst.r64());
  a.shr(s.gpr, 32);
  done.jcc(a, CompareCond::E);
  if (sat) {  // NaN and negatives -> 0, too large -> UINT32_MAX
    a.xorps(s.xmm, s.xmm);
    ucomi_f(a, f64, x, s.xmm);
    a.mov(dst.r32(), 0);  // mov leaves the flags alone
    a.mov(s.gpr.cvt32(), 0xFFFFFFFFu);
    a.cmova(dst.r32(), s.gpr.cvt32());  // above: ordered and x > 0
  } else {
    ucomi_f(a, f64, x, x);
    trap_if(a, CompareCond::P, traps, TrapCode::BadConversionToInteger);
    a.jmp(traps.trap_label(TrapCode::IntegerOverflow), CodeGenerator::T_NEAR);
  }
  done.bind(a);
}

// Unsigned truncation to i64. Below 2^63 a signed conversion is exact; from 2^63 on, convert
// 2^63 - x (exact, in (-2^63, 0] while x < 2^64), negate and set bit 63. neg overflows exactly
// when 2^63 - x came out as INT64_MIN, i.e. x >= 2^64.
inline void emit_trunc_u64(CodeGenerator& a, bool f64, bool sat, NumOperand dst, NumOperand lhs,
                           const Scratch& s, TrapSink& traps) {
  Xmm x = lhs.x();
  Xbyak::Reg64 d = dst.r64();
  LocalLabel big, nan, overflow, done;
  load_float_const(a, f64, s, 9223372036854775808.0);
  ucomi_f(a, f64, x, s.xmm);
  if (sat) nan.jcc(a, CompareCond::P);
  else trap_if(a, CompareCond::P, traps, TrapCode::BadConversionToInteger);
  big.jcc(a, CompareCond::AE);
  cvtt(a, f64, d, x);
  if (sat) {
    a.xor_(s.gpr.cvt32(), s.gpr.cvt32());
    a.test(d, d);
    a.cmovs(d, s.gpr);  // x <= -1 (or -inf): 0
  } else {
    a.test(d, d);
    trap_if(a, CompareCond::S, traps, TrapCode::IntegerOverflow);
  }
  done.jmp(a);
  big.bind(a);
  if (f64) a.subsd(s.xmm, x);
  else a.subss(s.xmm, x);
  cvtt(a, f64, d, s.xmm);
  a.neg(d);
  if (sat) {
    overflow.jcc(a, CompareCond::O);
  } else {
    trap_if(a, CompareCond::O, traps, TrapCode::IntegerOverflow);
  }
  a.bts(d, 63);
  if (sat) {
    done.jmp(a);
    overflow.bind(a);
    a.mov(d, -1);  // UINT64_MAX
    done.jmp(a);
    nan.bind(a);
    a.xor_(d.cvt32(), d.cvt32());
  }
  done.bind(a);
}

// u64 -> f32/f64 with one rounding. Values below 2^63 convert directly; larger ones are halved
// with the lost bit or-ed back in (round to odd), converted, and doubled (exact).
inline void emit_convert_u64(CodeGenerator& a, bool f64, NumOperand dst, NumOperand lhs,
                             const Scratch& s) {
  Xmm d = dst.x();
  Xbyak::Reg64 l = lhs.r64();
  LocalLabel big, even, done;
  a.xorps(d, d);  // break the dependency on d's old value
  a.test(l, l);
  big.jcc(a, CompareCond::S);
  cvtsi2f(a, f64, d, l);
  done.jmp(a);
  big.bind(a);
  a.mov(s.gpr, l);
  a.shr(s.gpr, 1);
  even.jcc(a, CompareCond::AE);  // CF = the bit shifted out
  a.or_(s.gpr, 1);
  even.bind(a);
  cvtsi2f(a, f64, d, s.gpr);
  if (f64) a.addsd(d, d);
  else a.addss(d, d);
  done.bind(a);
}

// Every conversion between classes and between f32/f64; false if `op` is not one.
inline bool emit_conversion(CodeGenerator& a, Op op, NumOperand dst, NumOperand lhs,
                            const Scratch& s, TrapSink& traps) {
  const OpInfo& info = op_info(op);
  bool from_float = info.params[0] == Slot::F32 || info.params[0] == Slot::F64;
  bool to_float = info.result == Slot::F32 || info.result == Slot::F64;
  if (from_float ? !lhs.is_xmm() : !lhs.is_gpr()) bad_operands("conversion operand class");
  if (to_float ? !dst.is_xmm() : !dst.is_gpr()) bad_operands("conversion result class");
  bool f64_src = info.params[0] == Slot::F64;
  bool f64_dst = info.result == Slot::F64;
  switch (op) {
    case Op::I32ReinterpretF32: a.movd(dst.r32(), lhs.x()); return true;
    case Op::I64ReinterpretF64: a.movq(dst.r64(), lhs.x()); return true;
    case Op::F32ReinterpretI32: a.movd(dst.x(), lhs.r32()); return true;
    case Op::F64ReinterpretI64: a.movq(dst.x(), lhs.r64()); return true;
    case Op::F32DemoteF64: case Op::F64PromoteF32:
      if (!dst.same_reg(lhs)) a.xorps(dst.x(), dst.x());  // break the merge dependency
      if (op == Op::F32DemoteF64) a.cvtsd2ss(dst.x(), lhs.x());
      else a.cvtss2sd(dst.x(), lhs.x());
      return true;

    case Op::F32ConvertI32S: case Op::F64ConvertI32S:
      a.xorps(dst.x(), dst.x());
      cvtsi2f(a, f64_dst, dst.x(), lhs.r32());
      return true;
    case Op::F32ConvertI32U: case Op::F64ConvertI32U:
      // A zero-extended u32 is a non-negative i64: the 64-bit signed conversion is exact-rounded.
      a.mov(s.gpr.cvt32(), lhs.r32());
      a.xorps(dst.x(), dst.x());
      cvtsi2f(a, f64_dst, dst.x(), s.gpr);
      return true;
    case Op::F32ConvertI64S: case Op::F64ConvertI64S:
      a.xorps(dst.x(), dst.x());
      cvtsi2f(a, f64_dst, dst.x(), lhs.r64());
      return true;
    case Op::F32ConvertI64U: case Op::F64ConvertI64U:
      emit_convert_u64(a, f64_dst, dst, lhs, s);
      return true;

    case Op::I32TruncF32S: case Op::I32TruncF64S:
      emit_trunc_signed(a, f64_src, false, false, dst, lhs, s, traps);
      return true;
    case Op::I64TruncF32S: case Op::I64TruncF64S:
      emit_trunc_signed(a, f64_src, true, false, dst, lhs, s, traps);
      return true;
    case Op::I32TruncSatF32S: case Op::I32TruncSatF64S:
      emit_trunc_signed(a, f64_src, false, true, dst, lhs, s, traps);
      return true;
    case Op::I64TruncSatF32S: case Op::I64TruncSatF64S:
      emit_trunc_signed(a, f64_src, true, true, dst, lhs, s, traps);
      return true;
    case Op::I32TruncF32U: case Op::I32TruncF64U:
      emit_trunc_u32(a, f64_src, false, dst, lhs, s, traps);
      return true;
    case Op::I32TruncSatF32U: case Op::I32TruncSatF64U:
      emit_trunc_u32(a, f64_src, true, dst, lhs, s, traps);
      return true;
    case Op::I64TruncF32U: case Op::I64TruncF64U:
      emit_trunc_u64(a, f64_src, false, dst, lhs, s, traps);
      return true;
    case Op::I64TruncSatF32U: case Op::I64TruncSatF64U:
      emit_trunc_u64(a, f64_src, true, dst, lhs, s, traps);
      return true;
    default:
      return false;
  }
}

}  // namespace wasm::detail::jit::numeric_detail
