#pragma once
// PoolingAllocator: instances, memories and tables from slots reserved once per engine
// (Config::allocation_strategy(PoolingAllocationConfig)), wasmtime's pooling allocator. Three
// reservations, each cut into equal slots:
//  * instances: total_core_instances slots of max_core_instance_size bytes (read+write);
//  * memories: total_memories slots, PROT_NONE but for the accessible prefix of a memory in
//    use. In the GuardPages mode a slot is 4 GiB + guard, exactly the reservation JIT code
//    relies on to skip bounds checks, whatever max_memory_size is; in the Explicit mode a slot
//    is max_memory_size (accesses are checked);
//  * tables: total_tables slots of table_elements words (read+write, zero when free).
// A memory going back is reset at once: its first linear_memory_keep_resident bytes by
// writing zeros (and its image's bytes), the rest by madvise(MADV_DONTNEED), which gives zero
// pages again, or the image's pages for the part mapped from a memory image. A slot keeps its
// image mapped while free, and a memory with the same image takes such a slot first, so the
// instantiation of a module already seen needs no system call at all. Tables are reset lazily
// the same way: MADV_DONTNEED leaves zeros (uninitialised slots) for the kernel to fill in on
// the next touch. A slot whose reset fails is marked broken and remapped before reuse.
// When a pool has no free slot the allocation fails with a resource error naming the limit.
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "wasm/detail/vm/instance_allocator.hpp"
#include "wasm/detail/vm/slot_free_list.hpp"

namespace wasm::detail {

// One PROT_NONE or read+write reservation of `count` slots of `stride` bytes.
class SlotRegion {
 public:
  SlotRegion() = default;
  ~SlotRegion() {
    if (base_) ::munmap(base_, bytes_);
  }
  SlotRegion(const SlotRegion&) = delete;
  SlotRegion& operator=(const SlotRegion&) = delete;

  Result<void> reserve(uint32_t count, uint64_t stride, int prot, const char* what) {
    stride_ = stride;
    if (count != 0 && stride > UINT64_MAX / count)
      return Error(ErrorKind::Resource, std::string("pooling allocator: the ") + what + " pool is too large");
    bytes_ = uint64_t(count) * stride;
    if (bytes_ == 0) return {};
    void* p = ::mmap(nullptr, bytes_, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
      bytes_ = 0;
      return Error(ErrorKind::Resource, std::string("pooling allocator: reserving the ") + what + " pool (" +
                                            std::to_string(count) + " slots of " + std::to_string(stride) +
                                            " bytes) failed: " + std::strerror(errno));
    }
    base_ = static_cast<uint8_t*>(p);
    return {};
  }

  uint8_t* slot(uint32_t index) const { return base_ + uint64_t(index) * stride_; }
  bool contains(const void* p) const {
    auto* b = static_cast<const uint8_t*>(p);
    return base_ && b >= base_ && b < base_ + bytes_;
  }
  uint32_t index_of(const void* p) const { return uint32_t((static_cast<const uint8_t*>(p) - base_) / stride_); }
  uint64_t stride() const { return stride_; }

 private:
  uint8_t* base_ = nullptr;
  uint64_t bytes_ = 0;
  uint64_t stride_ = 0;
};

inline Error pool_exhausted(const char* what, uint32_t total, const char* limit) {
  return Error(ErrorKind::Resource, std::string("pooling allocator: all ") + std::to_string(total) + " " + what +
                                        " slots are in use (PoolingAllocationConfig::" + limit + ")");
}

inline Error pool_os_error(const char* what) {
  return Error(ErrorKind::Resource, std::string("pooling allocator: ") + what + " failed: " + std::strerror(errno));
}

// The memory slots: what each one holds, and preparing and resetting them.
class MemoryPool final : public MemorySlotOwner {
 public:
  MemoryPool(const PoolingAllocationConfig& config, const MemorySettings& settings)
      : config_(config), page_(host_page_size()), free_(config.total_memories), slots_(config.total_memories) {
    const uint64_t max_memory = round_up_to(std::max<uint64_t>(config.max_memory_size, 1), page_);
    const uint64_t stride = settings.bounds_checks == BoundsChecks::GuardPages
                                ? std::max(max_memory, k32BitAddressSpace + round_up_to(settings.guard_bytes, page_))
                                : max_memory;
    reserved_ = region_.reserve(config.total_memories, stride, PROT_NONE, "memory");
  }

