#pragma once
// SSA construction for variables (wasm locals) after Braun, Buchwald, Hack, Leißa, Mallon and
// Zwinkau, "Simple and Efficient Construction of SSA Form" (CC 2013): a read looks for the
// variable's definition in the block, then in its predecessors, placing a block parameter where
// paths merge; blocks whose predecessors are not all known yet (loop headers) are not sealed,
// and their parameters are completed when they are. A parameter whose incoming values are all
// one value (or itself) is trivial and becomes an alias of that value.
//
// The search runs on an explicit stack, so that long chains of merges cannot overflow the
// machine stack. Trivial parameters found only after their users (Braun's recursive step) are
// left to the copy-propagation pass, which iterates to a fixed point.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "wasm/detail/jit/opt/ir.hpp"

namespace wasm::detail::jit::opt {

class SsaVars {
 public:
  explicit SsaVars(Function& f) : f_(f) {}

  void set_var_types(std::vector<Type> types) {
    types_ = std::move(types);
    cur_val_.assign(types_.size(), kNone);
    cur_stamp_.assign(types_.size(), kNone);
  }
  uint32_t var_count() const { return uint32_t(types_.size()); }

  BlockId new_block(bool sealed) {
    BlockId b = f_.add_block();
    sealed_.push_back(sealed);
    pred_head_.push_back(kNone);
    incomplete_head_.push_back(kNone);
    return b;
  }
  bool sealed(BlockId b) const { return sealed_[b]; }
  bool has_preds(BlockId b) const { return pred_head_[b] != kNone; }

  // Records a new edge (its terminator must already be in its block).
  void add_pred_edge(uint32_t edge) {
    BlockId b = f_.edges[edge].block;
    if (edge >= pred_next_.size()) pred_next_.resize(edge + 1, kNone);
    pred_next_[edge] = pred_head_[b];
    pred_head_[b] = edge;
  }

  // Makes b the block being filled; the previous one's definitions are stored.
  void enter(BlockId b) {
    leave();
    cur_ = b;
  }
  void leave() {
    if (cur_ == kNone) return;
    for (uint32_t var : written_) defs_[key(cur_, var)] = cur_val_[var];
    written_.clear();
    cur_ = kNone;
  }
  BlockId current() const { return cur_; }

  void write(uint32_t var, BlockId b, ValueId v) {
    if (b == cur_) {
      cur_val_[var] = v;
      if (cur_stamp_[var] != b) {
        cur_stamp_[var] = b;
        written_.push_back(var);
      }
    } else {
      defs_[key(b, var)] = v;
    }
  }

  ValueId read(uint32_t var, BlockId b) {
    ValueId result = start_read(var, b);
    while (!work_.empty()) {
      Pending& top = work_.back();
      if (top.edge == kNone) {
        ValueId p = top.param;
        work_.pop_back();
        try_remove_trivial(p);
        continue;
      }
      uint32_t e = top.edge;
      top.edge = pred_next_[e];
      ValueId v = start_read(var, source(e));  // may push work_ (top is invalid after)
      f_.push(f_.edges[e].args, v);
    }
    return f_.resolve(result);
  }

  // All predecessors of b are known: completes its incomplete parameters.
  void seal(BlockId b) {
    if (sealed_[b]) return;
    sealed_[b] = true;
    // The list is newest first; edges take their arguments in parameter order.
    std::vector<uint32_t> order;
    for (uint32_t i = incomplete_head_[b]; i != kNone; i = incomplete_[i].next) order.push_back(i);
    for (size_t k = order.size(); k-- > 0;) {
      const Incomplete inc = incomplete_[order[k]];
      for (uint32_t e = pred_head_[b]; e != kNone; e = pred_next_[e]) {
        ValueId v = read(inc.var, source(e));
        f_.push(f_.edges[e].args, v);
      }
    }
    for (size_t k = order.size(); k-- > 0;) try_remove_trivial(incomplete_[order[k]].param);
    incomplete_head_[b] = kNone;
  }

