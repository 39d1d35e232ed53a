#pragma once
// Global value numbering over the dominator tree: a pure instruction (effects.hpp: no trap, no
// read, no write) that computes the same thing as one in a dominating position is replaced by
// that one's result. "The same thing": opcode, wasm operator, type, immediates, flags and
// operands, with the operands of commutative integer operators in a canonical order. The table
// is scoped: entering a dominator-tree child pushes, leaving pops, so a value is only reused
// where its definition dominates.
#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "wasm/detail/jit/opt/cfg.hpp"
#include "wasm/detail/jit/opt/effects.hpp"
#include "wasm/detail/jit/opt/pass_fold.hpp"
#include "wasm/detail/jit/opt/rewrite.hpp"

namespace wasm::detail::jit::opt {

class GvnPass {
 public:
  explicit GvnPass(Function& f) : f_(f) {}

  bool run() {
    resolve_operands(f_);
    Cfg cfg(f_);
    DomTree dom(f_, cfg);
    if (dom.preorder.empty()) return false;
    // Depth-first over the dominator tree with an explicit stack; each frame remembers how
    // long the undo log was when its block was entered.
    struct Frame {
      BlockId block;
      uint32_t next_child;
      size_t undo_mark;
    };
    std::vector<Frame> stack{{dom.preorder[0], 0, 0}};
    visit_block(dom.preorder[0]);
    while (!stack.empty()) {
      Frame& fr = stack.back();
      auto kids = dom.children_of(fr.block);
      if (fr.next_child < kids.size()) {
        BlockId c = kids[fr.next_child++];
        stack.push_back({c, 0, undo_.size()});
        visit_block(c);
      } else {
        while (undo_.size() > fr.undo_mark) {
          table_.erase(undo_.back());
          undo_.pop_back();
        }
        stack.pop_back();
      }
    }
    resolve_operands(f_);
    return changed_;
  }

 private:
  struct Key {
    Opcode opc;
    Type type;
    uint8_t flags, lane;
    Op op;
    uint64_t imm;
    uint32_t imm2;
    std::vector<ValueId> args;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      uint64_t h = uint64_t(k.opc) * 0x9E3779B97F4A7C15ull ^ (uint64_t(k.op) << 8) ^ (uint64_t(k.type) << 24) ^
                   (uint64_t(k.flags) << 32) ^ (uint64_t(k.lane) << 40);
      h = (h ^ k.imm) * 0xFF51AFD7ED558CCDull ^ k.imm2;
      for (ValueId a : k.args) h = (h ^ a) * 0xC4CEB9FE1A85EC53ull;
      return size_t(h ^ (h >> 29));
    }
  };

  void visit_block(BlockId b) {
    f_.for_each_inst(b, [&](InstId i) {
      Inst& in = f_.insts[i];
      if (in.nresults != 1 || is_terminator(in.opc) || !is_pure(in)) return;
      Key k{in.opc, in.type, in.flags, in.lane, in.op, in.imm, in.imm2, {}};
      for (ValueId a : f_.args(i)) k.args.push_back(f_.resolve(a));
      if (in.opc == Opcode::Wasm && is_commutative_int(in.op) && k.args.size() == 2 && k.args[0] > k.args[1])
        std::swap(k.args[0], k.args[1]);
      auto it = table_.find(k);
      if (it != table_.end()) {
        replace_with(f_, i, it->second);
        changed_ = true;
        return;
      }
      table_.emplace(k, in.result);
      undo_.push_back(std::move(k));
    });
  }

  Function& f_;
  std::unordered_map<Key, ValueId, KeyHash> table_;
  std::vector<Key> undo_;
  bool changed_ = false;
};

inline bool number_values(Function& f) { return GvnPass(f).run(); }

}  // namespace wasm::detail::jit::opt
