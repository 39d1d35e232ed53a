#pragma once
// Table: the reference slots of one wasm table, stored contiguously and published to JIT code
// through a VMTableDefinition {base, current_elements}.
//
// Funcref slots are initialised lazily, as in wasmtime: instantiation need not resolve every
// element of every active segment up front. A slot word of 0 means "not initialised yet"; an
// initialised slot holds the VMFuncRef* with kFuncRefInitBit set, so an initialised null is 1.
// Reading a slot of 0 asks the owner's lazy-init callback for the element and stores the
// answer tagged, so the callback runs at most once per slot. JIT code reading a slot directly
// must treat 0 as "call the table_get libcall" and clear the bit otherwise.
// Externref slots hold the opaque reference itself (0 is null) and are never lazy.
//
// Every operation checks its bounds before writing anything (the 2.0 rules); growth may
// reallocate the slots, and the bound definition always holds the current base. The slots live
// on the heap, or in an allocator's TableSlot (create_in; see table_storage.hpp).
#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "wasm/detail/vm/bulk_memory.hpp"  // range_in_bounds
#include "wasm/detail/vm/resource_limiter.hpp"
#include "wasm/detail/env/vm_records.hpp"
#include "wasm/detail/vm/table_storage.hpp"
#include "wasm/result.hpp"
#include "wasm/types.hpp"

namespace wasm::detail {

inline constexpr uintptr_t kFuncRefInitBit = 1;

struct TableSettings {
  // Growth stops here whatever the declared maximum: a guest must not be able to make the
  // host allocate gigabytes of slots.
  uint64_t max_elements = 10'000'000;
};

class Table {
 public:
  // Returns the element for a slot that was never written, or null. Set by the owning
  // instance for the slots its active element segments fill.
  using LazyInit = std::function<VMFuncRef*(uint64_t index)>;

  // A table of `type.limits.min` slots, uninitialised (funcref) or null (externref).
  static Result<std::unique_ptr<Table>> create(const TableType& type,
                                               const TableSettings& settings = {},
                                               ResourceLimiter* limiter = nullptr) {
    return create_with(std::unique_ptr<Table>(new Table(type, settings)), limiter);
  }

  // The same with its slots in `slot` (zeroed); it cannot grow past the slot's capacity.
  static Result<std::unique_ptr<Table>> create_in(const TableType& type, ResourceLimiter* limiter,
                                                  TableSlot slot) {
    std::unique_ptr<Table> table(new Table(type, TableSettings{slot.capacity}, slot));
    return create_with(std::move(table), limiter);
  }

  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

 private:
  static Result<std::unique_ptr<Table>> create_with(std::unique_ptr<Table> table,
                                                    ResourceLimiter* limiter) {
    const TableType& type = table->declared_;
    const uint64_t min = type.limits.min;
    if (min > table->element_limit_ || (type.limits.max && min > *type.limits.max))
      return Error(ErrorKind::Resource, "table minimum of " + std::to_string(min) +
                                            " elements exceeds its limit");
    if (limiter && !limiter->table_growing(0, min, type.limits.max))
      return Error(ErrorKind::Resource, "table creation refused by the resource limiter");
    try {
      table->slots_.resize(min, 0);
    } catch (const std::bad_alloc&) {
      return Error(ErrorKind::Resource, "out of memory allocating a table");
    }
    table->publish();
    return table;
  }

 public:
  ValType element_type() const { return declared_.element; }
  uint64_t size() const { return slots_.size(); }
  std::optional<uint64_t> maximum() const { return declared_.limits.max; }
  // The declared type with the current size as its minimum, as the spec's table instance
  // keeps it (import matching of a grown table depends on this).
  TableType type() const {
    TableType t = declared_;
    t.limits.min = size();
    return t;
  }

  void set_lazy_init(LazyInit lazy_init) {
    assert(is_funcref() && "only funcref tables are initialised lazily");
    lazy_init_ = std::move(lazy_init);
  }

  // Makes `definition` (a slot in the owning instance's VMContext) the one kept current;
  // null goes back to the definition inside this object.
  void bind_definition(VMTableDefinition* definition) {
    definition_ = definition ? definition : &own_definition_;
    publish();
  }
  VMTableDefinition* definition() { return definition_; }

  // Element values are untagged: a VMFuncRef* (funcref) or the opaque reference (externref),
  // null for a null reference. Out-of-bounds calls return nullopt / false and change nothing.
  std::optional<void*> get(uint64_t index) {
    if (index >= size()) return std::nullopt;
    return resolve(index);
  }

  bool set(uint64_t index, void* value) {
    if (index >= size()) return false;
    slots_[index] = encode(value);
    return true;
  }

  bool fill(uint64_t dst, void* value, uint64_t len) {
    if (!range_in_bounds(dst, len, size())) return false;
    const uintptr_t word = encode(value);
    for (uint64_t i = 0; i < len; ++i) slots_[dst + i] = word;
    return true;
  }

  // table.init: `len` elements of a segment, from `src`, to `dst`. A dropped segment is empty.
  bool init(uint64_t dst, std::span<void* const> segment, uint64_t src, uint64_t len) {
    if (!range_in_bounds(dst, len, size()) || !range_in_bounds(src, len, segment.size()))
      return false;
    for (uint64_t i = 0; i < len; ++i) slots_[dst + i] = encode(segment[src + i]);
    return true;
  }