  // Removes the parameters that became aliases, with their arguments on every incoming edge.
  void drop_alias_params() {
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      std::span<ValueId> ps = f_.params_of(b);
      bool any = false;
      for (ValueId p : ps) any |= f_.values[p].kind == ValueKind::Alias;
      if (!any) continue;
      std::vector<uint8_t> keep(ps.size());
      for (size_t i = 0; i < ps.size(); ++i) keep[i] = f_.values[ps[i]].kind != ValueKind::Alias;
      for (uint32_t e = pred_head_[b]; e != kNone; e = pred_next_[e])
        f_.filter(f_.edges[e].args, [&](uint32_t i) { return keep[i] != 0; });
      f_.filter(f_.blocks[b].params, [&](uint32_t i) { return keep[i] != 0; });
      std::span<ValueId> kept = f_.params_of(b);
      for (uint32_t i = 0; i < kept.size(); ++i) f_.values[kept[i]].index = i;
    }
  }

 private:
  struct Pending {
    BlockId block;
    ValueId param;
    uint32_t edge;  // next predecessor edge to read from, kNone when done
  };
  struct Incomplete {
    uint32_t var;
    ValueId param;
    uint32_t next;
  };

  static uint64_t key(BlockId b, uint32_t var) { return (uint64_t(b) << 32) | var; }
  BlockId source(uint32_t edge) const { return f_.insts[f_.edges[edge].inst].block; }

  ValueId lookup(uint32_t var, BlockId b) {
    if (b == cur_) return cur_stamp_[var] == b ? f_.resolve(cur_val_[var]) : kNone;
    auto it = defs_.find(key(b, var));
    return it == defs_.end() ? kNone : f_.resolve(it->second);
  }

  // Finds var's value at the end of b, walking single-predecessor chains; creates a parameter
  // where the value is not known yet (pushing its operand reads onto work_).
  ValueId start_read(uint32_t var, BlockId b) {
    chain_.clear();
    ValueId v = kNone;
    for (;;) {
      v = lookup(var, b);
      if (v != kNone) break;
      if (!sealed_[b]) {
        v = f_.add_param(b, types_[var]);
        incomplete_.push_back({var, v, incomplete_head_[b]});
        incomplete_head_[b] = uint32_t(incomplete_.size() - 1);
        write(var, b, v);
        break;
      }
      uint32_t e = pred_head_[b];
      if (e == kNone) {  // the entry: a declared local starts at zero
        v = zero_at_entry(types_[var]);
        write(var, b, v);
        break;
      }
      if (pred_next_[e] == kNone) {  // one predecessor: no merge here
        chain_.push_back(b);
        b = source(e);
        continue;
      }
      v = f_.add_param(b, types_[var]);
      write(var, b, v);
      work_.push_back({b, v, e});
      break;
    }
    for (BlockId c : chain_) write(var, c, v);
    return v;
  }

  ValueId zero_at_entry(Type t) {
    InstId i = f_.create1(t == Type::FuncRef || t == Type::ExternRef ? Opcode::RefNull : Opcode::Const, t, {});
    if (t == Type::V128) {
      f_.insts[i].imm = f_.v128_consts.size();
      f_.v128_consts.push_back(V128Bytes{});
    }
    BlockId entry = f_.entry;
    if (f_.blocks[entry].first == kNone) f_.append(entry, i);
    else f_.insert_before(f_.blocks[entry].first, i);
    return f_.insts[i].result;
  }

  void try_remove_trivial(ValueId p) {
    if (f_.values[p].kind != ValueKind::Param) return;
    BlockId b = f_.values[p].def;
    uint32_t k = f_.values[p].index;
    ValueId same = kNone;
    for (uint32_t e = pred_head_[b]; e != kNone; e = pred_next_[e]) {
      ValueId v = f_.resolve(f_.list(f_.edges[e].args)[k]);
      if (v == p || v == same) continue;
      if (same != kNone) return;  // merges two values: not trivial
      same = v;
    }
    if (same != kNone) f_.make_alias(p, same);
  }

  Function& f_;
  std::vector<Type> types_;
  std::vector<uint8_t> sealed_;
  std::vector<uint32_t> pred_head_;  // per block: first predecessor edge
  std::vector<uint32_t> pred_next_;  // per edge: next predecessor edge of the same block
  std::vector<uint32_t> incomplete_head_;
  std::vector<Incomplete> incomplete_;
  std::unordered_map<uint64_t, ValueId> defs_;  // (block, var) -> value at the block's end
  std::vector<ValueId> cur_val_;                // definitions in the current block
  std::vector<BlockId> cur_stamp_;
  std::vector<uint32_t> written_;
  BlockId cur_ = kNone;
  std::vector<Pending> work_;
  std::vector<BlockId> chain_;
};

}  // namespace wasm::detail::jit::opt
