#pragma once
// Memory: a linear memory of a store.
#include <cstring>
#include <span>

#include "wasm/store.hpp"

namespace wasm {

class Memory {
 public:
  Memory() = default;

  // A new memory owned by the store.
  template <typename T>
  static Result<Memory> create(Store<T>& store, const MemoryType& type) {
    detail::StoreData& s = store.inner();
    detail::MemorySettings settings;
    settings.bounds_checks = s.engine->config.bounds_checks();
    auto mem = detail::LinearMemory::create(type, settings, s.limiter);
    if (!mem) return std::move(mem).error();
    s.memories.push_back(std::move(*mem));
    return Memory(s.id, uint32_t(s.memories.size() - 1));
  }

  // The memory's bytes (empty when `store` is not its store). Invalidated by grow.
  template <detail::StoreLike S>
  std::span<uint8_t> data(S& store) const {
    auto mem = get(store);
    return mem ? (*mem)->data() : std::span<uint8_t>();
  }
  // Current size in pages.
  template <detail::StoreLike S>
  uint64_t size(S& store) const {
    auto mem = get(store);
    return mem ? (*mem)->pages() : 0;
  }
  template <detail::StoreLike S>
  Result<MemoryType> type(S& store) const {
    auto mem = get(store);
    if (!mem) return std::move(mem).error();
    return (*mem)->type();
  }
  // Grows by `delta` pages; returns the old size in pages.
  template <detail::StoreLike S>
  Result<uint64_t> grow(S& store, uint64_t delta) const {
    auto mem = get(store);
    if (!mem) return std::move(mem).error();
    return (*mem)->grow(delta, store.inner().limiter);
  }
  // Bounds-checked copies between the memory and host buffers.
  template <detail::StoreLike S>
  Result<void> read(S& store, uint64_t offset, std::span<uint8_t> out) const {
    auto bytes = checked(store, offset, out.size());
    if (!bytes) return std::move(bytes).error();
    if (!out.empty()) std::memcpy(out.data(), bytes->data(), out.size());
    return {};
  }
  template <detail::StoreLike S>
  Result<void> write(S& store, uint64_t offset, std::span<const uint8_t> in) const {
    auto bytes = checked(store, offset, in.size());
    if (!bytes) return std::move(bytes).error();
    if (!in.empty()) std::memcpy(bytes->data(), in.data(), in.size());
    return {};
  }

  // Internal.
  Memory(uint64_t store_id, uint32_t index) : store_id_(store_id), index_(index) {}
  uint32_t index() const { return index_; }
  uint64_t store_id() const { return store_id_; }

 private:
  template <detail::StoreLike S>
  Result<detail::LinearMemory*> get(S& store) const {
    auto s = detail::owning_store(store, store_id_);
    if (!s) return std::move(s).error();
    return (*s)->memories[index_].get();
  }
  template <detail::StoreLike S>
  Result<std::span<uint8_t>> checked(S& store, uint64_t offset, uint64_t len) const {
    auto mem = get(store);
    if (!mem) return std::move(mem).error();
    std::span<uint8_t> all = (*mem)->data();
    if (!detail::range_in_bounds(offset, len, all.size())) {
      return Error::trap(TrapCode::MemoryOutOfBounds);
    }
    return all.subspan(offset, len);
  }

  uint64_t store_id_ = 0;
  uint32_t index_ = 0;
};

}  // namespace wasm
