#pragma once
// The IR as text, for tests and debugging. Blocks are printed in index order (removed ones
// left out) and, by default, blocks and values are renumbered in the order they are printed,
// so that the text of a function does not depend on how many values passes created on the way.
//
//   function 0 (i32, i32) -> (i32)
//   block0(v0: i32, v1: i32):
//     v2 = i32.add v0, v1
//     brif v2, block1(v2), block2
#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include "wasm/detail/jit/opt/ir.hpp"
#include "wasm/error.hpp"

namespace wasm::detail::jit::opt {

constexpr const char* trap_name(TrapCode c) {
  switch (c) {
    case TrapCode::StackOverflow: return "stack_overflow";
    case TrapCode::MemoryOutOfBounds: return "heap_oob";
    case TrapCode::HeapMisaligned: return "heap_misaligned";
    case TrapCode::TableOutOfBounds: return "table_oob";
    case TrapCode::IndirectCallToNull: return "indirect_call_to_null";
    case TrapCode::BadSignature: return "bad_signature";
    case TrapCode::IntegerOverflow: return "int_overflow";
    case TrapCode::IntegerDivisionByZero: return "int_divz";
    case TrapCode::BadConversionToInteger: return "bad_toint";
    case TrapCode::UnreachableCodeReached: return "unreachable";
    case TrapCode::Interrupt: return "interrupt";
    case TrapCode::OutOfFuel: return "out_of_fuel";
    case TrapCode::NullReference: return "null_reference";
    case TrapCode::AtomicWaitNonSharedMemory: return "atomic_wait_non_shared";
    case TrapCode::NullFunctionReference: return "null_funcref";
    case TrapCode::HostError: return "host_error";
  }
  return "?";
}

class Printer {
 public:
  explicit Printer(const Function& f, bool renumber = true) : f_(f) {
    vnum_.assign(f.values.size(), kNone);
    bnum_.assign(f.blocks.size(), kNone);
    uint32_t nv = 0, nb = 0;
    for (BlockId b = 0; b < f.blocks.size(); ++b) {
      if (f.blocks[b].removed) continue;
      bnum_[b] = renumber ? nb++ : b;
      for (ValueId p : f.params_of(b)) vnum_[p] = renumber ? nv++ : p;
      for (InstId i = f.blocks[b].first; i != kNone; i = f.insts[i].next)
        for (uint32_t r = 0; r < f.insts[i].nresults; ++r)
          vnum_[f.insts[i].result + r] = renumber ? nv++ : f.insts[i].result + r;
    }
  }

  std::string print() {
    out_.clear();
    out_ += "function " + std::to_string(f_.func_index) + " (";
    types(f_.params);
    out_ += ") -> (";
    types(f_.results);
    out_ += ")\n";
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      if (f_.blocks[b].removed) continue;
      block_header(b);
      for (InstId i = f_.blocks[b].first; i != kNone; i = f_.insts[i].next) inst(i);
    }
    return out_;
  }

 private:
  void types(const std::vector<Type>& ts) {
    for (size_t i = 0; i < ts.size(); ++i) {
      if (i) out_ += ", ";
      out_ += type_name(ts[i]);
    }
  }
  std::string v(ValueId id) const {
    if (id >= vnum_.size() || vnum_[id] == kNone) return "v?" + std::to_string(id);
    return "v" + std::to_string(vnum_[id]);
  }
  std::string blk(BlockId b) const {
    return "block" + (bnum_[b] == kNone ? "?" + std::to_string(b) : std::to_string(bnum_[b]));
  }
  void block_header(BlockId b) {
    out_ += blk(b);
    auto ps = f_.params_of(b);
    if (!ps.empty()) {
      out_ += '(';
      for (size_t i = 0; i < ps.size(); ++i) {
        if (i) out_ += ", ";
        out_ += v(ps[i]) + ": " + type_name(f_.type(ps[i]));
      }
      out_ += ')';
    }
    out_ += ":\n";
  }
  void arg_list(std::span<const ValueId> as, size_t from = 0) {
    for (size_t i = from; i < as.size(); ++i) {
      if (i > from) out_ += ", ";
      out_ += v(as[i]);
    }
  }
  void edge(const Edge& e) {
    out_ += blk(e.block);
    if (e.args.count) {
      out_ += '(';
      arg_list(f_.list(e.args));
      out_ += ')';
    }
  }
  void constant(const Inst& in) {
    char buf[80];
    switch (in.type) {
      case Type::I32: std::snprintf(buf, sizeof buf, "%" PRId32, int32_t(uint32_t(in.imm))); break;
      case Type::I64: std::snprintf(buf, sizeof buf, "%" PRId64, int64_t(in.imm)); break;
      case Type::F32: std::snprintf(buf, sizeof buf, "0x%08" PRIx32, uint32_t(in.imm)); break;
      case Type::F64: std::snprintf(buf, sizeof buf, "0x%016" PRIx64, in.imm); break;
      case Type::V128: {
        std::string s = "0x";
        const V128Bytes& bytes = f_.v128_consts[in.imm];
        for (int k = 15; k >= 0; --k) {
          std::snprintf(buf, sizeof buf, "%02x", bytes[k]);
          s += buf;
        }
        out_ += s;
        return;
      }
      default: buf[0] = 0;
    }
    out_ += buf;
  }

