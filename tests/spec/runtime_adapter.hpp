#pragma once
// The one place where the spec runner meets the runtime.
//
// The runner (spec_runner.cpp) only calls this class. As the runtime grows, later sessions fill in
// instantiate/register_instance/invoke/get with the real engine and clear the matching
// `missing_*` reason; the runner then runs those commands instead of skipping them, with no other
// change. Today the runtime can decode and validate, nothing more.
//
// For instantiation, the adapter will also have to provide the `spectest` host module that the
// scripts import from (print functions, global_i32 = 666, global_i64 = 666, global_f32 = 666.6,
// global_f64 = 666.6, table of 10..20 funcref, memory 1..2 pages).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "spec_values.hpp"
#include "wasm/detail/binary/decoder.hpp"
#include "wasm/detail/binary/validator.hpp"
#include "wasm/features.hpp"
#include "wasm/result.hpp"

namespace wasmpp_spec {

class RuntimeAdapter {
 public:
  using InstanceId = size_t;

  // A module that decoded and validated (later: also compiled).
  struct CompiledModule {
    wasm::detail::ModuleInfo info;
  };

  explicit RuntimeAdapter(const wasm::Features& features) : features_(features) {}

  // Why a part is not available yet (the skip reason the runner prints), or nothing when it is.
  std::optional<std::string> missing_instantiation() const { return "needs instantiation"; }
  std::optional<std::string> missing_linking() const { return "needs linking"; }
  std::optional<std::string> missing_execution() const {
    return "needs execution: baseline JIT not built";
  }

  // Decodes and validates. Malformed input fails with ErrorKind::Decode, an invalid module with
  // ErrorKind::Validate.
  wasm::Result<CompiledModule> compile(std::span<const uint8_t> bytes) const {
    auto info = wasm::detail::decode_module(bytes, features_);
    if (!info) return std::move(info).error();
    auto valid = wasm::detail::validate_module(*info, features_);
    if (!valid) return std::move(valid).error();
    return CompiledModule{std::move(*info)};
  }

  // Links imports (against `spectest` and registered instances) and instantiates; link failures
  // are ErrorKind::Link, failures during instantiation ErrorKind::Instantiate or a Trap.
  wasm::Result<InstanceId> instantiate(const CompiledModule&) { return not_built("instantiation"); }

  // Makes an instance's exports importable under module name `as`.
  wasm::Result<void> register_instance(InstanceId, const std::string&) {
    return not_built("instantiation");
  }

  // Calls an exported function; a trap is an Error of kind Trap with its trap code.
  wasm::Result<std::vector<Value>> invoke(InstanceId, const std::string&, const std::vector<Value>&) {
    return not_built("execution");
  }

  // Reads an exported global.
  wasm::Result<Value> get(InstanceId, const std::string&) { return not_built("execution"); }

 private:
  static wasm::Error not_built(const std::string& what) {
    return wasm::Error(wasm::ErrorKind::Instantiate, what + " is not built yet");
  }

  wasm::Features features_;
};

}  // namespace wasmpp_spec
