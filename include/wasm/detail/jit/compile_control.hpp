#pragma once
// Control instructions: block, loop, if/else, end, br, br_if, br_table, return, unreachable,
// and the fuel and epoch checks at function entry and loop headers.
//
// A label's merge state is fixed by the first branch to it (or, for a loop, at its entry);
// every later branch moves its state into that one (state_transfer.hpp). A block that no
// branch targets just continues with whatever state its last instruction left.
#include "wasm/detail/jit/function_compiler_decl.hpp"

namespace wasm::detail::jit {

inline ControlFrame& FunctionCompiler::push_frame(ControlFrame::Kind kind, const BlockType& bt) {
  ControlFrame f;
  f.kind = kind;
  if (bt.kind == BlockType::Kind::TypeIndex) {
    f.type = &env_.module.types[bt.type_index];
  } else if (bt.kind == BlockType::Kind::Value) {
    f.has_single_result = true;
    f.single_result = bt.value;
  }
  f.base = stack_.height() - uint32_t(f.params().size());
  f.label = labels_.make();
  f.arena_mark = arena_.size();
  f.merge_at = arena_.reserve(f.base + f.branch_arity());
  frames_.push_back(f);
  return frames_.back();
}

inline void FunctionCompiler::ensure_merge_state(ControlFrame& f) {
  if (f.merge_ready) return;
  make_merge_state(stack_, num_locals_, f.base, f.branch_arity(), merge_state(f));
  f.merge_ready = true;
}

inline void FunctionCompiler::adopt_state(const VarState* states, uint32_t height) {
  stack_.resize(height, VarState{});
  for (uint32_t i = 0; i < height; ++i) stack_[i] = states[i];
  regs_.recount(stack_);
}

// After an unconditional branch the values are never used; only the height matters until
// code becomes reachable again.
inline void FunctionCompiler::set_unreachable_height(uint32_t base,
                                                     std::span<const ValType> types) {
  while (stack_.height() > base) drop_top();
  while (stack_.height() < base) push_stack(ValType::I32);
  for (ValType t : types) push_stack(t);
}

inline void FunctionCompiler::emit_branch_to(ControlFrame& f) {
  if (f.kind == ControlFrame::Kind::Function) {
    emit_return();
    return;
  }
  ensure_merge_state(f);
  emit_transfer(a_, stack_, merge_state(f), f.base, f.branch_arity());
  labels_.jmp(a_, f.label);
}

// Results to rax/xmm0 or the caller's results area, then to the shared epilogue.
inline void FunctionCompiler::emit_return(bool fallthrough) {
  const std::vector<ValType>& results = type_->results;
  const uint32_t n = uint32_t(results.size());
  const uint32_t first = stack_.height() - n;
  if (n == 1) {
    load_to(abi::is_float_class(results[0]) ? Reg::xmm(0) : Reg::gpr(abi::RAX), first);
  } else if (n > 1) {
    a_.mov(a_.r11, a_.qword[a_.rbp + frame::kResultsPtr]);
    for (uint32_t i = 0; i < n; ++i) {
      const VarState& s = stack_[first + i];
      Xbyak::RegExp dst = a_.r11 + int32_t(16 * i);
      if (s.is_reg()) {
        masm::store(a_, dst, s.type, s.reg);
      } else if (s.is_const()) {
        // r11 holds the area: a wide constant goes in two halves.
        if (s.type == ValType::V128 || valtype_size(s.type) == 4 || masm::fits_i32(s.imm)) {
          masm::store_const(a_, dst, s.type, s.imm);
        } else {
          a_.mov(a_.dword[dst], uint32_t(s.imm));
          a_.mov(a_.dword[dst + 4], uint32_t(uint64_t(s.imm) >> 32));
        }
      } else {
        a_.movdqu(a_.xmm15, a_.xword[masm::slot_addr(a_, first + i)]);
        a_.movdqu(a_.xword[dst], a_.xmm15);
      }
    }
  }
  if (!fallthrough) labels_.jmp(a_, epilogue_);
}

// ---- fuel and epochs -------------------------------------------------------------------

// Adds the instructions counted since the last flush to the store's fuel counter. Called at
// every control-flow edge, so the count is exact on every path.
inline void FunctionCompiler::flush_fuel() {
  if (!env_.options.consume_fuel || fuel_pending_ == 0) return;
  a_.mov(a_.r11, a_.qword[a_.r14 + VMOffsets::store_context()]);
  a_.add(a_.qword[a_.r11 + store_ctx::kFuelConsumed], fuel_pending_);
  fuel_pending_ = 0;
}

inline void FunctionCompiler::emit_fuel_check() {
  a_.mov(a_.r11, a_.qword[a_.r14 + VMOffsets::store_context()]);
  a_.cmp(a_.qword[a_.r11 + store_ctx::kFuelConsumed], 0);
  SlowCall call{Builtin::out_of_fuel, labels_.make(), labels_.make()};
  labels_.jcc(a_, Cond::GE, call.entry);
  labels_.bind(a_, call.resume);
  slow_calls_.push_back(call);
}

inline void FunctionCompiler::emit_epoch_check() {
  Reg t = alloc_reg(RegClass::Gpr);
  a_.mov(a_.r11, a_.qword[a_.r14 + VMOffsets::store_context()]);
  a_.mov(t.r64(), a_.qword[a_.r11 + store_ctx::kEpochCounter]);
  a_.mov(t.r64(), a_.qword[t.r64()]);
  a_.cmp(t.r64(), a_.qword[a_.r11 + store_ctx::kEpochDeadline]);
  SlowCall call{Builtin::epoch_deadline_reached, labels_.make(), labels_.make()};
  labels_.jcc(a_, Cond::AE, call.entry);
  labels_.bind(a_, call.resume);
  slow_calls_.push_back(call);
}

inline void FunctionCompiler::emit_loop_header_checks() {
  if (env_.options.epoch_interruption) emit_epoch_check();
  if (env_.options.consume_fuel) emit_fuel_check();
}

// ---- blocks ----------------------------------------------------------------------------

inline void FunctionCompiler::visit_block(const Instruction& ins) {
  push_frame(ControlFrame::Kind::Block, ins.block);
}

inline void FunctionCompiler::visit_loop(const Instruction& ins) {
  flush_fuel();
  ControlFrame& f = push_frame(ControlFrame::Kind::Loop, ins.block);
  // The head's state is fixed now: back edges must match it.
  ensure_merge_state(f);
  emit_transfer(a_, stack_, merge_state(f), f.base, f.branch_arity());
  adopt_state(merge_state(f), f.base + f.branch_arity());
  labels_.bind(a_, f.label);
  emit_loop_header_checks();
}

inline bool FunctionCompiler::pop_condition(Reg& reg, int64_t& constant) {
  if (stack_.back().is_const()) {
    constant = pop().imm;
    return false;
  }
  reg = pop_to_reg();
  return true;
}

inline void FunctionCompiler::visit_if(const Instruction& ins) {
  flush_fuel();
  Reg cond;
  int64_t constant = 0;
  if (pop_condition(cond, constant)) {
    a_.test(cond.r32(), cond.r32());
    open_if(ins.block, Cond::NE);
    return;
  }
  open_if(ins.block, std::nullopt);
  if (constant == 0) {
    labels_.jmp(a_, frames_.back().else_label);
    reachable_ = false;  // the then-branch is dead code
  }
}

// Opens an if frame; with `taken`, the flags are set and the then-branch runs when it holds.
inline void FunctionCompiler::open_if(const BlockType& bt, std::optional<Cond> taken) {
  ControlFrame& f = push_frame(ControlFrame::Kind::If, bt);
  f.else_label = labels_.make();
  uint32_t height = stack_.height();
  f.else_state_at = arena_.reserve(height);
  VarState* saved = arena_.at(f.else_state_at);
  for (uint32_t i = 0; i < height; ++i) saved[i] = stack_[i];
  if (taken) labels_.jcc(a_, negate(*taken), f.else_label);
}

inline void FunctionCompiler::visit_else() {
  ControlFrame& f = frames_.back();
  if (reachable_) {
    flush_fuel();
    emit_branch_to(f);
  }
  f.has_else = true;
  labels_.bind(a_, f.else_label);
  adopt_state(arena_.at(f.else_state_at), f.base + uint32_t(f.params().size()));
  reachable_ = true;
}

inline void FunctionCompiler::visit_end() {
  ControlFrame& f = frames_.back();
  if (reachable_) flush_fuel();
  switch (f.kind) {
    case ControlFrame::Kind::Function:
      if (reachable_) emit_return(/*fallthrough=*/true);
      frames_.pop_back();
      return;
    case ControlFrame::Kind::Loop:
      if (!reachable_) set_unreachable_height(f.base, f.results());
      break;
    case ControlFrame::Kind::If:
      if (!f.has_else) {
        // The missing else passes the parameters through: it branches to the end too.
        if (reachable_) emit_branch_to(f);
        labels_.bind(a_, f.else_label);
        adopt_state(arena_.at(f.else_state_at), f.base + uint32_t(f.params().size()));
        reachable_ = true;
      }
      [[fallthrough]];
    case ControlFrame::Kind::Block:
      if (reachable_ && f.merge_ready) {
        emit_transfer(a_, stack_, merge_state(f), f.base, f.branch_arity());
      }
      labels_.bind(a_, f.label);
      if (f.merge_ready) {
        adopt_state(merge_state(f), f.base + f.branch_arity());
        reachable_ = true;
      } else if (!reachable_) {
        set_unreachable_height(f.base, f.results());
      }
      break;
  }
  uint32_t mark = f.arena_mark;
  frames_.pop_back();
  arena_.release_to(mark);
}

// ---- branches --------------------------------------------------------------------------

inline void FunctionCompiler::visit_br(uint32_t depth) {
  flush_fuel();
  emit_branch_to(frame_at_depth(depth));
  reachable_ = false;
}

inline void FunctionCompiler::visit_br_if(uint32_t depth) {
  flush_fuel();
  Reg cond;
  int64_t constant = 0;
  if (!pop_condition(cond, constant)) {
    if (constant != 0) visit_br(depth);
    return;
  }
  a_.test(cond.r32(), cond.r32());
  emit_br_if(Cond::NE, depth);
}

// br_on_null branches without the reference when it is null and keeps it (now non-null)
// otherwise; br_on_non_null branches with it when it is not null and drops it otherwise. The
// branch's moves run only on the taken path, so the popped reference's register still holds it
// on the other (as br_if's condition register does).
inline void FunctionCompiler::visit_br_on_null(uint32_t depth, bool on_null) {
  flush_fuel();
  const ValType t = stack_.back().type;
  Reg ref = pop_to_reg();
  if (on_null) {
    a_.test(ref.r64(), ref.r64());
    emit_br_if(Cond::E, depth);
    push_reg(t.is_unknown() ? t : t.as_nullable(false), ref);
  } else {
    push_reg(t.is_unknown() ? t : t.as_nullable(false), ref);  // a value of the branch
    a_.test(ref.r64(), ref.r64());
    emit_br_if(Cond::NE, depth);
    visit_drop();
  }
}

// The flags are set: branch to `depth` when `taken` holds.
inline void FunctionCompiler::emit_br_if(Cond taken, uint32_t depth) {
  ControlFrame& f = frame_at_depth(depth);
  if (f.kind != ControlFrame::Kind::Function) {
    ensure_merge_state(f);
    if (transfer_is_noop(stack_, merge_state(f), f.base, f.branch_arity())) {
      labels_.jcc(a_, taken, f.label);
      return;
    }
  }
  LabelId skip = labels_.make();
  labels_.jcc(a_, negate(taken), skip);
  emit_branch_to(f);
  labels_.bind(a_, skip);
}

// The label a br_table entry jumps to for this depth: the frame's own label when no moves
// are needed, else a stub (made once per depth) that moves the state first.
inline LabelId FunctionCompiler::branch_entry(uint32_t depth) {
  uint32_t& stub = br_table_stub_[depth];
  if (stub != ~0u) return stub;
  ControlFrame& f = frame_at_depth(depth);
  if (f.kind != ControlFrame::Kind::Function) {
    ensure_merge_state(f);
    if (transfer_is_noop(stack_, merge_state(f), f.base, f.branch_arity())) {
      stub = f.label;
      return stub;
    }
  }
  stub = labels_.make();
  return stub;
}

inline void FunctionCompiler::visit_br_table(const Instruction& ins) {
  flush_fuel();
  const std::vector<uint32_t>& targets = *ins.targets;
  if (stack_.back().is_const()) {
    uint32_t k = uint32_t(pop().imm);
    visit_br(k < targets.size() ? targets[k] : ins.index);
    return;
  }
  Reg index = pop_to_reg();
  // The index as a 64-bit table offset; i32 values are kept zero-extended in registers.
  br_table_stub_.assign(frames_.size(), ~0u);
  a_.cmp(index.r32(), uint32_t(targets.size()));
  labels_.jcc(a_, Cond::AE, branch_entry(ins.index));
  if (!targets.empty()) {
    LabelId table = labels_.make();
    // Entries are 8 bytes (jmp rel32 + padding): r11 = table + 8 * index.
    labels_.lea(a_, a_.r11, table);
    a_.lea(a_.r11, a_.ptr[a_.r11 + index.r64() * 8]);
    a_.jmp(a_.r11);
    labels_.bind(a_, table);
    for (uint32_t depth : targets) {
      labels_.jmp(a_, branch_entry(depth), /*near=*/true);
      a_.db(0xCC);
      a_.db(0xCC);
      a_.db(0xCC);
    }
  }
  // Stubs for the targets that need moves (and returns).
  for (uint32_t depth = 0; depth < br_table_stub_.size(); ++depth) {
    uint32_t stub = br_table_stub_[depth];
    if (stub == ~0u) continue;
    ControlFrame& f = frame_at_depth(depth);
    if (f.kind != ControlFrame::Kind::Function && stub == f.label) continue;
    labels_.bind(a_, stub);
    emit_branch_to(f);
  }
  reachable_ = false;
}

inline void FunctionCompiler::visit_unreachable() {
  flush_fuel();
  jump_to_trap(TrapCode::UnreachableCodeReached);
  reachable_ = false;
}

}  // namespace wasm::detail::jit
