#pragma once
// MachineEmitter's definitions (isel.hpp): the driver, control flow and calls here; the
// per-instruction selection in isel_ops.hpp.
#include <algorithm>
#include <memory>

#include "wasm/detail/jit/opt/isel.hpp"

namespace wasm::detail::jit::opt {

inline CompiledFunction MachineEmitter::emit(Function& f, const Allocation& alloc) {
  f_ = &f;
  alloc_ = &alloc;
  block_labels_ = std::vector<Xbyak::Label>(f.blocks.size());
  edge_stubs_.clear();
  stub_labels_.clear();
  calls_.clear();
  trap_sites_.clear();
  for (bool& u : traps_.used) u = false;

  max_call_results_ = 0;
  for (BlockId b : alloc.order)
    for (InstId i = f.blocks[b].first; i != kNone; i = f.insts[i].next) {
      const Inst& in = f.insts[i];
      if (in.opc == Opcode::Call || in.opc == Opcode::CallImport || in.opc == Opcode::CallIndirect)
        max_call_results_ = std::max<uint32_t>(max_call_results_, in.nresults > 1 ? in.nresults : 0);
    }
  // Below the saved r14/r15: results pointer, call target, slots; then callee results areas.
  uint64_t bytes = 16 + 8 * uint64_t(alloc.num_slots) + 16 * uint64_t(max_call_results_);
  bytes = (bytes + 15) / 16 * 16;
  if (bytes > 0x10000000) throw IselFailure{"frame too large"};
  frame_bytes_ = uint32_t(bytes);

  prologue();
  for (size_t k = 0; k < alloc.order.size(); ++k) {
    BlockId b = alloc.order[k];
    BlockId next = k + 1 < alloc.order.size() ? alloc.order[k + 1] : kNone;
    a_.L(block_labels_[b]);
    for (InstId i = f.blocks[b].first; i != kNone; i = f.insts[i].next) inst(i, next);
  }
  out_of_line();
  a_.ready();
  CompiledFunction out;
  out.code.assign(a_.getCode(), a_.getCode() + a_.getSize());
  out.calls = calls_;
  std::sort(trap_sites_.begin(), trap_sites_.end(),
            [](const TrapSite& x, const TrapSite& y) { return x.offset < y.offset; });
  out.traps = trap_sites_;
  out.frame.frame_bytes = frame_bytes_;
  return out;
}

inline void MachineEmitter::reload_memory_base() {
  if (!env_.has_memory()) return;
  const VMOffsets& o = env_.offsets;
  if (env_.memory_is_imported(0)) {
    a_.mov(a_.r15, a_.qword[a_.r14 + o.imported_memory_from(0)]);
    a_.mov(a_.r15, a_.qword[a_.r15 + vmlayout::VMMemoryDefinition::base]);
  } else {
    a_.mov(a_.r15, a_.qword[a_.r14 + o.memory_base(0)]);
  }
}

inline void MachineEmitter::call_vmctx_builtin(Builtin b) {
  a_.mov(a_.rdi, a_.r14);
  a_.mov(a_.rax, a_.qword[a_.r14 + VMOffsets::builtins()]);
  a_.call(a_.qword[a_.rax + builtin_offset(b)]);
}

// rsp back to the body's value: a callee that tail-called may return with rsp lower (abi.hpp).
inline void MachineEmitter::restore_rsp() {
  a_.lea(a_.rsp, a_.ptr[a_.rbp - int32_t(frame::kSavedRegsBytes + frame_bytes_)]);
}

inline void MachineEmitter::prologue() {
  frame::emit_prologue(a_);
  a_.sub(a_.rsp, frame_bytes_);
  a_.mov(a_.r14, a_.rdi);
  const FuncType& sig = env_.module.func_type(f_->func_index);
  abi::CallLayout layout = abi::call_layout(sig);
  if (layout.has_results_area) a_.mov(a_.qword[a_.rbp + frame::kResultsPtr], a_.rdx);
  // Stack limit: the frame is reserved but not yet touched.
  a_.mov(a_.r11, a_.qword[a_.r14 + VMOffsets::store_context()]);
  a_.cmp(a_.rsp, a_.qword[a_.r11 + store_ctx::kStackLimit]);
  emit_jcc(a_, CompareCond::B, traps_.trap_label(TrapCode::StackOverflow));
  reload_memory_base();
  std::vector<Move> moves;
  auto params = f_->params_of(f_->entry);
  for (size_t i = 0; i < sig.params.size() && i < params.size(); ++i) {
    const abi::ArgLocation& l = layout.params[i];
    Location src;
    switch (l.kind) {
      case abi::ArgLocation::Kind::Gpr:
        // Callers from C++ need not clear the upper half of a 32-bit argument.
        if (sig.params[i] == ValType::I32) a_.mov(Xbyak::Reg32(l.reg), Xbyak::Reg32(l.reg));
        src = Location::gpr(l.reg);
        break;
      case abi::ArgLocation::Kind::Xmm: src = Location::xmm(l.reg); break;
      case abi::ArgLocation::Kind::Stack:
        src = Location::frame(int32_t(frame::kIncomingArgs + l.stack_offset));
        break;
    }
    moves.push_back(Move{loc(params[i]), src, type(params[i])});
  }
  emit_parallel_moves(a_, moves);
}

inline void MachineEmitter::epilogue() {
  a_.lea(a_.rsp, a_.ptr[a_.rbp - frame::kSavedRegsBytes]);
  a_.pop(a_.r15);
  a_.pop(a_.r14);
  a_.pop(a_.rbp);
  a_.ret();
}

inline void MachineEmitter::out_of_line() {
  for (size_t k = 0; k < edge_stubs_.size(); ++k) {
    const EdgeStub s = edge_stubs_[k];
    a_.L(*s.label);
    const Edge& e = f_->edges[s.edge];
    edge_moves(e);
    a_.jmp(block_label(e.block), Xbyak::CodeGenerator::T_NEAR);
  }
  for (uint32_t code = 0; code < kNumTrapCodes; ++code) {
    if (!traps_.used[code]) continue;
    trap_sites_.push_back(TrapSite{uint32_t(a_.getSize()), TrapCode(code)});
    a_.L(traps_.labels[code]);
    a_.mov(a_.esi, code);
    call_vmctx_builtin(Builtin::raise_trap);
    a_.ud2();
  }
}

inline bool MachineEmitter::edge_has_moves(const Edge& e) const {
  auto args = f_->list(e.args);
  auto params = f_->params_of(e.block);
  for (size_t k = 0; k < args.size(); ++k) {
    const Location& d = loc(params[k]);
    if (d.kind != Location::Kind::None && !(d == loc(args[k]))) return true;
  }
  return false;
}

inline void MachineEmitter::edge_moves(const Edge& e) {
  auto args = f_->list(e.args);
  auto params = f_->params_of(e.block);
  std::vector<Move> moves;
  for (size_t k = 0; k < args.size(); ++k) moves.push_back(Move{loc(params[k]), loc(args[k]), type(params[k])});
  emit_parallel_moves(a_, moves);
}

inline Xbyak::Label& MachineEmitter::edge_target(uint32_t edge_index) {
  const Edge& e = f_->edges[edge_index];
  if (!edge_has_moves(e)) return block_label(e.block);
  stub_labels_.push_back(std::make_unique<Xbyak::Label>());
  edge_stubs_.push_back(EdgeStub{stub_labels_.back().get(), edge_index});
  return *stub_labels_.back();
}

inline void MachineEmitter::jump_edge(uint32_t edge_index, BlockId next) {
  const Edge& e = f_->edges[edge_index];
  edge_moves(e);
  if (e.block != next) a_.jmp(block_label(e.block), Xbyak::CodeGenerator::T_NEAR);
}

inline void MachineEmitter::inst(InstId i, BlockId next) {
  Inst& in = f_->insts[i];
  // A compare that the branch right after it will do itself (cmp + jcc).
  if (in.opc == Opcode::Wasm && in.next != kNone && fusable_compare(in.next) == i) return;
  switch (in.opc) {
    case Opcode::Nop:
    case Opcode::Const:
    case Opcode::RefNull: return;  // constants are materialised where used
    case Opcode::Wasm: numeric(i); return;
    case Opcode::UMulHi:
    case Opcode::SMulHi: {
      ValueId x = f_->args(i)[0], y = f_->args(i)[1];
      bool wide = in.type == Type::I64;
      emit_move(a_, Location::gpr(0), loc(x), type(x));
      R64 m = gpr_of(y, a_.rcx);
      if (in.opc == Opcode::UMulHi) {
        if (wide) a_.mul(m);
        else a_.mul(m.cvt32());
      } else {
        if (wide) a_.imul(m);
        else a_.imul(m.cvt32());
      }
      finish_gpr(in.result, a_.rdx);
      return;
    }
    case Opcode::Select: select(i); return;
    case Opcode::RefIsNull: {
      ValueId x = f_->args(i)[0];
      R64 r = gpr_of(x, a_.rax);
      a_.test(r, r);
      R64 d = gpr_dst(in.result, a_.rax);
      emit_setcc(a_, CompareCond::E, d);
      finish_gpr(in.result, d);
      return;
    }
    case Opcode::RefFunc: {
      R64 d = gpr_dst(in.result, a_.rax);
      a_.lea(d, a_.ptr[a_.r14 + env_.offsets.func_ref(uint32_t(in.imm))]);
      finish_gpr(in.result, d);
      return;
    }
    case Opcode::MemBase: {
      if (in.imm2 == 0) return;  // r15
      R64 d = gpr_dst(in.result, a_.rax);
      const VMOffsets& o = env_.offsets;
      if (env_.memory_is_imported(in.imm2)) {
        a_.mov(d, a_.qword[a_.r14 + o.imported_memory_from(in.imm2)]);
        a_.mov(d, a_.qword[d + vmlayout::VMMemoryDefinition::base]);
      } else {
        a_.mov(d, a_.qword[a_.r14 + o.memory_base(env_.defined_memory(in.imm2))]);
      }
      finish_gpr(in.result, d);
      return;
    }
    case Opcode::Load: load(i); return;
    case Opcode::Store: store(i); return;
    case Opcode::GlobalGet: global_get(i); return;
    case Opcode::GlobalSet: global_set(i); return;
    case Opcode::Runtime: runtime(i); return;
    case Opcode::Call:
    case Opcode::CallImport:
    case Opcode::CallIndirect: call(i); return;
    case Opcode::Jump: jump_edge(in.edges_begin, next); return;
    case Opcode::Brif: brif(i, next); return;
    case Opcode::BrTable: br_table(i); return;
    case Opcode::Return: ret(i); return;
    case Opcode::Trap:
      a_.jmp(traps_.trap_label(TrapCode(in.imm)), Xbyak::CodeGenerator::T_NEAR);
      return;
    default: throw IselFailure{std::string("no selection for ") + opcode_info(in.opc).text};
  }
}

inline void MachineEmitter::ret(InstId i) {
  auto vals = f_->args(i);
  if (vals.size() == 1) {
    ValueId v = vals[0];
    if (is_xmm_type(type(v))) emit_move(a_, Location::xmm(0), loc(v), type(v));
    else emit_move(a_, Location::gpr(0), loc(v), type(v));
  } else if (vals.size() > 1) {
    a_.mov(a_.rax, a_.qword[a_.rbp + frame::kResultsPtr]);
    for (size_t k = 0; k < vals.size(); ++k) {
      ValueId v = vals[k];
      const int32_t d = int32_t(16 * k);
      if (is_xmm_type(type(v))) {
        X x = xmm_of(v, a_.xmm13);
        a_.movsd(a_.qword[a_.rax + d], x);
      } else {
        R64 r = gpr_of(v, a_.rdx);
        a_.mov(a_.qword[a_.rax + d], r);
      }
    }
  }
  epilogue();
}

inline InstId MachineEmitter::fusable_compare(InstId user) const {
  const Inst& u = f_->insts[user];
  ValueId c;
  if (u.opc == Opcode::Brif) c = f_->args(user)[0];
  else if (u.opc == Opcode::Select && !is_xmm_type(u.type)) c = f_->args(user)[2];
  else return kNone;
  if (is_const(c)) return kNone;
  const ValueData& d = f_->values[c];
  if (d.kind != ValueKind::Result || alloc_->uses[c] != 1) return kNone;
  InstId cmp = d.def;
  if (u.prev != cmp) return kNone;
  const Inst& in = f_->insts[cmp];
  if (in.opc != Opcode::Wasm) return kNone;
  switch (in.op) {
    case Op::I32Eqz: case Op::I32Eq: case Op::I32Ne: case Op::I32LtS: case Op::I32LtU:
    case Op::I32GtS: case Op::I32GtU: case Op::I32LeS: case Op::I32LeU: case Op::I32GeS:
    case Op::I32GeU: case Op::I64Eqz: case Op::I64Eq: case Op::I64Ne: case Op::I64LtS:
    case Op::I64LtU: case Op::I64GtS: case Op::I64GtU: case Op::I64LeS: case Op::I64LeU:
    case Op::I64GeS: case Op::I64GeU: return cmp;
    default: return kNone;
  }
}

inline CompareCond MachineEmitter::emit_fused_compare(InstId cmp) {
  const Inst& in = f_->insts[cmp];
  auto args = f_->args(cmp);
  const bool wide = type(args[0]) == Type::I64;
  R64 l = gpr_of(args[0], a_.rax);
  if (in.op == Op::I32Eqz || in.op == Op::I64Eqz) {
    if (wide) a_.test(l, l);
    else a_.test(l.cvt32(), l.cvt32());
    return CompareCond::E;
  }
  ValueId r = args[1];
  int64_t imm = int64_t(loc(r).imm);
  if (is_const(r) && (wide ? imm == int64_t(int32_t(imm)) : true)) {
    if (wide) a_.cmp(l, int32_t(imm));
    else a_.cmp(l.cvt32(), uint32_t(imm));
  } else {
    R64 rr = gpr_of(r, a_.rdx);
    if (wide) a_.cmp(l, rr);
    else a_.cmp(l.cvt32(), rr.cvt32());
  }
  switch (in.op) {
    case Op::I32Eq: case Op::I64Eq: return CompareCond::E;
    case Op::I32Ne: case Op::I64Ne: return CompareCond::NE;
    case Op::I32LtS: case Op::I64LtS: return CompareCond::L;
    case Op::I32LtU: case Op::I64LtU: return CompareCond::B;
    case Op::I32GtS: case Op::I64GtS: return CompareCond::G;
    case Op::I32GtU: case Op::I64GtU: return CompareCond::A;
    case Op::I32LeS: case Op::I64LeS: return CompareCond::LE;
    case Op::I32LeU: case Op::I64LeU: return CompareCond::BE;
    case Op::I32GeS: case Op::I64GeS: return CompareCond::GE;
    default: return CompareCond::AE;
  }
}

inline void MachineEmitter::brif(InstId i, BlockId next) {
  const Inst& in = f_->insts[i];
  const uint32_t e_true = in.edges_begin, e_false = in.edges_begin + 1;
  ValueId c = f_->args(i)[0];
  if (is_const(c)) {
    jump_edge(uint32_t(loc(c).imm) != 0 ? e_true : e_false, next);
    return;
  }
  CompareCond taken;
  InstId cmp = fusable_compare(i);
  if (cmp != kNone) {
    taken = emit_fused_compare(cmp);
  } else {
    R64 r = gpr_of(c, a_.rax);
    a_.test(r.cvt32(), r.cvt32());
    taken = CompareCond::NE;
  }
  const Edge& t = f_->edges[e_true];
  const Edge& fl = f_->edges[e_false];
  const bool true_moves = edge_has_moves(t), false_moves = edge_has_moves(fl);
  // The edge with moves (if only one has any) goes inline, so that a loop's back edge with
  // block arguments is jcc over the moves rather than a jump to a stub and back.
  if ((t.block == next && !true_moves) || (true_moves && !false_moves)) {
    emit_jcc(a_, negate(taken), edge_target(e_false));
    jump_edge(e_true, next);
    return;
  }
  emit_jcc(a_, taken, edge_target(e_true));
  jump_edge(e_false, next);
}

inline void MachineEmitter::br_table(InstId i) {
  const Inst& in = f_->insts[i];
  const uint32_t n = in.edges_count - 1;  // the default is last
  ValueId index = f_->args(i)[0];
  if (is_const(index)) {
    uint32_t k = uint32_t(loc(index).imm);
    jump_edge(in.edges_begin + (k < n ? k : n), kNone);
    return;
  }
  R64 r = gpr_of(index, a_.rax);
  a_.cmp(r.cvt32(), n);
  emit_jcc(a_, CompareCond::AE, edge_target(in.edges_begin + n));
  if (n == 0) return;
  stub_labels_.push_back(std::make_unique<Xbyak::Label>());
  Xbyak::Label& table = *stub_labels_.back();
  a_.lea(a_.r11, a_.ptr[a_.rip + table]);
  a_.lea(a_.r11, a_.ptr[a_.r11 + r * 8]);
  a_.jmp(a_.r11);
  a_.L(table);
  for (uint32_t k = 0; k < n; ++k) {
    size_t at = a_.getSize();
    a_.jmp(edge_target(in.edges_begin + k), Xbyak::CodeGenerator::T_NEAR);
    while (a_.getSize() < at + 8) a_.db(0xCC);
  }
}

}  // namespace wasm::detail::jit::opt

#include "wasm/detail/jit/opt/isel_ops.hpp"
