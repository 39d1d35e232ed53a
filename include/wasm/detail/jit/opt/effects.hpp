#pragma once
// What one instruction may do, from its opcode, its wasm operator and the flags passes set.
// Passes ask here before they move, merge or delete an instruction.
#include "wasm/detail/jit/opt/ir.hpp"

namespace wasm::detail::jit::opt {

constexpr bool is_int_div(Op op) {
  return (op >= Op::I32DivS && op <= Op::I32RemU) || (op >= Op::I64DivS && op <= Op::I64RemU);
}
constexpr bool is_signed_div(Op op) { return op == Op::I32DivS || op == Op::I64DivS; }
constexpr bool is_signed_rem(Op op) { return op == Op::I32RemS || op == Op::I64RemS; }

// Float-to-integer truncations that trap on NaN and overflow (not the saturating ones).
constexpr bool is_trapping_trunc(Op op) {
  return (op >= Op::I32TruncF32S && op <= Op::I32TruncF64U) ||
         (op >= Op::I64TruncF32S && op <= Op::I64TruncF64U);
}

// Whether a division still needs a check: div_s traps on zero and on INT_MIN / -1; the other
// three trap only on zero (rem_s of INT_MIN by -1 is 0, which the backend produces without a
// trap, so its overflow flag only saves the backend's special case).
constexpr bool division_may_trap(Op op, uint8_t flags) {
  if (!(flags & InstFlag::NoZeroCheck)) return true;
  return is_signed_div(op) && !(flags & InstFlag::NoOverflowCheck);
}

inline uint16_t effects(const Inst& in) {
  uint16_t fx = opcode_info(in.opc).flags;
  switch (in.opc) {
    case Opcode::Wasm:
      if (is_int_div(in.op) && division_may_trap(in.op, in.flags)) fx |= Fx::Trap;
      if (is_trapping_trunc(in.op)) fx |= Fx::Trap;
      break;
    case Opcode::GlobalGet:
      if (in.flags & InstFlag::Immutable) fx = Fx::None;
      break;
    default: break;
  }
  if (fx & Fx::Call) fx |= Fx::Trap | Fx::ReadMem | Fx::WriteMem | Fx::ReadGlobal | Fx::WriteGlobal |
                           Fx::ReadMemState;
  return fx;
}

// No effect at all: may be deleted when unused, merged with an equal one, and moved anywhere
// its operands are available.
inline bool is_pure(const Inst& in) { return effects(in) == Fx::None; }

// Deletable when its results are unused: it may read but neither write nor trap (a trap is
// observable, so an unused load or division stays).
inline bool is_removable(const Inst& in) {
  uint16_t fx = effects(in);
  return (fx & ~(Fx::ReadMem | Fx::ReadGlobal | Fx::ReadMemState)) == 0;
}

// Instructions that write something a read may observe.
constexpr uint16_t kWrites = Fx::WriteMem | Fx::WriteGlobal | Fx::Call;

}  // namespace wasm::detail::jit::opt
