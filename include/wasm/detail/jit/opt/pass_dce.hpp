#pragma once
// Dead code elimination. Blocks that the entry cannot reach are removed with their
// instructions. Then liveness is computed backwards from the instructions that must stay (any
// effect other than reading: traps, writes, calls, terminators): an operand of a live
// instruction is live, and a live block parameter makes the argument each incoming edge passes
// for it live. Removable instructions (effects.hpp) without a live result are deleted, and
// parameters that are not live leave their block with their edge arguments (the entry's
// parameters, the function's own, stay).
#include <vector>

#include "wasm/detail/jit/opt/cfg.hpp"
#include "wasm/detail/jit/opt/effects.hpp"
#include "wasm/detail/jit/opt/rewrite.hpp"

namespace wasm::detail::jit::opt {

// Removes the blocks the entry cannot reach. Returns whether any was removed.
inline bool remove_unreachable_blocks(Function& f) {
  Cfg cfg(f);
  bool changed = false;
  for (BlockId b = 0; b < f.blocks.size(); ++b) {
    if (f.blocks[b].removed || cfg.reachable(b)) continue;
    f.for_each_inst(b, [&](InstId i) { f.remove(i); });
    f.blocks[b].removed = true;
    changed = true;
  }
  return changed;
}

class DcePass {
 public:
  explicit DcePass(Function& f) : f_(f) {}

  bool run() {
    resolve_operands(f_);
    bool changed = remove_unreachable_blocks(f_);
    IncomingEdges in(f_);
    live_.assign(f_.values.size(), 0);
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      if (f_.blocks[b].removed) continue;
      f_.for_each_inst(b, [&](InstId i) {
        if (!is_removable(f_.insts[i]) || is_terminator(f_.insts[i].opc))
          for (ValueId a : f_.args(i)) mark(a);
      });
    }
    for (ValueId p : f_.params_of(f_.entry)) mark(p);
    while (!work_.empty()) {
      ValueId v = work_.back();
      work_.pop_back();
      const ValueData& d = f_.values[v];
      if (d.kind == ValueKind::Result) {
        for (ValueId a : f_.args(d.def)) mark(a);
      } else if (d.kind == ValueKind::Param) {
        for (uint32_t e : in.of[d.def]) mark(f_.list(f_.edges[e].args)[d.index]);
      }
    }
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      if (f_.blocks[b].removed) continue;
      f_.for_each_inst(b, [&](InstId i) {
        const Inst& in = f_.insts[i];
        if (is_terminator(in.opc) || !is_removable(in)) return;
        for (uint32_t r = 0; r < in.nresults; ++r)
          if (live_[in.result + r]) return;
        f_.remove(i);
        changed = true;
      });
      if (b == f_.entry) continue;
      std::span<ValueId> ps = f_.params_of(b);
      std::vector<uint8_t> keep(ps.size());
      bool any_dead = false;
      for (size_t k = 0; k < ps.size(); ++k) {
        keep[k] = live_[ps[k]];
        any_dead |= !keep[k];
      }
      if (any_dead) {
        remove_params(f_, b, keep, in.of[b]);
        changed = true;
      }
    }
    return changed;
  }

 private:
  void mark(ValueId v) {
    if (live_[v]) return;
    live_[v] = 1;
    work_.push_back(v);
  }

  Function& f_;
  std::vector<uint8_t> live_;
  std::vector<ValueId> work_;
};

inline bool eliminate_dead_code(Function& f) { return DcePass(f).run(); }

}  // namespace wasm::detail::jit::opt
