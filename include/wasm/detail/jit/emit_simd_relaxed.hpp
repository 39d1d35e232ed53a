#pragma once
// Relaxed SIMD. The spec lists each instruction's allowed results; index 0 is the deterministic
// profile's. Two fixed choices per instruction, the same in every tier:
//  - deterministic (Config::relaxed_simd_deterministic): result 0, which for all but the
//    multiply-adds and dot products is the non-relaxed instruction (relaxed_equivalent);
//  - native (the default): the shortest x86 sequence whose result is one of the allowed ones:
//      swizzle        pshufb (index >= 16 with bit 7 clear: lane index mod 16)
//      trunc_s        cvttps2dq / cvttpd2dq (NaN and out of range: 0x80000000)
//      trunc_u        as trunc_sat_u (x86 has no shorter unsigned conversion)
//      madd / nmadd   vfmadd / vfnmadd when the CPU has FMA3 (fused), else multiply then add
//      laneselect     vpblendvb / vblendvps / vblendvpd with AVX (the mask's top bit per lane;
//                     i16x8 and SSE-only machines: bitselect)
//      min / max      minps / maxps (NaN or zeros of either sign: the second operand)
//      q15mulr_s      pmulhrsw (0x8000 * 0x8000 = 0x8000)
//      dot            pmaddubsw: the second operand's bytes unsigned, pairs added saturating
// Register contract as in emit_simd.hpp.
#include <optional>

#include "wasm/detail/jit/emit_simd.hpp"

