#pragma once
// SharedMemory: a shared linear memory (threads proposal) that belongs to no store. Create it
// from an Engine, then import it into instances of any number of stores, on any threads:
// `shared.memory(store)` gives the store's Memory handle for a Linker or an import list. Like
// wasmtime's SharedMemory.
//
// A shared memory never moves: its whole maximum is reserved up front, so its base stays
// valid and JIT code on other threads keeps using it while it grows. grow is safe from
// several threads at once; the size is read atomically. The handle is cheap to copy; the
// memory lives until the last handle and the last store that uses it are gone.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "wasm/engine.hpp"
#include "wasm/memory.hpp"
#include "wasm/store.hpp"
#include "wasm/detail/vm/bulk_memory.hpp"
#include "wasm/detail/vm/linear_memory.hpp"
#include "wasm/detail/vm/wait_queue.hpp"

namespace wasm {

// memory.atomic.wait's results: woken by a notify, the value differed, the timeout passed.
using WaitResult = detail::WaitResult;

class SharedMemory {
 public:
  SharedMemory() = default;

  // `type` must be shared and have a maximum (as a module's shared memory must).
  static Result<SharedMemory> create(const Engine& engine, const MemoryType& type) {
    if (!type.limits.shared) return Error(ErrorKind::Type, "SharedMemory needs a shared memory type");
    if (!type.limits.max) return Error(ErrorKind::Type, "a shared memory must have a maximum");
    detail::MemorySettings settings;
    settings.bounds_checks = engine.config().bounds_checks();
    auto mem = detail::LinearMemory::create(type, settings);
    if (!mem) return std::move(mem).error();
    return SharedMemory(std::shared_ptr<detail::LinearMemory>(std::move(*mem)), settings.bounds_checks);
  }

  // The Memory handle of this memory in `store` (the same handle on every call). Fails when
  // the store's engine compiles code that relies on guard pages this memory was created
  // without (an Explicit-bounds engine's memory used by a GuardPages engine).
  template <typename T>
  Result<Memory> memory(Store<T>& store) const {
    if (!mem_) return Error(ErrorKind::Type, "empty SharedMemory handle");
    detail::StoreData& s = store.inner();
    const bool store_skips_checks = store.engine().config().bounds_checks() == BoundsChecks::GuardPages;
    if (store_skips_checks && mode_ != BoundsChecks::GuardPages && !mem_->type().is64)
      return Error(ErrorKind::Type,
                   "this shared memory has no guard pages, which the store's engine relies on");
    for (uint32_t i = 0; i < s.memories.size(); ++i) {
      if (s.memories[i] == mem_) return Memory(s.id, i);
    }
    s.memories.push_back(mem_);
    return Memory(s.id, uint32_t(s.memories.size() - 1));
  }

  uint64_t size() const { return mem_ ? mem_->pages() : 0; }  // pages
  uint64_t data_size() const { return mem_ ? mem_->size_bytes() : 0; }
  MemoryType type() const { return mem_ ? mem_->type() : MemoryType{}; }
  // The bytes as of now. They stay valid while the memory lives (it never moves); other
  // threads may be reading and writing them, so plain host accesses race with wasm's.
  std::span<uint8_t> data() const { return mem_ ? mem_->data() : std::span<uint8_t>(); }

  // Grows by `delta` pages and returns the old size in pages; safe from any thread.
  Result<uint64_t> grow(uint64_t delta) const {
    if (!mem_) return Error(ErrorKind::Type, "empty SharedMemory handle");
    return mem_->grow(delta);
  }

  // The host's memory.atomic.notify / wait32 / wait64 at byte offset `addr` (same queues as
  // wasm's instructions). No timeout waits until notified. Trap errors as in wasm: a
  // misaligned or out-of-bounds address.
  Result<uint32_t> atomic_notify(uint64_t addr, uint32_t count) const {
    auto p = checked_address(addr, 4);
    if (!p) return std::move(p).error();
    return detail::ParkingLot::get().notify(*p, count);
  }
  Result<WaitResult> atomic_wait32(uint64_t addr, uint32_t expected,
                                   std::optional<std::chrono::nanoseconds> timeout = {}) const {
    auto p = checked_address(addr, 4);
    if (!p) return std::move(p).error();
    return detail::ParkingLot::get().wait(static_cast<uint32_t*>(*p), expected, ns(timeout));
  }
  Result<WaitResult> atomic_wait64(uint64_t addr, uint64_t expected,
                                   std::optional<std::chrono::nanoseconds> timeout = {}) const {
    auto p = checked_address(addr, 8);
    if (!p) return std::move(p).error();
    return detail::ParkingLot::get().wait(static_cast<uint64_t*>(*p), expected, ns(timeout));
  }

  friend bool operator==(const SharedMemory& a, const SharedMemory& b) { return a.mem_ == b.mem_; }

 private:
  SharedMemory(std::shared_ptr<detail::LinearMemory> mem, BoundsChecks mode)
      : mem_(std::move(mem)), mode_(mode) {}

  Result<void*> checked_address(uint64_t addr, uint64_t size) const {
    if (!mem_) return Error(ErrorKind::Type, "empty SharedMemory handle");
    if (addr % size != 0) return Error::trap(TrapCode::HeapMisaligned);
    if (!detail::range_in_bounds(addr, size, mem_->size_bytes()))
      return Error::trap(TrapCode::MemoryOutOfBounds);
    return static_cast<void*>(mem_->base() + addr);
  }

  static int64_t ns(std::optional<std::chrono::nanoseconds> timeout) {
    return timeout ? std::max<int64_t>(0, timeout->count()) : -1;
  }

  std::shared_ptr<detail::LinearMemory> mem_;
  BoundsChecks mode_ = BoundsChecks::GuardPages;
};

}  // namespace wasm
