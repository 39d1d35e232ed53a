#pragma once
// Module's definitions that decode, validate and compile (see detail/base/inline.hpp).
#include "wasm/detail/binary/decoder.hpp"
#include "wasm/detail/binary/validator.hpp"
#include "wasm/detail/text/wat.hpp"
#include "wasm/detail/vm/code_loader.hpp"
#include "wasm/module.hpp"

namespace wasm {

WASMPP_INLINE Result<Module> Module::compile(const Engine& engine, std::span<const uint8_t> bytes) {
  auto state = validated(engine, bytes);
  if (!state) return std::move(state).error();
  if (Result<void> r = detail::load_code(**state, engine.config()); !r) return std::move(r).error();
  return Module(std::move(*state));
}

WASMPP_INLINE Result<Module> Module::from_wat(const Engine& engine, std::string_view text) {
  auto bytes = detail::text::wat_to_wasm(text);
  if (!bytes) return std::move(bytes).error();
  return compile(engine, *bytes);
}

WASMPP_INLINE Result<std::shared_ptr<detail::ModuleState>> Module::validated(const Engine& engine,
                                                                            std::span<const uint8_t> bytes) {
  const Features& features = engine.config().wasm_features();
  auto info = detail::decode_module(bytes, features);
  if (!info) return std::move(info).error();
  if (auto valid = detail::validate_module(*info, features); !valid) return std::move(valid).error();
  auto state = std::make_shared<detail::ModuleState>();
  state->engine = engine.shared_state();
  state->offsets = detail::VMOffsets(detail::shape_of(*info));
  if (!state->offsets.ok()) return Error(ErrorKind::Resource, "module too large for a VMContext");
  state->type_ids.reserve(info->types.size());
  for (const FuncType& t : info->types) state->type_ids.push_back(engine.state().types.intern(t));
  state->info = std::move(*info);
  state->index_exports();  // after the move: the keys view the names inside `info`
  return state;
}

}  // namespace wasm
