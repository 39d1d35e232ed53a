#pragma once
// The abstract value stack of the single-pass compiler. Locals are its bottom entries; every
// entry says where its value is right now: a constant not yet materialised, a register
// (possibly shared with other entries), or the entry's own frame slot.
#include <cstdint>
#include <vector>

#include "wasm/detail/jit/regs.hpp"
#include "wasm/types.hpp"

namespace wasm::detail::jit {

struct VarState {
  enum class Loc : uint8_t { Stack, Reg, Const };

  Loc loc = Loc::Stack;
  ValType type = ValType::I32;
  Reg reg;
  int64_t imm = 0;  // Const: i32 (sign-extended), i64, or the bit pattern of f32/f64

  static VarState stack(ValType t) { return VarState{Loc::Stack, t, Reg{}, 0}; }
  static VarState in_reg(ValType t, Reg r) { return VarState{Loc::Reg, t, r, 0}; }
  static VarState constant(ValType t, int64_t v) { return VarState{Loc::Const, t, Reg{}, v}; }

  bool is_reg() const { return loc == Loc::Reg; }
  bool is_const() const { return loc == Loc::Const; }
  bool is_stack() const { return loc == Loc::Stack; }
  bool same_place(const VarState& o) const {
    if (loc != o.loc) return false;
    if (loc == Loc::Reg) return reg == o.reg;
    if (loc == Loc::Const) return imm == o.imm;
    return true;
  }
};

// A vector that keeps its capacity across functions (one per compiler thread), so pushing
// and popping never allocates once it has grown.
class ValueStack {
 public:
  void reset() {
    entries_.clear();
    max_height_ = 0;
  }
  uint32_t height() const { return uint32_t(entries_.size()); }
  uint32_t max_height() const { return max_height_; }
  VarState& operator[](uint32_t i) { return entries_[i]; }
  const VarState& operator[](uint32_t i) const { return entries_[i]; }
  VarState& back() { return entries_.back(); }
  VarState& from_top(uint32_t depth) { return entries_[entries_.size() - 1 - depth]; }

  void push(const VarState& s) {
    entries_.push_back(s);
    if (entries_.size() > max_height_) max_height_ = uint32_t(entries_.size());
  }
  VarState pop() {
    VarState s = entries_.back();
    entries_.pop_back();
    return s;
  }
  void truncate(uint32_t height) { entries_.resize(height); }
  void resize(uint32_t height, const VarState& fill) {
    entries_.resize(height, fill);
    if (height > max_height_) max_height_ = height;
  }
  const VarState* data() const { return entries_.data(); }

 private:
  std::vector<VarState> entries_;
  uint32_t max_height_ = 0;
};

}  // namespace wasm::detail::jit
