#pragma once
// Lane shifts by an i32 count taken modulo the lane width (wasm masks; x86 would shift
// everything out). x86 has no byte shifts and no 64-bit arithmetic right shift: bytes shift as
// words with the bits that crossed a byte boundary masked off (or, arithmetic, widened to
// words and narrowed back); i64x2.shr_s is ((x >>u n) ^ m) - m with m = 1 << (63 - n).
#include "wasm/detail/jit/emit_simd_base.hpp"

namespace wasm::detail::jit::simd_detail {

// The count: an immediate, or a general purpose register (never modified).
struct ShiftCount {
  bool is_imm = false;
  uint32_t imm = 0;
  Xbyak::Reg32 reg;
};

inline int shift_lane_bits(Op op) {
  switch (op) {
    case Op::I8x16Shl: case Op::I8x16ShrS: case Op::I8x16ShrU: return 8;
    case Op::I16x8Shl: case Op::I16x8ShrS: case Op::I16x8ShrU: return 16;
    case Op::I32x4Shl: case Op::I32x4ShrS: case Op::I32x4ShrU: return 32;
    case Op::I64x2Shl: case Op::I64x2ShrS: case Op::I64x2ShrU: return 64;
    default: return 0;
  }
}

constexpr bool is_simd_shift(Op op) {
  switch (op) {
    case Op::I8x16Shl: case Op::I8x16ShrS: case Op::I8x16ShrU:
    case Op::I16x8Shl: case Op::I16x8ShrS: case Op::I16x8ShrU:
    case Op::I32x4Shl: case Op::I32x4ShrS: case Op::I32x4ShrU:
    case Op::I64x2Shl: case Op::I64x2ShrS: case Op::I64x2ShrU:
      return true;
    default: return false;
  }
}

// i8x16.shr_s: each byte widened into the high half of a word (punpck with itself), shifted
// arithmetically by n + 8, and narrowed back (the values fit, so no saturation).
inline void i8_shr_s(SimdAsm& m, const Xbyak::Xmm& d, const Xbyak::Xmm& src, const ShiftCount& c,
                     const Xbyak::Xmm& tmp) {
  m.punpckhbw(tmp, src, src);
  m.punpcklbw(d, src, src);
  if (c.is_imm) {
    uint8_t n = uint8_t((c.imm & 7) + 8);
    m.psraw(tmp, tmp, n);
    m.psraw(d, d, n);
  } else {
    m.a.mov(m.scratch_gpr.cvt32(), c.reg);
    m.a.and_(m.scratch_gpr.cvt32(), 7);
    m.a.add(m.scratch_gpr.cvt32(), 8);
    m.movd(m.scratch, m.scratch_gpr.cvt32());
    m.psraw(tmp, tmp, m.scratch);
    m.psraw(d, d, m.scratch);
  }
  m.packsswb(d, d, tmp);
}

// Emits `d = src << >> count` for a shift op. `tmp` is needed for i8x16 shifts and i64x2.shr_s.
inline void emit_shift(SimdAsm& m, Op op, const Xbyak::Xmm& d, const Xbyak::Xmm& src,
                       const ShiftCount& c, const Xbyak::Xmm& tmp) {
  using X = const Xbyak::Xmm&;
  const uint32_t mask = uint32_t(shift_lane_bits(op) - 1);
  if (op == Op::I8x16ShrS) {
    i8_shr_s(m, d, src, c, tmp);
    return;
  }
  if (c.is_imm) {
    const uint8_t n = uint8_t(c.imm & mask);
    switch (op) {
      case Op::I8x16Shl:
        m.psllw(d, src, n);
        m.pand(d, d, m.splat(uint8_t(0xFF << n)));
        return;
      case Op::I8x16ShrU:
        m.psrlw(d, src, n);
        m.pand(d, d, m.splat(uint8_t(0xFF >> n)));
        return;
      case Op::I16x8Shl: m.psllw(d, src, n); return;
      case Op::I16x8ShrS: m.psraw(d, src, n); return;
      case Op::I16x8ShrU: m.psrlw(d, src, n); return;
      case Op::I32x4Shl: m.pslld(d, src, n); return;
      case Op::I32x4ShrS: m.psrad(d, src, n); return;
      case Op::I32x4ShrU: m.psrld(d, src, n); return;
      case Op::I64x2Shl: m.psllq(d, src, n); return;
      case Op::I64x2ShrU: m.psrlq(d, src, n); return;
      case Op::I64x2ShrS: {
        m.psrlq(d, src, n);
        auto sign = m.splat(uint64_t(1) << (63 - n));
        m.pxor(d, d, sign);
        m.psubq(d, d, sign);
        return;
      }
      default: return;
    }
  }
  // Masked count into the scratch xmm register (the count register itself is left alone).
  m.a.mov(m.scratch_gpr.cvt32(), c.reg);
  m.a.and_(m.scratch_gpr.cvt32(), mask);
  m.movd(m.scratch, m.scratch_gpr.cvt32());
  X n = m.scratch;
  switch (op) {
    case Op::I8x16Shl:
      m.psllw(d, src, n);
      m.all_ones(tmp);
      m.psllw(tmp, tmp, n);  // low byte of each word: 0xFF << n
      m.zero(m.scratch);
      m.pshufb(tmp, tmp, m.scratch);  // broadcast byte 0
      m.pand(d, d, tmp);
      return;
    case Op::I8x16ShrU:
      m.psrlw(d, src, n);
      m.all_ones(tmp);
      m.psrlw(tmp, tmp, n);
      m.psrlw(tmp, tmp, 8);  // each word: 0xFF >> n
      m.packuswb(tmp, tmp, tmp);
      m.pand(d, d, tmp);
      return;
    case Op::I16x8Shl: m.psllw(d, src, n); return;
    case Op::I16x8ShrS: m.psraw(d, src, n); return;
    case Op::I16x8ShrU: m.psrlw(d, src, n); return;
    case Op::I32x4Shl: m.pslld(d, src, n); return;
    case Op::I32x4ShrS: m.psrad(d, src, n); return;
    case Op::I32x4ShrU: m.psrld(d, src, n); return;
    case Op::I64x2Shl: m.psllq(d, src, n); return;
    case Op::I64x2ShrU: m.psrlq(d, src, n); return;
    case Op::I64x2ShrS:
      m.load(tmp, m.splat(uint64_t(1) << 63));
      m.psrlq(tmp, tmp, n);
      m.psrlq(d, src, n);
      m.pxor(d, d, tmp);
      m.psubq(d, d, tmp);
      return;
    default: return;
  }
}

}  // namespace wasm::detail::jit::simd_detail
