#pragma once
// Small edits that several passes share: replacing a value everywhere (through aliases, then
// one sweep over operands), turning an instruction into a constant, adding an instruction
// before another, and the incoming edges of each block. Every mechanism of that kind lives here.
#include <span>
#include <vector>

#include "wasm/detail/jit/opt/ir.hpp"

namespace wasm::detail::jit::opt {

// Rewrites every operand and edge argument to the value its alias chain ends at. Passes make
// a value an alias of its replacement (Function::make_alias) and call this once at their end.
inline void resolve_operands(Function& f) {
  for (InstId i = 0; i < f.insts.size(); ++i)
    for (ValueId& a : f.args(i)) a = f.resolve(a);
  for (Edge& e : f.edges)
    for (ValueId& a : f.list(e.args)) a = f.resolve(a);
}

// Whether instruction i is in the function (not removed, in a live block).
inline bool is_live_inst(const Function& f, InstId i) {
  const Inst& in = f.insts[i];
  return in.opc != Opcode::Nop && in.block != kNone && !f.blocks[in.block].removed;
}

// Makes instruction i (one result) a constant of its type.
inline void make_const(Function& f, InstId i, uint64_t bits) {
  Inst& in = f.insts[i];
  in.opc = Opcode::Const;
  in.op = Op::Nop;
  in.flags = 0;
  in.lane = 0;
  in.imm = bits;
  in.imm2 = 0;
  in.args.count = 0;
}

// Replaces instruction i's result with `v` and removes i.
inline void replace_with(Function& f, InstId i, ValueId v) {
  f.make_alias(f.insts[i].result, f.resolve(v));
  f.remove(i);
}

// Creates an instruction before `pos` and returns its result.
inline ValueId insert_inst(Function& f, InstId pos, Opcode opc, Type t, std::span<const ValueId> args, Op op = Op::Nop,
                           uint64_t imm = 0) {
  InstId i = f.create1(opc, t, args);
  f.insts[i].op = op;
  f.insts[i].imm = imm;
  f.insert_before(pos, i);
  return f.insts[i].result;
}
inline ValueId insert_const(Function& f, InstId pos, Type t, uint64_t bits) {
  return insert_inst(f, pos, Opcode::Const, t, {}, Op::Nop, bits);
}
inline ValueId insert_wasm(Function& f, InstId pos, Op op, Type t, std::initializer_list<ValueId> args) {
  return insert_inst(f, pos, Opcode::Wasm, t, std::span<const ValueId>(args.begin(), args.size()), op);
}

// Edges that enter each block, from the terminators of live blocks (reachable or not).
struct IncomingEdges {
  std::vector<std::vector<uint32_t>> of;  // per block: edge indices

  explicit IncomingEdges(const Function& f) : of(f.blocks.size()) {
    for (BlockId b = 0; b < f.blocks.size(); ++b) {
      if (f.blocks[b].removed) continue;
      InstId t = f.terminator(b);
      if (t == kNone) continue;
      for (uint32_t k = 0; k < f.insts[t].edges_count; ++k) {
        uint32_t e = f.insts[t].edges_begin + k;
        of[f.edges[e].block].push_back(e);
      }
    }
  }
};

// Removes the parameters of b whose keep[k] is false, and their argument on every edge in `in`.
inline void remove_params(Function& f, BlockId b, const std::vector<uint8_t>& keep, std::span<const uint32_t> in) {
  for (uint32_t e : in) f.filter(f.edges[e].args, [&](uint32_t k) { return keep[k] != 0; });
  f.filter(f.blocks[b].params, [&](uint32_t k) { return keep[k] != 0; });
  std::span<ValueId> kept = f.params_of(b);
  for (uint32_t k = 0; k < kept.size(); ++k) f.values[kept[k]].index = k;
}

}  // namespace wasm::detail::jit::opt
