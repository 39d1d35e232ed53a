#pragma once
// LinearMemory: the bytes of one wasm memory, mapped from the OS and published to JIT code
// through a VMMemoryDefinition {base, current_length}.
//
// Two layouts:
//  * Reserved: the whole address range the memory can ever use is reserved PROT_NONE up
//    front and the accessible prefix is made read+write; grow only changes protection, so the
//    base never moves. 32-bit memories in GuardPages mode reserve 4 GiB plus a guard region,
//    so that any 32-bit index plus static offset lands in the memory or in PROT_NONE space
//    and JIT code needs no bounds check (see guard_covers_access). In Explicit mode, and for
//    64-bit memories, a declared maximum that fits `explicit_reserve_budget` is reserved the
//    same way, without a guard. A shared memory always uses this layout.
//  * Moving: otherwise (Explicit mode or memory64, with no maximum or one too large to
//    reserve) only the current size is mapped and grow uses mremap, which may move the base.
//    The bound definition always holds the new base, so JIT code must reload the base from it
//    after any call that can grow memory.
// Either way pages come zeroed from the kernel and are never reused while the memory lives,
// and the destructor returns the whole mapping to the system.
// A shared memory (threads) may be used and grown by several threads at once: its grows are
// serialised by a mutex, and its length is read and published atomically.
// A memory can also live in a MemorySlot that an allocator reserved (create_in): the Reserved
// layout in address space it does not own; the destructor hands the slot back instead.
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "wasm/config.hpp"
#include "wasm/detail/vm/memory_slot.hpp"
#include "wasm/detail/vm/resource_limiter.hpp"
#include "wasm/detail/env/vm_records.hpp"
#include "wasm/result.hpp"
#include "wasm/types.hpp"

namespace wasm::detail {

inline constexpr uint64_t kGiB = 1ull << 30;
inline constexpr uint64_t k32BitAddressSpace = 4 * kGiB;

// A 32-bit index (< 4 GiB) plus a 32-bit static offset plus an access of up to 16 bytes ends
// below 8 GiB + 14; one more wasm page of guard covers that tail.
inline constexpr uint64_t kDefaultGuardBytes = k32BitAddressSpace + kPageSize;

struct MemorySettings {
  BoundsChecks bounds_checks = BoundsChecks::GuardPages;
  // PROT_NONE bytes after the 4 GiB of a guard-page memory.
  uint64_t guard_bytes = kDefaultGuardBytes;
  // Explicit mode and memory64: reserve the declared maximum up front (fixed base) when it is
  // at most this many bytes; otherwise map only the current size and move on grow.
  uint64_t explicit_reserve_budget = 1 * kGiB;
  // memory64 allows 2^48 pages; no host has that, so growth stops here (16 GiB).
  uint64_t memory64_max_pages = 1ull << 18;
};

// Whether JIT code may skip the bounds check of an `access_size`-byte access at static
// `offset` on a guard-page memory: true when even the largest 32-bit index makes its last
// byte fall inside the 4 GiB + `guard_bytes` reservation.
constexpr bool guard_covers_access(uint64_t guard_bytes, uint64_t offset, uint64_t access_size) {
  // last byte = (2^32 - 1) + offset + access_size - 1 < 2^32 + guard_bytes
  return access_size >= 1 && offset <= guard_bytes && access_size <= guard_bytes - offset + 1;
}

class LinearMemory {
 public:
  // Maps a memory of `type.limits.min` pages. Fails with a resource error when the minimum is
  // beyond what the memory may hold, the limiter refuses, or the OS has no address space.
  static Result<std::unique_ptr<LinearMemory>> create(const MemoryType& type,
                                                      const MemorySettings& settings = {},
                                                      ResourceLimiter* limiter = nullptr) {
    std::unique_ptr<LinearMemory> memory(new LinearMemory(type, settings));
    const uint64_t min_pages = type.limits.min;
    if (min_pages > memory->page_limit_ || (type.limits.max && min_pages > *type.limits.max))
      return Error(ErrorKind::Resource, "memory minimum of " + std::to_string(min_pages) +
                                            " pages exceeds its limit");
    if (limiter && !limiter->memory_growing(0, min_pages * kPageSize, memory->maximum_bytes()))
      return Error(ErrorKind::Resource, "memory creation refused by the resource limiter");
    if (Result<void> mapped = memory->map_initial(min_pages * kPageSize); !mapped)
      return std::move(mapped).error();
    return memory;
  }

