#pragma once
// Constant folding and algebraic simplification. Scalar operators whose operands are constants
// are evaluated with eval.hpp (the evaluator the IR interpreter uses); an evaluation that traps
// is left in place, so that the trap still happens at run time, and float results that are NaN
// are not folded unless the operator only moves bits (a NaN's payload is the hardware's
// choice). Integer identities (x+0, x*1, x&-1, x-x, ...) replace an instruction by an operand
// or a constant; a division by a constant other than 0 and -1 is marked as needing no check;
// constants move to the right of commutative integer operators (for GVN and the backend);
// select and brif/br_table on a constant condition pick their arm or edge. Not folded here:
// anything that could change which trap happens or whether one does.
#include <cmath>

#include "wasm/detail/jit/opt/cfg.hpp"
#include "wasm/detail/jit/opt/effects.hpp"
#include "wasm/detail/jit/opt/eval.hpp"
#include "wasm/detail/jit/opt/rewrite.hpp"

namespace wasm::detail::jit::opt {

constexpr bool is_commutative_int(Op op) {
  switch (op) {
    case Op::I32Add: case Op::I32Mul: case Op::I32And: case Op::I32Or: case Op::I32Xor: case Op::I32Eq: case Op::I32Ne:
    case Op::I64Add: case Op::I64Mul: case Op::I64And: case Op::I64Or: case Op::I64Xor: case Op::I64Eq: case Op::I64Ne:
      return true;
    default: return false;
  }
}

class FoldPass {
 public:
  explicit FoldPass(Function& f) : f_(f) {}

  bool run() {
    Cfg cfg(f_);
    for (BlockId b : cfg.rpo) f_.for_each_inst(b, [&](InstId i) { visit(i); });
    resolve_operands(f_);
    return changed_;
  }

 private:
  // The constant bits of v, if it is one.
  bool constant(ValueId v, uint64_t& bits) const {
    const ValueData& d = f_.values[v];
    if (d.kind != ValueKind::Result) return false;
    const Inst& in = f_.insts[d.def];
    if (in.opc != Opcode::Const || in.type == Type::V128) return false;
    bits = in.imm;
    return true;
  }
  static bool is_nan(Type t, uint64_t bits) {
    if (t == Type::F32) return std::isnan(std::bit_cast<float>(uint32_t(bits)));
    if (t == Type::F64) return std::isnan(std::bit_cast<double>(bits));
    return false;
  }
  static uint64_t all_ones(Type t) { return t == Type::I32 ? 0xFFFFFFFFull : ~0ull; }

  void replace(InstId i, ValueId v) {
    v = f_.resolve(v);
    if (v == f_.insts[i].result) return;
    replace_with(f_, i, v);
    changed_ = true;
  }
  void to_const(InstId i, uint64_t bits) {
    make_const(f_, i, bits);
    changed_ = true;
  }

  void visit(InstId i) {
    Inst& in = f_.insts[i];
    for (ValueId& a : f_.args(i)) a = f_.resolve(a);
    switch (in.opc) {
      case Opcode::Wasm: return wasm_op(i);
      case Opcode::Select: {
        auto as = f_.args(i);
        uint64_t c;
        if (constant(as[2], c)) return replace(i, uint32_t(c) ? as[0] : as[1]);
        if (as[0] == as[1]) return replace(i, as[0]);
        return;
      }
      case Opcode::Brif:
      case Opcode::BrTable: return branch(i);
      default: return;
    }
  }

  // A conditional branch on a constant becomes a jump along the edge it always takes.
  void branch(InstId i) {
    Inst& in = f_.insts[i];
    uint64_t c;
    if (!constant(f_.args(i)[0], c)) return;
    uint32_t which = in.opc == Opcode::Brif ? (uint32_t(c) ? 0 : 1)
                                            : std::min<uint32_t>(uint32_t(c), in.edges_count - 1);
    in.opc = Opcode::Jump;
    in.args.count = 0;
    in.edges_begin += which;
    in.edges_count = 1;
    changed_ = true;
  }

