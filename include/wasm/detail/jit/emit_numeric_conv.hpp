#pragma once
// Conversions of emit_numeric between integer and float classes: truncations (trapping and
// saturating), int -> float conversions, demote/promote and reinterpretations.
#include "wasm/detail/jit/emit_numeric_base.hpp"

namespace wasm::detail::jit::numeric_detail {

inline bool emit_conversion(Xbyak::CodeGenerator&, Op, NumOperand, NumOperand, const Scratch&,
                            TrapSink&) {
  return false;  // not yet implemented
}

}  // namespace wasm::detail::jit::numeric_detail
