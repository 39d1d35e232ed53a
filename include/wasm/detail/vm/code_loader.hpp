#pragma once
// Compiles a module's functions with the tiers Config::strategy names (through the module
// driver of jit/), or lays out stubs that compile each on its first call
// (Config::lazy_compilation), and makes the code known to the trap handler; compiles functions
// of a loaded module again, with other tiers, and redirects their calls.
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "wasm/config.hpp"
#include "wasm/detail/jit/baseline_tier.hpp"
#include "wasm/detail/jit/lazy_module.hpp"
#include "wasm/detail/jit/opt/tier.hpp"
#include "wasm/detail/vm/module_state.hpp"
#include "wasm/result.hpp"

namespace wasm::detail {

// The tiers for `config`, in the order they are offered a function. Optimized: the optimizing
// tier first, the baseline for what it declines.
inline std::span<const jit::CompilerTier* const> tiers_for(const Config& config) {
  static const jit::CompilerTier* const optimized[] = {&jit::opt::OptimizingTier::get(), &jit::BaselineTier::get()};
  static const jit::CompilerTier* const baseline[] = {&jit::BaselineTier::get()};
  if (config.strategy() == Strategy::Optimized) return optimized;
  return baseline;
}

// `on_first_call` is what the stubs of a lazily compiled module call (vm/lazy_compile.hpp).
inline Result<void> load_code(ModuleState& state, const Config& config, jit::LazyCompileFn on_first_call) {
  if (state.info.bodies.empty()) return {};
  auto compiled = config.lazy_compilation()
                      ? jit::lazy_module(state.info, on_first_call)
                      : jit::compile_module(state.info, jit::CompileOptions::from(config), tiers_for(config),
                                            config.parallel_compilation() ? 0 : 1);
  if (!compiled) return std::move(compiled).error();
  state.publish_code(std::move(*compiled), config);
  return {};
}

// Compiles the given defined functions (function index space) of a loaded module with the
// first of `tiers` that accepts each, on the calling thread. `config` must be the one the
// module was compiled with.
inline Result<ModuleState::Replacements> compile_functions(const ModuleState& state, const Config& config,
                                                           std::span<const jit::CompilerTier* const> tiers,
                                                           std::span<const uint32_t> func_indices) {
  const jit::CompileEnv env(state.info, jit::CompileOptions::from(config));
  std::vector<std::unique_ptr<jit::CompilerTier::Worker>> workers(tiers.size());
  ModuleState::Replacements compiled;
  for (uint32_t index : func_indices) {
    if (index < state.info.num_imported_funcs || index >= state.info.func_types.size())
      return Error(ErrorKind::Resource, "function " + std::to_string(index) + " is not defined by the module");
    const uint32_t defined = index - state.info.num_imported_funcs;
    size_t t = 0;
    while (t < tiers.size() && !tiers[t]->accepts(env, defined)) ++t;
    if (t == tiers.size()) continue;
    if (!workers[t]) workers[t] = tiers[t]->make_worker(env);
    auto f = workers[t]->compile(defined);
    if (!f) return std::move(f).error();
    compiled.emplace_back(index, std::move(*f));
  }
  return compiled;
}

// compile_functions, then redirects the functions' calls to the new code; a function no tier
// accepts keeps its code. Returns how many functions were replaced.
inline Result<uint32_t> recompile_functions(const ModuleState& state, const Config& config,
                                            std::span<const jit::CompilerTier* const> tiers,
                                            std::span<const uint32_t> func_indices) {
  auto compiled = compile_functions(state, config, tiers, func_indices);
  if (!compiled) return std::move(compiled).error();
  if (auto replaced = state.replace_functions(*compiled); !replaced) return std::move(replaced).error();
  return uint32_t(compiled->size());
}

}  // namespace wasm::detail
