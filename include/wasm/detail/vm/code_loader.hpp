#pragma once
// Compiles a module's functions with the tiers Config::strategy names (through the module driver of jit/) and
// makes the code known to the trap handler.
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

}  // namespace wasm::detail
