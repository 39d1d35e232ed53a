#pragma once
// OptimizingTier: the SSA builder, the mid-end pipeline (pass_manager.hpp), register allocation
// (regalloc.hpp) and instruction selection (isel.hpp) behind the CompilerTier interface. It
// declines what the back end does not handle yet, so that the next tier (the baseline)
// compiles it: SIMD, tail calls, 64-bit memories and tables, wide arithmetic, atomics, exception
// handling and other operators the builder does not express, fuel and epoch interruption and NaN
// canonicalization (not emitted yet), and functions whose liveness sets would be too large.
#include <memory>
#include <string>

#include "wasm/detail/jit/compiler_tier.hpp"
#include "wasm/detail/jit/function_compiler_decl.hpp"
#include "wasm/detail/jit/opt/builder.hpp"
#include "wasm/detail/jit/opt/isel.hpp"
#include "wasm/detail/jit/opt/pass_manager.hpp"
#include "wasm/detail/jit/opt/regalloc.hpp"

namespace wasm::detail::jit::opt {

// Why the back end cannot take f, or nullptr.
inline const char* unsupported_by_backend(const Function& f) {
  for (Type t : f.params)
    if (t == Type::V128) return "v128 parameter";
  for (Type t : f.results)
    if (t == Type::V128) return "v128 result";
  for (const ValueData& v : f.values)
    if (v.type == Type::V128) return "v128 value";
  for (BlockId b = 0; b < f.blocks.size(); ++b) {
    if (f.blocks[b].removed) continue;
    for (InstId i = f.blocks[b].first; i != kNone; i = f.insts[i].next) {
      const Inst& in = f.insts[i];
      switch (in.opc) {
        case Opcode::Wasm:
          if (!is_numeric_op(in.op)) return "non-scalar operator";
          break;
        case Opcode::Load:
        case Opcode::Store:
          if (op_info(in.op).prefix == 0xFD) return "SIMD memory access";
          break;
        case Opcode::ReturnCall:
        case Opcode::ReturnCallImport:
        case Opcode::ReturnCallIndirect: return "tail call";
        default: break;
      }
    }
  }
  if (!liveness_fits(f)) return "too large for the register allocator";
  return nullptr;
}

class OptimizingTier final : public CompilerTier {
 public:
  const char* name() const override { return "optimizing"; }

  bool accepts(const CompileEnv& env, uint32_t defined_index) const override {
    // Fuel and epoch checks, and the deterministic profile's NaN canonicalization, are not
    // emitted by this back end yet.
    if (env.options.consume_fuel || env.options.epoch_interruption || env.options.canonicalize_nans)
      return false;
    for (const auto& m : env.module.memories)
      if (m.is64) return false;
    FunctionBuilder builder(env.module, env.options.features);
    BuildResult built = builder.build(env.module.num_imported_funcs + defined_index);
    if (!built.ok) return false;
    return unsupported_by_backend(built.func) == nullptr;
  }

  std::unique_ptr<Worker> make_worker(const CompileEnv& env) const override {
    return std::make_unique<OptWorker>(env);
  }

  static const OptimizingTier& get() {
    static const OptimizingTier tier;
    return tier;
  }

 private:
  struct OptWorker final : Worker {
    explicit OptWorker(const CompileEnv& e) : env(e), a(4096, Xbyak::AutoGrow, &allocator) {
      a.setDefaultJmpNEAR(true);
    }
    Result<CompiledFunction> compile(uint32_t defined_index) override {
      const uint32_t func_index = env.module.num_imported_funcs + defined_index;
      auto fail = [&](const std::string& why) {
        return Error(ErrorKind::Resource,
                     "optimizing tier, function " + std::to_string(func_index) + ": " + why);
      };
      try {
        FunctionBuilder builder(env.module, env.options.features);
        BuildResult built = builder.build(func_index);
        if (!built.ok) return fail(built.unsupported);
        Function& f = built.func;
        optimize(f);
        if (const char* why = unsupported_by_backend(f)) return fail(why);
        for (InstId i = 0; i < f.insts.size(); ++i)
          for (ValueId& v : f.args(i)) v = f.resolve(v);
        for (Edge& e : f.edges)
          for (ValueId& v : f.list(e.args)) v = f.resolve(v);
        Cfg cfg(f);
        Allocation alloc = allocate_registers(f, cfg);
        a.reset();
        MachineEmitter emitter(env, a);
        return emitter.emit(f, alloc);
      } catch (const IselFailure& e) {
        return fail(e.message);
      } catch (const Xbyak::Error& e) {
        return fail(e.what());
      } catch (const std::bad_alloc&) {
        return fail("out of memory");
      } catch (const std::exception& e) {
        return fail(e.what());
      }
    }
    const CompileEnv& env;
    PlainCodeAllocator allocator;
    Xbyak::CodeGenerator a;
  };
};

}  // namespace wasm::detail::jit::opt
