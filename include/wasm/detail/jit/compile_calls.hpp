#pragma once
// Calls: direct (through the module's entry table, direct_calls.hpp), imported (through the
// VMFunctionImport), indirect (table bounds, lazy slot initialisation, null and signature
// checks), and calls to builtins for the bulk memory and table instructions.
//
// Every call first spills all registers (all allocatable registers are treated as clobbered),
// so arguments are then loaded from frame slots and constants with no move conflicts.
#include "wasm/detail/jit/direct_calls.hpp"
#include "wasm/detail/jit/function_compiler_decl.hpp"
#include "wasm/detail/jit/indirect_calls.hpp"

namespace wasm::detail::jit {

// Operands of builtins: BuiltinArg::stack(k) is the k-th popped operand counted from the
// deepest one, so arguments can be passed in a different order than the wasm stack has them.
inline void FunctionCompiler::call_builtin(Builtin b, std::initializer_list<BuiltinArg> args,
                                           bool has_result, ValType result) {
  uint32_t operands = 0;
  for (const BuiltinArg& arg : args) operands += arg.from_stack;
  spill_all();
  const uint32_t first = stack_.height() - operands;
  size_t next = 1;  // rdi is the VMContext
  for (const BuiltinArg& arg : args) {
    Reg dst = Reg::gpr(abi::kIntArgRegs[next++]);
    if (arg.from_stack) load_to(dst, first + uint32_t(arg.imm));
    else masm::load_const(a_, dst, ValType::I64, int64_t(arg.imm));
  }
  stack_.truncate(first);
  call_vmctx_builtin(b);
  if (env_.memory_base_may_move()) reload_memory_base();
  if (has_result) {
    if (result == ValType::I32) a_.mov(a_.eax, a_.eax);  // C leaves the upper half undefined
    push_reg(result, Reg::gpr(abi::RAX));
  }
}

inline void FunctionCompiler::visit_misc_builtin(const Instruction& ins) {
  using A = BuiltinArg;
  const uint32_t x = ins.index, y = ins.index2;
  auto s = [](uint32_t k) { return A{true, k}; };
  auto v = [](uint64_t value) { return A::value(value); };
  switch (ins.op) {
    case Op::MemoryGrow:  // old size in pages or ~0; i32 memories see it as -1 too
      call_builtin(Builtin::memory_grow, {v(x), s(0)}, true,
                   env_.memory_is64(x) ? ValType::I64 : ValType::I32);
      return;
    case Op::MemoryFill: call_builtin(Builtin::memory_fill, {v(x), s(0), s(1), s(2)}, false); return;
    case Op::MemoryCopy:
      call_builtin(Builtin::memory_copy, {v(x), v(y), s(0), s(1), s(2)}, false);
      return;
    case Op::MemoryInit:  // index = data segment, index2 = memory
      call_builtin(Builtin::memory_init, {v(y), v(x), s(0), s(1), s(2)}, false);
      return;
    case Op::DataDrop: call_builtin(Builtin::data_drop, {v(x)}, false); return;
    case Op::TableGet:
      call_builtin(Builtin::table_get, {v(x), s(0)}, true, env_.module.tables[x].element);
      return;
    case Op::TableSet: call_builtin(Builtin::table_set, {v(x), s(0), s(1)}, false); return;
    case Op::TableGrow:  // wasm order: init, delta; old size or ~0, -1 for i32 tables too
      call_builtin(Builtin::table_grow, {v(x), s(1), s(0)}, true,
                   env_.table_is64(x) ? ValType::I64 : ValType::I32);
      return;
    case Op::TableFill: call_builtin(Builtin::table_fill, {v(x), s(0), s(1), s(2)}, false); return;
    case Op::TableCopy:
      call_builtin(Builtin::table_copy, {v(x), v(y), s(0), s(1), s(2)}, false);
      return;
    case Op::TableInit:  // index = element segment, index2 = table
      call_builtin(Builtin::table_init, {v(y), v(x), s(0), s(1), s(2)}, false);
      return;
    case Op::ElemDrop: call_builtin(Builtin::elem_drop, {v(x)}, false); return;
    default: throw CompileFailure{"internal error: not a builtin instruction"};
  }
}

// Moves the arguments (top of the stack, all spilled) to where the callee expects them and
// pops them. Leaves rsp lowered by the outgoing stack-argument bytes.
inline void FunctionCompiler::emit_call_args(const FuncType& type, const abi::CallLayout& layout) {
  const uint32_t n = uint32_t(type.params.size());
  const uint32_t first = stack_.height() - n;
  if (layout.stack_bytes) a_.sub(a_.rsp, layout.stack_bytes);
  for (uint32_t i = 0; i < n; ++i) {
    const abi::ArgLocation& loc = layout.params[i];
    switch (loc.kind) {
      case abi::ArgLocation::Kind::Gpr: load_to(Reg::gpr(loc.reg), first + i); break;
      case abi::ArgLocation::Kind::Xmm: load_to(Reg::xmm(loc.reg), first + i); break;
      case abi::ArgLocation::Kind::Stack:
        masm::store_var(a_, a_.rsp + int32_t(loc.stack_offset), stack_[first + i], first + i);
        break;
    }
  }
  stack_.truncate(first);
  a_.mov(a_.rsi, a_.r14);
  if (layout.has_results_area) a_.lea(a_.rdx, a_.ptr[a_.rsp + int32_t(layout.stack_bytes)]);
}

// After the call instruction: release the stack arguments and push the results.
inline void FunctionCompiler::finish_call(const FuncType& type, const abi::CallLayout& layout) {
  (void)layout;
  restore_rsp();
  if (env_.memory_base_may_move()) reload_memory_base();
  const uint32_t n = uint32_t(type.results.size());
  if (n == 1) {
    ValType t = type.results[0];
    if (t == ValType::I32) a_.mov(a_.eax, a_.eax);  // the callee may be a host function
    push_reg(t, abi::is_float_class(t) ? Reg::xmm(0) : Reg::gpr(abi::RAX));
  } else if (n > 1) {
    max_call_results_ = std::max(max_call_results_, n);
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t slot = stack_.height();
      masm::copy_mem(a_, masm::slot_addr(a_, slot), a_.rsp + int32_t(16 * i), type.results[i]);
      push_stack(type.results[i]);
    }
  }
}

