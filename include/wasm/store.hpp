#pragma once
// Store<T>: owns all wasm state (instances, memories, tables, globals, host functions) and the
// embedder's data T. Not thread-safe: one thread at a time uses a store. Handles (Func,
// Memory, ...) belong to one store; using one with another store is an error, not UB.
#include <memory>
#include <optional>
#include <utility>
#include <variant>

#include "wasm/detail/vm/store_data.hpp"
#include "wasm/engine.hpp"
#include "wasm/error.hpp"
#include "wasm/result.hpp"

namespace wasm {

using ResourceLimiter = detail::ResourceLimiter;

template <typename T = std::monostate>
class Store {
 public:
  explicit Store(const Engine& engine, T data = T{})
      : engine_(engine), inner_(std::make_unique<detail::StoreData>(engine.shared_state())), data_(std::make_unique<T>(std::move(data))) {
    inner_->user_data = data_.get();
  }

  T& data() { return *data_; }
  const T& data() const { return *data_; }
  const Engine& engine() const { return engine_; }

  // Fuel (Config::consume_fuel): wasm traps with OutOfFuel once it has used `fuel` units.
  Result<void> set_fuel(uint64_t fuel) {
    if (!engine().config().consume_fuel()) return Error(ErrorKind::Type, "fuel is not enabled in the Config");
    inner_->ctx.fuel_consumed = -int64_t(fuel);
    return {};
  }
  Result<uint64_t> get_fuel() const {
    if (!engine().config().consume_fuel()) return Error(ErrorKind::Type, "fuel is not enabled in the Config");
    int64_t consumed = inner_->ctx.fuel_consumed;
    return consumed >= 0 ? uint64_t(0) : uint64_t(-consumed);
  }

  // Epochs (Config::epoch_interruption): wasm traps with Interrupt once the engine's epoch
  // has advanced `ticks` beyond its current value.
  void set_epoch_deadline(uint64_t ticks) {
    inner_->ctx.epoch_deadline = engine().state().epoch.load(std::memory_order_relaxed) + ticks;
  }

  // Memory and table growth ask `limiter` first (null: no limits beyond the types').
  void limiter(ResourceLimiter* limiter) { inner_->limiter = limiter; }

  // Internal: the non-template store state.
  detail::StoreData& inner() { return *inner_; }
  const detail::StoreData& inner() const { return *inner_; }

 private:
  Engine engine_;
  std::unique_ptr<detail::StoreData> inner_;
  std::unique_ptr<T> data_;
};

namespace detail {

// Anything that gives access to a store: Store<T>& or Caller<T>&.
template <typename S>
concept StoreLike = requires(S& s) {
  { s.inner() } -> std::same_as<StoreData&>;
};

// The store a handle belongs to, or null when `store` is another one (the hot-path check).
template <StoreLike S>
StoreData* store_if_owner(S& store, uint64_t store_id) {
  StoreData& data = store.inner();
  return data.id == store_id ? &data : nullptr;
}

// The store a handle belongs to, or an error when `store` is another one.
template <StoreLike S>
Result<StoreData*> owning_store(S& store, uint64_t store_id) {
  StoreData& data = store.inner();
  if (data.id != store_id) return Error(ErrorKind::Type, "object used with a store it does not belong to");
  return &data;
}

}  // namespace detail

}  // namespace wasm
