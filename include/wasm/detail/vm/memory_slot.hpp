#pragma once
// MemorySlot: address space that an allocator reserved for linear memories and lends to one
// LinearMemory at a time (a pool slot, or a cached reservation). The memory asks the owner to
// prepare the slot's first bytes and gives the slot back when it is destroyed; the owner
// decides how to reset it for the next memory.
#include <cstdint>

#include "wasm/result.hpp"

namespace wasm::detail {

class MemorySlotOwner {
 public:
  // Makes the first `bytes` of slot `index` read+write with the slot's initial contents (zeros,
  // or the memory image it was taken for) and the rest of the slot PROT_NONE.
  virtual Result<void> prepare(uint32_t index, uint64_t bytes) = 0;
  // The memory is gone. Its first `accessible_bytes` were read+write (and may have been
  // written); the rest of the slot is PROT_NONE.
  virtual void release(uint32_t index, uint64_t accessible_bytes) noexcept = 0;

 protected:
  ~MemorySlotOwner() = default;
};

struct MemorySlot {
  MemorySlotOwner* owner = nullptr;
  uint32_t index = 0;
  uint8_t* base = nullptr;
  uint64_t reservation_bytes = 0;  // all of it PROT_NONE beyond what is accessible
  uint64_t max_bytes = 0;          // the memory may not grow past this
};

}  // namespace wasm::detail
