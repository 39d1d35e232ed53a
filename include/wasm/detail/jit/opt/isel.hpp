#pragma once
// Instruction selection for the optimizing tier: optimized IR + Allocation (regalloc.hpp) to
// x86-64 with xbyak, following the calling convention (abi.hpp) and frame layout
// (frame_layout.hpp) of every tier. Numeric operators go through the baseline's register-level
// emitter (emit_numeric.hpp) with the same trap stubs; loads and stores use the same guard-page
// rule and explicit bounds checks as the baseline (compile_memory.hpp); builtins are reached
// through the same table.
//
// Operands live where the allocator put them; a value in a frame slot or a constant is brought
// into a temporary (rax/rdx/rcx, xmm13/xmm14) at its use. Edge arguments are parallel moves,
// inline on a jump and out of line (a stub per edge) on conditional and table branches.
// A compare whose only use is the branch right after it becomes cmp + jcc.
#include <xbyak/xbyak.h>

#include <cstring>
#include <string>
#include <vector>

#include "wasm/detail/env/builtins.hpp"
#include "wasm/detail/env/vm_records.hpp"
#include "wasm/detail/jit/abi.hpp"
#include "wasm/detail/jit/compile_env.hpp"
#include "wasm/detail/jit/compiled_function.hpp"
#include "wasm/detail/jit/direct_calls.hpp"
#include "wasm/detail/jit/emit_numeric.hpp"
#include "wasm/detail/jit/frame_layout.hpp"
#include "wasm/detail/jit/indirect_calls.hpp"
#include "wasm/detail/jit/opt/parallel_move.hpp"
#include "wasm/detail/jit/opt/regalloc.hpp"

namespace wasm::detail::jit::opt {

// Thrown for IR the back end cannot translate (a bug: accepts() should have declined it).
struct IselFailure {
  std::string message;
};

class MachineEmitter {
 public:
  MachineEmitter(const CompileEnv& env, Xbyak::CodeGenerator& a) : env_(env), a_(a) {}

  CompiledFunction emit(Function& f, const Allocation& alloc);

 private:
  static constexpr uint32_t kNumTrapCodes = uint32_t(TrapCode::HostError) + 1;
  using R64 = Xbyak::Reg64;
  using X = Xbyak::Xmm;

  struct Traps final : TrapSink {
    Xbyak::Label labels[kNumTrapCodes];
    bool used[kNumTrapCodes] = {};
    Xbyak::Label& trap_label(TrapCode code) override {
      used[uint32_t(code)] = true;
      return labels[uint32_t(code)];
    }
  };
  struct EdgeStub {
    Xbyak::Label* label;
    uint32_t edge;
  };

  const Location& loc(ValueId v) const { return alloc_->loc[v]; }
  Type type(ValueId v) const { return f_->type(v); }
  bool is_const(ValueId v) const { return loc(v).kind == Location::Kind::Const; }

  // The value in a register of its class: its own, or `temp` loaded.
  R64 gpr_of(ValueId v, R64 temp) {
    const Location& l = loc(v);
    if (l.kind == Location::Kind::Gpr) return R64(l.reg);
    emit_move(a_, Location::gpr(uint8_t(temp.getIdx())), l, type(v));
    return temp;
  }
  X xmm_of(ValueId v, X temp) {
    const Location& l = loc(v);
    if (l.kind == Location::Kind::Xmm) return X(l.reg);
    emit_move(a_, Location::xmm(uint8_t(temp.getIdx())), l, type(v));
    return temp;
  }
  // Where to compute a result: its register, or `temp` (stored by finish_result).
  R64 gpr_dst(ValueId v, R64 temp) const {
    const Location& l = loc(v);
    return l.kind == Location::Kind::Gpr ? R64(l.reg) : temp;
  }
  X xmm_dst(ValueId v, X temp) const {
    const Location& l = loc(v);
    return l.kind == Location::Kind::Xmm ? X(l.reg) : temp;
  }
  void finish_gpr(ValueId v, R64 computed) {
    emit_move(a_, loc(v), Location::gpr(uint8_t(computed.getIdx())), type(v));
  }
  void finish_xmm(ValueId v, X computed) {
    emit_move(a_, loc(v), Location::xmm(uint8_t(computed.getIdx())), type(v));
  }

  Xbyak::Label& block_label(BlockId b) { return block_labels_[b]; }
  bool edge_has_moves(const Edge& e) const;
  void edge_moves(const Edge& e);
  // Where a conditional branch along edge `e` jumps: the block, or a stub doing the moves.
  Xbyak::Label& edge_target(uint32_t edge_index);
  void jump_edge(uint32_t edge_index, BlockId next);

  void prologue();
  void epilogue();
  void out_of_line();
  void reload_memory_base();
  void call_vmctx_builtin(Builtin b);
  void restore_rsp();

  void inst(InstId i, BlockId next);
  void numeric(InstId i);
  void select(InstId i);
  void load(InstId i);
  void store(InstId i);
  Xbyak::RegExp address(const Inst& in, ValueId base, ValueId addr, uint32_t size);
  void global_get(InstId i);
  void global_set(InstId i);
  void runtime(InstId i);
  void call(InstId i);
  void indirect_target(ValueId index, uint32_t type_index, uint32_t table);
  void call_results(InstId i, const FuncType& type);
  void brif(InstId i, BlockId next);
  void br_table(InstId i);
  void ret(InstId i);
  // The compare feeding a branch or an integer select right after it, when the two can become
  // cmp + jcc / cmp + cmov (or kNone).
  InstId fusable_compare(InstId user) const;
  CompareCond emit_fused_compare(InstId cmp);

  const CompileEnv& env_;
  Xbyak::CodeGenerator& a_;
  Function* f_ = nullptr;
  const Allocation* alloc_ = nullptr;
  std::vector<Xbyak::Label> block_labels_;
  std::vector<EdgeStub> edge_stubs_;
  std::vector<std::unique_ptr<Xbyak::Label>> stub_labels_;
  Traps traps_;
  std::vector<CallReloc> calls_;
  std::vector<TrapSite> trap_sites_;
  uint32_t frame_bytes_ = 0;
  uint32_t max_call_results_ = 0;
};

}  // namespace wasm::detail::jit::opt

#include "wasm/detail/jit/opt/isel_impl.hpp"
