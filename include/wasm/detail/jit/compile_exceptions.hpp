#pragma once
// Exception handling in the baseline compiler: try_table, throw, throw_ref, and the legacy
// try / catch / catch_all / delegate / rethrow.
//
// Nothing runs on the path where nothing throws. A try region only records, when it closes,
// entries of the function's exception table (HandlerSite): the code range of its body and,
// per catch clause, the tag and where its handler code starts. The unwinder
// (vm/exceptions_unwind.hpp) finds the innermost entry covering a frame's return address and
// jumps there with rbp and r14 of that frame and the exception in rax.
//
// A handler starts from a state known at compile time: every value below the try's base in
// its frame slot. Calls spill registers anyway; the only extra work is at calls and throws
// inside a try region, where constants below the base are written to their slots too
// (prepare_throw_site). The handler then resets rsp from rbp, reloads the memory base, copies
// the payload out of the exception and branches like `br`.
//
// Legacy catch blocks keep their exception (for rethrow) in a slot past the value slots, one
// per catch nesting level, addressed with displacements patched in finish().
#include <algorithm>

#include "wasm/detail/env/exception_layout.hpp"
#include "wasm/detail/jit/function_compiler_decl.hpp"

namespace wasm::detail::jit {

inline void FunctionCompiler::prepare_throw_site() {
  if (tries_.empty()) return;
  uint32_t base = 0;
  for (const TryRegion& r : tries_) base = std::max(base, r.base);
  spill_all();
  for (uint32_t i = 0; i < base && i < stack_.height(); ++i) {
    const VarState& s = stack_[i];
    if (s.is_const()) masm::store_const(a_, masm::slot_addr(a_, i), s.type, s.imm);
  }
}

inline std::vector<ValType> FunctionCompiler::types_below(uint32_t height) const {
  std::vector<ValType> types(height);
  for (uint32_t i = 0; i < height; ++i) types[i] = stack_[i].type;
  return types;
}

// The first code of every handler: the frame as the unwinder left it (rbp, r14 and rax set).
inline void FunctionCompiler::enter_handler(const std::vector<ValType>& below) {
  restore_rsp();
  reload_memory_base();
  stack_.truncate(0);
  regs_.reset();
  for (ValType t : below) push_stack(t);
  reachable_ = true;
}

// The tag's values, out of the exception in rax, onto the stack.
inline void FunctionCompiler::push_payload(uint32_t tag) {
  const FuncType& type = env_.module.types[env_.module.tag_types[tag]];
  if (type.params.empty()) return;
  a_.mov(a_.rdx, a_.qword[a_.rax + exn_layout::kValues]);
  for (size_t i = 0; i < type.params.size(); ++i) {
    uint32_t slot = stack_.height();
    masm::copy_mem(a_, masm::slot_addr(a_, slot), a_.rdx + int32_t(exn_layout::kValueBytes * i),
                   type.params[i]);
    push_stack(type.params[i]);
  }
}

// ---- try_table ---------------------------------------------------------------------------

// Opens the block of a try_table or a legacy try and the try region that covers its body.
inline FunctionCompiler::TryRegion& FunctionCompiler::open_try_region(const Instruction& ins) {
  flush_fuel();
  ControlFrame& f = push_frame(ControlFrame::Kind::Block, ins.block);
  TryRegion& r = tries_.emplace_back();
  r.frame = uint32_t(frames_.size() - 1);
  r.begin = uint32_t(a_.getSize());
  r.base = f.base;
  return r;
}

inline void FunctionCompiler::visit_try_table(const Instruction& ins) {
  open_try_region(ins).catches = *ins.catches;
}

inline void FunctionCompiler::end_try_table() {
  TryRegion r = std::move(tries_.back());
  tries_.pop_back();
  r.end = uint32_t(a_.getSize());
  std::vector<ValType> below = types_below(r.base);
  visit_end();
  if (r.catches.empty() || r.end == r.begin) return;
  // The handlers sit after the block; the fall-through path jumps over them.
  std::vector<VarState> saved(stack_.height());
  for (uint32_t i = 0; i < stack_.height(); ++i) saved[i] = stack_[i];
  const bool was_reachable = reachable_;
  LabelId after = labels_.make();
  if (was_reachable) labels_.jmp(a_, after);
  for (const Instruction::Catch& c : r.catches) {
    const bool with_tag = c.kind < 2, with_ref = c.kind == 1 || c.kind == 3;
    handlers_.push_back(HandlerSite{r.begin, r.end, with_tag ? c.tag : HandlerSite::kCatchAll,
                                    uint32_t(a_.getSize()), r.frame});
    enter_handler(below);
    if (with_tag) push_payload(c.tag);
    if (with_ref) {
      a_.mov(a_.qword[masm::slot_addr(a_, stack_.height())], a_.rax);
      push_stack(ValType::ExnRef);
    }
    emit_branch_to(frame_at_depth(c.label));
  }
  labels_.bind(a_, after);
  adopt_state(saved.data(), uint32_t(saved.size()));
  reachable_ = was_reachable;
}

// ---- throw, throw_ref --------------------------------------------------------------------

inline void FunctionCompiler::visit_throw(uint32_t tag) {
  flush_fuel();
  const uint32_t n = uint32_t(env_.module.types[env_.module.tag_types[tag]].params.size());
  spill_all();
  const uint32_t first = stack_.height() - n;
  for (uint32_t i = 0; i < stack_.height(); ++i) {  // the payload must be in its slots too
    const VarState& s = stack_[i];
    if (s.is_const() && (i >= first || !tries_.empty()))
      masm::store_const(a_, masm::slot_addr(a_, i), s.type, s.imm);
  }
  a_.lea(a_.rdx, a_.ptr[masm::slot_addr(a_, first)]);
  a_.mov(a_.esi, tag);
  call_vmctx_builtin(Builtin::throw_tag);
  a_.ud2();  // throw_tag does not return
  reachable_ = false;
}

inline void FunctionCompiler::visit_throw_ref() {
  flush_fuel();
  prepare_throw_site();
  spill_all();
  load_to(Reg::gpr(abi::RSI), stack_.height() - 1);
  drop_top();
  call_vmctx_builtin(Builtin::throw_ref);
  a_.ud2();
  reachable_ = false;
}

// ---- legacy try / catch / catch_all / delegate / rethrow ------------------------------------

inline void FunctionCompiler::visit_try(const Instruction& ins) {
  open_try_region(ins).legacy = true;
}

// catch / catch_all: ends the try body (or the previous handler) and starts a handler.
inline void FunctionCompiler::visit_catch(const Instruction& ins) {
  TryRegion& r = tries_.back();
  ControlFrame& f = frames_.back();
  if (reachable_) {
    flush_fuel();
    emit_branch_to(f);
  }
  if (!r.in_catch) {
    r.in_catch = true;
    r.end = uint32_t(a_.getSize());
    r.exn_slot = catch_depth_++;
    exn_slots_ = std::max(exn_slots_, catch_depth_);
    r.below = types_below(f.base);
  }
  handlers_.push_back(HandlerSite{r.begin, r.end,
                                  ins.op == Op::Catch ? ins.index : HandlerSite::kCatchAll,
                                  uint32_t(a_.getSize()), r.frame});
  enter_handler(r.below);
  a_.mov(a_.qword[a_.rbp - 0x10000000], a_.rax);  // exception slot, patched in finish()
  exn_patches_.push_back(ExnSlotPatch{uint32_t(a_.getSize() - 4), r.exn_slot});
  if (ins.op == Op::Catch) push_payload(ins.index);
}

inline void FunctionCompiler::end_legacy_try() {
  TryRegion& r = tries_.back();
  if (r.in_catch) --catch_depth_;
  // A try without catch clauses catches nothing: it is a block.
  tries_.pop_back();
  visit_end();
}

inline void FunctionCompiler::visit_delegate(uint32_t depth) {
  TryRegion r = std::move(tries_.back());
  tries_.pop_back();
  r.end = uint32_t(a_.getSize());
  visit_end();
  // Handlers of tries nested deeper than the label's frame are skipped (HandlerSite).
  uint32_t threshold = uint32_t(frames_.size() - 1 - depth);
  if (r.end != r.begin)
    handlers_.push_back(HandlerSite{r.begin, r.end, HandlerSite::kDelegate, threshold, r.frame});
}

inline void FunctionCompiler::visit_rethrow(uint32_t depth) {
  flush_fuel();
  const uint32_t frame = uint32_t(frames_.size() - 1 - depth);
  const TryRegion* region = nullptr;
  for (const TryRegion& r : tries_)
    if (r.frame == frame) region = &r;
  if (!region || !region->in_catch) throw CompileFailure{"rethrow outside a catch"};
  const uint32_t slot = region->exn_slot;
  prepare_throw_site();
  a_.mov(a_.rsi, a_.qword[a_.rbp - 0x10000000]);
  exn_patches_.push_back(ExnSlotPatch{uint32_t(a_.getSize() - 4), slot});
  call_vmctx_builtin(Builtin::throw_ref);
  a_.ud2();
  reachable_ = false;
}

// `end`: of a try region, or of any other frame.
inline void FunctionCompiler::visit_block_end() {
  if (!tries_.empty() && tries_.back().frame == frames_.size() - 1) {
    if (tries_.back().legacy) end_legacy_try();
    else end_try_table();
    return;
  }
  visit_end();
}

}  // namespace wasm::detail::jit
