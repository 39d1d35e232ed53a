#pragma once
// Loop-invariant code motion. Every loop first gets a preheader: the one block outside the
// loop that jumps to its header (an existing predecessor that only jumps there, or a new block
// that takes the header's parameters and that all entering edges are redirected to). Then,
// innermost loop first, an instruction of the loop whose operands are all defined outside it
// moves to the end of the preheader when moving it cannot be observed:
//  - pure instructions (effects.hpp), always;
//  - a memory's base, when nothing in the loop calls out (memory.grow is a runtime call);
//  - a global read, when the loop neither writes that global nor calls out;
//  - a load, only when nothing in the loop writes memory or calls out, and the load is in the
//    header with nothing before it in the header that may trap or write: the header runs each
//    time the loop is entered, so the load (and its trap, if any) happens first either way.
// An outer loop then sees the moved instructions in its own body and may move them further.
#include <vector>

#include "wasm/detail/jit/opt/cfg.hpp"
#include "wasm/detail/jit/opt/effects.hpp"
#include "wasm/detail/jit/opt/rewrite.hpp"

namespace wasm::detail::jit::opt {

class LicmPass {
 public:
  explicit LicmPass(Function& f) : f_(f) {}

  bool run() {
    resolve_operands(f_);
    bool changed = make_preheaders();
    Cfg cfg(f_);
    DomTree dom(f_, cfg);
    LoopInfo loops(f_, cfg, dom);
    IncomingEdges in(f_);
    for (uint32_t l = 0; l < loops.loops.size(); ++l) {
      BlockId pre = preheader(loops, l, in);
      if (pre == kNone) continue;
      changed |= hoist(loops, l, pre);
    }
    return changed;
  }

 private:
  // The block outside loop l that is the only way into its header and only jumps there.
  BlockId preheader(const LoopInfo& loops, uint32_t l, const IncomingEdges& in) const {
    BlockId h = loops.loops[l].header;
    BlockId pre = kNone;
    for (uint32_t e : in.of[h]) {
      BlockId src = f_.insts[f_.edges[e].inst].block;
      if (loops.contains(l, src)) continue;
      if (pre != kNone || f_.insts[f_.edges[e].inst].opc != Opcode::Jump) return kNone;
      pre = src;
    }
    return pre;
  }

  // Gives every loop header a preheader. Returns whether a block was added.
  bool make_preheaders() {
    Cfg cfg(f_);
    DomTree dom(f_, cfg);
    LoopInfo loops(f_, cfg, dom);
    IncomingEdges in(f_);
    bool added = false;
    for (uint32_t l = 0; l < loops.loops.size(); ++l) {
      BlockId h = loops.loops[l].header;
      if (h == f_.entry || preheader(loops, l, in) != kNone) continue;
      std::vector<uint32_t> entering;
      for (uint32_t e : in.of[h])
        if (!loops.contains(l, f_.insts[f_.edges[e].inst].block)) entering.push_back(e);
      if (entering.empty()) continue;
      BlockId p = f_.add_block();
      std::vector<Type> types;  // copied first: adding parameters may move the pool
      for (ValueId hp : f_.params_of(h)) types.push_back(f_.type(hp));
      std::vector<ValueId> ps;
      for (Type t : types) ps.push_back(f_.add_param(p, t));
      InstId j = f_.create1(Opcode::Jump, Type::Void, {});
      f_.append(p, j);
      f_.add_edge(j, h, ps);
      for (uint32_t e : entering) f_.edges[e].block = p;
      added = true;
    }
    return added;
  }

  bool hoist(const LoopInfo& loops, uint32_t l, BlockId pre) {
    const auto& body = loops.loops[l].blocks;
    BlockId header = loops.loops[l].header;
    uint16_t loop_fx = 0;
    std::vector<uint64_t> written_globals;
    for (BlockId b : body)
      for (InstId i = f_.blocks[b].first; i != kNone; i = f_.insts[i].next) {
        loop_fx |= effects(f_.insts[i]);
        if (f_.insts[i].opc == Opcode::GlobalSet) written_globals.push_back(f_.insts[i].imm);
      }
    const bool calls = loop_fx & Fx::Call;
    const bool writes_mem = loop_fx & (Fx::WriteMem | Fx::Call);
    InstId at = f_.terminator(pre);
    auto outside = [&](ValueId v) {
      const ValueData& d = f_.values[v];
      BlockId b = d.kind == ValueKind::Result ? f_.insts[d.def].block : d.def;
      return !loops.contains(l, b);
    };
    bool any = false;
    for (bool changed = true; changed;) {
      changed = false;
      for (BlockId b : body) {
        bool header_prefix = b == header;  // still before anything in the header that traps or writes
        f_.for_each_inst(b, [&](InstId i) {
          const Inst& in = f_.insts[i];
          bool movable = false;
          bool operands_outside = true;
          for (ValueId a : f_.args(i)) operands_outside &= outside(a);
          if (in.nresults == 1 && !is_terminator(in.opc) && operands_outside) {
            if (is_pure(in)) movable = true;
            else if (in.opc == Opcode::MemBase) movable = !calls;
            else if (in.opc == Opcode::GlobalGet)
              movable = !calls && std::find(written_globals.begin(), written_globals.end(), in.imm) ==
                                      written_globals.end();
            else if (in.opc == Opcode::Load) movable = header_prefix && !writes_mem;
          }
          if (movable) {
            f_.unlink(i);
            f_.insert_before(at, i);
            changed = any = true;
            return;
          }
          if (effects(in) & (Fx::Trap | kWrites)) header_prefix = false;
        });
      }
    }
    return any;
  }

  Function& f_;
};

inline bool hoist_loop_invariants(Function& f) { return LicmPass(f).run(); }

}  // namespace wasm::detail::jit::opt