  void inst(InstId i) {
    const Inst& in = f_.insts[i];
    auto as = f_.args(i);
    out_ += "  ";
    if (in.nresults) {
      for (uint32_t r = 0; r < in.nresults; ++r) {
        if (r) out_ += ", ";
        out_ += v(in.result + r);
      }
      out_ += " = ";
    }
    const char* text = opcode_info(in.opc).text;
    switch (in.opc) {
      case Opcode::Const:
        out_ += std::string("const.") + type_name(in.type) + " ";
        constant(in);
        break;
      case Opcode::Wasm:
        out_ += op_name(in.op);
        if (op_info(in.op).imm == Imm::Lane) out_ += "[" + std::to_string(in.lane) + "]";
        if (op_info(in.op).imm == Imm::Shuffle) {
          out_ += "[";
          for (int k = 0; k < 16; ++k) out_ += (k ? " " : "") + std::to_string(f_.v128_consts[in.imm][k]);
          out_ += "]";
        }
        out_ += " ";
        arg_list(as);
        if (in.flags & InstFlag::NoZeroCheck) out_ += " nonzero";
        if (in.flags & InstFlag::NoOverflowCheck) out_ += " nooverflow";
        break;
      case Opcode::UMulHi:
      case Opcode::SMulHi:
      case Opcode::Select:
      case Opcode::RefIsNull:
        out_ += text;
        if (in.opc != Opcode::RefIsNull && in.opc != Opcode::Select) out_ += std::string(".") + type_name(in.type);
        out_ += " ";
        arg_list(as);
        break;
      case Opcode::RefNull: out_ += std::string("ref.null ") + type_name(in.type); break;
      case Opcode::RefFunc: out_ += "ref.func " + std::to_string(in.imm); break;
      case Opcode::MemBase: out_ += "mem.base " + std::to_string(in.imm2); break;
      case Opcode::Load:
      case Opcode::Store:
        out_ += op_name(in.op);
        if (op_info(in.op).imm == Imm::MemArgLane) out_ += "[" + std::to_string(in.lane) + "]";
        if (in.imm2) out_ += " mem" + std::to_string(in.imm2);
        out_ += " " + v(as[0]) + "[" + v(as[1]) + " + " + std::to_string(in.imm) + "]";
        if (as.size() > 2) out_ += ", " + v(as[2]);
        break;
      case Opcode::GlobalGet:
        out_ += "global.get " + std::to_string(in.imm);
        if (in.flags & InstFlag::Immutable) out_ += " immutable";
        break;
      case Opcode::GlobalSet: out_ += "global.set " + std::to_string(in.imm) + ", " + v(as[0]); break;
      case Opcode::Runtime:
        out_ += std::string(op_name(in.op)) + "[" + std::to_string(in.imm) + ", " + std::to_string(in.imm2) + "]";
        if (!as.empty()) out_ += " ";
        arg_list(as);
        break;
      case Opcode::Call:
      case Opcode::CallImport:
      case Opcode::ReturnCall:
      case Opcode::ReturnCallImport:
        out_ += std::string(text) + " " + std::to_string(in.imm) + "(";
        arg_list(as);
        out_ += ")";
        break;
      case Opcode::CallIndirect:
      case Opcode::ReturnCallIndirect:
        out_ += std::string(text) + " type" + std::to_string(in.imm) + " table" + std::to_string(in.imm2) + " " +
                v(as.back()) + "(";
        arg_list(as.first(as.size() - 1));
        out_ += ")";
        break;
      case Opcode::Jump: out_ += "jump "; edge(f_.edges_of(i)[0]); break;
      case Opcode::Brif:
        out_ += "brif " + v(as[0]) + ", ";
        edge(f_.edges_of(i)[0]);
        out_ += ", ";
        edge(f_.edges_of(i)[1]);
        break;
      case Opcode::BrTable: {
        out_ += "br_table " + v(as[0]) + ", [";
        auto es = f_.edges_of(i);
        for (size_t k = 0; k + 1 < es.size(); ++k) {
          if (k) out_ += ", ";
          edge(es[k]);
        }
        out_ += "], ";
        edge(es.back());
        break;
      }
      case Opcode::Return:
        out_ += "return";
        if (!as.empty()) out_ += " ";
        arg_list(as);
        break;
      case Opcode::Trap: out_ += std::string("trap ") + trap_name(TrapCode(in.imm)); break;
      case Opcode::Nop: out_ += "nop"; break;
    }
    out_ += '\n';
  }

  const Function& f_;
  std::vector<uint32_t> vnum_, bnum_;
  std::string out_;
};

inline std::string print(const Function& f, bool renumber = true) { return Printer(f, renumber).print(); }

}  // namespace wasm::detail::jit::opt
