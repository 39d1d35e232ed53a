#pragma once
// A small interpreter of the IR with exact wasm semantics for what it supports: scalar numeric
// operators (through eval.hpp, the evaluator constant folding uses), select, control flow and
// block parameters, calls within the module, globals, and one linear memory as a byte vector
// with its bounds checked. Tests run a function before and after each pass and compare.
// Anything else (SIMD, tables, imports) ends the run as Unsupported.
#include <cstring>
#include <string>
#include <vector>

#include "wasm/detail/jit/opt/effects.hpp"
#include "wasm/detail/jit/opt/eval.hpp"
#include "wasm/detail/jit/opt/ir.hpp"

namespace wasm::detail::jit::opt {

struct InterpState {
  std::vector<const Function*> funcs;  // by function index; null: not available
  std::vector<uint64_t> globals;
  std::vector<uint8_t> memory;
  uint64_t steps = 0;
  uint64_t max_steps = 100'000'000;
};

struct InterpResult {
  enum class Status : uint8_t { Ok, Trap, Unsupported };
  Status status = Status::Ok;
  std::vector<uint64_t> values;
  TrapCode trap = TrapCode::UnreachableCodeReached;
  std::string why;  // Unsupported: what

  bool ok() const { return status == Status::Ok; }
  bool trapped(TrapCode c) const { return status == Status::Trap && trap == c; }
};

class Interpreter {
 public:
  explicit Interpreter(InterpState& s) : s_(s) {}

  InterpResult call(const Function& f, const std::vector<uint64_t>& args, unsigned depth = 0) {
    InterpResult r;
    if (depth > 200) return unsupported("call depth");
    std::vector<uint64_t> vals(f.values.size(), 0);
    BlockId b = f.entry;
    auto ps = f.params_of(b);
    for (size_t k = 0; k < ps.size() && k < args.size(); ++k) vals[ps[k]] = args[k];
    std::vector<uint64_t> tmp;
    for (;;) {
      for (InstId i = f.blocks[b].first; i != kNone; i = f.insts[i].next) {
        if (++s_.steps > s_.max_steps) return unsupported("step limit");
        const Inst& in = f.insts[i];
        auto as = f.args(i);
        auto a = [&](size_t k) { return vals[as[k]]; };
        switch (in.opc) {
          case Opcode::Const:
            if (in.type == Type::V128) return unsupported("v128");
            vals[in.result] = in.imm;
            break;
          case Opcode::Wasm: {
            EvalResult e = eval_scalar(in.op, as.size() > 0 ? a(0) : 0, as.size() > 1 ? a(1) : 0);
            if (e.status == EvalResult::Status::Unsupported) return unsupported(op_name(in.op));
            if (e.status == EvalResult::Status::Trap) return trap(e.trap);
            vals[in.result] = e.bits;
            break;
          }
          case Opcode::UMulHi:
          case Opcode::SMulHi:
            vals[in.result] = eval_mulhi(in.type == Type::I64, in.opc == Opcode::SMulHi, a(0), a(1));
            break;
          case Opcode::Select: vals[in.result] = uint32_t(a(2)) ? a(0) : a(1); break;
          case Opcode::RefNull: vals[in.result] = 0; break;
          case Opcode::RefIsNull: vals[in.result] = a(0) == 0; break;
          case Opcode::MemBase: vals[in.result] = 0; break;
          case Opcode::Load:
          case Opcode::Store: {
            if (in.imm2 != 0 || as.size() != 2 + (in.opc == Opcode::Store)) return unsupported("memory operator");
            const OpInfo& info = op_info(in.op);
            if (info.result == Slot::V128 || (in.opc == Opcode::Store && info.params[1] == Slot::V128))
              return unsupported("v128 memory");
            uint64_t addr = a(1) + in.imm;  // 32-bit address plus offset: no wrap in 64 bits
            uint32_t size = info.extra;
            if (addr < a(1) || addr + size > s_.memory.size()) return trap(TrapCode::MemoryOutOfBounds);
            uint8_t* p = s_.memory.data() + addr + a(0);
            if (in.opc == Opcode::Store) {
              uint64_t v = a(2);
              std::memcpy(p, &v, size);  // little-endian host
            } else {
              vals[in.result] = load(in.op, p, size);
            }
            break;
          }
          case Opcode::GlobalGet: vals[in.result] = s_.globals.at(in.imm); break;
          case Opcode::GlobalSet: s_.globals.at(in.imm) = a(0); break;
          case Opcode::Call: {
            if (in.imm >= s_.funcs.size() || !s_.funcs[in.imm]) return unsupported("callee");
            tmp.assign(as.size(), 0);
            for (size_t k = 0; k < as.size(); ++k) tmp[k] = a(k);
            InterpResult sub = call(*s_.funcs[in.imm], tmp, depth + 1);
            if (!sub.ok()) return sub;
            for (uint32_t k = 0; k < in.nresults; ++k) vals[in.result + k] = sub.values[k];
            break;
          }
          case Opcode::Jump:
          case Opcode::Brif:
          case Opcode::BrTable: {
            uint32_t which = 0;
            if (in.opc == Opcode::Brif) which = uint32_t(a(0)) ? 0 : 1;
            if (in.opc == Opcode::BrTable) which = std::min<uint64_t>(uint32_t(a(0)), in.edges_count - 1);
            const Edge& e = f.edges_of(i)[which];
            auto eargs = f.list(e.args);
            tmp.assign(eargs.size(), 0);
            for (size_t k = 0; k < eargs.size(); ++k) tmp[k] = vals[eargs[k]];  // parallel copy
            auto tps = f.params_of(e.block);
            for (size_t k = 0; k < tps.size(); ++k) vals[tps[k]] = tmp[k];
            b = e.block;
            goto next_block;
          }
          case Opcode::Return:
            r.values.clear();
            for (size_t k = 0; k < as.size(); ++k) r.values.push_back(a(k));
            return r;
          case Opcode::Trap: return trap(TrapCode(in.imm));
          default: return unsupported(opcode_info(in.opc).text);
        }
      }
      return unsupported("block without terminator");
    next_block:;
    }
  }

 private:
  static uint64_t load(Op op, const uint8_t* p, uint32_t size) {
    uint64_t raw = 0;
    std::memcpy(&raw, p, size);
    switch (op) {
      case Op::I32Load8S: return uint32_t(int32_t(int8_t(raw)));
      case Op::I32Load16S: return uint32_t(int32_t(int16_t(raw)));
      case Op::I64Load8S: return uint64_t(int64_t(int8_t(raw)));
      case Op::I64Load16S: return uint64_t(int64_t(int16_t(raw)));
      case Op::I64Load32S: return uint64_t(int64_t(int32_t(raw)));
      default: return raw;
    }
  }
  static InterpResult trap(TrapCode c) {
    InterpResult r;
    r.status = InterpResult::Status::Trap;
    r.trap = c;
    return r;
  }
  static InterpResult unsupported(std::string why) {
    InterpResult r;
    r.status = InterpResult::Status::Unsupported;
    r.why = std::move(why);
    return r;
  }

  InterpState& s_;
};

}  // namespace wasm::detail::jit::opt
