#pragma once
// Float instructions of emit_numeric (f32 and f64): arithmetic, min/max, rounding, sign bit ops
// and comparisons. SSE4.1 only (no AVX), so two-operand forms with the aliasing cases spelled out.
#include <optional>

#include "wasm/detail/jit/emit_numeric_base.hpp"

namespace wasm::detail::jit {

namespace numeric_detail {

using Xbyak::CodeGenerator;
using Xbyak::Xmm;

inline Xmm xreg(const NumOperand& o) {
  if (!o.is_xmm()) bad_operands("expected an xmm register");
  return o.x();
}

inline bool wide_float_op(Op op) { return op_info(op).params[0] == Slot::F64; }

enum class FBin : uint8_t { Add, Sub, Mul, Div, Min, Max, Or, And };

inline void fbin_rr(CodeGenerator& a, FBin k, bool f64, const Xmm& d, const Xmm& s) {
  switch (k) {
    case FBin::Add: f64 ? a.addsd(d, s) : a.addss(d, s); break;
    case FBin::Sub: f64 ? a.subsd(d, s) : a.subss(d, s); break;
    case FBin::Mul: f64 ? a.mulsd(d, s) : a.mulss(d, s); break;
    case FBin::Div: f64 ? a.divsd(d, s) : a.divss(d, s); break;
    case FBin::Min: f64 ? a.minsd(d, s) : a.minss(d, s); break;
    case FBin::Max: f64 ? a.maxsd(d, s) : a.maxss(d, s); break;
    case FBin::Or: a.orps(d, s); break;
    case FBin::And: a.andps(d, s); break;
  }
}

// dst = lhs <k> rhs for any aliasing. Operand order is kept for sub/div; for the others the
// operands may be swapped (which of two NaN inputs comes out is the only difference, and wasm
// allows either).
inline void emit_fbin(CodeGenerator& a, FBin k, bool f64, NumOperand dst, NumOperand lhs,
                      NumOperand rhs, const Scratch& scratch) {
  Xmm d = xreg(dst), l = xreg(lhs), r = xreg(rhs);
  bool commutative = k != FBin::Sub && k != FBin::Div;
  if (dst.same_reg(lhs)) {
    fbin_rr(a, k, f64, d, r);
  } else if (dst.same_reg(rhs)) {
    if (commutative) {
      fbin_rr(a, k, f64, d, l);
    } else {
      a.movaps(scratch.xmm, l);
      fbin_rr(a, k, f64, scratch.xmm, r);
      a.movaps(d, scratch.xmm);
    }
  } else {
    a.movaps(d, l);
    fbin_rr(a, k, f64, d, r);
  }
}

inline void ucomi(CodeGenerator& a, bool f64, const Xmm& x, const Xmm& y) {
  f64 ? a.ucomisd(x, y) : a.ucomiss(x, y);
}

// wasm min/max: NaN if either operand is NaN, and -0 < +0. minss/maxss alone return the second
// operand for NaNs and for equal operands, so those two cases are handled first.
inline void emit_fminmax(CodeGenerator& a, bool is_min, bool f64, NumOperand dst, NumOperand lhs,
                         NumOperand rhs, const Scratch& scratch) {
  LocalLabel unordered, not_equal, done;
  ucomi(a, f64, xreg(lhs), xreg(rhs));
  unordered.jcc(a, CompareCond::P);
  not_equal.jcc(a, CompareCond::NE);
  // Equal: the same value, or zeros of different signs; or-ing (min) / and-ing (max) the bit
  // patterns gives -0 for min(-0, +0) and +0 for max(-0, +0).
  emit_fbin(a, is_min ? FBin::Or : FBin::And, f64, dst, lhs, rhs, scratch);
  done.jmp(a);
  not_equal.bind(a);
  emit_fbin(a, is_min ? FBin::Min : FBin::Max, f64, dst, lhs, rhs, scratch);
  done.jmp(a);
  unordered.bind(a);
  emit_fbin(a, FBin::Add, f64, dst, lhs, rhs, scratch);  // propagates a (quieted) NaN
  done.bind(a);
}

// All-ones lanes shifted to leave only the sign bit of each f32/f64 lane.
inline void sign_mask(CodeGenerator& a, bool f64, const Xmm& x) {
  a.pcmpeqd(x, x);
  if (f64) a.psllq(x, 63);
  else a.pslld(x, 31);
}

// Clears the sign bit of each lane in place.
inline void clear_sign(CodeGenerator& a, bool f64, const Xmm& x) {
  if (f64) {
    a.psllq(x, 1);
    a.psrlq(x, 1);
  } else {
    a.pslld(x, 1);
    a.psrld(x, 1);
  }
}

inline void emit_fsign_op(CodeGenerator& a, Op op, bool f64, NumOperand dst, NumOperand lhs,
                          NumOperand rhs, const Scratch& scratch) {
  Xmm d = xreg(dst), l = xreg(lhs);
  switch (op) {
    case Op::F32Abs: case Op::F64Abs:
      mov_xmm(a, d.getIdx(), l.getIdx());
      clear_sign(a, f64, d);
      break;
    case Op::F32Neg: case Op::F64Neg:
      sign_mask(a, f64, scratch.xmm);
      mov_xmm(a, d.getIdx(), l.getIdx());
      a.xorps(d, scratch.xmm);
      break;
    default:  // copysign: take rhs's sign first, since dst may be rhs
      sign_mask(a, f64, scratch.xmm);
      a.andps(scratch.xmm, xreg(rhs));
      mov_xmm(a, d.getIdx(), l.getIdx());
      clear_sign(a, f64, d);
      a.orps(d, scratch.xmm);
      break;
  }
}

// roundss/roundsd immediates: 0 nearest (ties to even), 1 floor, 2 ceil, 3 trunc; bit 3
// suppresses the precision exception.
inline void emit_fround(CodeGenerator& a, bool f64, NumOperand dst, NumOperand lhs, int mode) {
  Xmm d = xreg(dst), l = xreg(lhs);
  if (!dst.same_reg(lhs)) a.xorps(d, d);  // scalar ops merge into d: break the dependency
  if (f64) a.roundsd(d, l, uint8_t(mode | 8));
  else a.roundss(d, l, uint8_t(mode | 8));
}

}  // namespace numeric_detail

// Emits only the flag-setting ucomiss/ucomisd of f32/f64 lt/gt/le/ge and returns the condition
// under which the result is 1 (unordered operands give 0 under it). eq and ne need two flags
// (ZF and PF) and return std::nullopt without emitting anything, as does any other op.
inline std::optional<CompareCond> emit_float_compare_flags(Xbyak::CodeGenerator& a, Op op,
                                                           NumOperand lhs, NumOperand rhs) {
  using numeric_detail::xreg;
  bool f64 = numeric_detail::wide_float_op(op);
  switch (op) {
    case Op::F32Gt: case Op::F64Gt:  // lhs > rhs: CF = 0 and ZF = 0 (unordered sets both)
      numeric_detail::ucomi(a, f64, xreg(lhs), xreg(rhs));
      return CompareCond::A;
    case Op::F32Ge: case Op::F64Ge:
      numeric_detail::ucomi(a, f64, xreg(lhs), xreg(rhs));
      return CompareCond::AE;
    case Op::F32Lt: case Op::F64Lt:  // as rhs > lhs
      numeric_detail::ucomi(a, f64, xreg(rhs), xreg(lhs));
      return CompareCond::A;
    case Op::F32Le: case Op::F64Le:
      numeric_detail::ucomi(a, f64, xreg(rhs), xreg(lhs));
      return CompareCond::AE;
    default:
      return std::nullopt;
  }
}

namespace numeric_detail {

inline void emit_fcompare(CodeGenerator& a, Op op, NumOperand dst, NumOperand lhs, NumOperand rhs,
                          const Scratch& scratch) {
  if (!dst.is_gpr()) bad_operands("float compare destination must be a gpr");
  bool f64 = wide_float_op(op);
  Xbyak::Reg32 d = dst.r32();
  if (op == Op::F32Eq || op == Op::F64Eq || op == Op::F32Ne || op == Op::F64Ne) {
    bool eq = op == Op::F32Eq || op == Op::F64Eq;
    Xmm s = scratch.xmm;
    a.movaps(s, xreg(lhs));
    if (f64) eq ? a.cmpeqsd(s, xreg(rhs)) : a.cmpneqsd(s, xreg(rhs));  // neq is true when unordered
    else eq ? a.cmpeqss(s, xreg(rhs)) : a.cmpneqss(s, xreg(rhs));
    a.movd(d, s);
    a.and_(d, 1);
    return;
  }
  a.xor_(d, d);  // dst is a gpr, never an operand here
  CompareCond c = *emit_float_compare_flags(a, op, lhs, rhs);
  emit_setcc8(a, c, dst.r64().cvt8());
}

// Every op with float operands and a float or comparison result; false if `op` is not one.
inline bool emit_float_op(CodeGenerator& a, Op op, NumOperand dst, NumOperand lhs, NumOperand rhs,
                          const Scratch& scratch) {
  bool f64 = wide_float_op(op);
  switch (op) {
    case Op::F32Add: case Op::F64Add: emit_fbin(a, FBin::Add, f64, dst, lhs, rhs, scratch); return true;
    case Op::F32Sub: case Op::F64Sub: emit_fbin(a, FBin::Sub, f64, dst, lhs, rhs, scratch); return true;
    case Op::F32Mul: case Op::F64Mul: emit_fbin(a, FBin::Mul, f64, dst, lhs, rhs, scratch); return true;
    case Op::F32Div: case Op::F64Div: emit_fbin(a, FBin::Div, f64, dst, lhs, rhs, scratch); return true;
    case Op::F32Min: case Op::F64Min: emit_fminmax(a, true, f64, dst, lhs, rhs, scratch); return true;
    case Op::F32Max: case Op::F64Max: emit_fminmax(a, false, f64, dst, lhs, rhs, scratch); return true;
    case Op::F32Abs: case Op::F64Abs: case Op::F32Neg: case Op::F64Neg:
    case Op::F32Copysign: case Op::F64Copysign:
      emit_fsign_op(a, op, f64, dst, lhs, rhs, scratch);
      return true;
    case Op::F32Sqrt: case Op::F64Sqrt: {
      Xmm d = xreg(dst), l = xreg(lhs);
      if (!dst.same_reg(lhs)) a.xorps(d, d);
      f64 ? a.sqrtsd(d, l) : a.sqrtss(d, l);
      return true;
    }
    case Op::F32Nearest: case Op::F64Nearest: emit_fround(a, f64, dst, lhs, 0); return true;
    case Op::F32Floor: case Op::F64Floor: emit_fround(a, f64, dst, lhs, 1); return true;
    case Op::F32Ceil: case Op::F64Ceil: emit_fround(a, f64, dst, lhs, 2); return true;
    case Op::F32Trunc: case Op::F64Trunc: emit_fround(a, f64, dst, lhs, 3); return true;
    case Op::F32Eq: case Op::F32Ne: case Op::F32Lt: case Op::F32Gt: case Op::F32Le: case Op::F32Ge:
    case Op::F64Eq: case Op::F64Ne: case Op::F64Lt: case Op::F64Gt: case Op::F64Le: case Op::F64Ge:
      emit_fcompare(a, op, dst, lhs, rhs, scratch);
      return true;
    default:
      return false;
  }
}

}  // namespace numeric_detail

}  // namespace wasm::detail::jit
