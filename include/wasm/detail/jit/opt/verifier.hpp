#pragma once
// Checks the IR's invariants: every live block ends in exactly one terminator, instruction
// lists are consistent, operands are live values (no aliases), operand and result types match
// the operator, edges pass as many values of the right types as the target takes, and every
// use is dominated by its definition (SSA). Tests run it after every pass.
#include <string>
#include <vector>

#include "wasm/detail/jit/opt/cfg.hpp"
#include "wasm/detail/jit/opt/ir.hpp"

namespace wasm::detail::jit::opt {

class Verifier {
 public:
  explicit Verifier(const Function& f) : f_(f) {}

  // Returns "" when the function is well formed, otherwise the problems found, one a line.
  std::string run() {
    structure();
    if (!errors_.empty()) return errors_;
    Cfg cfg(f_);
    DomTree dom(f_, cfg);
    pos_.assign(f_.insts.size(), 0);
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      uint32_t n = 0;
      for (InstId i = f_.blocks[b].first; i != kNone; i = f_.insts[i].next) pos_[i] = n++;
    }
    for (BlockId b : cfg.rpo) {
      for (InstId i = f_.blocks[b].first; i != kNone; i = f_.insts[i].next) {
        types(i);
        for (ValueId a : f_.args(i)) dominated(a, b, i, cfg, dom);
        for (const Edge& e : f_.edges_of(i))
          for (ValueId a : f_.list(e.args)) dominated(a, b, kNone, cfg, dom);
      }
    }
    return errors_;
  }

 private:
  void error(const std::string& s) {
    if (count_++ < 20) errors_ += s + "\n";
  }
  std::string where(InstId i) const {
    return "inst " + std::to_string(i) + " (" + opcode_info(f_.insts[i].opc).text + ") in block " +
           std::to_string(f_.insts[i].block);
  }

