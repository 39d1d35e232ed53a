#pragma once
// Engine: the compilation environment shared by modules and stores. Cheap to copy (a handle);
// safe to share between threads.
#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "wasm/config.hpp"
#include "wasm/detail/vm/pooling_allocator.hpp"
#include "wasm/detail/vm/trampolines.hpp"
#include "wasm/detail/vm/type_registry.hpp"

namespace wasm {

namespace detail {

struct EngineState {
  explicit EngineState(const Config& c) : config(c), allocator(make_instance_allocator(c)) {}

  Config config;
  // Where instances, memories and tables come from (Config::allocation_strategy).
  std::unique_ptr<InstanceAllocator> allocator;
  TypeRegistry types;
  std::atomic<uint64_t> epoch{0};

  // The array-call trampoline of a function type, made once per engine.
  ArrayCallFn array_trampoline(uint32_t type_id) {
    std::lock_guard lock(trampolines_mutex);
    auto it = array_trampolines.find(type_id);
    if (it == array_trampolines.end()) {
      it = array_trampolines.emplace(type_id, make_array_to_native(types.lookup(type_id))).first;
    }
    return reinterpret_cast<ArrayCallFn>(const_cast<void*>(it->second.entry()));
  }

  std::mutex trampolines_mutex;
  std::unordered_map<uint32_t, Stub> array_trampolines;
};

}  // namespace detail

class Engine {
 public:
  Engine() : Engine(Config{}) {}
  explicit Engine(const Config& config) : state_(std::make_shared<detail::EngineState>(config)) {}

  const Config& config() const { return state_->config; }

  // Advances the epoch; stores whose deadline it reaches trap (Config::epoch_interruption).
  // Safe to call from any thread.
  void increment_epoch() { state_->epoch.fetch_add(1, std::memory_order_relaxed); }

  friend bool operator==(const Engine& a, const Engine& b) { return a.state_ == b.state_; }

  // Internal: the shared state behind the handle.
  detail::EngineState& state() const { return *state_; }
  const std::shared_ptr<detail::EngineState>& shared_state() const { return state_; }
  static Engine from_state(std::shared_ptr<detail::EngineState> state) { return Engine(std::move(state)); }

 private:
  explicit Engine(std::shared_ptr<detail::EngineState> state) : state_(std::move(state)) {}
  std::shared_ptr<detail::EngineState> state_;
};

}  // namespace wasm
