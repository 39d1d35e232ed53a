#pragma once
// Compiles a module's functions with the tiers Config::strategy names (through the module
// driver of jit/) and makes the code known to the trap handler; compiles functions of a loaded
// module again, with another tier, and redirects their calls.
#include <utility>
#include <vector>

#include "wasm/config.hpp"
#include "wasm/detail/jit/baseline_tier.hpp"
#include "wasm/detail/jit/opt/tier.hpp"
#include "wasm/detail/vm/module_state.hpp"
#include "wasm/result.hpp"

namespace wasm::detail {

inline Result<void> load_code(ModuleState& state, const Config& config) {
  if (state.info.bodies.empty()) return {};
  // Optimized: the optimizing tier first, the baseline for what it declines.
  const jit::CompilerTier* optimized[] = {&jit::opt::OptimizingTier::get(), &jit::BaselineTier::get()};
  const jit::CompilerTier* baseline[] = {&jit::BaselineTier::get()};
  std::span<const jit::CompilerTier* const> tiers =
      config.strategy() == Strategy::Optimized ? std::span<const jit::CompilerTier* const>(optimized)
                                               : std::span<const jit::CompilerTier* const>(baseline);
  auto compiled = jit::compile_module(state.info, jit::CompileOptions::from(config), tiers,
                                      config.parallel_compilation() ? 0 : 1);
  if (!compiled) return std::move(compiled).error();
  state.publish_code(std::move(*compiled), config);
  return {};
}

// Compiles the given defined functions (function index space) again with `tier`, on the
// calling thread, and redirects their calls to the new code; the functions `tier` declines
// keep their code. `config` must be the one the module was compiled with. Returns how many
// functions were replaced.
inline Result<uint32_t> recompile_functions(const ModuleState& state, const Config& config,
                                            const jit::CompilerTier& tier, std::span<const uint32_t> func_indices) {
  const jit::CompileEnv env(state.info, jit::CompileOptions::from(config));
  std::unique_ptr<jit::CompilerTier::Worker> worker;
  std::vector<std::pair<uint32_t, jit::CompiledFunction>> compiled;
  for (uint32_t index : func_indices) {
    if (index < state.info.num_imported_funcs || index >= state.info.func_types.size())
      return Error(ErrorKind::Resource, "function " + std::to_string(index) + " is not defined by the module");
    const uint32_t defined = index - state.info.num_imported_funcs;
    if (!tier.accepts(env, defined)) continue;
    if (!worker) worker = tier.make_worker(env);
    auto f = worker->compile(defined);
    if (!f) return std::move(f).error();
    compiled.emplace_back(index, std::move(*f));
  }
  if (compiled.empty()) return uint32_t(0);
  std::vector<std::pair<uint32_t, const jit::CompiledFunction*>> batch;
  for (const auto& [index, f] : compiled) batch.emplace_back(index, &f);
  if (auto replaced = state.replace_functions(batch); !replaced) return std::move(replaced).error();
  return uint32_t(batch.size());
}

}  // namespace wasm::detail
