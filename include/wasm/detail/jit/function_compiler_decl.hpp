#pragma once
// FunctionCompiler: the single-pass baseline compiler. One visit per instruction, read through
// InstructionReader, straight to machine code; the only state is the abstract value stack
// (value_stack.hpp), the register cache and the control frames.
//
// The members are defined in compile_*.hpp by topic; function_compiler.hpp puts them together.
// One FunctionCompiler per thread: it keeps its buffers across functions, so compiling a
// function allocates only for its output.
#include <xbyak/xbyak.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "wasm/error.hpp"
#include "wasm/result.hpp"
#include "wasm/detail/binary/instruction.hpp"
#include "wasm/detail/jit/abi.hpp"
#include "wasm/detail/jit/compile_env.hpp"
#include "wasm/detail/jit/compiled_function.hpp"
#include "wasm/detail/jit/control_frames.hpp"
#include "wasm/detail/jit/emit_atomics.hpp"
#include "wasm/detail/jit/emit_numeric_base.hpp"
#include "wasm/detail/jit/emit_simd_base.hpp"
#include "wasm/detail/jit/frame_layout.hpp"
#include "wasm/detail/jit/labels.hpp"
#include "wasm/detail/jit/masm.hpp"
#include "wasm/detail/jit/register_cache.hpp"
#include "wasm/detail/jit/state_transfer.hpp"
#include "wasm/detail/jit/value_stack.hpp"
#include "wasm/detail/env/builtins.hpp"
#include "wasm/detail/env/vm_records.hpp"

namespace wasm::detail::jit {

// Xbyak's default allocator would mprotect the buffer; ours is only ever copied out of, into
// CodeMemory, so plain heap memory is enough.
struct PlainCodeAllocator : Xbyak::Allocator {
  uint8_t* alloc(size_t size) override { return static_cast<uint8_t*>(std::malloc(size)); }
  void free(uint8_t* p) override { std::free(p); }
  bool useProtect() const override { return false; }
};

// Thrown inside the compiler for conditions it refuses (never crosses its public API).
struct CompileFailure {
  const char* message;
};

class FunctionCompiler {
 public:
  explicit FunctionCompiler(const CompileEnv& env)
      : env_(env), a_(4096, Xbyak::AutoGrow, &allocator_) {
    a_.setDefaultJmpNEAR(true);
  }
  FunctionCompiler(const FunctionCompiler&) = delete;
  FunctionCompiler& operator=(const FunctionCompiler&) = delete;

  // Compiles defined function `defined_index` (0 = the first non-imported function).
  Result<CompiledFunction> compile(uint32_t defined_index);

 private:
  using Loc = VarState::Loc;
  static constexpr uint32_t kNumTrapCodes = uint32_t(TrapCode::HostError) + 1;

  // ---- driver (function_compiler.hpp)
  void reset_for(uint32_t defined_index);
  void compile_body();
  void visit(const Instruction& ins);
  void skip_unreachable(const Instruction& ins);
  void emit_prologue();
  void emit_epilogue();
  void emit_out_of_line_code();
  CompiledFunction finish();

  // ---- value stack and registers (function_compiler.hpp)
  Reg alloc_reg(RegClass cls, RegSet pinned = {});
  // A register for a result: `reuse` if no stack entry still uses it, else a fresh one.
  Reg result_reg(RegClass cls, RegSet pinned, Reg reuse);
  void spill_reg(Reg r);
  void spill_all();
  Reg pop_to_reg(RegSet pinned = {});
  VarState pop();
  void drop_top();
  void push_reg(ValType t, Reg r);
  void push_const(ValType t, int64_t v);
  void push_stack(ValType t);
  void load_to(Reg dst, uint32_t index);  // stack entry `index` into dst, entry unchanged
  Xbyak::Label& trap_label(TrapCode code) { return traps_.trap_label(code); }
  void jump_to_trap(TrapCode code) { a_.jmp(trap_label(code), Xbyak::CodeGenerator::T_NEAR); }
  void trap_if(Cond c, TrapCode code) { emit_jcc(a_, c, trap_label(code)); }
  void reload_memory_base();
  void call_vmctx_builtin(Builtin b);  // rdi = r14, call through the builtins table