  const Result<void>& reserved() const { return reserved_; }

  // A slot for a memory starting with `image` (or zeros); a slot that still holds that image
  // is taken first.
  Result<MemorySlot> take(std::shared_ptr<const MemoryImage> image) {
    std::optional<uint32_t> index = free_.take(uintptr_t(image.get()));
    if (!index) return pool_exhausted("memory", config_.total_memories, "total_memories");
    slots_[*index].wanted = std::move(image);
    return MemorySlot{this, *index, region_.slot(*index), region_.stride(),
                      std::min<uint64_t>(config_.max_memory_size, region_.stride())};
  }

  Result<void> prepare(uint32_t index, uint64_t bytes) override {
    SlotState& s = slots_[index];
    uint8_t* base = region_.slot(index);
    std::shared_ptr<const MemoryImage> wanted = std::move(s.wanted);
    if (s.broken || s.image != wanted) {
      if (!discard(base, s.broken ? region_.stride() : s.accessible)) {
        s.broken = true;
        return pool_os_error("resetting a memory slot");
      }
      s = SlotState{};
      if (wanted) {
        if (!wanted->map_into(base)) {
          s.broken = true;
          return pool_os_error("mapping a memory image");
        }
        s.image = std::move(wanted);  // read+write already; the protection below covers the rest
      }
    }
    if (s.accessible < bytes) {
      if (::mprotect(base + s.accessible, bytes - s.accessible, PROT_READ | PROT_WRITE) != 0) {
        s.broken = true;
        return pool_os_error("committing memory");
      }
    } else if (s.accessible > bytes) {
      // Past the new memory's end every access must fault again (guard semantics).
      if (::mprotect(base + bytes, s.accessible - bytes, PROT_NONE) != 0) {
        s.broken = true;
        return pool_os_error("protecting memory");
      }
    }
    s.accessible = bytes;
    return {};
  }

  void release(uint32_t index, uint64_t accessible_bytes) noexcept override {
    SlotState& s = slots_[index];
    s.wanted.reset();
    uint8_t* base = region_.slot(index);
    if (accessible_bytes > s.accessible) s.accessible = accessible_bytes;
    if (!s.broken && accessible_bytes != 0) {
      const uint64_t keep = std::min(round_down_to(config_.linear_memory_keep_resident, page_), accessible_bytes);
      if (keep != 0) {
        std::memset(base, 0, keep);
        if (s.image && s.image->offset() < keep) {
          const uint64_t n = std::min(keep - s.image->offset(), s.image->size());
          std::memcpy(base + s.image->offset(), s.image->bytes().data(), n);
        }
      }
      if (accessible_bytes > keep && ::madvise(base + keep, accessible_bytes - keep, MADV_DONTNEED) != 0)
        s.broken = true;
    }
    free_.put(index, uintptr_t(s.broken ? nullptr : s.image.get()));
  }

 private:
  // Only the memory that took a slot touches its state (the free list's lock orders owners).
  struct SlotState {
    std::shared_ptr<const MemoryImage> image;   // mapped at its offset, or null
    std::shared_ptr<const MemoryImage> wanted;  // the image of the memory taking the slot
    uint64_t accessible = 0;                    // read+write prefix; the rest is PROT_NONE
    bool broken = false;                        // a reset failed: remap it all before use
  };

  // Makes the first `bytes` of a slot a fresh PROT_NONE mapping: no pages, no image.
  static bool discard(uint8_t* base, uint64_t bytes) {
    return bytes == 0 || ::mmap(base, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
                                -1, 0) == base;
  }

  PoolingAllocationConfig config_;
  uint64_t page_;
  SlotRegion region_;
  Result<void> reserved_;
  SlotFreeList free_;
  std::vector<SlotState> slots_;
};

// The table slots: zero when free, reset lazily by MADV_DONTNEED.
class TablePool final : public TableSlotOwner {
 public:
  explicit TablePool(const PoolingAllocationConfig& config)
      : config_(config), page_(host_page_size()), free_(config.total_tables) {
    const uint64_t stride = round_up_to(std::max<uint64_t>(config.table_elements, 1) * sizeof(uintptr_t), page_);
    reserved_ = region_.reserve(config.total_tables, stride, PROT_READ | PROT_WRITE, "table");
  }

