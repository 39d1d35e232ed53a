#pragma once
// Integer lane arithmetic, comparisons, bitwise operations and the v128 -> i32 reductions
// (any_true, all_true, bitmask). Register contract: see emit_simd.hpp.
#include "wasm/detail/jit/emit_simd_base.hpp"

namespace wasm::detail::jit::simd_detail {

using Xbyak::Xmm;
using Op3 = void (SimdAsm::*)(const Xmm&, const Xmm&, const Xbyak::Operand&);

inline void bitwise_not(SimdAsm& m, const Xmm& dst, const Xmm& src) {
  m.all_ones(m.scratch);
  m.pxor(dst, src, m.scratch);
}

// dst = (l == pick(l, r)) lane-wise, e.g. pick = min_u gives l <=u r.
inline void compare_via_minmax(SimdAsm& m, Op3 pick, Op3 eq, const Xmm& dst, const Xmm& l,
                               const Xmm& r, bool negate) {
  (m.*pick)(m.scratch, l, r);
  (m.*eq)(dst, l, m.scratch);
  if (negate) bitwise_not(m, dst, dst);
}

// i64x2 a > b (signed). pcmpgtq is SSE4.2; without it: the sign of
// (b & ~a) | (~(a ^ b) & (b - a)), which is b - a's sign unless the subtraction overflowed.
inline void i64_greater(SimdAsm& m, const Xmm& dst, const Xmm& a, const Xmm& b, const Xmm& tmp) {
  if (m.cpu.sse42) {
    m.pcmpgtq(dst, a, b);
    return;
  }
  m.psubq(tmp, b, a);
  m.pxor(m.scratch, a, b);
  m.pandn(m.scratch, m.scratch, tmp);
  m.pandn(tmp, a, b);
  m.por(dst, tmp, m.scratch);
  m.psrad(dst, dst, 31);
  m.pshufd(dst, dst, 0xF5);  // each qword's high dword into both halves
}

// Integer comparisons of one lane width: 0 = i8, 1 = i16, 2 = i32.
struct IntCompareOps {
  Op3 eq, gt, min_s, max_s, min_u, max_u;
};

inline const IntCompareOps& int_compare_ops(int width) {
  static const IntCompareOps ops[3] = {
      {&SimdAsm::pcmpeqb, &SimdAsm::pcmpgtb, &SimdAsm::pminsb, &SimdAsm::pmaxsb,
       &SimdAsm::pminub, &SimdAsm::pmaxub},
      {&SimdAsm::pcmpeqw, &SimdAsm::pcmpgtw, &SimdAsm::pminsw, &SimdAsm::pmaxsw,
       &SimdAsm::pminuw, &SimdAsm::pmaxuw},
      {&SimdAsm::pcmpeqd, &SimdAsm::pcmpgtd, &SimdAsm::pminsd, &SimdAsm::pmaxsd,
       &SimdAsm::pminud, &SimdAsm::pmaxud}};
  return ops[width];
}

// The ten comparisons of i8x16/i16x8/i32x4 in opcode order: eq ne lt_s lt_u gt_s gt_u le_s le_u
// ge_s ge_u.
inline void emit_int_compare(SimdAsm& m, int width, int which, const Xmm& d, const Xmm& l,
                             const Xmm& r) {
  const IntCompareOps& o = int_compare_ops(width);
  switch (which) {
    case 0: (m.*o.eq)(d, l, r); return;
    case 1: (m.*o.eq)(d, l, r); bitwise_not(m, d, d); return;
    case 2: (m.*o.gt)(d, r, l); return;
    case 3: compare_via_minmax(m, o.max_u, o.eq, d, l, r, true); return;   // !(l >=u r)
    case 4: (m.*o.gt)(d, l, r); return;
    case 5: compare_via_minmax(m, o.min_u, o.eq, d, l, r, true); return;   // !(l <=u r)
    case 6: compare_via_minmax(m, o.min_s, o.eq, d, l, r, false); return;
    case 7: compare_via_minmax(m, o.min_u, o.eq, d, l, r, false); return;
    case 8: compare_via_minmax(m, o.max_s, o.eq, d, l, r, false); return;
    default: compare_via_minmax(m, o.max_u, o.eq, d, l, r, false); return;
  }
}

// dst = 0 - src, lane-wise.
inline void negate(SimdAsm& m, Op3 sub, const Xmm& dst, const Xmm& src) {
  m.mov(m.scratch, src);
  m.zero(dst);
  (m.*sub)(dst, dst, m.scratch);
}

// Popcount of each byte: two 16-entry table lookups (pshufb), one per nibble.
inline void i8_popcnt(SimdAsm& m, const Xmm& dst, const Xmm& src, const Xmm& tmp) {
  static constexpr V128Bytes kNibbleCounts = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
  m.psrlw(tmp, src, 4);
  m.pand(tmp, tmp, m.splat(uint8_t(0x0F)));
  m.pand(dst, src, m.splat(uint8_t(0x0F)));
  m.load(m.scratch, m.constant(kNibbleCounts));
  m.pshufb(m.scratch, m.scratch, dst);
  m.load(dst, m.constant(kNibbleCounts));
  m.pshufb(dst, dst, tmp);
  m.paddb(dst, dst, m.scratch);
}

// i64x2.mul: the low 64 bits of the product from three 32x32->64 multiplies.
inline void i64_mul(SimdAsm& m, const Xmm& dst, const Xmm& l, const Xmm& r, const Xmm& tmp) {
  m.psrlq(tmp, l, 32);
  m.pmuludq(tmp, tmp, r);            // hi(l) * lo(r)
  m.psrlq(m.scratch, r, 32);
  m.pmuludq(m.scratch, m.scratch, l);  // lo(l) * hi(r)
  m.paddq(tmp, tmp, m.scratch);
  m.psllq(tmp, tmp, 32);
  m.pmuludq(dst, l, r);              // lo(l) * lo(r)
  m.paddq(dst, dst, tmp);
}

// Integer ops with v128 operands and result. False when `op` is not one of them.
inline bool emit_int_op(SimdAsm& m, Op op, const Xmm& d, const Xmm& l, const Xmm& r,
                        const Xmm& third, const Xmm& tmp) {
  const int code = int(op_info(op).code);
  if (code >= 0x23 && code <= 0x40) {  // i8x16, i16x8, i32x4 comparisons
    emit_int_compare(m, (code - 0x23) / 10, (code - 0x23) % 10, d, l, r);
    return true;
  }
  switch (op) {
    // i64x2 comparisons
    case Op::I64x2Eq: m.pcmpeqq(d, l, r); return true;
    case Op::I64x2Ne: m.pcmpeqq(d, l, r); bitwise_not(m, d, d); return true;
    case Op::I64x2GtS: i64_greater(m, d, l, r, tmp); return true;
    case Op::I64x2LtS: i64_greater(m, d, r, l, tmp); return true;
    case Op::I64x2LeS: i64_greater(m, d, l, r, tmp); bitwise_not(m, d, d); return true;
    case Op::I64x2GeS: i64_greater(m, d, r, l, tmp); bitwise_not(m, d, d); return true;
    // bitwise
    case Op::V128Not: bitwise_not(m, d, l); return true;
    case Op::V128And: m.pand(d, l, r); return true;
    case Op::V128AndNot: m.pandn(d, r, l); return true;  // pandn is ~first & second
    case Op::V128Or: m.por(d, l, r); return true;
    case Op::V128Xor: m.pxor(d, l, r); return true;
    case Op::V128Bitselect:  // r ^ ((l ^ r) & mask)
      m.pxor(d, l, r);
      m.pand(d, d, third);
      m.pxor(d, d, r);
      return true;
    // unary
    case Op::I8x16Abs: m.pabsb(d, l); return true;
    case Op::I16x8Abs: m.pabsw(d, l); return true;
    case Op::I32x4Abs: m.pabsd(d, l); return true;
    case Op::I64x2Abs:  // (x ^ sign) - sign
      m.psrad(m.scratch, l, 31);
      m.pshufd(m.scratch, m.scratch, 0xF5);
      m.pxor(d, l, m.scratch);
      m.psubq(d, d, m.scratch);
      return true;
    case Op::I8x16Neg: negate(m, &SimdAsm::psubb, d, l); return true;
    case Op::I16x8Neg: negate(m, &SimdAsm::psubw, d, l); return true;
    case Op::I32x4Neg: negate(m, &SimdAsm::psubd, d, l); return true;
    case Op::I64x2Neg: negate(m, &SimdAsm::psubq, d, l); return true;
    case Op::I8x16Popcnt: i8_popcnt(m, d, l, tmp); return true;
    // arithmetic
    case Op::I8x16Add: m.paddb(d, l, r); return true;
    case Op::I16x8Add: m.paddw(d, l, r); return true;
    case Op::I32x4Add: m.paddd(d, l, r); return true;
    case Op::I64x2Add: m.paddq(d, l, r); return true;
    case Op::I8x16Sub: m.psubb(d, l, r); return true;
    case Op::I16x8Sub: m.psubw(d, l, r); return true;
    case Op::I32x4Sub: m.psubd(d, l, r); return true;
    case Op::I64x2Sub: m.psubq(d, l, r); return true;
    case Op::I8x16AddSatS: m.paddsb(d, l, r); return true;
    case Op::I8x16AddSatU: m.paddusb(d, l, r); return true;
    case Op::I8x16SubSatS: m.psubsb(d, l, r); return true;
    case Op::I8x16SubSatU: m.psubusb(d, l, r); return true;
    case Op::I16x8AddSatS: m.paddsw(d, l, r); return true;
    case Op::I16x8AddSatU: m.paddusw(d, l, r); return true;
    case Op::I16x8SubSatS: m.psubsw(d, l, r); return true;
    case Op::I16x8SubSatU: m.psubusw(d, l, r); return true;
    case Op::I16x8Mul: m.pmullw(d, l, r); return true;
    case Op::I32x4Mul: m.pmulld(d, l, r); return true;
    case Op::I64x2Mul: i64_mul(m, d, l, r, tmp); return true;
    case Op::I8x16MinS: m.pminsb(d, l, r); return true;
    case Op::I8x16MinU: m.pminub(d, l, r); return true;
    case Op::I8x16MaxS: m.pmaxsb(d, l, r); return true;
    case Op::I8x16MaxU: m.pmaxub(d, l, r); return true;
    case Op::I16x8MinS: m.pminsw(d, l, r); return true;
    case Op::I16x8MinU: m.pminuw(d, l, r); return true;
    case Op::I16x8MaxS: m.pmaxsw(d, l, r); return true;
    case Op::I16x8MaxU: m.pmaxuw(d, l, r); return true;
    case Op::I32x4MinS: m.pminsd(d, l, r); return true;
    case Op::I32x4MinU: m.pminud(d, l, r); return true;
    case Op::I32x4MaxS: m.pmaxsd(d, l, r); return true;
    case Op::I32x4MaxU: m.pmaxud(d, l, r); return true;
    case Op::I8x16AvgrU: m.pavgb(d, l, r); return true;
    case Op::I16x8AvgrU: m.pavgw(d, l, r); return true;
    case Op::I16x8Q15mulrSatS:
      // pmulhrsw rounds like wasm but wraps the one overflow (-32768 * -32768) to 0x8000.
      m.pmulhrsw(d, l, r);
      m.pcmpeqw(m.scratch, d, m.splat(uint16_t(0x8000)));
      m.pxor(d, d, m.scratch);
      return true;
    default: return false;
  }
}

// v128 -> i32: any_true, all_true, bitmask. `dst` is a general purpose register (the i32 is
// zero-extended in it). False when `op` is not one of them.
inline bool emit_reduction(SimdAsm& m, Op op, const Xbyak::Reg64& dst, const Xmm& src) {
  Xbyak::CodeGenerator& a = m.a;
  const Xbyak::Reg32 d32 = dst.cvt32();
  auto all_true = [&](Op3 eq) {
    m.zero(m.scratch);
    (m.*eq)(m.scratch, m.scratch, src);  // lanes that are zero become all ones
    m.ptest(m.scratch, m.scratch);
    emit_setcc(a, CompareCond::E, dst);
  };
  switch (op) {
    case Op::V128AnyTrue:
      m.ptest(src, src);
      emit_setcc(a, CompareCond::NE, dst);
      return true;
    case Op::I8x16AllTrue: all_true(&SimdAsm::pcmpeqb); return true;
    case Op::I16x8AllTrue: all_true(&SimdAsm::pcmpeqw); return true;
    case Op::I32x4AllTrue: all_true(&SimdAsm::pcmpeqd); return true;
    case Op::I64x2AllTrue: all_true(&SimdAsm::pcmpeqq); return true;
    case Op::I8x16Bitmask:
      if (m.avx()) a.vpmovmskb(d32, src);
      else a.pmovmskb(d32, src);
      return true;
    case Op::I16x8Bitmask:  // saturating to bytes keeps each sign; both halves hold the mask
      m.packsswb(m.scratch, src, src);
      if (m.avx()) a.vpmovmskb(d32, m.scratch);
      else a.pmovmskb(d32, m.scratch);
      a.shr(d32, 8);
      return true;
    case Op::I32x4Bitmask:
      if (m.avx()) a.vmovmskps(d32, src);
      else a.movmskps(d32, src);
      return true;
    case Op::I64x2Bitmask:
      if (m.avx()) a.vmovmskpd(d32, src);
      else a.movmskpd(d32, src);
      return true;
    default: return false;
  }
}

}  // namespace wasm::detail::jit::simd_detail
