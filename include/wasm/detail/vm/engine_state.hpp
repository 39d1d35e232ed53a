#pragma once
// EngineState: what an Engine handle shares between modules and stores: the configuration, the
// instance allocator, the engine-wide type registry, the epoch counter and the array-call trampolines.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "wasm/config.hpp"
#include "wasm/detail/base/inline.hpp"
#include "wasm/detail/jit/stub.hpp"
#include "wasm/detail/vm/pooling_allocator.hpp"
#include "wasm/detail/vm/type_registry.hpp"

namespace wasm::detail {

struct EngineState {
  explicit EngineState(const Config& c) : config(c), allocator(make_instance_allocator(c)) {}

  Config config;
  // Where instances, memories and tables come from (Config::allocation_strategy).
  std::unique_ptr<InstanceAllocator> allocator;
  TypeRegistry types;
  std::atomic<uint64_t> epoch{0};

  // The array-call trampoline of a function type, made once per engine.
  ArrayCallFn array_trampoline(uint32_t type_id);

  std::mutex trampolines_mutex;
  std::unordered_map<uint32_t, Stub> array_trampolines;
};

}  // namespace wasm::detail

#if !defined(WASMPP_SEPARATE_COMPILATION) || defined(WASMPP_IMPLEMENTATION)
#include "wasm/detail/vm/engine_state_impl.hpp"
#endif
