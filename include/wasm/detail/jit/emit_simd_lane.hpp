#pragma once
// Lane operations: splat, extract_lane, replace_lane, shuffle and swizzle; also the splat and
// lane parts of the SIMD loads and stores, which share these sequences. Scalars live as
// emit_numeric keeps them: i32/i64 in general purpose registers (i32 zero-extended), f32/f64 in
// the low lane of an xmm register (the other lanes are don't-care).
#include "wasm/detail/jit/emit_simd_base.hpp"

namespace wasm::detail::jit::simd_detail {

using Xbyak::Xmm;

// Broadcasts lane 0 of d (of 1, 2, 4 or 8 bytes) to every lane.
inline void broadcast_lane0(SimdAsm& m, const Xmm& d, int bytes) {
  if (m.cpu.avx2) {
    switch (bytes) {
      case 1: m.a.vpbroadcastb(d, d); return;
      case 2: m.a.vpbroadcastw(d, d); return;
      case 4: m.a.vpbroadcastd(d, d); return;
      default: m.a.vpbroadcastq(d, d); return;
    }
  }
  switch (bytes) {
    case 1:
      m.zero(m.scratch);
      m.pshufb(d, d, m.scratch);
      return;
    case 2:
      m.pshuflw(d, d, 0);
      m.pshufd(d, d, 0);
      return;
    case 4: m.pshufd(d, d, 0); return;
    default: m.punpcklqdq(d, d, d); return;
  }
}

// i8x16/i16x8/i32x4/i64x2.splat from a general purpose register.
inline void splat_int(SimdAsm& m, const Xmm& d, const Xbyak::Reg64& src, int bytes) {
  if (bytes == 8) m.movq(d, src);
  else m.movd(d, src.cvt32());
  broadcast_lane0(m, d, bytes);
}

inline void splat_f32(SimdAsm& m, const Xmm& d, const Xmm& src) {
  if (m.cpu.avx2) m.a.vbroadcastss(d, src);
  else m.shufps(d, src, src, 0);
}

inline void splat_f64(SimdAsm& m, const Xmm& d, const Xmm& src) { m.movddup(d, src); }

// extract_lane into a general purpose register (i32 zero-extended; _s sign-extends to 32).
inline void extract_int(SimdAsm& m, Op op, const Xbyak::Reg64& dst, const Xmm& src, uint8_t lane) {
  Xbyak::CodeGenerator& a = m.a;
  const Xbyak::Reg32 d32 = dst.cvt32();
  const bool avx = m.avx();
  switch (op) {
    case Op::I8x16ExtractLaneS:
    case Op::I8x16ExtractLaneU:
      if (avx) a.vpextrb(d32, src, lane);
      else a.pextrb(d32, src, lane);
      if (op == Op::I8x16ExtractLaneS) a.movsx(d32, dst.cvt8());
      return;
    case Op::I16x8ExtractLaneS:
    case Op::I16x8ExtractLaneU:
      if (avx) a.vpextrw(d32, src, lane);
      else a.pextrw(d32, src, lane);
      if (op == Op::I16x8ExtractLaneS) a.movsx(d32, dst.cvt16());
      return;
    case Op::I32x4ExtractLane:
      if (lane == 0) {
        if (avx) a.vmovd(d32, src);
        else a.movd(d32, src);
      } else if (avx) {
        a.vpextrd(d32, src, lane);
      } else {
        a.pextrd(d32, src, lane);
      }
      return;
    default:  // I64x2ExtractLane
      if (lane == 0) {
        if (avx) a.vmovq(dst, src);
        else a.movq(dst, src);
      } else if (avx) {
        a.vpextrq(dst, src, lane);
      } else {
        a.pextrq(dst, src, lane);
      }
      return;
  }
}

// f32x4/f64x2.extract_lane: the lane moved to lane 0.
inline void extract_float(SimdAsm& m, Op op, const Xmm& d, const Xmm& src, uint8_t lane) {
  if (lane == 0) {
    m.mov(d, src);
  } else if (op == Op::F32x4ExtractLane) {
    m.pshufd(d, src, lane);
  } else {
    m.pshufd(d, src, 0xEE);
  }
}

// replace_lane: d = vec with one lane from `value` (a general purpose or xmm register).
inline void replace_lane(SimdAsm& m, Op op, const Xmm& d, const Xmm& vec,
                         const Xbyak::Reg64& int_value, const Xmm& float_value, uint8_t lane) {
  switch (op) {
    case Op::I8x16ReplaceLane: m.pinsrb(d, vec, int_value.cvt32(), lane); return;
    case Op::I16x8ReplaceLane: m.pinsrw(d, vec, int_value.cvt32(), lane); return;
    case Op::I32x4ReplaceLane: m.pinsrd(d, vec, int_value.cvt32(), lane); return;
    case Op::I64x2ReplaceLane: m.pinsrq(d, vec, int_value, lane); return;
    case Op::F32x4ReplaceLane: m.insertps(d, vec, float_value, uint8_t(lane << 4)); return;
    default:  // F64x2ReplaceLane
      if (lane == 0) m.movsd(d, vec, float_value);
      else m.movlhps(d, vec, float_value);
      return;
  }
}

// i8x16.shuffle: each operand's bytes picked by pshufb (index bit 7 zeroes a byte), then or-ed.
inline void shuffle(SimdAsm& m, const Xmm& d, const Xmm& l, const Xmm& r, const V128Bytes& lanes) {
  V128Bytes from_l, from_r;
  bool uses_l = false, uses_r = false;
  for (size_t i = 0; i < 16; ++i) {
    uint8_t s = lanes[i] & 31;
    from_l[i] = s < 16 ? s : 0x80;
    from_r[i] = s >= 16 ? uint8_t(s - 16) : 0x80;
    uses_l |= s < 16;
    uses_r |= s >= 16;
  }
  if (!uses_r) {
    m.pshufb(d, l, m.constant(from_l));
  } else if (!uses_l) {
    m.pshufb(d, r, m.constant(from_r));
  } else {
    m.pshufb(m.scratch, r, m.constant(from_r));
    m.pshufb(d, l, m.constant(from_l));
    m.por(d, d, m.scratch);
  }
}

// i8x16.swizzle: indices >= 16 select zero. Adding 0x70 with unsigned saturation keeps the low
// four bits of indices below 16 and sets bit 7 (pshufb's zero) for all others.
inline void swizzle(SimdAsm& m, const Xmm& d, const Xmm& l, const Xmm& r) {
  m.paddusb(m.scratch, r, m.splat(uint8_t(0x70)));
  m.pshufb(d, l, m.scratch);
}

}  // namespace wasm::detail::jit::simd_detail
