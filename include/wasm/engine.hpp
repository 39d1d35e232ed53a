#pragma once
// Engine: the compilation environment shared by modules and stores. Cheap to copy (a handle);
// safe to share between threads.
#include <memory>

#include "wasm/config.hpp"

namespace wasm {

class Engine {
 public:
  Engine() : Engine(Config{}) {}
  explicit Engine(const Config& config) : state_(std::make_shared<State>(config)) {}

  const Config& config() const { return state_->config; }

  friend bool operator==(const Engine& a, const Engine& b) { return a.state_ == b.state_; }

 private:
  struct State {
    explicit State(const Config& c) : config(c) {}
    Config config;
  };
  std::shared_ptr<State> state_;
};

}  // namespace wasm
