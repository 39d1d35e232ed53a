#pragma once
// memory.fill, memory.copy and memory.init with the WebAssembly 2.0 rules: every bounds check
// is done first, in 64-bit arithmetic that cannot wrap, and an out-of-bounds operation traps
// before writing a single byte. A length of 0 is in bounds at exactly the end of the memory
// (or segment) and out of bounds one past it. JIT code calls these as libcalls, and
// instantiation uses memory_init for active data segments; the caller raises the trap.
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

#include "wasm/detail/env/vm_records.hpp"
#include "wasm/error.hpp"

namespace wasm::detail {

// [offset, offset + len) lies within [0, size), written so that it cannot overflow.
constexpr bool range_in_bounds(uint64_t offset, uint64_t len, uint64_t size) {
  return offset <= size && len <= size - offset;
}

// memory.fill: `len` bytes at `dst` set to `value`.
[[nodiscard]] inline std::optional<TrapCode> memory_fill(const VMMemoryDefinition& memory,
                                                         uint64_t dst, uint8_t value,
                                                         uint64_t len) {
  if (!range_in_bounds(dst, len, memory.current_length)) return TrapCode::MemoryOutOfBounds;
  if (len != 0) std::memset(memory.base + dst, value, len);
  return std::nullopt;
}

// memory.copy between two memories (or within one): the ranges may overlap, and the result
// is as if the source were first copied to a temporary buffer.
[[nodiscard]] inline std::optional<TrapCode> memory_copy(const VMMemoryDefinition& dst_memory,
                                                         const VMMemoryDefinition& src_memory,
                                                         uint64_t dst, uint64_t src,
                                                         uint64_t len) {
  if (!range_in_bounds(dst, len, dst_memory.current_length) ||
      !range_in_bounds(src, len, src_memory.current_length))
    return TrapCode::MemoryOutOfBounds;
  if (len != 0) std::memmove(dst_memory.base + dst, src_memory.base + src, len);
  return std::nullopt;
}

// memory.init: `len` bytes of a data segment, from `src`, to `dst`. A dropped segment is an
// empty span, so only len 0 at src 0 succeeds on it.
[[nodiscard]] inline std::optional<TrapCode> memory_init(const VMMemoryDefinition& memory,
                                                         std::span<const uint8_t> segment,
                                                         uint64_t dst, uint64_t src,
                                                         uint64_t len) {
  if (!range_in_bounds(dst, len, memory.current_length) ||
      !range_in_bounds(src, len, segment.size()))
    return TrapCode::MemoryOutOfBounds;
  if (len != 0) std::memcpy(memory.base + dst, segment.data() + src, len);
  return std::nullopt;
}

}  // namespace wasm::detail
