#pragma once
// Engine: the compilation environment shared by modules and stores. Cheap to copy (a handle);
// safe to share between threads.
#include <memory>

#include "wasm/config.hpp"
#include "wasm/detail/vm/engine_state.hpp"

namespace wasm {

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