  // ---- control (compile_control.hpp)
  ControlFrame& push_frame(ControlFrame::Kind kind, const BlockType& bt);
  ControlFrame& frame_at_depth(uint32_t depth) { return frames_[frames_.size() - 1 - depth]; }
  VarState* merge_state(ControlFrame& f) { return arena_.at(f.merge_at); }
  void ensure_merge_state(ControlFrame& f);
  void adopt_state(const VarState* states, uint32_t height);
  void emit_branch_to(ControlFrame& f);  // unconditional; leaves the current state as it is
  void set_unreachable_height(uint32_t base, std::span<const ValType> types);
  LabelId branch_entry(uint32_t depth);  // br_table: where a jump to this depth lands
  void emit_return(bool fallthrough = false);
  void emit_loop_header_checks();
  void flush_fuel();
  void emit_fuel_check();
  void emit_epoch_check();
  void visit_block(const Instruction& ins);
  void visit_loop(const Instruction& ins);
  void visit_if(const Instruction& ins);
  void visit_else();
  void visit_end();
  void visit_br(uint32_t depth);
  void visit_br_if(uint32_t depth);
  void emit_br_if(Cond taken, uint32_t depth);
  void open_if(const BlockType& bt, std::optional<Cond> taken);
  void visit_br_table(const Instruction& ins);
  void visit_unreachable();
  // The condition on top of the stack, as a register to `test`, or a constant.
  bool pop_condition(Reg& reg, int64_t& constant);

  // ---- variables, constants, parametric, references (compile_variables.hpp)
  void visit_local_get(uint32_t index);
  void visit_local_set(uint32_t index, bool tee);
  void visit_global_get(uint32_t index);
  void visit_global_set(uint32_t index);
  Xbyak::RegExp global_addr(uint32_t index, RegSet pinned);
  void visit_drop();
  void visit_select();
  void visit_ref_is_null();
  void visit_ref_func(uint32_t index);
  void visit_ref_as_non_null();
  void visit_br_on_null(uint32_t depth, bool on_null);

  // ---- memory (compile_memory.hpp)
  struct MemAddress {
    Xbyak::RegExp exp;
    RegSet regs;  // registers the address uses (pinned until the access is emitted)
  };
  MemAddress memory_address(uint32_t memory, uint64_t offset, uint32_t size, RegSet pinned);
  MemAddress memory_address64(uint32_t memory, uint64_t offset, uint32_t size, RegSet pinned);
  Reg memory_base_reg(uint32_t memory, RegSet pinned);
  void emit_bounds_check(uint32_t memory, uint64_t end_offset, RegSet pinned);
  void visit_load(const Instruction& ins);
  void visit_store(const Instruction& ins);
  void visit_memory_size(uint32_t memory);
  void visit_table_size(uint32_t table);

  // ---- threads: atomics, wait and notify (compile_atomics.hpp)
  void visit_atomic(const Instruction& ins);
  MemAddress atomic_address(const Instruction& ins, uint32_t size, RegSet pinned);
  Reg pop_to_owned_reg(RegSet pinned);
  void visit_atomic_load(const Instruction& ins, const AtomicDesc& d);
  void visit_atomic_store(const Instruction& ins, const AtomicDesc& d);
  void visit_atomic_rmw(const Instruction& ins, const AtomicDesc& d);
  void visit_atomic_cmpxchg(const Instruction& ins, const AtomicDesc& d);
  void visit_atomic_wait_notify(const Instruction& ins, const AtomicDesc& d);

  // ---- calls and builtins (compile_calls.hpp)
  struct BuiltinArg {
    bool from_stack = false;  // else `imm`
    uint64_t imm = 0;
    static BuiltinArg stack() { return BuiltinArg{true, 0}; }
    static BuiltinArg value(uint64_t v) { return BuiltinArg{false, v}; }
  };
  // Pops the stack operands (in order), calls the builtin, pushes its result if any.
  void call_builtin(Builtin b, std::initializer_list<BuiltinArg> args, bool has_result,
                    ValType result = ValType::I32);
  void visit_call(uint32_t func_index);
  void visit_call_indirect(uint32_t type_index, uint32_t table);
  void emit_indirect_target(uint32_t type_index, uint32_t table);
  void emit_call_args(const FuncType& type, const abi::CallLayout& layout);
  void finish_call(const FuncType& type, const abi::CallLayout& layout);
  void restore_rsp();
  enum class TailTarget { Direct, Imported, Indirect };
  void visit_return_call(uint32_t func_index);
  void visit_return_call_indirect(uint32_t type_index, uint32_t table);
  void visit_call_ref(uint32_t type_index);
  void visit_return_call_ref(uint32_t type_index);
  void emit_ref_target();
  void emit_tail_call(const FuncType& type, TailTarget target, uint32_t func_index);
  void visit_misc_builtin(const Instruction& ins);

