#pragma once
// The driver of FunctionCompiler (declared in function_compiler_decl.hpp): prologue, the loop
// over instructions, epilogue and out-of-line code, plus the value-stack and register
// primitives every visitor uses. The visitors live in compile_*.hpp, included at the end.
#include <algorithm>
#include <exception>
#include <new>

#include "wasm/detail/jit/function_compiler_decl.hpp"

namespace wasm::detail::jit {

// ---- value stack and registers ---------------------------------------------------------

inline Reg FunctionCompiler::alloc_reg(RegClass cls, RegSet pinned) {
  if (auto r = regs_.free_reg(cls, pinned)) return *r;
  Reg victim = regs_.spill_candidate(cls, pinned);
  spill_reg(victim);
  return victim;
}

inline Reg FunctionCompiler::result_reg(RegClass cls, RegSet pinned, Reg reuse) {
  if (reuse.cls() == cls && !regs_.is_used(reuse) && reuse != kScratchGpr &&
      reuse != kScratchXmm) {
    return reuse;
  }
  return alloc_reg(cls, pinned);
}

// Stores every entry that lives in `r` to its own slot; the register becomes free.
inline void FunctionCompiler::spill_reg(Reg r) {
  for (uint32_t i = stack_.height(); i-- > 0 && regs_.is_used(r);) {
    VarState& s = stack_[i];
    if (s.is_reg() && s.reg == r) {
      masm::store(a_, masm::slot_addr(a_, i), s.type, r);
      s.loc = Loc::Stack;
      regs_.dec(r);
    }
  }
}

inline void FunctionCompiler::spill_all() {
  if (regs_.used().empty()) return;
  for (uint32_t i = 0; i < stack_.height(); ++i) {
    VarState& s = stack_[i];
    if (s.is_reg()) {
      masm::store(a_, masm::slot_addr(a_, i), s.type, s.reg);
      s.loc = Loc::Stack;
    }
  }
  regs_.reset();
}

inline VarState FunctionCompiler::pop() {
  VarState s = stack_.pop();
  if (s.is_reg()) regs_.dec(s.reg);
  return s;
}

inline void FunctionCompiler::drop_top() { (void)pop(); }

inline Reg FunctionCompiler::pop_to_reg(RegSet pinned) {
  uint32_t index = stack_.height() - 1;
  VarState s = pop();
  if (s.is_reg()) return s.reg;
  Reg r = alloc_reg(reg_class_of(s.type), pinned);
  masm::load_var(a_, r, s, index);
  return r;
}

inline void FunctionCompiler::load_to(Reg dst, uint32_t index) {
  masm::load_var(a_, dst, stack_[index], index);
}

inline void FunctionCompiler::push_reg(ValType t, Reg r) {
  stack_.push(VarState::in_reg(t, r));
  regs_.inc(r);
}

inline void FunctionCompiler::push_const(ValType t, int64_t v) {
  stack_.push(VarState::constant(t, v));
}

inline void FunctionCompiler::push_stack(ValType t) { stack_.push(VarState::stack(t)); }

// r15 <- memory 0's base. Needed at entry, and in Explicit mode after anything that may grow
// (and so move) the memory: calls and memory.grow.
inline void FunctionCompiler::reload_memory_base() {
  if (!env_.has_memory()) return;
  const VMOffsets& o = env_.offsets;
  if (env_.memory_is_imported(0)) {
    a_.mov(a_.r15, a_.qword[a_.r14 + o.imported_memory_from(0)]);
    a_.mov(a_.r15, a_.qword[a_.r15 + vmlayout::VMMemoryDefinition::base]);
  } else {
    a_.mov(a_.r15, a_.qword[a_.r14 + o.memory_base(0)]);
  }
}

inline void FunctionCompiler::call_vmctx_builtin(Builtin b) {
  a_.mov(a_.rdi, a_.r14);
  a_.mov(a_.rax, a_.qword[a_.r14 + VMOffsets::builtins()]);
  a_.call(a_.qword[a_.rax + builtin_offset(b)]);
}

// ---- driver ----------------------------------------------------------------------------

inline void FunctionCompiler::reset_for(uint32_t defined_index) {
  a_.reset();
  pool_.clear();
  labels_.reset();
  stack_.reset();
  regs_.reset();
  arena_.reset();
  frames_.clear();
  calls_.clear();
  slow_calls_.clear();
  trap_sites_.clear();
  tries_.clear();
  handlers_.clear();
  exn_patches_.clear();
  exn_slots_ = 0;
  catch_depth_ = 0;
  const ModuleInfo& m = env_.module;
  func_index_ = m.num_imported_funcs + defined_index;
  type_ = &m.func_type(func_index_);
  uint64_t locals = type_->params.size() + m.bodies[defined_index].local_count;
  if (locals > frame::kMaxSlots) throw CompileFailure{"too many locals for the baseline compiler"};
  num_locals_ = uint32_t(locals);
  max_call_results_ = 0;
  rsp_patches_.clear();
  for (bool& u : traps_.used) u = false;
  reachable_ = true;
  unreachable_depth_ = 0;
  fuel_pending_ = 0;
}

inline Result<CompiledFunction> FunctionCompiler::compile(uint32_t defined_index) {
  try {
    reset_for(defined_index);
    emit_prologue();
    compile_body();
    emit_epilogue();
    emit_out_of_line_code();
    return finish();
  } catch (const CompileFailure& f) {
    return Error(ErrorKind::Resource, std::string("compiling function ") +
                                          std::to_string(func_index_) + ": " + f.message);
  } catch (const Xbyak::Error& e) {
    return Error(ErrorKind::Resource, std::string("compiling function ") +
                                          std::to_string(func_index_) + ": " + e.what());
  } catch (const std::bad_alloc&) {
    return Error(ErrorKind::Resource, "out of memory while compiling function " +
                                          std::to_string(func_index_));
  } catch (const std::exception& e) {  // e.g. an emitter refusing its operands
    return Error(ErrorKind::Resource, std::string("compiling function ") +
                                          std::to_string(func_index_) + ": " + e.what());
  }
}

inline void FunctionCompiler::emit_prologue() {
  const ModuleInfo& m = env_.module;
  const FunctionBody& body = m.bodies[func_index_ - m.num_imported_funcs];
  frame::emit_prologue(a_);
  // sub rsp, imm32 — the frame size is known only after the body.
  a_.db(0x48);
  a_.db(0x81);
  a_.db(0xEC);
  frame_size_patch_ = a_.getSize();
  a_.dd(0);
  a_.mov(a_.r14, a_.rdi);

  abi::CallLayout layout = abi::call_layout(*type_);
  if (layout.has_results_area) a_.mov(a_.qword[a_.rbp + frame::kResultsPtr], a_.rdx);

  // Stack limit: the frame is already reserved but not yet touched.
  a_.mov(a_.r11, a_.qword[a_.r14 + VMOffsets::store_context()]);
  a_.cmp(a_.rsp, a_.qword[a_.r11 + store_ctx::kStackLimit]);
  trap_if(Cond::B, TrapCode::StackOverflow);
  reload_memory_base();

  // Parameters: register ones stay cached where they arrived, stack ones go to their slots.
  for (size_t i = 0; i < type_->params.size(); ++i) {
    ValType t = type_->params[i];
    const abi::ArgLocation& loc = layout.params[i];
    switch (loc.kind) {
      case abi::ArgLocation::Kind::Gpr:
        // Callers from C++ need not clear the upper half of a 32-bit argument; every i32
        // in a register must have it clear (memory indices rely on it).
        if (t == ValType::I32) a_.mov(Xbyak::Reg32(loc.reg), Xbyak::Reg32(loc.reg));
        push_reg(t, Reg::gpr(loc.reg));
        break;
      case abi::ArgLocation::Kind::Xmm: push_reg(t, Reg::xmm(loc.reg)); break;
      case abi::ArgLocation::Kind::Stack:
        masm::copy_mem(a_, masm::slot_addr(a_, uint32_t(i)),
                       a_.rbp + int32_t(frame::kIncomingArgs + loc.stack_offset), t);
        push_stack(t);
        break;
    }
  }
  // Declared locals start as zero constants: no stores needed.
  for (const LocalGroup& g : body.locals) {
    for (uint32_t k = 0; k < g.count; ++k) push_const(g.type, 0);
  }

  ControlFrame f;
  f.kind = ControlFrame::Kind::Function;
  f.type = type_;
  f.base = num_locals_;
  f.label = labels_.make();
  f.arena_mark = arena_.size();
  frames_.push_back(f);
  epilogue_ = labels_.make();

  if (env_.options.epoch_interruption) emit_epoch_check();
  if (env_.options.consume_fuel) emit_fuel_check();
}

inline void FunctionCompiler::compile_body() {
  const ModuleInfo& m = env_.module;
  const FunctionBody& body = m.bodies[func_index_ - m.num_imported_funcs];
  Reader reader(m.body_code(body), body.code_offset);
  InstructionReader instructions(reader, env_.options.features);
  reader_ = &instructions;
  has_lookahead_ = false;
  Instruction ins;
  while (!frames_.empty()) {
    if (has_lookahead_) {
      ins = lookahead_;
      has_lookahead_ = false;
    } else if (!instructions.next(ins)) {
      throw CompileFailure{"malformed function body"};
    }
    if (!reachable_) {
      skip_unreachable(ins);
      continue;
    }
    ++fuel_pending_;
    visit(ins);
  }
  reader_ = nullptr;
}

// Code after br/return/unreachable up to the end of its block is never executed: only its
// nesting is tracked, to find the `else` or `end` where code becomes reachable again.
inline void FunctionCompiler::skip_unreachable(const Instruction& ins) {
  switch (ins.op) {
    case Op::Block:
    case Op::Loop:
    case Op::If:
    case Op::Try:
    case Op::TryTable: ++unreachable_depth_; break;
    case Op::Else:
      if (unreachable_depth_ == 0) visit_else();
      break;
    case Op::Catch:
    case Op::CatchAll:
      if (unreachable_depth_ == 0) visit_catch(ins);
      break;
    case Op::End:
      if (unreachable_depth_ == 0) visit_block_end();
      else --unreachable_depth_;
      break;
    case Op::Delegate:
      if (unreachable_depth_ == 0) visit_delegate(ins.index);
      else --unreachable_depth_;
      break;
    default: break;
  }
}

inline void FunctionCompiler::visit(const Instruction& ins) {
  switch (ins.op) {
    case Op::Unreachable: visit_unreachable(); return;
    case Op::Nop: return;
    case Op::Block: visit_block(ins); return;
    case Op::Loop: visit_loop(ins); return;
    case Op::If: visit_if(ins); return;
    case Op::Else: visit_else(); return;
    case Op::End: visit_block_end(); return;
    case Op::TryTable: visit_try_table(ins); return;
    case Op::Throw: visit_throw(ins.index); return;
    case Op::ThrowRef: visit_throw_ref(); return;
    case Op::Try: visit_try(ins); return;
    case Op::Catch:
    case Op::CatchAll: visit_catch(ins); return;
    case Op::Delegate: visit_delegate(ins.index); return;
    case Op::Rethrow: visit_rethrow(ins.index); return;
    case Op::Br: visit_br(ins.index); return;
    case Op::BrIf: visit_br_if(ins.index); return;
    case Op::BrTable: visit_br_table(ins); return;
    case Op::Return:
      flush_fuel();
      emit_return();
      reachable_ = false;
      return;
    case Op::Call: visit_call(ins.index); return;
    case Op::CallIndirect: visit_call_indirect(ins.index, ins.index2); return;
    case Op::Drop: visit_drop(); return;
    case Op::Select:
    case Op::SelectT: visit_select(); return;
    case Op::LocalGet: visit_local_get(ins.index); return;
    case Op::LocalSet: visit_local_set(ins.index, false); return;
    case Op::LocalTee: visit_local_set(ins.index, true); return;
    case Op::GlobalGet: visit_global_get(ins.index); return;
    case Op::GlobalSet: visit_global_set(ins.index); return;
    case Op::I32Const: push_const(ValType::I32, ins.i32()); return;
    case Op::I64Const: push_const(ValType::I64, ins.i64()); return;
    case Op::F32Const: push_const(ValType::F32, int64_t(ins.bits)); return;
    case Op::F64Const: push_const(ValType::F64, int64_t(ins.bits)); return;
    case Op::RefNull: push_const(ins.type, 0); return;
    case Op::RefIsNull: visit_ref_is_null(); return;
    case Op::RefFunc: visit_ref_func(ins.index); return;
    case Op::RefAsNonNull: visit_ref_as_non_null(); return;
    case Op::BrOnNull: visit_br_on_null(ins.index, true); return;
    case Op::BrOnNonNull: visit_br_on_null(ins.index, false); return;
    case Op::CallRef: visit_call_ref(ins.index); return;
    case Op::ReturnCallRef: visit_return_call_ref(ins.index); return;
    case Op::MemorySize: visit_memory_size(ins.index); return;
    case Op::TableSize: visit_table_size(ins.index); return;
    case Op::MemoryGrow:
    case Op::MemoryInit:
    case Op::DataDrop:
    case Op::MemoryCopy:
    case Op::MemoryFill:
    case Op::TableGet:
    case Op::TableSet:
    case Op::TableInit:
    case Op::ElemDrop:
    case Op::TableCopy:
    case Op::TableGrow:
    case Op::TableFill: visit_misc_builtin(ins); return;
    case Op::I64Add128: visit_add_sub128(false); return;
    case Op::I64Sub128: visit_add_sub128(true); return;
    case Op::I64MulWideS: visit_mul_wide(true); return;
    case Op::I64MulWideU: visit_mul_wide(false); return;
    default: break;
  }
  const OpInfo& info = ins.info();
  if (info.prefix == 0xFE) {
    visit_atomic(ins);
    return;
  }
  if (info.imm == Imm::MemArg && info.prefix != 0xFD) {
    if (info.result != Slot::None) visit_load(ins);
    else visit_store(ins);
    return;
  }
  if (info.prefix == 0xFD) {
    visit_simd(ins);
    return;
  }
  if (info.prefix == 0 && ins.op == Op::ReturnCall) {
    visit_return_call(ins.index);
    return;
  }
  if (info.prefix == 0 && ins.op == Op::ReturnCallIndirect) {
    visit_return_call_indirect(ins.index, ins.index2);
    return;
  }
  visit_numeric(ins);
}

inline void FunctionCompiler::emit_epilogue() {
  labels_.bind(a_, epilogue_);
  a_.lea(a_.rsp, a_.ptr[a_.rbp - frame::kSavedRegsBytes]);
  a_.pop(a_.r15);
  a_.pop(a_.r14);
  a_.pop(a_.rbp);
  a_.ret();
}

// Trap stubs (one per trap code) and slow calls that return to the body. Both run with rsp
// as the body left it, which is always 16-byte aligned outside call sequences.
inline void FunctionCompiler::emit_out_of_line_code() {
  for (const SlowCall& s : slow_calls_) {
    labels_.bind(a_, s.entry);
    // Every allocatable caller-saved register may hold a live value here.
    static constexpr Xbyak::Operand::Code kSaved[] = {
        Xbyak::Operand::RAX, Xbyak::Operand::RCX, Xbyak::Operand::RDX, Xbyak::Operand::RSI,
        Xbyak::Operand::RDI, Xbyak::Operand::R8,  Xbyak::Operand::R9,  Xbyak::Operand::R10};
    for (auto r : kSaved) a_.push(Xbyak::Reg64(r));
    a_.sub(a_.rsp, 16 * 15);
    for (int i = 0; i < 15; ++i) a_.movdqu(a_.xword[a_.rsp + 16 * i], Xbyak::Xmm(i));
    call_vmctx_builtin(s.builtin);
    for (int i = 0; i < 15; ++i) a_.movdqu(Xbyak::Xmm(i), a_.xword[a_.rsp + 16 * i]);
    a_.add(a_.rsp, 16 * 15);
    for (size_t i = std::size(kSaved); i-- > 0;) a_.pop(Xbyak::Reg64(kSaved[i]));
    labels_.jmp(a_, s.resume);
  }
  for (uint32_t code = 0; code < kNumTrapCodes; ++code) {
    if (!traps_.used[code]) continue;
    trap_sites_.push_back(TrapSite{uint32_t(a_.getSize()), TrapCode(code)});
    a_.L(traps_.labels[code]);
    a_.mov(a_.esi, code);
    call_vmctx_builtin(Builtin::raise_trap);
    a_.ud2();  // raise_trap does not return
  }
  pool_.emit(a_);
}

inline CompiledFunction FunctionCompiler::finish() {
  if (!labels_.all_bound() || a_.hasUndefinedLabel()) {
    throw CompileFailure{"internal error: unbound label"};
  }
  if (stack_.max_height() > frame::kMaxSlots) throw CompileFailure{"value stack too deep"};
  a_.ready();  // AutoGrow mode resolves xbyak label references (the trap stubs) here
  uint32_t bytes = frame::frame_bytes(stack_.max_height() + exn_slots_, max_call_results_);
  for (const ExnSlotPatch& p : exn_patches_)
    a_.rewrite(p.at, uint32_t(frame::slot(stack_.max_height() + p.slot)), 4);
  a_.rewrite(frame_size_patch_, bytes, 4);
  for (size_t at : rsp_patches_) a_.rewrite(at, uint32_t(-(frame::kSavedRegsBytes + int64_t(bytes))), 4);
  CompiledFunction out;
  out.code.assign(a_.getCode(), a_.getCode() + a_.getSize());
  out.calls = calls_;
  out.traps = trap_sites_;
  out.handlers = handlers_;
  out.frame.frame_bytes = bytes;
  return out;
}

}  // namespace wasm::detail::jit

#include "wasm/detail/jit/compile_atomics.hpp"
#include "wasm/detail/jit/compile_calls.hpp"
#include "wasm/detail/jit/compile_control.hpp"
#include "wasm/detail/jit/compile_exceptions.hpp"
#include "wasm/detail/jit/compile_memory.hpp"
#include "wasm/detail/jit/compile_numeric.hpp"
#include "wasm/detail/jit/compile_simd.hpp"
#include "wasm/detail/jit/compile_variables.hpp"
#include "wasm/detail/jit/compile_wide_arithmetic.hpp"