  const Result<void>& reserved() const { return reserved_; }

  Result<TableSlot> take() {
    std::optional<uint32_t> index = free_.take();
    if (!index) return pool_exhausted("table", config_.total_tables, "total_tables");
    return TableSlot{this, *index, reinterpret_cast<uintptr_t*>(region_.slot(*index)), config_.table_elements};
  }

  void release(uint32_t index, uint64_t used_elements) noexcept override {
    uint8_t* base = region_.slot(index);
    const uint64_t used = used_elements * sizeof(uintptr_t);
    const uint64_t keep = std::min(round_down_to(config_.table_keep_resident, page_), used);
    if (keep != 0) std::memset(base, 0, keep);
    const uint64_t rest = round_up_to(used, page_) - keep;
    if (rest != 0 && ::madvise(base + keep, rest, MADV_DONTNEED) != 0) std::memset(base + keep, 0, used - keep);
    free_.put(index);
  }

 private:
  PoolingAllocationConfig config_;
  uint64_t page_;
  SlotRegion region_;
  Result<void> reserved_;
  SlotFreeList free_;
};

class PoolingAllocator final : public InstanceAllocator {
 public:
  PoolingAllocator(const PoolingAllocationConfig& config, const MemorySettings& settings)
      : config_(config), instance_free_(config.total_core_instances), memories_(config, settings), tables_(config) {
    const uint64_t stride = round_up_to(std::max<uint64_t>(config.max_core_instance_size, 1), host_page_size());
    Result<void> r = instances_.reserve(config.total_core_instances, stride, PROT_READ | PROT_WRITE, "instance");
    if (!r) reserve_error_ = std::move(r).error();
    else if (!memories_.reserved()) reserve_error_ = memories_.reserved().error();
    else if (!tables_.reserved()) reserve_error_ = tables_.reserved().error();
  }

  Result<Instance*> allocate_instance(StoreData* store, std::shared_ptr<const ModuleState> module) override {
    if (reserve_error_) return *reserve_error_;
    const size_t bytes = Instance::block_size(*module);
    if (bytes > config_.max_core_instance_size)
      return Error(ErrorKind::Resource, "pooling allocator: the instance needs " + std::to_string(bytes) +
                                            " bytes, more than max_core_instance_size (" +
                                            std::to_string(config_.max_core_instance_size) + ")");
    std::optional<uint32_t> index = instance_free_.take();
    if (!index) return pool_exhausted("instance", config_.total_core_instances, "total_core_instances");
    return Instance::construct_in(instances_.slot(*index), store, std::move(module));
  }

  void deallocate_instance(Instance* instance) noexcept override {
    if (!instance) return;
    if (!instances_.contains(instance)) return Instance::destroy(instance);
    Instance::destruct(instance);
    instance_free_.put(instances_.index_of(instance));
  }

  Result<std::unique_ptr<LinearMemory>> allocate_memory(const MemoryType& type, const MemorySettings& settings,
                                                        ResourceLimiter* limiter,
                                                        std::shared_ptr<const MemoryImage> image) override {
    if (reserve_error_) return *reserve_error_;
    if (type.limits.shared) return Error(ErrorKind::Resource, "shared memories are not supported");
    Result<MemorySlot> slot = memories_.take(std::move(image));
    if (!slot) return std::move(slot).error();
    return LinearMemory::create_in(type, settings, limiter, *slot);
  }

  Result<std::unique_ptr<Table>> allocate_table(const TableType& type, ResourceLimiter* limiter) override {
    if (reserve_error_) return *reserve_error_;
    Result<TableSlot> slot = tables_.take();
    if (!slot) return std::move(slot).error();
    return Table::create_in(type, limiter, *slot);
  }

 private:
  PoolingAllocationConfig config_;
  std::optional<Error> reserve_error_;
  SlotRegion instances_;
  SlotFreeList instance_free_;
  MemoryPool memories_;
  TablePool tables_;
};

inline std::unique_ptr<InstanceAllocator> make_instance_allocator(const Config& config) {
  MemorySettings settings;
  settings.bounds_checks = config.bounds_checks();
  if (config.allocation_strategy() == AllocationStrategy::Pooling)
    return std::make_unique<PoolingAllocator>(config.pooling(), settings);
  return std::make_unique<OnDemandAllocator>(settings);
}

}  // namespace wasm::detail