inline void FunctionCompiler::visit_call(uint32_t func_index) {
  flush_fuel();
  const FuncType& type = env_.module.func_type(func_index);
  abi::CallLayout layout = abi::call_layout(type);
  spill_all();
  prepare_throw_site();
  emit_call_args(type, layout);
  if (env_.func_is_imported(func_index)) {
    const VMOffsets& o = env_.offsets;
    a_.mov(a_.rdi, a_.qword[a_.r14 + o.imported_function_vmctx(func_index)]);
    a_.call(a_.qword[a_.r14 + o.imported_function_code(func_index)]);
  } else {
    a_.mov(a_.rdi, a_.r14);
    emit_direct_call(a_, calls_, func_index);
  }
  finish_call(type, layout);
}

// Resets rsp to the body's fixed value (rbp - saved registers - frame bytes, patched by
// finish()) rather than adding the argument bytes back: a callee that tail-called a function
// with more stack arguments than it received returns with rsp lower (see emit_tail_call).
inline void FunctionCompiler::restore_rsp() {
  a_.lea(a_.rsp, a_.ptr[a_.rbp - 0x10000000]);  // the placeholder forces a 32-bit displacement
  rsp_patches_.push_back(a_.getSize() - 4);
}

inline void FunctionCompiler::visit_call_indirect(uint32_t type_index, uint32_t table) {
  flush_fuel();
  const FuncType& type = env_.module.types[type_index];
  abi::CallLayout layout = abi::call_layout(type);
  spill_all();
  prepare_throw_site();
  emit_indirect_target(type_index, table);
  emit_call_args(type, layout);
  a_.mov(a_.rax, a_.qword[a_.rbp + frame::kCallTarget]);
  a_.mov(a_.rdi, a_.qword[a_.rax + vmlayout::VMFuncRef::vmctx]);
  a_.call(a_.qword[a_.rax + vmlayout::VMFuncRef::code]);
  finish_call(type, layout);
}