  // ---- exceptions (compile_exceptions.hpp)
  struct TryRegion {
    uint32_t frame = 0;  // index in frames_ of the try's block
    uint32_t begin = 0;  // code offsets of the body (end: once it is closed)
    uint32_t end = 0;
    uint32_t base = 0;   // stack height a handler starts from
    bool legacy = false;
    bool in_catch = false;   // legacy: past the first catch / catch_all
    uint32_t exn_slot = 0;   // legacy: catch nesting level, the caught exception's slot
    std::vector<ValType> below;                // legacy: types of the handler state
    std::vector<Instruction::Catch> catches;   // try_table
  };
  struct ExnSlotPatch {
    uint32_t at;    // rbp displacement (4 bytes) to patch
    uint32_t slot;  // exception slot index, past the value slots
  };
  void prepare_throw_site();
  std::vector<ValType> types_below(uint32_t height) const;
  void enter_handler(const std::vector<ValType>& below);
  void push_payload(uint32_t tag);
  TryRegion& open_try_region(const Instruction& ins);
  void visit_try_table(const Instruction& ins);
  void end_try_table();
  void visit_throw(uint32_t tag);
  void visit_throw_ref();
  void visit_try(const Instruction& ins);
  void visit_catch(const Instruction& ins);
  void end_legacy_try();
  void visit_delegate(uint32_t depth);
  void visit_rethrow(uint32_t depth);
  void visit_block_end();

  // ---- numeric instructions (compile_numeric.hpp)
  void visit_numeric(const Instruction& ins);
  Cond emit_compare_flags(Op op);
  bool try_fuse_compare(Op op);
  void visit_div_rem(Op op);
  void visit_shift(Op op);

  // ---- wide arithmetic (compile_wide_arithmetic.hpp)
  void visit_add_sub128(bool subtract);
  void visit_mul_wide(bool is_signed);

  // ---- SIMD (compile_simd.hpp)
  SimdAsm simd_asm();
  Reg simd_result_reg(Reg lhs, RegSet others, RegSet pinned);
  void visit_simd(const Instruction& ins);
  void visit_v128_const(const V128Bytes& bytes);
  void visit_simd_load(const Instruction& ins);
  void visit_simd_store(const Instruction& ins);
  void visit_simd_load_lane(const Instruction& ins);
  void visit_simd_store_lane(const Instruction& ins);
  void visit_simd_splat(Op op);
  void visit_simd_extract(const Instruction& ins);
  void visit_simd_replace(const Instruction& ins);
  void visit_simd_shift(Op op);
  void visit_simd_reduction(Op op);
  void visit_simd_v128_op(const Instruction& ins);

  const CompileEnv& env_;
  PlainCodeAllocator allocator_;
  Xbyak::CodeGenerator a_;
  Labels labels_;
  ValueStack stack_;
  RegisterCache regs_;
  StateArena arena_;
  std::vector<ControlFrame> frames_;
  std::vector<CallReloc> calls_;
  std::vector<TrapSite> trap_sites_;  // the trap stubs, in emission order
  std::vector<uint32_t> br_table_stub_;  // per depth: index of its stub label, or ~0
  std::vector<TryRegion> tries_;          // open try regions, innermost last
  std::vector<HandlerSite> handlers_;     // the exception table, in priority order
  std::vector<ExnSlotPatch> exn_patches_;
  uint32_t exn_slots_ = 0;                // legacy catch nesting, maximum
  uint32_t catch_depth_ = 0;

  InstructionReader* reader_ = nullptr;
  Instruction lookahead_;  // an instruction read ahead by try_fuse_compare, not yet visited
  bool has_lookahead_ = false;

  const FuncType* type_ = nullptr;
  uint32_t func_index_ = 0;
  uint32_t num_locals_ = 0;  // parameters included
  uint32_t max_call_results_ = 0;
  size_t frame_size_patch_ = 0;
  std::vector<size_t> rsp_patches_;  // restore_rsp's displacements, filled in by finish()
  LabelId epilogue_ = 0;
  // One out-of-line stub per trap code, emitted after the body when used. Xbyak labels, as
  // the numeric emitters jump to them too.
  struct TrapStubs final : TrapSink {
    Xbyak::Label labels[kNumTrapCodes];
    bool used[kNumTrapCodes] = {};
    Xbyak::Label& trap_label(TrapCode code) override {
      used[uint32_t(code)] = true;
      return labels[uint32_t(code)];
    }
  };
  TrapStubs traps_;
  V128ConstPool pool_;  // emitted after the trap stubs
  bool reachable_ = true;
  uint32_t unreachable_depth_ = 0;
  uint32_t fuel_pending_ = 0;

  // Out-of-line calls to out_of_fuel / epoch_deadline_reached that return to the body.
  struct SlowCall {
    Builtin builtin;
    LabelId entry;
    LabelId resume;
  };
  std::vector<SlowCall> slow_calls_;
};

}  // namespace wasm::detail::jit