namespace wasm::detail::jit {

constexpr bool is_relaxed_simd(Op op) {
  return op >= Op::I8x16RelaxedSwizzle && op <= Op::I32x4RelaxedDotI8x16I7x16AddS;
}

// The non-relaxed instruction whose result is a relaxed one's result 0, where there is one.
constexpr std::optional<Op> relaxed_equivalent(Op op) {
  switch (op) {
    case Op::I8x16RelaxedSwizzle: return Op::I8x16Swizzle;
    case Op::I32x4RelaxedTruncF32x4S: return Op::I32x4TruncSatF32x4S;
    case Op::I32x4RelaxedTruncF32x4U: return Op::I32x4TruncSatF32x4U;
    case Op::I32x4RelaxedTruncF64x2SZero: return Op::I32x4TruncSatF64x2SZero;
    case Op::I32x4RelaxedTruncF64x2UZero: return Op::I32x4TruncSatF64x2UZero;
    case Op::I8x16RelaxedLaneselect:
    case Op::I16x8RelaxedLaneselect:
    case Op::I32x4RelaxedLaneselect:
    case Op::I64x2RelaxedLaneselect: return Op::V128Bitselect;
    case Op::F32x4RelaxedMin: return Op::F32x4Min;
    case Op::F32x4RelaxedMax: return Op::F32x4Max;
    case Op::F64x2RelaxedMin: return Op::F64x2Min;
    case Op::F64x2RelaxedMax: return Op::F64x2Max;
    case Op::I16x8RelaxedQ15mulrS: return Op::I16x8Q15mulrSatS;
    default: return std::nullopt;
  }
}

constexpr bool relaxed_needs_temp(Op op) {
  if (auto eq = relaxed_equivalent(op)) return simd_needs_temp(*eq);
  return op == Op::I16x8RelaxedDotI8x16I7x16S || op == Op::I32x4RelaxedDotI8x16I7x16AddS;
}

namespace simd_detail {

// d = l*r + c (negate: c - l*r), fused with FMA3, else rounded twice.
inline void relaxed_madd(SimdAsm& m, bool fused, bool is_f64, bool negate, const Xmm& d, const Xmm& l,
                         const Xmm& r, const Xmm& c) {
  if (fused) {
    m.mov(d, l);  // d is l or holds no operand
    if (is_f64) negate ? m.a.vfnmadd213pd(d, r, c) : m.a.vfmadd213pd(d, r, c);
    else negate ? m.a.vfnmadd213ps(d, r, c) : m.a.vfmadd213ps(d, r, c);
    return;
  }
  is_f64 ? m.mulpd(d, l, r) : m.mulps(d, l, r);
  if (negate) is_f64 ? m.subpd(d, c, d) : m.subps(d, c, d);
  else is_f64 ? m.addpd(d, d, c) : m.addps(d, d, c);
}

// i16 lanes: l's bytes (signed) times r's bytes (signed), adjacent products added, wrapping.
inline void dot_i8_signed(SimdAsm& m, const Xmm& d, const Xmm& l, const Xmm& r, const Xmm& tmp) {
  m.pmovsxbw(tmp, l);
  m.pmovsxbw(m.scratch, r);
  m.pmullw(tmp, tmp, m.scratch);  // products of the low eight bytes
  m.pshufd(m.scratch, r, 0xEE);
  m.pmovsxbw(m.scratch, m.scratch);
  m.pshufd(d, l, 0xEE);  // d is l or free, and never r
  m.pmovsxbw(d, d);
  m.pmullw(d, d, m.scratch);  // products of the high eight bytes
  m.phaddw(d, tmp, d);
}

}  // namespace simd_detail

// dst = op(lhs, rhs[, third]) for a relaxed SIMD op.
inline void emit_relaxed_simd_op(SimdAsm& m, bool deterministic, Op op, const Xbyak::Xmm& d,
                                 const Xbyak::Xmm& l, const Xbyak::Xmm& r, const Xbyak::Xmm& c,
                                 const Xbyak::Xmm& tmp) {
  using namespace simd_detail;
  const bool fma = !deterministic && m.cpu.fma;
  switch (op) {
    case Op::F32x4RelaxedMadd: return relaxed_madd(m, fma, false, false, d, l, r, c);
    case Op::F32x4RelaxedNmadd: return relaxed_madd(m, fma, false, true, d, l, r, c);
    case Op::F64x2RelaxedMadd: return relaxed_madd(m, fma, true, false, d, l, r, c);
    case Op::F64x2RelaxedNmadd: return relaxed_madd(m, fma, true, true, d, l, r, c);
    case Op::I16x8RelaxedDotI8x16I7x16S:
      if (deterministic) dot_i8_signed(m, d, l, r, tmp);
      else m.pmaddubsw(d, r, l);
      return;
    case Op::I32x4RelaxedDotI8x16I7x16AddS:
      if (deterministic) dot_i8_signed(m, d, l, r, tmp);
      else m.pmaddubsw(d, r, l);
      m.pmaddwd(d, d, m.splat(int16_t(1)));
      m.paddd(d, d, c);
      return;
    default: break;
  }
  if (!deterministic) {
    switch (op) {
      case Op::I8x16RelaxedSwizzle: m.pshufb(d, l, r); return;
      case Op::I32x4RelaxedTruncF32x4S: m.cvttps2dq(d, l); return;
      case Op::I32x4RelaxedTruncF64x2SZero: m.cvttpd2dq(d, l); return;
      case Op::F32x4RelaxedMin: m.minps(d, l, r); return;
      case Op::F32x4RelaxedMax: m.maxps(d, l, r); return;
      case Op::F64x2RelaxedMin: m.minpd(d, l, r); return;
      case Op::F64x2RelaxedMax: m.maxpd(d, l, r); return;
      case Op::I16x8RelaxedQ15mulrS: m.pmulhrsw(d, l, r); return;
      case Op::I8x16RelaxedLaneselect:
        if (m.avx()) return m.a.vpblendvb(d, r, l, c);
        break;
      case Op::I32x4RelaxedLaneselect:
        if (m.avx()) return m.a.vblendvps(d, r, l, c);
        break;
      case Op::I64x2RelaxedLaneselect:
        if (m.avx()) return m.a.vblendvpd(d, r, l, c);
        break;
      default: break;
    }
  }
  emit_simd_v128_op(m, *relaxed_equivalent(op), d, l, r, c, tmp);
}

}  // namespace wasm::detail::jit
