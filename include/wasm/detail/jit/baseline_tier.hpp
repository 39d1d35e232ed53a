#pragma once
// The baseline tier: FunctionCompiler (single pass, function_compiler.hpp) behind the
// CompilerTier interface, and compile_module() with it alone, the default of the runtime.
#include <memory>

#include "wasm/detail/jit/compiler_tier.hpp"
#include "wasm/detail/jit/function_compiler.hpp"
#include "wasm/detail/jit/module_compiler.hpp"

namespace wasm::detail::jit {

class BaselineTier final : public CompilerTier {
 public:
  const char* name() const override { return "baseline"; }
  std::unique_ptr<Worker> make_worker(const CompileEnv& env) const override {
    return std::make_unique<BaselineWorker>(env);
  }

  // One per process: the tier has no state.
  static const BaselineTier& get() {
    static const BaselineTier tier;
    return tier;
  }

 private:
  struct BaselineWorker final : Worker {
    explicit BaselineWorker(const CompileEnv& env) : compiler(env) {}
    Result<CompiledFunction> compile(uint32_t defined_index) override {
      return compiler.compile(defined_index);
    }
    FunctionCompiler compiler;
  };
};

// threads: 0 = one per hardware thread; 1 = compile on the calling thread.
inline Result<CompiledModule> compile_module(const ModuleInfo& module,
                                             const CompileOptions& options,
                                             unsigned threads = 0) {
  return compile_module(module, options, BaselineTier::get(), threads);
}

}  // namespace wasm::detail::jit