// call_indirect's checks (indirect_calls.hpp): pops the index and leaves the VMFuncRef* in the
// frame at kCallTarget. Values must be spilled, so the builtins on the way may clobber any
// caller-saved register.
inline void FunctionCompiler::emit_indirect_target(uint32_t type_index, uint32_t table) {
  load_to(kScratchGpr, stack_.height() - 1);
  stack_.truncate(stack_.height() - 1);
  emit_indirect_call_target(a_, traps_, env_, type_index, table, [&](Builtin b, auto&& load_args) {
    load_args();
    call_vmctx_builtin(b);
  });
}

// call_ref: the reference (a VMFuncRef*, as ref.func makes it) is the callee; validation
// guarantees its type, so only null is checked.
inline void FunctionCompiler::visit_call_ref(uint32_t type_index) {
  flush_fuel();
  const FuncType& type = env_.module.types[type_index];
  abi::CallLayout layout = abi::call_layout(type);
  spill_all();
  prepare_throw_site();
  emit_ref_target();
  emit_call_args(type, layout);
  a_.mov(a_.rax, a_.qword[a_.rbp + frame::kCallTarget]);
  a_.mov(a_.rdi, a_.qword[a_.rax + vmlayout::VMFuncRef::vmctx]);
  a_.call(a_.qword[a_.rax + vmlayout::VMFuncRef::code]);
  finish_call(type, layout);
}

// Pops the function reference, traps on null and leaves it in the frame at kCallTarget (as
// emit_indirect_target does). Values must be spilled.
inline void FunctionCompiler::emit_ref_target() {
  load_to(kScratchGpr, stack_.height() - 1);
  stack_.truncate(stack_.height() - 1);
  a_.test(a_.r11, a_.r11);
  trap_if(Cond::E, TrapCode::NullFunctionReference);
  a_.mov(a_.qword[a_.rbp + frame::kCallTarget], a_.r11);
}

// ---- tail calls (return_call, return_call_indirect, return_call_ref)
//
// The callee's frame replaces ours. Its stack arguments go at the TOP of our incoming
// argument area (top = rbp + 16 + the bytes we received), its return address (ours) right
// below them: a chain of tail calls never moves the top, so unbounded tail recursion runs in
// constant stack whatever each function's stack arguments. A callee with more stack
// arguments than we received extends the area downward, below our caller's rsp, which is free;
// every caller resets rsp from rbp after a call (restore_rsp) and so does not care.
// Our caller's rbp, r14 and r15 are restored as the epilogue would, so the frame chain seen by
// traps and backtraces goes from the callee straight to our caller. Host functions are
// native-convention code reached the same way (their adapters read stack arguments above the
// return address), so a tail call into an import is a jump too.

inline void FunctionCompiler::visit_return_call(uint32_t func_index) {
  flush_fuel();
  const FuncType& type = env_.module.func_type(func_index);
  spill_all();
  emit_tail_call(type, env_.func_is_imported(func_index) ? TailTarget::Imported : TailTarget::Direct,
                 func_index);
}

inline void FunctionCompiler::visit_return_call_indirect(uint32_t type_index, uint32_t table) {
  flush_fuel();
  spill_all();
  emit_indirect_target(type_index, table);
  emit_tail_call(env_.module.types[type_index], TailTarget::Indirect, 0);
}

