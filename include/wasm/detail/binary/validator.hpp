#pragma once
// Validates a decoded module as the WebAssembly 2.0 specification says.
#include "wasm/detail/env/module_info.hpp"
#include "wasm/features.hpp"
#include "wasm/result.hpp"

namespace wasm::detail {

// An invalid module yields an Error of kind ErrorKind::Validate; malformed code found inside
// function bodies yields ErrorKind::Decode.
Result<void> validate_module(const ModuleInfo& module, const Features& features = {});

}  // namespace wasm::detail
