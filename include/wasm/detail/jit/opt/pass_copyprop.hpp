#pragma once
// Copy propagation and block-parameter ("phi") simplification. The IR has no copy instruction:
// a copy is a value that stands for another (an alias), and this pass makes every operand name
// the value at the end of its alias chain. A block parameter is trivial when every edge into
// its block passes either one same value or the parameter itself (Braun et al.'s trivial phi):
// it becomes an alias of that value and leaves the block, with its argument on every edge.
// Two parameters of one block that receive the same value on every edge are merged. Repeats
// until nothing changes, since removing one parameter can make another trivial.
#include "wasm/detail/jit/opt/rewrite.hpp"

namespace wasm::detail::jit::opt {

class CopyPropPass {
 public:
  explicit CopyPropPass(Function& f) : f_(f) {}

  bool run() {
    resolve_operands(f_);
    bool any = false;
    for (bool changed = true; changed;) {
      changed = false;
      IncomingEdges in(f_);
      for (BlockId b = 0; b < f_.blocks.size(); ++b) {
        if (f_.blocks[b].removed || b == f_.entry || f_.blocks[b].params.count == 0) continue;
        changed |= simplify_params(b, in.of[b]);
      }
      if (changed) resolve_operands(f_);
      any |= changed;
    }
    return any;
  }

 private:
  bool simplify_params(BlockId b, std::span<const uint32_t> in) {
    std::span<ValueId> ps = f_.params_of(b);
    std::vector<uint8_t> keep(ps.size(), 1);
    bool removed = false;
    for (uint32_t k = 0; k < ps.size(); ++k) {
      ValueId p = ps[k];
      // Trivial: one value (other than p itself) on every edge.
      ValueId same = kNone;
      bool trivial = true;
      for (uint32_t e : in) {
        ValueId v = f_.resolve(f_.list(f_.edges[e].args)[k]);
        if (v == p || v == same) continue;
        if (same != kNone) {
          trivial = false;
          break;
        }
        same = v;
      }
      if (trivial && same != kNone) {
        f_.make_alias(p, same);
        keep[k] = 0;
        removed = true;
        continue;
      }
      // Equal to an earlier kept parameter on every edge.
      for (uint32_t j = 0; j < k && !in.empty(); ++j) {
        if (!keep[j]) continue;
        bool equal = true;
        for (uint32_t e : in) {
          auto as = f_.list(f_.edges[e].args);
          if (f_.resolve(as[j]) != f_.resolve(as[k])) {
            equal = false;
            break;
          }
        }
        if (equal) {
          f_.make_alias(p, ps[j]);
          keep[k] = 0;
          removed = true;
          break;
        }
      }
    }
    if (removed) remove_params(f_, b, keep, in);
    return removed;
  }

  Function& f_;
};

inline bool propagate_copies(Function& f) { return CopyPropPass(f).run(); }

}  // namespace wasm::detail::jit::opt
