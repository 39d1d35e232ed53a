#pragma once
// Moving the current value-stack state into a merge state (the state a label expects): at
// block ends, branches and loop back edges.
//
// A merge state covers the entries below the target's base (locals and values the block
// cannot touch) and the branch values on top. Its rules, set by make_merge_state, are what make
// one simple order of moves correct:
//   * each register appears at most once, so register moves are a permutation-like parallel
//     move (cycles broken with the scratch register);
//   * branch values always go to their frame slots. Their sources sit at or above their
//     destinations, so copying them in increasing order never overwrites a source still needed;
//   * entries below the base keep their position, so a load into a merge register only ever
//     reads the entry's own slot, which no store of the transfer writes.
#include <xbyak/xbyak.h>

#include <cstdint>

#include "wasm/detail/jit/masm.hpp"
#include "wasm/detail/jit/value_stack.hpp"

namespace wasm::detail::jit {

// Emits a parallel register-to-register move. Destinations are distinct; a source may feed
// several destinations.
class RegMoveResolver {
 public:
  void add(Reg src, Reg dst) {
    if (src == dst) return;
    moves_[count_++] = Move{src, dst};
  }

  void emit(Xbyak::CodeGenerator& a) {
    while (count_ > 0) {
      bool progress = false;
      for (uint32_t i = 0; i < count_;) {
        if (!is_pending_source(moves_[i].dst)) {
          masm::move(a, moves_[i].dst, moves_[i].src);
          moves_[i] = moves_[--count_];
          progress = true;
        } else {
          ++i;
        }
      }
      if (progress) continue;
      // Only cycles are left: park one destination's old value in the scratch register.
      Reg blocked = moves_[0].dst;
      Reg scratch = blocked.is_xmm() ? kScratchXmm : kScratchGpr;
      masm::move(a, scratch, blocked);
      for (uint32_t i = 0; i < count_; ++i) {
        if (moves_[i].src == blocked) moves_[i].src = scratch;
      }
    }
  }

 private:
  struct Move {
    Reg src, dst;
  };
  bool is_pending_source(Reg r) const {
    for (uint32_t i = 0; i < count_; ++i) {
      if (moves_[i].src == r) return true;
    }
    return false;
  }
  Move moves_[32];
  uint32_t count_ = 0;
};

// Builds a merge state in `out` (base + arity entries) from the current state, for a label
// whose branch values are the top `arity` entries. Locals and the entries below `base` keep
// their registers when not already taken; locals lose their constants (they may change
// before the next branch), other entries keep them (they cannot change inside the block).
inline void make_merge_state(const ValueStack& cur, uint32_t num_locals, uint32_t base,
                             uint32_t arity, VarState* out) {
  RegSet taken;
  for (uint32_t i = 0; i < base; ++i) {
    VarState s = cur[i];
    if (s.is_reg()) {
      if (taken.has(s.reg)) s = VarState::stack(s.type);
      else taken.add(s.reg);
    } else if (s.is_const() && i < num_locals) {
      s = VarState::stack(s.type);
    }
    out[i] = s;
  }
  uint32_t top = cur.height() - arity;
  for (uint32_t m = 0; m < arity; ++m) out[base + m] = VarState::stack(cur[top + m].type);
}

// True when the current state already is the merge state (nothing to emit).
inline bool transfer_is_noop(const ValueStack& cur, const VarState* target, uint32_t base,
                             uint32_t arity) {
  uint32_t top = cur.height() - arity;
  for (uint32_t i = 0; i < base; ++i) {
    if (!cur[i].same_place(target[i])) return false;
  }
  for (uint32_t m = 0; m < arity; ++m) {
    if (!cur[top + m].is_stack() || top != base) return false;
  }
  return true;
}

// Emits the moves from the current state to `target`. Leaves the current state unchanged
// (a br_if continues with it on the fall-through path).
inline void emit_transfer(Xbyak::CodeGenerator& a, const ValueStack& cur, const VarState* target,
                          uint32_t base, uint32_t arity) {
  const uint32_t top = cur.height() - arity;
  // 1. Everything that goes to memory, in increasing slot order.
  for (uint32_t i = 0; i < base; ++i) {
    const VarState& src = cur[i];
    if (target[i].is_stack() && !src.is_stack()) masm::store_var(a, masm::slot_addr(a, i), src, i);
  }
  for (uint32_t m = 0; m < arity; ++m) {
    const VarState& src = cur[top + m];
    if (src.is_stack() && top == base) continue;
    masm::store_var(a, masm::slot_addr(a, base + m), src, top + m);
  }
  // 2. Register to register.
  RegMoveResolver moves;
  for (uint32_t i = 0; i < base; ++i) {
    if (target[i].is_reg() && cur[i].is_reg()) moves.add(cur[i].reg, target[i].reg);
  }
  moves.emit(a);
  // 3. Loads of constants and slots into registers.
  for (uint32_t i = 0; i < base; ++i) {
    if (target[i].is_reg() && !cur[i].is_reg()) masm::load_var(a, target[i].reg, cur[i], i);
  }
}

}  // namespace wasm::detail::jit
