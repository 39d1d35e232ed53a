#pragma once
// Float instructions of emit_numeric (f32 and f64): arithmetic, min/max, rounding, sign bit ops
// and comparisons.
#include "wasm/detail/jit/emit_numeric_base.hpp"

namespace wasm::detail::jit::numeric_detail {

inline bool emit_float_op(Xbyak::CodeGenerator&, Op, NumOperand, NumOperand, NumOperand,
                          const Scratch&) {
  return false;  // not yet implemented
}

}  // namespace wasm::detail::jit::numeric_detail