  void structure() {
    if (f_.entry >= f_.blocks.size() || f_.blocks[f_.entry].removed) error("no entry block");
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      const Block& bl = f_.blocks[b];
      if (bl.removed) continue;
      InstId prev = kNone;
      for (InstId i = bl.first; i != kNone; i = f_.insts[i].next) {
        const Inst& in = f_.insts[i];
        if (in.block != b || in.prev != prev || in.opc == Opcode::Nop)
          error("broken instruction list at " + where(i));
        if (is_terminator(in.opc) && in.next != kNone) error("terminator before the end: " + where(i));
        for (ValueId a : f_.args(i)) value_ok(a, where(i));
        for (const Edge& e : f_.edges_of(i)) {
          if (e.block >= f_.blocks.size() || f_.blocks[e.block].removed) {
            error("edge to a removed block at " + where(i));
            continue;
          }
          for (ValueId a : f_.list(e.args)) value_ok(a, where(i));
          auto ps = f_.params_of(e.block);
          auto as = f_.list(e.args);
          if (ps.size() != as.size()) {
            error("edge passes " + std::to_string(as.size()) + " values to block " + std::to_string(e.block) +
                  " which takes " + std::to_string(ps.size()) + " at " + where(i));
            continue;
          }
          for (size_t k = 0; k < ps.size(); ++k)
            if (as[k] < f_.values.size() && f_.type(as[k]) != f_.type(ps[k]))
              error("edge argument type mismatch at " + where(i));
        }
        prev = i;
      }
      if (bl.last != prev) error("block " + std::to_string(b) + ": last instruction mismatch");
      if (f_.terminator(b) == kNone) error("block " + std::to_string(b) + " has no terminator");
      for (ValueId p : f_.params_of(b))
        if (f_.values[p].kind != ValueKind::Param || f_.values[p].def != b)
          error("block " + std::to_string(b) + ": parameter v" + std::to_string(p) + " not its own");
    }
  }

  void value_ok(ValueId a, const std::string& at) {
    if (a >= f_.values.size()) return error("unknown value at " + at);
    const ValueData& d = f_.values[a];
    if (d.kind == ValueKind::Alias) return error("alias v" + std::to_string(a) + " used at " + at);
    if (d.kind == ValueKind::Result && (f_.insts[d.def].block == kNone || f_.insts[d.def].opc == Opcode::Nop))
      return error("v" + std::to_string(a) + " of a removed instruction used at " + at);
    if (d.kind == ValueKind::Param && f_.blocks[d.def].removed)
      return error("v" + std::to_string(a) + " of a removed block used at " + at);
  }

  // A use in block b (by instruction `user`, or by b's terminator edges when user is kNone).
  void dominated(ValueId a, BlockId b, InstId user, const Cfg& cfg, const DomTree& dom) {
    const ValueData& d = f_.values[a];
    BlockId db = d.kind == ValueKind::Result ? f_.insts[d.def].block : d.def;
    if (!cfg.reachable(db)) return error("v" + std::to_string(a) + " defined in an unreachable block");
    if (db == b) {
      if (d.kind == ValueKind::Result && user != kNone && pos_[d.def] >= pos_[user])
        error("v" + std::to_string(a) + " used before its definition at " + where(user));
      return;
    }
    if (!dom.dominates(db, b))
      error("v" + std::to_string(a) + " (block " + std::to_string(db) + ") does not dominate its use in block " +
            std::to_string(b));
  }

  void expect(bool ok, InstId i, const char* what) {
    if (!ok) error(std::string(what) + " at " + where(i));
  }

  void types(InstId i) {
    const Inst& in = f_.insts[i];
    auto as = f_.args(i);
    auto t = [&](size_t k) { return f_.type(as[k]); };
    switch (in.opc) {
      case Opcode::Const: expect(as.empty() && in.nresults == 1, i, "const takes no operand"); break;
      case Opcode::Wasm: {
        const OpInfo& info = op_info(in.op);
        if (info.special()) return expect(false, i, "special operator as wasm");
        expect(as.size() == info.param_count(), i, "operand count");
        for (size_t k = 0; k < as.size() && k < 3; ++k) expect(t(k) == type_of(info.params[k]), i, "operand type");
        expect(in.type == type_of(info.result), i, "result type");
        break;
      }
      case Opcode::UMulHi:
      case Opcode::SMulHi:
        expect(as.size() == 2 && t(0) == in.type && t(1) == in.type && (in.type == Type::I32 || in.type == Type::I64),
               i, "mulhi types");
        break;
      case Opcode::Select:
        expect(as.size() == 3 && t(0) == in.type && t(1) == in.type && t(2) == Type::I32, i, "select types");
        break;
      case Opcode::Load:
      case Opcode::Store: {
        const OpInfo& info = op_info(in.op);
        expect(as.size() >= 2 && t(0) == Type::I64 && (t(1) == Type::I32 || t(1) == Type::I64), i,
               "memory base and address");
        if (in.opc == Opcode::Load) expect(in.type == type_of(info.result), i, "load result type");
        if (as.size() == 3) expect(t(2) == type_of(info.params[1]), i, "stored value type");
        break;
      }
      case Opcode::Brif:
        expect(as.size() == 1 && t(0) == Type::I32 && in.edges_count == 2, i, "brif shape");
        break;
      case Opcode::BrTable: expect(as.size() == 1 && t(0) == Type::I32 && in.edges_count >= 1, i, "br_table shape"); break;
      case Opcode::Jump: expect(in.edges_count == 1, i, "jump shape"); break;
      case Opcode::Return: {
        bool ok = as.size() == f_.results.size();
        for (size_t k = 0; ok && k < as.size(); ++k) ok = t(k) == f_.results[k];
        expect(ok, i, "returned values do not match the signature");
        break;
      }
      default: break;
    }
  }

  const Function& f_;
  std::vector<uint32_t> pos_;
  std::string errors_;
  uint32_t count_ = 0;
};

inline std::string verify(const Function& f) { return Verifier(f).run(); }

}  // namespace wasm::detail::jit::opt
