#pragma once
// NaN canonicalization (Config::deterministic): a NaN that floating-point arithmetic produces
// has hardware-chosen sign and payload bits (x86 propagates an input's payload, or makes the
// "default NaN" with the sign bit set), which a program can observe by reinterpreting it. In
// deterministic mode every such result is replaced by the canonical NaN (positive, quiet, zero
// payload), so that results are the same bits on every machine and in every tier. Operations
// that only move or select bits (abs, neg, copysign, pmin/pmax, loads, reinterpret) are exact
// in the spec and are left alone.
#include "wasm/detail/binary/opcodes.hpp"
#include "wasm/detail/jit/emit_simd_base.hpp"

namespace wasm::detail::jit {

// Whether op's result is computed by IEEE arithmetic that may produce or propagate a NaN.
constexpr bool produces_arithmetic_nan(Op op) {
  switch (op) {
    case Op::F32Ceil: case Op::F32Floor: case Op::F32Trunc: case Op::F32Nearest: case Op::F32Sqrt:
    case Op::F32Add: case Op::F32Sub: case Op::F32Mul: case Op::F32Div: case Op::F32Min: case Op::F32Max:
    case Op::F64Ceil: case Op::F64Floor: case Op::F64Trunc: case Op::F64Nearest: case Op::F64Sqrt:
    case Op::F64Add: case Op::F64Sub: case Op::F64Mul: case Op::F64Div: case Op::F64Min: case Op::F64Max:
    case Op::F32DemoteF64: case Op::F64PromoteF32:
    case Op::F32x4DemoteF64x2Zero: case Op::F64x2PromoteLowF32x4:
    case Op::F32x4Ceil: case Op::F32x4Floor: case Op::F32x4Trunc: case Op::F32x4Nearest:
    case Op::F64x2Ceil: case Op::F64x2Floor: case Op::F64x2Trunc: case Op::F64x2Nearest:
    case Op::F32x4Sqrt: case Op::F32x4Add: case Op::F32x4Sub: case Op::F32x4Mul: case Op::F32x4Div:
    case Op::F32x4Min: case Op::F32x4Max:
    case Op::F64x2Sqrt: case Op::F64x2Add: case Op::F64x2Sub: case Op::F64x2Mul: case Op::F64x2Div:
    case Op::F64x2Min: case Op::F64x2Max:
    case Op::F32x4RelaxedMadd: case Op::F32x4RelaxedNmadd: case Op::F64x2RelaxedMadd:
    case Op::F64x2RelaxedNmadd: case Op::F32x4RelaxedMin: case Op::F32x4RelaxedMax:
    case Op::F64x2RelaxedMin: case Op::F64x2RelaxedMax:
      return true;
    default: return false;
  }
}

// Whether op's result lanes are f64 (else f32); for the ops above.
constexpr bool nan_result_is_f64(Op op) {
  const OpInfo& info = op_info(op);
  if (info.result == Slot::F64) return true;
  if (info.result == Slot::F32) return false;
  switch (op) {
    case Op::F64x2PromoteLowF32x4: case Op::F64x2Ceil: case Op::F64x2Floor: case Op::F64x2Trunc:
    case Op::F64x2Nearest: case Op::F64x2Sqrt: case Op::F64x2Add: case Op::F64x2Sub: case Op::F64x2Mul:
    case Op::F64x2Div: case Op::F64x2Min: case Op::F64x2Max: case Op::F64x2RelaxedMadd:
    case Op::F64x2RelaxedNmadd: case Op::F64x2RelaxedMin: case Op::F64x2RelaxedMax:
      return true;
    default: return false;
  }
}

inline constexpr uint32_t kCanonicalNan32 = 0x7FC00000u;
inline constexpr uint64_t kCanonicalNan64 = 0x7FF8000000000000ull;

// A scalar in x: when it is a NaN, the canonical one. Clobbers `gpr` and the flags.
inline void canonicalize_scalar_nan(Xbyak::CodeGenerator& a, const Xbyak::Xmm& x, bool is_f64,
                                    const Xbyak::Reg64& gpr) {
  Xbyak::Label done;
  if (is_f64) a.ucomisd(x, x);
  else a.ucomiss(x, x);
  a.jnp(done);  // ordered: not a NaN
  if (is_f64) {
    a.mov(gpr, kCanonicalNan64);
    a.movq(x, gpr);
  } else {
    a.mov(gpr.cvt32(), kCanonicalNan32);
    a.movd(x, gpr.cvt32());
  }
  a.L(done);
}

// Each NaN lane of x becomes the canonical NaN: x | mask sets a NaN lane's bits all to one,
// xor with (mask & ~canonical) leaves the canonical NaN. Every step writes its first operand,
// as SimdAsm's SSE form needs while a value lives in scratch. Clobbers m.scratch.
inline void canonicalize_vector_nans(SimdAsm& m, const Xbyak::Xmm& x, bool is_f64) {
  constexpr uint8_t kUnordered = 3;
  if (is_f64) m.cmppd(m.scratch, x, x, kUnordered);  // all ones where NaN
  else m.cmpps(m.scratch, x, x, kUnordered);
  m.orps(x, x, m.scratch);
  if (is_f64) m.andps(m.scratch, m.scratch, m.splat(~kCanonicalNan64));
  else m.andps(m.scratch, m.scratch, m.splat(~kCanonicalNan32));
  m.xorps(x, x, m.scratch);
}

}  // namespace wasm::detail::jit
