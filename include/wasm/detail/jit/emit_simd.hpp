#pragma once
// Machine code for the 128-bit SIMD instructions, with exact wasm semantics (NaN and signed
// zero rules of min/max, saturation, masked shift counts, out-of-range swizzle indices).
// SSE4.1 is the floor; with CpuFeatures::avx every operation uses its VEX form, with avx2 the
// broadcasts use vpbroadcast*, with sse42 i64x2 comparisons use pcmpgtq.
//
// Register contract, for every emitter of emit_simd*.hpp:
//  - v128 values live in whole xmm registers; scalars as emit_numeric keeps them.
//  - dst is either a register holding none of the operands, or the first operand (lhs) when no
//    other operand is in that register. Operands may share a register with each other.
//  - tmp (only for ops with simd_needs_temp) is a register distinct from all of the above.
//  - SimdAsm's scratch registers (xmm15, r11) are clobbered freely; flags too.
#include "wasm/detail/jit/emit_simd_base.hpp"
#include "wasm/detail/jit/emit_simd_conv.hpp"
#include "wasm/detail/jit/emit_simd_float.hpp"
#include "wasm/detail/jit/emit_simd_int.hpp"
#include "wasm/detail/jit/emit_simd_lane.hpp"
#include "wasm/detail/jit/emit_simd_shift.hpp"

namespace wasm::detail::jit {

// Ops whose sequence needs an extra xmm register besides dst and scratch.
constexpr bool simd_needs_temp(Op op) {
  switch (op) {
    case Op::I64x2GtS: case Op::I64x2LtS: case Op::I64x2LeS: case Op::I64x2GeS:
    case Op::I64x2Mul:
    case Op::I8x16Popcnt:
    case Op::F32x4Min: case Op::F32x4Max: case Op::F64x2Min: case Op::F64x2Max:
    case Op::I32x4TruncSatF32x4U:
    case Op::I8x16Shl: case Op::I8x16ShrS: case Op::I8x16ShrU:
    case Op::I64x2ShrS:
      return true;
    default: return false;
  }
}

// dst = op(lhs[, rhs[, third]]) for the ops whose operands and result are all v128 (except
// shuffle, which takes its lanes separately). Throws std::logic_error for any other op.
inline void emit_simd_v128_op(SimdAsm& m, Op op, const Xbyak::Xmm& dst, const Xbyak::Xmm& lhs,
                              const Xbyak::Xmm& rhs, const Xbyak::Xmm& third,
                              const Xbyak::Xmm& tmp) {
  using namespace simd_detail;
  if (op == Op::I8x16Swizzle) {
    swizzle(m, dst, lhs, rhs);
    return;
  }
  if (emit_int_op(m, op, dst, lhs, rhs, third, tmp)) return;
  if (emit_float_op(m, op, dst, lhs, rhs, tmp)) return;
  if (emit_conversion(m, op, dst, lhs, rhs, tmp)) return;
  numeric_detail::bad_operands("unhandled SIMD op");
}

}  // namespace wasm::detail::jit