  void wasm_op(InstId i) {
    Inst& in = f_.insts[i];
    auto as = f_.args(i);
    const OpInfo& info = op_info(in.op);
    if (as.empty() || as.size() > 2 || info.result == Slot::V128) return;
    for (ValueId a : as)
      if (f_.type(a) == Type::V128) return;
    uint64_t x = 0, y = 0;
    bool cx = constant(as[0], x);
    bool cy = as.size() == 2 && constant(as[1], y);
    if (cx && (as.size() == 1 || cy)) {
      EvalResult r = eval_scalar(in.op, x, y);
      if (r.status == EvalResult::Status::Ok && (!is_nan(in.type, r.bits) || is_bitwise_float_op(in.op)))
        return to_const(i, r.bits);
      if (r.status != EvalResult::Status::Ok) return;  // a trap stays where it is
      return;
    }
    if (as.size() != 2 || (in.type != Type::I32 && in.type != Type::I64 && f_.type(as[0]) != Type::I32 &&
                           f_.type(as[0]) != Type::I64))
      return;
    if (cx && !cy && is_commutative_int(in.op)) {  // constant to the right
      std::swap(as[0], as[1]);
      std::swap(x, y);
      std::swap(cx, cy);
      changed_ = true;
    }
    if (f_.type(as[0]) != Type::I32 && f_.type(as[0]) != Type::I64) return;
    simplify(i, as[0], as[1], cy, y);
  }

  // Integer identities on x op y, y possibly a constant c.
  void simplify(InstId i, ValueId xv, ValueId yv, bool cy, uint64_t c) {
    Inst& in = f_.insts[i];
    const Type t = f_.type(xv);
    const uint64_t ones = all_ones(t);
    const bool same = xv == yv;
    switch (in.op) {
      case Op::I32Add: case Op::I64Add: case Op::I32Or: case Op::I64Or: case Op::I32Xor: case Op::I64Xor:
      case Op::I32Shl: case Op::I64Shl: case Op::I32ShrS: case Op::I64ShrS: case Op::I32ShrU: case Op::I64ShrU:
      case Op::I32Rotl: case Op::I64Rotl: case Op::I32Rotr: case Op::I64Rotr: case Op::I32Sub: case Op::I64Sub: {
        bool shift = in.op != Op::I32Add && in.op != Op::I64Add && in.op != Op::I32Or && in.op != Op::I64Or &&
                     in.op != Op::I32Xor && in.op != Op::I64Xor && in.op != Op::I32Sub && in.op != Op::I64Sub;
        uint64_t mask = t == Type::I32 ? 31 : 63;
        if (cy && (shift ? (c & mask) == 0 : c == 0)) return replace(i, xv);
        if (same && (in.op == Op::I32Sub || in.op == Op::I64Sub || in.op == Op::I32Xor || in.op == Op::I64Xor))
          return to_const(i, 0);
        if (same && (in.op == Op::I32Or || in.op == Op::I64Or)) return replace(i, xv);
        if (cy && (in.op == Op::I32Or || in.op == Op::I64Or) && c == ones) return to_const(i, ones);
        return;
      }
      case Op::I32Mul: case Op::I64Mul:
        if (cy && c == 1) return replace(i, xv);
        if (cy && c == 0) return to_const(i, 0);
        return;
      case Op::I32And: case Op::I64And:
        if (cy && c == ones) return replace(i, xv);
        if (cy && c == 0) return to_const(i, 0);
        if (same) return replace(i, xv);
        return;
      case Op::I32Eq: case Op::I64Eq: case Op::I32LeS: case Op::I64LeS: case Op::I32LeU: case Op::I64LeU:
      case Op::I32GeS: case Op::I64GeS: case Op::I32GeU: case Op::I64GeU:
        if (same) return to_const(i, 1);
        return;
      case Op::I32Ne: case Op::I64Ne: case Op::I32LtS: case Op::I64LtS: case Op::I32LtU: case Op::I64LtU:
      case Op::I32GtS: case Op::I64GtS: case Op::I32GtU: case Op::I64GtU:
        if (same) return to_const(i, 0);
        if (cy && c == 0 && (in.op == Op::I32LtU || in.op == Op::I64LtU)) return to_const(i, 0);  // x <u 0
        return;
      case Op::I32DivU: case Op::I64DivU: case Op::I32DivS: case Op::I64DivS:
      case Op::I32RemU: case Op::I64RemU: case Op::I32RemS: case Op::I64RemS: {
        if (!cy || c == 0) return;  // may trap: stays
        bool rem = in.op == Op::I32RemU || in.op == Op::I64RemU || in.op == Op::I32RemS || in.op == Op::I64RemS;
        if (c == 1) return rem ? to_const(i, 0) : replace(i, xv);
        uint8_t flags = in.flags | InstFlag::NoZeroCheck;
        if (c != ones) flags |= InstFlag::NoOverflowCheck;
        if (c == ones && (in.op == Op::I32RemS || in.op == Op::I64RemS)) return to_const(i, 0);  // x rem_s -1
        if (flags != in.flags) {
          in.flags = flags;
          changed_ = true;
        }
        return;
      }
      default: return;
    }
  }

  Function& f_;
  bool changed_ = false;
};

inline bool fold_constants(Function& f) { return FoldPass(f).run(); }

}  // namespace wasm::detail::jit::opt
