#pragma once
// Asks the optimizing tier whether it would compile a defined function of a module given in the
// text format (what it declines, the baseline compiles).
#include <catch2/catch.hpp>

#include <cstdint>
#include <string_view>

#include "wasm/detail/binary/decoder.hpp"
#include "wasm/detail/jit/compile_env.hpp"
#include "wasm/detail/jit/opt/tier.hpp"
#include "wasm/detail/text/wat.hpp"

namespace wasm::test {

inline bool optimizing_tier_accepts(std::string_view wat, const Features& features,
                                    uint32_t defined_index) {
  auto bytes = detail::text::wat_to_wasm(wat);
  REQUIRE(bytes);
  auto info = detail::decode_module(*bytes, features);
  REQUIRE(info);
  detail::jit::CompileOptions options;
  options.features = features;
  detail::jit::CompileEnv env(*info, options);
  return detail::jit::opt::OptimizingTier::get().accepts(env, defined_index);
}

}  // namespace wasm::test
