#pragma once
// EngineState's definitions that assemble code (see detail/base/inline.hpp).
#include "wasm/detail/jit/trampolines.hpp"
#include "wasm/detail/vm/engine_state.hpp"

namespace wasm::detail {

WASMPP_INLINE ArrayCallFn EngineState::array_trampoline(uint32_t type_id) {
  std::lock_guard lock(trampolines_mutex);
  auto it = array_trampolines.find(type_id);
  if (it == array_trampolines.end()) {
    it = array_trampolines.emplace(type_id, make_array_to_native(types.lookup(type_id))).first;
  }
  return reinterpret_cast<ArrayCallFn>(const_cast<void*>(it->second.entry()));
}

}  // namespace wasm::detail