  // The same in `slot`, which must reserve 4 GiB + settings.guard_bytes for a 32-bit memory in
  // the GuardPages mode. The memory may not grow past slot.max_bytes.
  static Result<std::unique_ptr<LinearMemory>> create_in(const MemoryType& type,
                                                         const MemorySettings& settings,
                                                         ResourceLimiter* limiter, MemorySlot slot) {
    std::unique_ptr<LinearMemory> memory(new LinearMemory(type, settings));
    memory->adopt(slot);  // from here on the destructor gives the slot back
    const uint64_t min_pages = type.limits.min;
    if (min_pages > memory->page_limit_ || (type.limits.max && min_pages > *type.limits.max))
      return Error(ErrorKind::Resource, "memory minimum of " + std::to_string(min_pages) +
                                            " pages exceeds its limit");
    if (limiter && !limiter->memory_growing(0, min_pages * kPageSize, memory->maximum_bytes()))
      return Error(ErrorKind::Resource, "memory creation refused by the resource limiter");
    if (Result<void> prepared = slot.owner->prepare(slot.index, min_pages * kPageSize); !prepared)
      return std::move(prepared).error();
    memory->length_ = min_pages * kPageSize;
    memory->publish();
    return memory;
  }

  ~LinearMemory() {
    if (slot_.owner) slot_.owner->release(slot_.index, length_);
    else if (mapping_bytes_ != 0) ::munmap(base_, mapping_bytes_);
  }
  LinearMemory(const LinearMemory&) = delete;
  LinearMemory& operator=(const LinearMemory&) = delete;

  // memory.grow: adds `delta_pages` zeroed pages and returns the old page count. On failure
  // (past the maximum or the page limit, refused by the limiter, the OS said no) nothing has
  // changed. A grow by 0 always succeeds and does not consult the limiter.
  Result<uint64_t> grow(uint64_t delta_pages, ResourceLimiter* limiter = nullptr) {
    std::unique_lock<std::mutex> lock(grow_mutex_, std::defer_lock);
    if (declared_.limits.shared) lock.lock();
    const uint64_t old_pages = pages();
    if (delta_pages == 0) return old_pages;
    if (delta_pages > page_limit_ - old_pages)
      return Error(ErrorKind::Resource, "memory cannot grow past " + std::to_string(page_limit_) +
                                            " pages");
    const uint64_t new_bytes = (old_pages + delta_pages) * kPageSize;
    if (limiter && !limiter->memory_growing(length_, new_bytes, maximum_bytes()))
      return Error(ErrorKind::Resource, "memory growth refused by the resource limiter");
    if (Result<void> committed = commit(new_bytes); !committed) return std::move(committed).error();
    publish();
    return old_pages;
  }

  // Makes `definition` (a slot in the owning instance's VMContext) the one kept current;
  // null goes back to the definition inside this object.
  void bind_definition(VMMemoryDefinition* definition) {
    definition_ = definition ? definition : &own_definition_;
    publish();
  }
  VMMemoryDefinition* definition() { return definition_; }

  uint8_t* base() const { return base_; }
  uint64_t size_bytes() const { return length_; }
  uint64_t pages() const { return length_ / kPageSize; }
  std::optional<uint64_t> maximum_pages() const { return declared_.limits.max; }
  // The declared type with the current size as its minimum, as the spec's memory instance
  // keeps it (import matching of a grown memory depends on this).
  MemoryType type() const {
    MemoryType t = declared_;
    t.limits.min = pages();
    return t;
  }
  std::span<uint8_t> data() const { return {base_, static_cast<size_t>(length_)}; }

  // What the JIT needs to know: whether accesses must be compared with current_length, and
  // whether the base can change under it.
  bool needs_bounds_checks() const { return guard_bytes_ == 0; }
  bool base_can_move() const { return layout_ == Layout::Moving; }
  uint64_t guard_bytes() const { return guard_bytes_; }
  bool is_shared() const { return declared_.limits.shared; }

 private:
  enum class Layout { Reserved, Moving };

