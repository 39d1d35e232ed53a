#pragma once
// Decodes a module binary into ModuleInfo (sections, types, imports, ...). Function bodies are
// split off and their locals read; their instructions are checked by the validator.
#include <span>

#include "wasm/detail/env/module_info.hpp"
#include "wasm/features.hpp"
#include "wasm/result.hpp"

namespace wasm::detail {

// Malformed input yields an Error of kind ErrorKind::Decode.
Result<ModuleInfo> decode_module(std::span<const uint8_t> bytes, const Features& features = {});

}  // namespace wasm::detail
