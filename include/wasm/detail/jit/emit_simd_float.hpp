#pragma once
// f32x4/f64x2 arithmetic, comparisons, min/max (wasm and pseudo), sign operations and
// rounding. Register contract: see emit_simd.hpp.
#include "wasm/detail/jit/emit_simd_base.hpp"

namespace wasm::detail::jit::simd_detail {

// cmpps/cmppd predicates.
enum FloatPredicate : uint8_t { kEq = 0, kLt = 1, kLe = 2, kUnord = 3, kNeq = 4 };

// roundps/roundpd modes.
enum RoundMode : uint8_t { kNearest = 0, kFloor = 1, kCeil = 2, kTrunc = 3 };

// wasm min/max: NaN if either operand is NaN (canonical here), and -0 < +0. x86's minps/maxps
// return their second operand for NaNs and equal zeros, so both orders are computed: for min
// their OR keeps -0 and any NaN; for max their AND keeps +0, and NaN lanes are found apart
// (exactly one order, or both, produced a NaN). NaN lanes then become all ones with the payload
// below the quiet bit cleared.
inline void float_min_max(SimdAsm& m, bool is_f64, bool is_max, const Xbyak::Xmm& d,
                          const Xbyak::Xmm& l, const Xbyak::Xmm& r, const Xbyak::Xmm& tmp) {
  auto pick = is_max ? (is_f64 ? &SimdAsm::maxpd : &SimdAsm::maxps)
                     : (is_f64 ? &SimdAsm::minpd : &SimdAsm::minps);
  auto unord = [&](const Xbyak::Xmm& dst, const Xbyak::Xmm& x, const Xbyak::Xmm& y) {
    if (is_f64) m.cmppd(dst, x, y, kUnord);
    else m.cmpps(dst, x, y, kUnord);
  };
  (m.*pick)(m.scratch, l, r);
  (m.*pick)(tmp, r, l);
  if (is_max) {
    unord(d, m.scratch, tmp);
    m.andps(m.scratch, m.scratch, tmp);
  } else {
    m.orps(m.scratch, m.scratch, tmp);
    unord(d, m.scratch, m.scratch);
  }
  m.orps(m.scratch, m.scratch, d);
  if (is_f64) m.psrlq(d, d, 13);
  else m.psrld(d, d, 10);
  m.andnps(d, d, m.scratch);
}

// Float ops with v128 operands and result (conversions are in emit_simd_conv.hpp). False when
// `op` is not one of them.
inline bool emit_float_op(SimdAsm& m, Op op, const Xbyak::Xmm& d, const Xbyak::Xmm& l,
                          const Xbyak::Xmm& r, const Xbyak::Xmm& tmp) {
  const auto sign32 = [&] { return m.splat(uint32_t(0x80000000u)); };
  const auto sign64 = [&] { return m.splat(uint64_t(1) << 63); };
  switch (op) {
    case Op::F32x4Add: m.addps(d, l, r); return true;
    case Op::F32x4Sub: m.subps(d, l, r); return true;
    case Op::F32x4Mul: m.mulps(d, l, r); return true;
    case Op::F32x4Div: m.divps(d, l, r); return true;
    case Op::F64x2Add: m.addpd(d, l, r); return true;
    case Op::F64x2Sub: m.subpd(d, l, r); return true;
    case Op::F64x2Mul: m.mulpd(d, l, r); return true;
    case Op::F64x2Div: m.divpd(d, l, r); return true;
    case Op::F32x4Sqrt: m.sqrtps(d, l); return true;
    case Op::F64x2Sqrt: m.sqrtpd(d, l); return true;
    case Op::F32x4Abs: m.andps(d, l, m.splat(uint32_t(0x7FFFFFFFu))); return true;
    case Op::F64x2Abs: m.andps(d, l, m.splat(~(uint64_t(1) << 63))); return true;
    case Op::F32x4Neg: m.xorps(d, l, sign32()); return true;
    case Op::F64x2Neg: m.xorps(d, l, sign64()); return true;
    case Op::F32x4Ceil: m.roundps(d, l, kCeil); return true;
    case Op::F32x4Floor: m.roundps(d, l, kFloor); return true;
    case Op::F32x4Trunc: m.roundps(d, l, kTrunc); return true;
    case Op::F32x4Nearest: m.roundps(d, l, kNearest); return true;
    case Op::F64x2Ceil: m.roundpd(d, l, kCeil); return true;
    case Op::F64x2Floor: m.roundpd(d, l, kFloor); return true;
    case Op::F64x2Trunc: m.roundpd(d, l, kTrunc); return true;
    case Op::F64x2Nearest: m.roundpd(d, l, kNearest); return true;
    // Comparisons: gt and ge swap the operands of lt and le; neq is the unordered form.
    case Op::F32x4Eq: m.cmpps(d, l, r, kEq); return true;
    case Op::F32x4Ne: m.cmpps(d, l, r, kNeq); return true;
    case Op::F32x4Lt: m.cmpps(d, l, r, kLt); return true;
    case Op::F32x4Gt: m.cmpps(d, r, l, kLt); return true;
    case Op::F32x4Le: m.cmpps(d, l, r, kLe); return true;
    case Op::F32x4Ge: m.cmpps(d, r, l, kLe); return true;
    case Op::F64x2Eq: m.cmppd(d, l, r, kEq); return true;
    case Op::F64x2Ne: m.cmppd(d, l, r, kNeq); return true;
    case Op::F64x2Lt: m.cmppd(d, l, r, kLt); return true;
    case Op::F64x2Gt: m.cmppd(d, r, l, kLt); return true;
    case Op::F64x2Le: m.cmppd(d, l, r, kLe); return true;
    case Op::F64x2Ge: m.cmppd(d, r, l, kLe); return true;
    case Op::F32x4Min: float_min_max(m, false, false, d, l, r, tmp); return true;
    case Op::F32x4Max: float_min_max(m, false, true, d, l, r, tmp); return true;
    case Op::F64x2Min: float_min_max(m, true, false, d, l, r, tmp); return true;
    case Op::F64x2Max: float_min_max(m, true, true, d, l, r, tmp); return true;
    // pmin(l, r) = r < l ? r : l and pmax(l, r) = l < r ? r : l: exactly minps(r, l) and
    // maxps(r, l), which return their second operand when the comparison is false.
    case Op::F32x4Pmin: m.minps(d, r, l); return true;
    case Op::F32x4Pmax: m.maxps(d, r, l); return true;
    case Op::F64x2Pmin: m.minpd(d, r, l); return true;
    case Op::F64x2Pmax: m.maxpd(d, r, l); return true;
    default: return false;
  }
}

}  // namespace wasm::detail::jit::simd_detail
