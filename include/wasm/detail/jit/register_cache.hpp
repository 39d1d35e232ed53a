#pragma once
// Which registers hold values of the value stack, and how many stack entries share each one.
// A register may only be overwritten in place when no other entry uses it; popping an entry
// gives up its use, after which the caller pins the register until it is done with it.
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

#include "wasm/detail/jit/regs.hpp"
#include "wasm/detail/jit/value_stack.hpp"

namespace wasm::detail::jit {

class RegisterCache {
 public:
  void reset() {
    std::memset(use_count_, 0, sizeof(use_count_));
    used_ = RegSet();
  }
  uint32_t use_count(Reg r) const { return use_count_[r.id]; }
  bool is_used(Reg r) const { return used_.has(r); }
  RegSet used() const { return used_; }

  void inc(Reg r) {
    if (use_count_[r.id]++ == 0) used_.add(r);
  }
  void dec(Reg r) {
    if (--use_count_[r.id] == 0) used_.remove(r);
  }

  // Recounts from scratch after the whole stack was replaced (block ends, else).
  void recount(const ValueStack& stack) {
    reset();
    for (uint32_t i = 0; i < stack.height(); ++i) {
      if (stack[i].is_reg()) inc(stack[i].reg);
    }
  }

  // A register of the class that holds no stack value and is not pinned.
  std::optional<Reg> free_reg(RegClass cls, RegSet pinned) const {
    for (Reg r : candidates(cls)) {
      if (!used_.has(r) && !pinned.has(r)) return r;
    }
    return std::nullopt;
  }

  // The next register to spill, round-robin so that one hot value is not spilled over and
  // over. Never a pinned one; the class always has more registers than any caller pins.
  Reg spill_candidate(RegClass cls, RegSet pinned) {
    std::span<const Reg> regs = candidates(cls);
    uint8_t& next = cls == RegClass::Gpr ? next_gpr_ : next_xmm_;
    for (size_t tries = 0; tries < regs.size(); ++tries) {
      Reg r = regs[next];
      next = uint8_t((next + 1) % regs.size());
      if (used_.has(r) && !pinned.has(r)) return r;
    }
    return regs[0];  // unreachable when free_reg failed and fewer than all are pinned
  }

  static std::span<const Reg> candidates(RegClass cls) {
    if (cls == RegClass::Gpr) return std::span<const Reg>(kAllocGprs);
    return std::span<const Reg>(kAllocXmms);
  }

 private:
  uint32_t use_count_[32] = {};
  RegSet used_;
  uint8_t next_gpr_ = 0;
  uint8_t next_xmm_ = 0;
};

}  // namespace wasm::detail::jit