inline void FunctionCompiler::visit_return_call_ref(uint32_t type_index) {
  flush_fuel();
  spill_all();
  emit_ref_target();
  emit_tail_call(env_.module.types[type_index], TailTarget::Indirect, 0);
}

inline void FunctionCompiler::emit_tail_call(const FuncType& type, TailTarget target,
                                             uint32_t func_index) {
  const abi::CallLayout layout = abi::call_layout(type);
  const uint32_t received = abi::call_layout(*type_).stack_bytes;
  const VMOffsets& o = env_.offsets;
  // Arguments as for a call: stack ones below rsp for now, register ones in place.
  emit_call_args(type, layout);
  // Same results as ours (validated): the callee writes them to our caller's area.
  if (layout.has_results_area) a_.mov(a_.rdx, a_.qword[a_.rbp + frame::kResultsPtr]);
  // Callee VMContext in rdi, code in r11 (none of them argument registers), while r14 and rbp
  // are still ours.
  switch (target) {
    case TailTarget::Direct: a_.mov(a_.rdi, a_.r14); break;
    case TailTarget::Imported:
      a_.mov(a_.rdi, a_.qword[a_.r14 + o.imported_function_vmctx(func_index)]);
      a_.mov(a_.r11, a_.qword[a_.r14 + o.imported_function_code(func_index)]);
      break;
    case TailTarget::Indirect:
      a_.mov(a_.rax, a_.qword[a_.rbp + frame::kCallTarget]);
      a_.mov(a_.rdi, a_.qword[a_.rax + vmlayout::VMFuncRef::vmctx]);
      a_.mov(a_.r11, a_.qword[a_.rax + vmlayout::VMFuncRef::code]);
      break;
  }
  // Our return address and our caller's registers, before the arguments may overwrite them.
  a_.mov(a_.r10, a_.qword[a_.rbp + 8]);
  a_.mov(a_.rbx, a_.qword[a_.rbp + frame::kSavedRbp]);
  a_.mov(a_.r14, a_.qword[a_.rbp + frame::kSavedR14]);
  a_.mov(a_.r15, a_.qword[a_.rbp + frame::kSavedR15]);
  // The destination lies above the source (past our whole frame), possibly overlapping it:
  // copy the highest argument first. Each with the width it was stored with: a qword load of a
  // dword just stored cannot be forwarded from the store buffer and stalls (4x the cost of a
  // tail call with a stack argument, measured by bench/micro).
  const int32_t dest = frame::kIncomingArgs + int32_t(received) - int32_t(layout.stack_bytes);
  for (size_t i = layout.params.size(); i-- > 0;) {
    const abi::ArgLocation& loc = layout.params[i];
    if (loc.kind != abi::ArgLocation::Kind::Stack) continue;
    const int32_t k = int32_t(loc.stack_offset);
    switch (valtype_size(type.params[i])) {
      case 4:
        a_.mov(a_.eax, a_.dword[a_.rsp + k]);
        a_.mov(a_.dword[a_.rbp + dest + k], a_.eax);
        break;
      case 16:
        a_.movdqu(a_.xmm15, a_.xword[a_.rsp + k]);
        a_.movdqu(a_.xword[a_.rbp + dest + k], a_.xmm15);
        break;
      default:
        a_.mov(a_.rax, a_.qword[a_.rsp + k]);
        a_.mov(a_.qword[a_.rbp + dest + k], a_.rax);
        break;
    }
  }
  a_.lea(a_.rsp, a_.ptr[a_.rbp + dest - 8]);
  a_.mov(a_.qword[a_.rsp], a_.r10);
  a_.mov(a_.rbp, a_.rbx);
  if (target == TailTarget::Direct) {
    emit_direct_jump(a_, calls_, func_index);
  } else {
    a_.jmp(a_.r11);
  }
  reachable_ = false;
}

}  // namespace wasm::detail::jit
