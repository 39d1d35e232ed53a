#pragma once
// MachineEmitter's selection of single instructions (isel.hpp): numeric operators through
// emit_numeric, select, memory accesses, globals, builtin calls and wasm calls.
#include "wasm/detail/jit/opt/isel.hpp"

namespace wasm::detail::jit::opt {

namespace isel_detail {
constexpr bool is_float_slot(Slot s) { return s == Slot::F32 || s == Slot::F64; }
constexpr bool fits_disp(uint64_t v) { return v <= 0x7FFFFFFF; }
// Same rule as the baseline (compile_memory.hpp): the guard covers [offset, offset + size).
constexpr bool guard_covers(uint64_t guard_bytes, uint64_t offset, uint64_t size) {
  return size >= 1 && offset <= guard_bytes && size <= guard_bytes - offset + 1;
}
}  // namespace isel_detail

inline void MachineEmitter::numeric(InstId i) {
  const Inst& in = f_->insts[i];
  const Op op = in.op;
  if (!is_numeric_op(op)) throw IselFailure{std::string("unsupported operator ") + op_info(op).text};
  const OpInfo& info = op_info(op);
  auto args = f_->args(i);
  const ValueId res = in.result;
  const bool unary = info.param_count() == 1;
  const Scratch scratch{a_.r11, a_.xmm15};
  const CpuFeatures& cpu = env_.options.cpu;
  auto int_rhs = [&](ValueId v, R64 temp) -> NumOperand {
    if (is_const(v)) return NumOperand::imm(int64_t(loc(v).imm));
    return NumOperand(gpr_of(v, temp));
  };
  switch (numeric_constraint(op)) {
    case NumericConstraint::DivRem: {
      emit_move(a_, Location::gpr(0), loc(args[0]), type(args[0]));
      NumOperand rhs = int_rhs(args[1], a_.rcx);
      R64 dst(div_rem_result_reg(op));
      emit_numeric(a_, op, dst, a_.rax, rhs, scratch, traps_, cpu);
      finish_gpr(res, dst);
      return;
    }
    case NumericConstraint::Shift: {
      NumOperand rhs;
      if (is_const(args[1])) {
        rhs = NumOperand::imm(int64_t(loc(args[1]).imm));
      } else {
        emit_move(a_, Location::gpr(1), loc(args[1]), type(args[1]));
        rhs = NumOperand(a_.rcx);
      }
      R64 lhs = gpr_of(args[0], a_.rax);
      R64 dst = gpr_dst(res, a_.rax);
      emit_numeric(a_, op, dst, lhs, rhs, scratch, traps_, cpu);
      finish_gpr(res, dst);
      return;
    }
    case NumericConstraint::None: break;
  }
  // An lhs not in a register is loaded straight into the result's register when that register
  // is not the rhs's (saves the copy emit_numeric would make).
  const bool float_lhs = isel_detail::is_float_slot(info.params[0]);
  const bool float_res = isel_detail::is_float_slot(info.result);
  const Location& ll = loc(args[0]);
  const Location& lr = unary ? Location{} : loc(args[1]);
  const Location& ld = loc(res);
  NumOperand lhs;
  if (float_lhs == float_res && !ll.is_reg() && ld.is_reg() &&
      !(lr.kind == ld.kind && lr.reg == ld.reg)) {
    emit_move(a_, ld, ll, type(args[0]));
    lhs = float_lhs ? NumOperand(X(ld.reg)) : NumOperand(R64(ld.reg));
  } else {
    lhs = float_lhs ? NumOperand(xmm_of(args[0], a_.xmm13)) : NumOperand(gpr_of(args[0], a_.rax));
  }
  NumOperand rhs = NumOperand::none();
  if (!unary) {
    if (isel_detail::is_float_slot(info.params[1])) rhs = NumOperand(xmm_of(args[1], a_.xmm14));
    else rhs = int_rhs(args[1], a_.rdx);
  }
  if (isel_detail::is_float_slot(info.result)) {
    X dst = xmm_dst(res, a_.xmm13);
    emit_numeric(a_, op, dst, lhs, rhs, scratch, traps_, cpu);
    finish_xmm(res, dst);
  } else {
    R64 dst = gpr_dst(res, a_.rax);
    emit_numeric(a_, op, dst, lhs, rhs, scratch, traps_, cpu);
    finish_gpr(res, dst);
  }
}

inline void MachineEmitter::select(InstId i) {
  auto args = f_->args(i);
  const ValueId x = args[0], y = args[1], c = args[2], res = f_->insts[i].result;
  if (is_xmm_type(type(x))) {
    emit_move(a_, Location::xmm(13), loc(x), type(x));
    R64 cr = gpr_of(c, a_.rcx);
    a_.test(cr.cvt32(), cr.cvt32());
    numeric_detail::LocalLabel keep;
    keep.jcc(a_, CompareCond::NE);
    emit_move(a_, Location::xmm(13), loc(y), type(y));
    keep.bind(a_);
    finish_xmm(res, a_.xmm13);
    return;
  }
  if (InstId cmp = fusable_compare(i); cmp != kNone) {
    // cmp + cmov: the result register is written before the compare reads its operands.
    R64 d = gpr_dst(res, a_.r11);
    const Location& ly = loc(y);
    auto clash = [&](ValueId v) {
      const Location& l = loc(v);
      return l.kind == Location::Kind::Gpr && l.reg == d.getIdx();
    };
    bool conflict = ly.kind == Location::Kind::Gpr && ly.reg == d.getIdx();
    for (ValueId v : f_->args(cmp)) conflict = conflict || clash(v);
    if (conflict) d = a_.r11;
    emit_move(a_, Location::gpr(uint8_t(d.getIdx())), loc(x), type(x));
    R64 yr = gpr_of(y, a_.rcx);
    CompareCond cc = emit_fused_compare(cmp);
    emit_cmovcc(a_, negate(cc), d, yr);
    finish_gpr(res, d);
    return;
  }
  // The result register directly when writing it first clobbers neither y nor the condition.
  R64 d = gpr_dst(res, a_.rax);
  const Location& ly = loc(y);
  const Location& lc = loc(c);
  if ((ly.kind == Location::Kind::Gpr && ly.reg == d.getIdx()) ||
      (lc.kind == Location::Kind::Gpr && lc.reg == d.getIdx())) {
    d = a_.rax;
  }
  emit_move(a_, Location::gpr(uint8_t(d.getIdx())), loc(x), type(x));
  R64 yr = gpr_of(y, a_.rdx);
  R64 cr = gpr_of(c, a_.rcx);
  a_.test(cr.cvt32(), cr.cvt32());
  a_.cmovz(d, yr);
  finish_gpr(res, d);
}

// The operand of an access of `size` bytes at base + addr + offset; traps when out of bounds
// (explicit check, or the guard region). Uses rcx, rdx and r11 only.
inline Xbyak::RegExp MachineEmitter::address(const Inst& in, ValueId base, ValueId addr, uint32_t size) {
  using namespace isel_detail;
  const uint32_t mem = in.imm2;
  const uint64_t offset = in.imm;
  if (env_.memory_is64(mem)) throw IselFailure{"memory64"};
  const bool constant = is_const(addr);
  const uint64_t caddr = uint64_t(uint32_t(loc(addr).imm));
  R64 index = constant ? a_.rcx : gpr_of(addr, a_.rcx);
  const bool checked = env_.explicit_bounds() || !guard_covers(env_.options.guard_bytes, offset, size);
  if (checked) {
    const uint64_t end_offset = offset + size;
    if (constant) {
      a_.mov(a_.r11, caddr + end_offset);
    } else {
      a_.mov(a_.r11d, index.cvt32());
      if (fits_disp(end_offset)) {
        a_.add(a_.r11, int32_t(end_offset));
      } else {
        a_.mov(a_.rdx, end_offset);
        a_.add(a_.r11, a_.rdx);
      }
    }
    const VMOffsets& o = env_.offsets;
    if (env_.memory_is_imported(mem)) {
      a_.mov(a_.rdx, a_.qword[a_.r14 + o.imported_memory_from(mem)]);
      a_.cmp(a_.r11, a_.qword[a_.rdx + vmlayout::VMMemoryDefinition::current_length]);
    } else {
      a_.cmp(a_.r11, a_.qword[a_.r14 + o.memory_length(env_.defined_memory(mem))]);
    }
    emit_jcc(a_, CompareCond::A, traps_.trap_label(TrapCode::MemoryOutOfBounds));
  }
  R64 b = mem == 0 ? a_.r15 : gpr_of(base, a_.rdx);
  if (constant) {
    const uint64_t effective = caddr + offset;
    if (fits_disp(effective)) return b + int32_t(effective);
    a_.mov(a_.r11, effective);
    return b + a_.r11;
  }
  if (fits_disp(offset)) return b + index + int32_t(offset);
  a_.mov(a_.r11, offset);
  a_.add(a_.r11, index);
  return b + a_.r11;
}

inline void MachineEmitter::load(InstId i) {
  const Inst& in = f_->insts[i];
  const OpInfo& info = op_info(in.op);
  if (info.prefix == 0xFD) throw IselFailure{"SIMD load"};
  auto args = f_->args(i);
  Xbyak::RegExp e = address(in, args[0], args[1], info.extra);
  const ValueId res = in.result;
  if (in.op == Op::F32Load || in.op == Op::F64Load) {
    X d = xmm_dst(res, a_.xmm13);
    if (in.op == Op::F32Load) a_.movss(d, a_.dword[e]);
    else a_.movsd(d, a_.qword[e]);
    finish_xmm(res, d);
    return;
  }
  R64 d = gpr_dst(res, a_.rax);
  switch (in.op) {
    case Op::I32Load: a_.mov(d.cvt32(), a_.dword[e]); break;
    case Op::I64Load: a_.mov(d, a_.qword[e]); break;
    case Op::I32Load8S: a_.movsx(d.cvt32(), a_.byte[e]); break;
    case Op::I32Load8U: a_.movzx(d.cvt32(), a_.byte[e]); break;
    case Op::I32Load16S: a_.movsx(d.cvt32(), a_.word[e]); break;
    case Op::I32Load16U: a_.movzx(d.cvt32(), a_.word[e]); break;
    case Op::I64Load8S: a_.movsx(d, a_.byte[e]); break;
    case Op::I64Load8U: a_.movzx(d.cvt32(), a_.byte[e]); break;
    case Op::I64Load16S: a_.movsx(d, a_.word[e]); break;
    case Op::I64Load16U: a_.movzx(d.cvt32(), a_.word[e]); break;
    case Op::I64Load32S: a_.movsxd(d, a_.dword[e]); break;
    case Op::I64Load32U: a_.mov(d.cvt32(), a_.dword[e]); break;
    default: throw IselFailure{std::string("unsupported load ") + info.text};
  }
  finish_gpr(res, d);
}

inline void MachineEmitter::store(InstId i) {
  const Inst& in = f_->insts[i];
  const OpInfo& info = op_info(in.op);
  if (info.prefix == 0xFD) throw IselFailure{"SIMD store"};
  auto args = f_->args(i);
  const ValueId v = args[2];
  const uint32_t size = info.extra;
  if (in.op == Op::F32Store || in.op == Op::F64Store) {
    X x = xmm_of(v, a_.xmm13);
    Xbyak::RegExp e = address(in, args[0], args[1], size);
    if (in.op == Op::F32Store) a_.movss(a_.dword[e], x);
    else a_.movsd(a_.qword[e], x);
    return;
  }
  const bool constant = is_const(v) && (size < 8 || int64_t(loc(v).imm) == int64_t(int32_t(loc(v).imm)));
  R64 r = constant ? a_.rax : gpr_of(v, a_.rax);
  Xbyak::RegExp e = address(in, args[0], args[1], size);
  const uint64_t c = loc(v).imm;
  switch (size) {
    case 1: constant ? a_.mov(a_.byte[e], uint8_t(c)) : a_.mov(a_.byte[e], r.cvt8()); break;
    case 2: constant ? a_.mov(a_.word[e], uint16_t(c)) : a_.mov(a_.word[e], r.cvt16()); break;
    case 4: constant ? a_.mov(a_.dword[e], uint32_t(c)) : a_.mov(a_.dword[e], r.cvt32()); break;
    default: constant ? a_.mov(a_.qword[e], int32_t(c)) : a_.mov(a_.qword[e], r); break;
  }
}

inline void MachineEmitter::global_get(InstId i) {
  const Inst& in = f_->insts[i];
  const uint32_t index = uint32_t(in.imm);
  const VMOffsets& o = env_.offsets;
  Xbyak::RegExp addr = a_.r14 + o.global(0);
  if (env_.global_is_imported(index)) {
    a_.mov(a_.r11, a_.qword[a_.r14 + o.imported_global_from(index)]);
    addr = Xbyak::RegExp(a_.r11);
  } else {
    addr = a_.r14 + o.global(env_.defined_global(index));
  }
  const ValueId res = in.result;
  switch (in.type) {
    case Type::F32:
    case Type::F64: {
      X d = xmm_dst(res, a_.xmm13);
      if (in.type == Type::F32) a_.movss(d, a_.dword[addr]);
      else a_.movsd(d, a_.qword[addr]);
      finish_xmm(res, d);
      return;
    }
    case Type::V128: throw IselFailure{"v128 global"};
    default: {
      R64 d = gpr_dst(res, a_.rax);
      if (in.type == Type::I32) a_.mov(d.cvt32(), a_.dword[addr]);
      else a_.mov(d, a_.qword[addr]);
      finish_gpr(res, d);
      return;
    }
  }
}

inline void MachineEmitter::global_set(InstId i) {
  const Inst& in = f_->insts[i];
  const uint32_t index = uint32_t(in.imm);
  const VMOffsets& o = env_.offsets;
  const ValueId v = f_->args(i)[0];
  const Type t = type(v);
  if (t == Type::V128) throw IselFailure{"v128 global"};
  // The value first (rax / xmm13), then the address (r11 for an import).
  X x = a_.xmm13;
  R64 r = a_.rax;
  if (is_xmm_type(t)) x = xmm_of(v, a_.xmm13);
  else r = gpr_of(v, a_.rax);
  Xbyak::RegExp addr = a_.r14 + o.global(0);
  if (env_.global_is_imported(index)) {
    a_.mov(a_.r11, a_.qword[a_.r14 + o.imported_global_from(index)]);
    addr = Xbyak::RegExp(a_.r11);
  } else {
    addr = a_.r14 + o.global(env_.defined_global(index));
  }
  switch (t) {
    case Type::F32: a_.movss(a_.dword[addr], x); break;
    case Type::F64: a_.movsd(a_.qword[addr], x); break;
    case Type::I32: a_.mov(a_.dword[addr], r.cvt32()); break;
    default: a_.mov(a_.qword[addr], r); break;
  }
}

inline void MachineEmitter::runtime(InstId i) {
  const Inst& in = f_->insts[i];
  const uint32_t x = uint32_t(in.imm), y = in.imm2;
  const VMOffsets& o = env_.offsets;
  const ValueId res = in.result;
  auto args = f_->args(i);
  if (in.op == Op::MemorySize) {
    R64 d = gpr_dst(res, a_.rax);
    if (env_.memory_is_imported(x)) {
      a_.mov(d, a_.qword[a_.r14 + o.imported_memory_from(x)]);
      a_.mov(d, a_.qword[d + vmlayout::VMMemoryDefinition::current_length]);
    } else {
      a_.mov(d, a_.qword[a_.r14 + o.memory_length(env_.defined_memory(x))]);
    }
    a_.shr(d, 16);
    finish_gpr(res, d);
    return;
  }
  if (in.op == Op::TableSize) {
    R64 d = gpr_dst(res, a_.rax);
    if (env_.table_is_imported(x)) {
      a_.mov(d, a_.qword[a_.r14 + o.imported_table_from(x)]);
      a_.mov(d.cvt32(), a_.dword[d + vmlayout::VMTableDefinition::current_elements]);
    } else {
      a_.mov(d.cvt32(), a_.dword[a_.r14 + o.table_current_elements(env_.defined_table(x))]);
    }
    finish_gpr(res, d);
    return;
  }
  // Builtin arguments after the VMContext: an immediate, or operand k.
  struct Arg {
    bool operand;
    uint64_t v;
  };
  auto imm = [](uint64_t v) { return Arg{false, v}; };
  auto opnd = [](uint64_t k) { return Arg{true, k}; };
  std::vector<Arg> spec;
  Builtin b;
  switch (in.op) {
    case Op::MemoryGrow: b = Builtin::memory_grow; spec = {imm(x), opnd(0)}; break;
    case Op::MemoryFill: b = Builtin::memory_fill; spec = {imm(x), opnd(0), opnd(1), opnd(2)}; break;
    case Op::MemoryCopy: b = Builtin::memory_copy; spec = {imm(x), imm(y), opnd(0), opnd(1), opnd(2)}; break;
    case Op::MemoryInit: b = Builtin::memory_init; spec = {imm(y), imm(x), opnd(0), opnd(1), opnd(2)}; break;
    case Op::DataDrop: b = Builtin::data_drop; spec = {imm(x)}; break;
    case Op::TableGet: b = Builtin::table_get; spec = {imm(x), opnd(0)}; break;
    case Op::TableSet: b = Builtin::table_set; spec = {imm(x), opnd(0), opnd(1)}; break;
    case Op::TableGrow: b = Builtin::table_grow; spec = {imm(x), opnd(1), opnd(0)}; break;
    case Op::TableFill: b = Builtin::table_fill; spec = {imm(x), opnd(0), opnd(1), opnd(2)}; break;
    case Op::TableCopy: b = Builtin::table_copy; spec = {imm(x), imm(y), opnd(0), opnd(1), opnd(2)}; break;
    case Op::TableInit: b = Builtin::table_init; spec = {imm(y), imm(x), opnd(0), opnd(1), opnd(2)}; break;
    case Op::ElemDrop: b = Builtin::elem_drop; spec = {imm(x)}; break;
    default: throw IselFailure{std::string("unsupported runtime operator ") + op_info(in.op).text};
  }
  std::vector<Move> moves;
  for (size_t k = 0; k < spec.size(); ++k) {
    Location dst = Location::gpr(abi::kIntArgRegs[k + 1]);
    if (spec[k].operand) {
      ValueId v = args[spec[k].v];
      moves.push_back(Move{dst, loc(v), type(v)});
    } else {
      moves.push_back(Move{dst, Location::constant(spec[k].v), Type::I64});
    }
  }
  emit_parallel_moves(a_, moves);
  call_vmctx_builtin(b);
  if (env_.memory_base_may_move()) reload_memory_base();
  if (in.nresults) {
    if (in.type == Type::I32) a_.mov(a_.eax, a_.eax);  // C leaves the upper half undefined
    finish_gpr(res, a_.rax);
  }
}

// call_indirect's checks (indirect_calls.hpp), leaving the VMFuncRef* at [rbp + kCallTarget].
inline void MachineEmitter::indirect_target(ValueId index, uint32_t type_index, uint32_t table) {
  emit_move(a_, Location::gpr(11), loc(index), Type::I32);
  // The builtins clobber the caller-saved registers, which may hold this call's arguments.
  emit_indirect_call_target(a_, traps_, env_, type_index, table, [&](Builtin b, auto&& load_args) {
    for (uint8_t r : kOptGprs) a_.push(R64(r));
    a_.sub(a_.rsp, 16 * std::size(kOptXmms));
    for (size_t k = 0; k < std::size(kOptXmms); ++k) a_.movdqu(a_.xword[a_.rsp + 16 * k], X(kOptXmms[k]));
    load_args();
    call_vmctx_builtin(b);
    for (size_t k = 0; k < std::size(kOptXmms); ++k) a_.movdqu(X(kOptXmms[k]), a_.xword[a_.rsp + 16 * k]);
    a_.add(a_.rsp, 16 * std::size(kOptXmms));
    for (size_t k = std::size(kOptGprs); k-- > 0;) a_.pop(R64(kOptGprs[k]));
  });
}

inline void MachineEmitter::call(InstId i) {
  const Inst& in = f_->insts[i];
  const bool indirect = in.opc == Opcode::CallIndirect;
  const uint32_t callee = uint32_t(in.imm);
  const FuncType& type = indirect ? env_.module.types[callee] : env_.module.func_type(callee);
  auto args = f_->args(i);
  const size_t n = type.params.size();
  if (indirect) indirect_target(args[n], callee, in.imm2);
  const abi::CallLayout layout = abi::call_layout(type);
  if (layout.stack_bytes) a_.sub(a_.rsp, layout.stack_bytes);
  // Outgoing stack arguments as frame locations: rsp is rbp - saved - frame - stack_bytes.
  const int32_t rsp_disp = -int32_t(frame::kSavedRegsBytes + frame_bytes_ + layout.stack_bytes);
  std::vector<Move> moves;
  for (size_t k = 0; k < n; ++k) {
    const abi::ArgLocation& l = layout.params[k];
    Location dst;
    switch (l.kind) {
      case abi::ArgLocation::Kind::Gpr: dst = Location::gpr(l.reg); break;
      case abi::ArgLocation::Kind::Xmm: dst = Location::xmm(l.reg); break;
      case abi::ArgLocation::Kind::Stack: dst = Location::frame(rsp_disp + int32_t(l.stack_offset)); break;
    }
    moves.push_back(Move{dst, loc(args[k]), this->type(args[k])});
  }
  emit_parallel_moves(a_, moves);
  a_.mov(a_.rsi, a_.r14);
  if (layout.has_results_area) a_.lea(a_.rdx, a_.ptr[a_.rsp + int32_t(layout.stack_bytes)]);
  if (indirect) {
    a_.mov(a_.rax, a_.qword[a_.rbp + frame::kCallTarget]);
    a_.mov(a_.rdi, a_.qword[a_.rax + vmlayout::VMFuncRef::vmctx]);
    a_.call(a_.qword[a_.rax + vmlayout::VMFuncRef::code]);
  } else if (in.opc == Opcode::CallImport) {
    const VMOffsets& o = env_.offsets;
    a_.mov(a_.rdi, a_.qword[a_.r14 + o.imported_function_vmctx(callee)]);
    a_.call(a_.qword[a_.r14 + o.imported_function_code(callee)]);
  } else {
    a_.mov(a_.rdi, a_.r14);
    emit_direct_call(a_, calls_, callee);
  }
  restore_rsp();
  if (env_.memory_base_may_move()) reload_memory_base();
  call_results(i, type);
}

inline void MachineEmitter::call_results(InstId i, const FuncType& type) {
  const Inst& in = f_->insts[i];
  const size_t n = type.results.size();
  if (n == 1) {
    if (is_xmm_type(in.type)) {
      finish_xmm(in.result, a_.xmm0);
    } else {
      if (in.type == Type::I32) a_.mov(a_.eax, a_.eax);  // the callee may be a host function
      finish_gpr(in.result, a_.rax);
    }
    return;
  }
  const int32_t rsp_disp = -int32_t(frame::kSavedRegsBytes + frame_bytes_);
  for (size_t k = 0; k < n; ++k) {
    ValueId v = in.result + ValueId(k);
    emit_move(a_, loc(v), Location::frame(rsp_disp + int32_t(16 * k)), this->type(v));
  }
}

}  // namespace wasm::detail::jit::opt
