#pragma once
// TableStorage: the slot words of one Table, either on the heap (a vector that grows by
// reallocating) or in a TableSlot that an allocator reserved and lends to one table at a time
// (a fixed array that grows in place up to its capacity and goes back to the owner with the
// table). A slot's words past the table's size are always zero.
#include <algorithm>
#include <cstdint>
#include <new>
#include <vector>

namespace wasm::detail {

class TableSlotOwner {
 public:
  // The table is gone; its first `used_elements` words may be non-zero.
  virtual void release(uint32_t index, uint64_t used_elements) noexcept = 0;

 protected:
  ~TableSlotOwner() = default;
};

struct TableSlot {
  TableSlotOwner* owner = nullptr;
  uint32_t index = 0;
  uintptr_t* base = nullptr;  // zeroed
  uint64_t capacity = 0;      // elements
};

class TableStorage {
 public:
  TableStorage() = default;
  explicit TableStorage(TableSlot slot) : slot_(slot) {}
  ~TableStorage() {
    if (slot_.owner) slot_.owner->release(slot_.index, size_);
  }
  TableStorage(const TableStorage&) = delete;
  TableStorage& operator=(const TableStorage&) = delete;

  uintptr_t* data() { return slot_.owner ? slot_.base : heap_.data(); }
  uint64_t size() const { return slot_.owner ? size_ : heap_.size(); }
  uintptr_t& operator[](uint64_t i) { return data()[i]; }

  // Grows to `n` words holding `fill` (tables never shrink). Throws std::bad_alloc when the
  // heap is out of memory or `n` is past the slot's capacity, and then changes nothing.
  void resize(uint64_t n, uintptr_t fill) {
    if (!slot_.owner) {
      heap_.resize(n, fill);
      return;
    }
    if (n > slot_.capacity) throw std::bad_alloc();
    if (n > size_ && fill != 0) std::fill(slot_.base + size_, slot_.base + n, fill);
    size_ = std::max(size_, n);
  }

 private:
  std::vector<uintptr_t> heap_;
  TableSlot slot_;
  uint64_t size_ = 0;  // slot only
};

}  // namespace wasm::detail