  // table.copy, within one table or from a table of a subtype (so of the same representation);
  // overlap-safe.
  static bool copy(Table& dst, Table& src, uint64_t dst_index, uint64_t src_index, uint64_t len) {
    assert(dst.element_type().kind() == src.element_type().kind());
    if (!range_in_bounds(dst_index, len, dst.size()) ||
        !range_in_bounds(src_index, len, src.size()))
      return false;
    // Source slots must be resolved by their own table's callback before they move: the
    // destination's callback (or index) would give a different element.
    for (uint64_t i = 0; i < len; ++i) src.resolve(src_index + i);
    if (len != 0)
      std::memmove(dst.slots_.data() + dst_index, src.slots_.data() + src_index,
                   len * sizeof(uintptr_t));
    return true;
  }

  // table.grow: adds `delta` slots holding `init_value` (initialised, never lazy) and returns
  // the old size. On failure (past the maximum or the hard cap, refused by the limiter, out of
  // memory) nothing has changed; table.grow then returns -1. A grow by 0 always succeeds.
  Result<uint64_t> grow(uint64_t delta, void* init_value, ResourceLimiter* limiter = nullptr) {
    const uint64_t old_size = size();
    if (delta == 0) return old_size;
    if (delta > element_limit_ - old_size)
      return Error(ErrorKind::Resource, "table cannot grow past " +
                                            std::to_string(element_limit_) + " elements");
    if (limiter && !limiter->table_growing(old_size, old_size + delta, declared_.limits.max))
      return Error(ErrorKind::Resource, "table growth refused by the resource limiter");
    try {
      slots_.resize(old_size + delta, encode(init_value));  // strong guarantee: all or nothing
    } catch (const std::bad_alloc&) {
      return Error(ErrorKind::Resource, "out of memory growing a table");
    } catch (const std::length_error&) {
      return Error(ErrorKind::Resource, "table too large");
    }
    publish();
    return old_size;
  }

 private:
  Table(const TableType& type, const TableSettings& settings, TableSlot slot = {})
      : declared_(type), slots_(slot) {
    element_limit_ = type.limits.max ? std::min(*type.limits.max, settings.max_elements)
                                     : settings.max_elements;
  }

  bool is_funcref() const { return declared_.element.kind() == ValType::Kind::FuncRef; }

  uintptr_t encode(void* value) const {
    const auto word = reinterpret_cast<uintptr_t>(value);
    if (!is_funcref()) return word;
    assert((word & kFuncRefInitBit) == 0 && "a VMFuncRef is at least 2-byte aligned");
    return word | kFuncRefInitBit;
  }

  // The element at `index` (in bounds), initialising a funcref slot on first read.
  void* resolve(uint64_t index) {
    if (!is_funcref()) return reinterpret_cast<void*>(slots_[index]);
    if (slots_[index] == 0) {
      VMFuncRef* element = lazy_init_ ? lazy_init_(index) : nullptr;
      slots_[index] = encode(element);  // index again: the callback may not keep references
    }
    return reinterpret_cast<void*>(slots_[index] & ~kFuncRefInitBit);
  }

  void publish() {
    definition_->base = slots_.data();
    definition_->current_elements = slots_.size();
  }

  TableType declared_;
  uint64_t element_limit_ = 0;  // min(declared maximum, hard cap)
  TableStorage slots_;
  LazyInit lazy_init_;
  VMTableDefinition own_definition_;
  VMTableDefinition* definition_ = &own_definition_;
};

// The table instructions as libcalls see them: a trap code instead of false/nullopt.
[[nodiscard]] inline std::optional<TrapCode> table_get(Table& table, uint64_t index, void*& out) {
  std::optional<void*> value = table.get(index);
  if (!value) return TrapCode::TableOutOfBounds;
  out = *value;
  return std::nullopt;
}

[[nodiscard]] inline std::optional<TrapCode> table_set(Table& table, uint64_t index, void* value) {
  if (!table.set(index, value)) return TrapCode::TableOutOfBounds;
  return std::nullopt;
}

[[nodiscard]] inline std::optional<TrapCode> table_fill(Table& table, uint64_t dst, void* value,
                                                        uint64_t len) {
  if (!table.fill(dst, value, len)) return TrapCode::TableOutOfBounds;
  return std::nullopt;
}

[[nodiscard]] inline std::optional<TrapCode> table_copy(Table& dst_table, Table& src_table,
                                                        uint64_t dst, uint64_t src, uint64_t len) {
  if (!Table::copy(dst_table, src_table, dst, src, len)) return TrapCode::TableOutOfBounds;
  return std::nullopt;
}

[[nodiscard]] inline std::optional<TrapCode> table_init(Table& table,
                                                        std::span<void* const> segment,
                                                        uint64_t dst, uint64_t src, uint64_t len) {
  if (!table.init(dst, segment, src, len)) return TrapCode::TableOutOfBounds;
  return std::nullopt;
}

}  // namespace wasm::detail
