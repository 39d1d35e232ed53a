#pragma once
// Operations that change the lane shape: int/float conversions (saturating truncations,
// unsigned conversions, demote/promote), narrowing, widening, extended multiplies, pairwise
// additions and the dot product. Register contract: see emit_simd.hpp.
#include "wasm/detail/jit/emit_simd_base.hpp"
#include "wasm/detail/jit/emit_simd_float.hpp"

namespace wasm::detail::jit::simd_detail {

using Xbyak::Xmm;

// u32 -> f32 with one rounding: the high 16 bits (halved, so that the signed conversion is
// exact, then doubled) plus the low 16 bits, both exact, added once.
inline void f32_from_u32(SimdAsm& m, const Xmm& d, const Xmm& src) {
  m.pslld(m.scratch, src, 16);
  m.psrld(m.scratch, m.scratch, 16);  // low halves
  m.psubd(d, src, m.scratch);         // high halves
  m.psrld(d, d, 1);
  m.cvtdq2ps(d, d);
  m.addps(d, d, d);
  m.cvtdq2ps(m.scratch, m.scratch);
  m.addps(d, d, m.scratch);
}

// f32 -> i32, saturating: NaN lanes are zeroed first; cvttps2dq gives 0x80000000 for every
// out-of-range lane, which is right for negative ones and flipped to 0x7FFFFFFF for x >= 2^31.
inline void i32_trunc_sat_f32_s(SimdAsm& m, const Xmm& d, const Xmm& src) {
  m.cmpps(m.scratch, src, src, kEq);
  m.andps(d, src, m.scratch);
  m.load(m.scratch, m.splat(2147483648.0f));
  m.cmpps(m.scratch, m.scratch, d, kLe);  // 2^31 <= x
  m.cvttps2dq(d, d);
  m.pxor(d, d, m.scratch);
}

// f32 -> u32, saturating: x = max(src, 0) (NaN -> 0); lanes below 2^31 convert directly, the
// others as 2^31 + (x - 2^31), and x >= 2^32 ends as 0x80000000 + 0x7FFFFFFF.
inline void i32_trunc_sat_f32_u(SimdAsm& m, const Xmm& d, const Xmm& src, const Xmm& tmp) {
  m.zero(m.scratch);
  m.maxps(d, src, m.scratch);  // maxps returns its second operand (0) for NaN
  m.load(m.scratch, m.splat(2147483648.0f));
  m.subps(tmp, d, m.scratch);             // x - 2^31
  m.cmpps(m.scratch, m.scratch, tmp, kLe);  // x - 2^31 >= 2^31
  m.cvttps2dq(tmp, tmp);
  m.pxor(tmp, tmp, m.scratch);  // 0x7FFFFFFF where x >= 2^32
  m.zero(m.scratch);
  m.pmaxsd(tmp, tmp, m.scratch);  // lanes below 2^31 add nothing
  m.cvttps2dq(d, d);             // 0x80000000 for lanes at or above 2^31
  m.paddd(d, d, tmp);
}

// f64x2 -> i32x4 (two lanes and two zeros), saturating.
inline void i32_trunc_sat_f64_s_zero(SimdAsm& m, const Xmm& d, const Xmm& src) {
  m.cmppd(m.scratch, src, src, kEq);
  m.andps(d, src, m.scratch);  // NaN -> 0
  m.minpd(d, d, m.splat(2147483647.0));
  m.cvttpd2dq(d, d);  // below -2^31 gives 0x80000000, the saturated value
}

inline void i32_trunc_sat_f64_u_zero(SimdAsm& m, const Xmm& d, const Xmm& src) {
  m.zero(m.scratch);
  m.maxpd(d, src, m.scratch);  // NaN and negatives -> 0
  m.minpd(d, d, m.splat(4294967295.0));
  m.roundpd(d, d, kTrunc);
  // Adding 2^52 puts the integer in the low 32 bits of each double's mantissa.
  m.addpd(d, d, m.splat(4503599627370496.0));
  m.shufps(d, d, m.scratch, 0x88);  // dwords 0 and 2, then zeros
}

// u32 (low two lanes) -> f64: the doubles with high word 0x43300000 are 2^52 + x exactly.
inline void f64_from_u32_low(SimdAsm& m, const Xmm& d, const Xmm& src) {
  m.unpcklps(d, src, m.splat(uint32_t(0x43300000u)));
  m.subpd(d, d, m.splat(4503599627370496.0));
}

// The high 8 bytes of src into the low 8 bytes of d.
inline void high_half(SimdAsm& m, const Xmm& d, const Xmm& src) { m.pshufd(d, src, 0xEE); }

// Widening multiplies. i8 and i32 lanes are widened first; i16 lanes use the low and high
// halves of the 32-bit products (pmullw, pmulhw) interleaved.
inline void extmul(SimdAsm& m, Op op, const Xmm& d, const Xmm& l, const Xmm& r) {
  switch (op) {
    case Op::I16x8ExtmulLowI8x16S:
      m.pmovsxbw(d, l);
      m.pmovsxbw(m.scratch, r);
      break;
    case Op::I16x8ExtmulLowI8x16U:
      m.pmovzxbw(d, l);
      m.pmovzxbw(m.scratch, r);
      break;
    case Op::I16x8ExtmulHighI8x16S:
    case Op::I16x8ExtmulHighI8x16U: {
      bool s = op == Op::I16x8ExtmulHighI8x16S;
      high_half(m, d, l);
      high_half(m, m.scratch, r);
      if (s) {
        m.pmovsxbw(d, d);
        m.pmovsxbw(m.scratch, m.scratch);
      } else {
        m.pmovzxbw(d, d);
        m.pmovzxbw(m.scratch, m.scratch);
      }
      break;
    }
    default: {
      bool is_signed = op == Op::I32x4ExtmulLowI16x8S || op == Op::I32x4ExtmulHighI16x8S ||
                       op == Op::I64x2ExtmulLowI32x4S || op == Op::I64x2ExtmulHighI32x4S;
      bool high = op == Op::I32x4ExtmulHighI16x8S || op == Op::I32x4ExtmulHighI16x8U ||
                  op == Op::I64x2ExtmulHighI32x4S || op == Op::I64x2ExtmulHighI32x4U;
      if (op_info(op).code <= 0xBF) {  // i32x4 from i16x8
        if (is_signed) m.pmulhw(m.scratch, l, r);
        else m.pmulhuw(m.scratch, l, r);
        m.pmullw(d, l, r);
        if (high) m.punpckhwd(d, d, m.scratch);
        else m.punpcklwd(d, d, m.scratch);
        return;
      }
      // i64x2 from i32x4: pmul(u)dq multiplies dwords 0 and 2.
      uint8_t spread = high ? 0xFA : 0x50;  // dwords (2,2,3,3) or (0,0,1,1)
      m.pshufd(d, l, spread);
      m.pshufd(m.scratch, r, spread);
      if (is_signed) m.pmuldq(d, d, m.scratch);
      else m.pmuludq(d, d, m.scratch);
      return;
    }
  }
  m.pmullw(d, d, m.scratch);
}

inline bool emit_conversion(SimdAsm& m, Op op, const Xmm& d, const Xmm& l, const Xmm& r,
                            const Xmm& tmp) {
  switch (op) {
    case Op::F32x4ConvertI32x4S: m.cvtdq2ps(d, l); return true;
    case Op::F32x4ConvertI32x4U: f32_from_u32(m, d, l); return true;
    case Op::I32x4TruncSatF32x4S: i32_trunc_sat_f32_s(m, d, l); return true;
    case Op::I32x4TruncSatF32x4U: i32_trunc_sat_f32_u(m, d, l, tmp); return true;
    case Op::I32x4TruncSatF64x2SZero: i32_trunc_sat_f64_s_zero(m, d, l); return true;
    case Op::I32x4TruncSatF64x2UZero: i32_trunc_sat_f64_u_zero(m, d, l); return true;
    case Op::F64x2ConvertLowI32x4S: m.cvtdq2pd(d, l); return true;
    case Op::F64x2ConvertLowI32x4U: f64_from_u32_low(m, d, l); return true;
    case Op::F32x4DemoteF64x2Zero: m.cvtpd2ps(d, l); return true;
    case Op::F64x2PromoteLowF32x4: m.cvtps2pd(d, l); return true;
    // Narrowing saturates signed inputs, as packs/packus do.
    case Op::I8x16NarrowI16x8S: m.packsswb(d, l, r); return true;
    case Op::I8x16NarrowI16x8U: m.packuswb(d, l, r); return true;
    case Op::I16x8NarrowI32x4S: m.packssdw(d, l, r); return true;
    case Op::I16x8NarrowI32x4U: m.packusdw(d, l, r); return true;
    case Op::I16x8ExtendLowI8x16S: m.pmovsxbw(d, l); return true;
    case Op::I16x8ExtendLowI8x16U: m.pmovzxbw(d, l); return true;
    case Op::I32x4ExtendLowI16x8S: m.pmovsxwd(d, l); return true;
    case Op::I32x4ExtendLowI16x8U: m.pmovzxwd(d, l); return true;
    case Op::I64x2ExtendLowI32x4S: m.pmovsxdq(d, l); return true;
    case Op::I64x2ExtendLowI32x4U: m.pmovzxdq(d, l); return true;
    case Op::I16x8ExtendHighI8x16S: high_half(m, d, l); m.pmovsxbw(d, d); return true;
    case Op::I16x8ExtendHighI8x16U: high_half(m, d, l); m.pmovzxbw(d, d); return true;
    case Op::I32x4ExtendHighI16x8S: high_half(m, d, l); m.pmovsxwd(d, d); return true;
    case Op::I32x4ExtendHighI16x8U: high_half(m, d, l); m.pmovzxwd(d, d); return true;
    case Op::I64x2ExtendHighI32x4S: high_half(m, d, l); m.pmovsxdq(d, d); return true;
    case Op::I64x2ExtendHighI32x4U: high_half(m, d, l); m.pmovzxdq(d, d); return true;
    // Pairwise sums: pmaddubsw takes its first operand unsigned and its second signed.
    case Op::I16x8ExtaddPairwiseI8x16S:
      m.mov(m.scratch, l);
      m.load(d, m.splat(uint8_t(1)));
      m.pmaddubsw(d, d, m.scratch);
      return true;
    case Op::I16x8ExtaddPairwiseI8x16U: m.pmaddubsw(d, l, m.splat(uint8_t(1))); return true;
    case Op::I32x4ExtaddPairwiseI16x8S: m.pmaddwd(d, l, m.splat(uint16_t(1))); return true;
    case Op::I32x4ExtaddPairwiseI16x8U:
      // Biased to signed (x - 0x8000), summed, and the two biases added back.
      m.pxor(d, l, m.splat(uint16_t(0x8000)));
      m.pmaddwd(d, d, m.splat(uint16_t(1)));
      m.paddd(d, d, m.splat(uint32_t(0x10000)));
      return true;
    case Op::I32x4DotI16x8S: m.pmaddwd(d, l, r); return true;
    case Op::I16x8ExtmulLowI8x16S: case Op::I16x8ExtmulHighI8x16S:
    case Op::I16x8ExtmulLowI8x16U: case Op::I16x8ExtmulHighI8x16U:
    case Op::I32x4ExtmulLowI16x8S: case Op::I32x4ExtmulHighI16x8S:
    case Op::I32x4ExtmulLowI16x8U: case Op::I32x4ExtmulHighI16x8U:
    case Op::I64x2ExtmulLowI32x4S: case Op::I64x2ExtmulHighI32x4S:
    case Op::I64x2ExtmulLowI32x4U: case Op::I64x2ExtmulHighI32x4U:
      extmul(m, op, d, l, r);
      return true;
    default: return false;
  }
}

}  // namespace wasm::detail::jit::simd_detail
