#pragma once
// ResourceLimiter: the embedder's say over how large memories and tables may grow. A Store
// holds one (the public API will expose it) and passes it to every create and grow call, so no
// memory or table keeps a pointer that could outlive it.
#include <cstdint>
#include <optional>

namespace wasm::detail {

class ResourceLimiter {
 public:
  virtual ~ResourceLimiter() = default;

  // A memory wants to go from `current_bytes` to `desired_bytes`; creation asks with a current
  // size of 0. `maximum_bytes` is the declared maximum, if any. Returning false refuses: a
  // memory.grow then returns -1, a creation fails with a resource error.
  virtual bool memory_growing(uint64_t current_bytes, uint64_t desired_bytes,
                              std::optional<uint64_t> maximum_bytes) {
    (void)current_bytes, (void)desired_bytes, (void)maximum_bytes;
    return true;
  }

  // The same for a table, counted in elements.
  virtual bool table_growing(uint64_t current_elements, uint64_t desired_elements,
                             std::optional<uint64_t> maximum_elements) {
    (void)current_elements, (void)desired_elements, (void)maximum_elements;
    return true;
  }
};

}  // namespace wasm::detail
