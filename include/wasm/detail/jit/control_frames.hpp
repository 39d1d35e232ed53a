#pragma once
// Control frames of the single-pass compiler: one per open block/loop/if (and the function
// body), with the label branches jump to and where the merge state of that label lives.
#include <xbyak/xbyak.h>

#include <cstdint>
#include <span>
#include <vector>

#include "wasm/detail/binary/instruction.hpp"
#include "wasm/detail/jit/labels.hpp"
#include "wasm/detail/jit/value_stack.hpp"
#include "wasm/types.hpp"

namespace wasm::detail::jit {

struct ControlFrame {
  enum class Kind : uint8_t { Function, Block, Loop, If };

  Kind kind = Kind::Block;
  // The block type: a function type, or at most one result held inline (frames move when
  // the frame vector grows, so spans are made on demand rather than stored).
  const FuncType* type = nullptr;
  bool has_single_result = false;
  ValType single_result = ValType::I32;
  uint32_t base = 0;            // stack height below the block's parameters
  LabelId label = 0;            // end (block, if, function) or head (loop)
  LabelId else_label = 0;       // if: where the false branch starts
  uint32_t merge_at = 0;        // merge state: StateArena offset, base + branch_arity() entries
  uint32_t else_state_at = 0;   // if: the state at entry, for the else branch
  uint32_t arena_mark = 0;      // arena size before this frame
  bool merge_ready = false;     // some branch (or the loop entry) fixed the merge state
  bool has_else = false;

  std::span<const ValType> params() const {
    return type ? std::span<const ValType>(type->params) : std::span<const ValType>();
  }
  std::span<const ValType> results() const {
    if (type) return type->results;
    if (has_single_result) return std::span<const ValType>(&single_result, 1);
    return {};
  }
  std::span<const ValType> branch_types() const {
    return kind == Kind::Loop ? params() : results();
  }
  uint32_t branch_arity() const { return uint32_t(branch_types().size()); }
};

// Storage for merge states and saved else-states. Frames nest, so it is a stack: a frame's
// space is reserved when it opens (its size is known then) and released when it closes.
class StateArena {
 public:
  void reset() { states_.clear(); }
  uint32_t size() const { return uint32_t(states_.size()); }
  uint32_t reserve(uint32_t n) {
    uint32_t at = size();
    states_.resize(states_.size() + n);
    return at;
  }
  void release_to(uint32_t mark) { states_.resize(mark); }
  VarState* at(uint32_t offset) { return states_.data() + offset; }

 private:
  std::vector<VarState> states_;
};

}  // namespace wasm::detail::jit
