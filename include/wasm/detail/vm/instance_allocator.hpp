#pragma once
// InstanceAllocator: where an instantiation gets its Instance (with VMContext), its defined
// memories and its tables. One per engine (Config::allocation_strategy); shared by every
// store of the engine, on any thread. Two strategies implement it: OnDemandAllocator (below,
// the default) and PoolingAllocator (pooling_allocator.hpp).
//
// A memory or table is freed by its destructor (it hands its slot back to whoever lent it),
// so only instances come back through the allocator.
#include <cstring>
#include <memory>
#include <string>

#include "wasm/config.hpp"
#include "wasm/detail/vm/instance.hpp"
#include "wasm/detail/vm/linear_memory.hpp"
#include "wasm/detail/vm/memory_image.hpp"
#include "wasm/detail/vm/reservation_cache.hpp"
#include "wasm/detail/vm/table.hpp"

namespace wasm::detail {

class InstanceAllocator {
 public:
  virtual ~InstanceAllocator() = default;

  virtual Result<Instance*> allocate_instance(StoreData* store, std::shared_ptr<const ModuleState> module) = 0;
  virtual void deallocate_instance(Instance* instance) noexcept = 0;

  // A defined memory of an instance; with `image`, the memory starts with the image's bytes
  // (mapped copy-on-write where the memory's layout allows, else copied).
  virtual Result<std::unique_ptr<LinearMemory>> allocate_memory(const MemoryType& type,
                                                                const MemorySettings& settings,
                                                                ResourceLimiter* limiter,
                                                                std::shared_ptr<const MemoryImage> image) = 0;

  virtual Result<std::unique_ptr<Table>> allocate_table(const TableType& type, ResourceLimiter* limiter) = 0;
};

// Everything from the system when asked for, freed when done; guard-page reservations are
// recycled through a ReservationCache.
class OnDemandAllocator final : public InstanceAllocator {
 public:
  explicit OnDemandAllocator(const MemorySettings& defaults)
      : reservations_(k32BitAddressSpace + round_up_to(defaults.guard_bytes, host_page_size())) {}

  Result<Instance*> allocate_instance(StoreData* store, std::shared_ptr<const ModuleState> module) override {
    Instance* instance = Instance::allocate(store, std::move(module));
    if (!instance) return Error(ErrorKind::Resource, "out of memory allocating an instance");
    return instance;
  }
  void deallocate_instance(Instance* instance) noexcept override { Instance::destroy(instance); }

  Result<std::unique_ptr<LinearMemory>> allocate_memory(const MemoryType& type, const MemorySettings& settings,
                                                        ResourceLimiter* limiter,
                                                        std::shared_ptr<const MemoryImage> image) override {
    auto memory = uses_guard_reservation(type, settings) ? create_in_cached(type, settings, limiter)
                                                          : LinearMemory::create(type, settings, limiter);
    if (!memory || !image) return memory;
    LinearMemory& m = **memory;
    // A fixed base takes the mapping; a base that moves on grow (mremap) must stay one
    // anonymous mapping, so it gets a copy.
    if (m.base_can_move() || !image->map_into(m.base()))
      std::memcpy(m.base() + image->offset(), image->bytes().data(), image->size());
    return memory;
  }

  Result<std::unique_ptr<Table>> allocate_table(const TableType& type, ResourceLimiter* limiter) override {
    return Table::create(type, TableSettings{}, limiter);
  }

 private:
  bool uses_guard_reservation(const MemoryType& type, const MemorySettings& settings) const {
    return !type.is64 && !type.limits.shared && settings.bounds_checks == BoundsChecks::GuardPages &&
           k32BitAddressSpace + round_up_to(settings.guard_bytes, host_page_size()) ==
               reservations_.reservation_bytes();
  }

  Result<std::unique_ptr<LinearMemory>> create_in_cached(const MemoryType& type, const MemorySettings& settings,
                                                         ResourceLimiter* limiter) {
    Result<MemorySlot> slot = reservations_.take();
    if (!slot) return std::move(slot).error();
    return LinearMemory::create_in(type, settings, limiter, *slot);
  }

  ReservationCache reservations_;
};

}  // namespace wasm::detail
