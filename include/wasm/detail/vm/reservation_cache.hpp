#pragma once
// ReservationCache: the on-demand allocator's guard-page reservations (4 GiB + guard each),
// kept for reuse instead of unmapped. Mapping a fresh 8 GiB range and unmapping it costs the
// kernel page-table pages at every level, allocated on the first fault and freed by munmap;
// a reused range keeps them. A memory that goes away has its accessible part replaced by a
// fresh PROT_NONE mapping (one mmap that drops its pages and any memory image), so a cached
// reservation is exactly as a new one: all PROT_NONE, all zero. At most kMaxCached are kept;
// the rest are unmapped.
#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "wasm/detail/vm/memory_slot.hpp"

namespace wasm::detail {

class ReservationCache final : public MemorySlotOwner {
 public:
  static constexpr size_t kMaxCached = 16;

  explicit ReservationCache(uint64_t reservation_bytes) : reservation_bytes_(reservation_bytes) {}
  ~ReservationCache() {
    for (uint32_t index : free_) ::munmap(bases_[index], reservation_bytes_);
  }
  ReservationCache(const ReservationCache&) = delete;
  ReservationCache& operator=(const ReservationCache&) = delete;

  uint64_t reservation_bytes() const { return reservation_bytes_; }

  // A PROT_NONE reservation, cached or new.
  Result<MemorySlot> take() {
    std::lock_guard lock(mutex_);
    uint32_t index;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      void* p = ::mmap(nullptr, reservation_bytes_, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (p == MAP_FAILED)
        return Error(ErrorKind::Resource, "reserving memory of " + std::to_string(reservation_bytes_) +
                                              " bytes failed: " + std::strerror(errno));
      if (unused_.empty()) {
        index = uint32_t(bases_.size());
        bases_.push_back(static_cast<uint8_t*>(p));
      } else {
        index = unused_.back();
        unused_.pop_back();
        bases_[index] = static_cast<uint8_t*>(p);
      }
    }
    return MemorySlot{this, index, bases_[index], reservation_bytes_, reservation_bytes_};
  }

  Result<void> prepare(uint32_t index, uint64_t bytes) override {
    if (bytes == 0) return {};
    if (::mprotect(base(index), bytes, PROT_READ | PROT_WRITE) != 0)
      return Error(ErrorKind::Resource, "committing memory of " + std::to_string(bytes) +
                                            " bytes failed: " + std::strerror(errno));
    return {};
  }

  void release(uint32_t index, uint64_t accessible_bytes) noexcept override {
    uint8_t* at = base(index);
    bool clean = accessible_bytes == 0 ||
                 ::mmap(at, accessible_bytes, PROT_NONE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == at;
    std::lock_guard lock(mutex_);
    if (clean && free_.size() < kMaxCached) {
      free_.push_back(index);
      return;
    }
    ::munmap(at, reservation_bytes_);
    unused_.push_back(index);
  }

 private:
  uint8_t* base(uint32_t index) {
    std::lock_guard lock(mutex_);  // bases_ may reallocate under another thread's take()
    return bases_[index];
  }

  const uint64_t reservation_bytes_;
  std::mutex mutex_;
  std::vector<uint8_t*> bases_;   // by index; unmapped ones are listed in unused_
  std::vector<uint32_t> free_;    // cached, ready to take
  std::vector<uint32_t> unused_;  // indices whose reservation was unmapped
};

}  // namespace wasm::detail