  LinearMemory(const MemoryType& type, const MemorySettings& settings) : declared_(type) {
    const uint64_t absolute_limit = type.is64 ? settings.memory64_max_pages : kMaxPages32;
    page_limit_ = type.limits.max ? std::min(*type.limits.max, absolute_limit) : absolute_limit;
    if (!type.is64 && settings.bounds_checks == BoundsChecks::GuardPages) {
      layout_ = Layout::Reserved;
      guard_bytes_ = round_up_to_host_page(settings.guard_bytes);
      reservation_bytes_ = k32BitAddressSpace + guard_bytes_;
    } else if (type.limits.max && (type.limits.shared ||
                                   page_limit_ * kPageSize <= settings.explicit_reserve_budget)) {
      // A shared memory's base may never move (other threads use it while it grows): it
      // always reserves its maximum, which the validator requires it to declare.
      layout_ = Layout::Reserved;
      reservation_bytes_ = page_limit_ * kPageSize;
    } else {
      layout_ = Layout::Moving;
    }
  }

  void adopt(const MemorySlot& slot) {
    slot_ = slot;
    layout_ = Layout::Reserved;
    base_ = slot.base;
    reservation_bytes_ = slot.reservation_bytes;
    mapping_bytes_ = 0;
    page_limit_ = std::min(page_limit_, slot.max_bytes / kPageSize);
  }

  static uint64_t round_up_to_host_page(uint64_t bytes) {
    constexpr uint64_t kHostPage = 4096;
    return bytes > UINT64_MAX - (kHostPage - 1) ? UINT64_MAX & ~(kHostPage - 1)
                                                 : (bytes + kHostPage - 1) & ~(kHostPage - 1);
  }

  std::optional<uint64_t> maximum_bytes() const {
    if (!declared_.limits.max) return std::nullopt;
    return std::min(*declared_.limits.max, page_limit_) * kPageSize;
  }

  static Error os_error(const char* what, uint64_t bytes) {
    return Error(ErrorKind::Resource, std::string(what) + " of " + std::to_string(bytes) +
                                          " bytes failed: " + std::strerror(errno));
  }

  Result<void> map_initial(uint64_t bytes) {
    if (layout_ == Layout::Reserved) {
      if (reservation_bytes_ < k32BitAddressSpace && guard_bytes_ != 0)
        return Error(ErrorKind::Resource, "guard region size overflows the address space");
      if (reservation_bytes_ != 0) {
        void* p = ::mmap(nullptr, reservation_bytes_, PROT_NONE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) return os_error("reserving memory", reservation_bytes_);
        base_ = static_cast<uint8_t*>(p);
        mapping_bytes_ = reservation_bytes_;
      }
    }
    if (Result<void> committed = commit(bytes); !committed) return committed;
    publish();
    return {};
  }

  // Makes the first `new_bytes` accessible. Leaves the state as it was on failure.
  Result<void> commit(uint64_t new_bytes) {
    if (new_bytes == length_) return {};
    if (layout_ == Layout::Reserved) {
      uint8_t* start = base_ + length_;
      if (::mprotect(start, new_bytes - length_, PROT_READ | PROT_WRITE) != 0) {
        Error error = os_error("committing memory", new_bytes);
        ::mprotect(start, new_bytes - length_, PROT_NONE);  // undo any part that did change
        return error;
      }
    } else {
      void* p = mapping_bytes_ == 0
                    ? ::mmap(nullptr, new_bytes, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                    : ::mremap(base_, mapping_bytes_, new_bytes, MREMAP_MAYMOVE);
      if (p == MAP_FAILED) return os_error("mapping memory", new_bytes);
      base_ = static_cast<uint8_t*>(p);
      mapping_bytes_ = new_bytes;
    }
    length_ = new_bytes;
    return {};
  }

  // JIT code on other threads reads the length (bounds checks, memory.size) while a shared
  // memory grows: after the pages are accessible, and atomically.
  void publish() {
    definition_->base = base_;
    std::atomic_ref<uint64_t>(definition_->current_length).store(length_, std::memory_order_release);
  }

  MemoryType declared_;
  Layout layout_ = Layout::Moving;
  uint64_t page_limit_ = 0;         // min(declared maximum, absolute page cap)
  uint64_t guard_bytes_ = 0;        // 0 unless JIT code may rely on the guard
  uint64_t reservation_bytes_ = 0;  // Reserved layout: everything the memory can ever use
  uint8_t* base_ = nullptr;
  std::atomic<uint64_t> length_{0};
  std::mutex grow_mutex_;  // shared memories only
  uint64_t mapping_bytes_ = 0;  // what the destructor unmaps
  MemorySlot slot_;             // or, with an owner, what it gives back
  VMMemoryDefinition own_definition_;
  VMMemoryDefinition* definition_ = &own_definition_;
};

}  // namespace wasm::detail
