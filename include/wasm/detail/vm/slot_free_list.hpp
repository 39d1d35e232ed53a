#pragma once
// SlotFreeList: the free slots of one pool, shared by every thread that allocates from it.
// A mutex guards the list; whoever takes a slot owns it (and its bookkeeping) until it puts
// it back, so the lock also orders one owner's writes before the next owner's reads.
// Each free slot carries an affinity key (for memories: the image it still holds); take()
// prefers a slot with the wanted key among the most recently freed, so that a module
// instantiated again and again finds its image already mapped.
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

namespace wasm::detail {

class SlotFreeList {
 public:
  // Slots 0..count-1, all free, taken in that order.
  explicit SlotFreeList(uint32_t count) {
    free_.reserve(count);
    for (uint32_t i = count; i > 0; --i) free_.push_back({i - 1, 0});
  }

  std::optional<uint32_t> take(uintptr_t affinity = 0) {
    std::lock_guard lock(mutex_);
    if (free_.empty()) return std::nullopt;
    size_t pick = free_.size() - 1;
    const size_t scan_end = free_.size() > kAffinityScan ? free_.size() - kAffinityScan : 0;
    for (size_t i = free_.size(); i > scan_end; --i) {
      if (free_[i - 1].affinity == affinity) {
        pick = i - 1;
        break;
      }
    }
    const uint32_t slot = free_[pick].slot;
    free_[pick] = free_.back();
    free_.pop_back();
    return slot;
  }

  void put(uint32_t slot, uintptr_t affinity = 0) {
    std::lock_guard lock(mutex_);
    free_.push_back({slot, affinity});
  }

  size_t free_count() const {
    std::lock_guard lock(mutex_);
    return free_.size();
  }

 private:
  // How many of the most recently freed slots take() looks at for the wanted key.
  static constexpr size_t kAffinityScan = 32;

  struct Entry {
    uint32_t slot;
    uintptr_t affinity;
  };
  mutable std::mutex mutex_;
  std::vector<Entry> free_;
};

}  // namespace wasm::detail
