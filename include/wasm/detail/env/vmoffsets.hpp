#pragma once
// VMOffsets: where everything sits in the VMContext of a module of a given shape. It is one
// constexpr walk over the regions of vmctx_layout.def, so the same code gives static_assert-able
// offsets for a shape known at compile time and the offsets of a module decoded at run time.
#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

#include "wasm/detail/env/module_shape.hpp"

namespace wasm::detail {

// The records of vmctx_layout.def as constants, one namespace per record:
// vmlayout::VMFuncRef::type_id is that field's offset, vmlayout::VMFuncRef::type_id_size its
// size, vmlayout::VMFuncRef::size and ::align those of the whole record.
namespace vmlayout {
#define WASM_VM_RECORD(Record, size_, align_)     \
  namespace Record {                              \
  inline constexpr uint32_t size = size_;         \
  inline constexpr uint32_t align = align_;       \
  }
#define WASM_VM_FIELD(Record, field, offset, size_)  \
  namespace Record {                                 \
  inline constexpr uint32_t field = offset;          \
  inline constexpr uint32_t field##_size = size_;    \
  }
#include "wasm/detail/env/vmctx_layout.def"
}  // namespace vmlayout

// The regions of a VMContext, in layout order.
enum class VMRegion : uint8_t {
#define WASM_VMCTX_FIXED(name, size, align) name,
#define WASM_VMCTX_ARRAY(name, count, Record) name,
#include "wasm/detail/env/vmctx_layout.def"
};

struct VMRegionInfo {
  std::string_view name;
  uint32_t element_size;
  uint32_t align;
  bool fixed;  // exactly one element whatever the shape
};

inline constexpr VMRegionInfo kVMRegions[] = {
#define WASM_VMCTX_FIXED(name, size, align) {#name, size, align, true},
#define WASM_VMCTX_ARRAY(name, count, Record) \
  {#name, vmlayout::Record::size, vmlayout::Record::align, false},
#include "wasm/detail/env/vmctx_layout.def"
};
inline constexpr size_t kNumVMRegions = std::size(kVMRegions);

constexpr const VMRegionInfo& region_info(VMRegion region) { return kVMRegions[size_t(region)]; }

// Number of elements of a region in the VMContext of a module of this shape.
constexpr uint64_t region_count(VMRegion region, const ModuleShape& shape) {
  switch (region) {
#define WASM_VMCTX_FIXED(name, size, align) \
  case VMRegion::name: return 1;
#define WASM_VMCTX_ARRAY(name, count, Record) \
  case VMRegion::name: return shape.count;
#include "wasm/detail/env/vmctx_layout.def"
  }
  return 0;
}

namespace vmlayout {

constexpr uint64_t align_up(uint64_t value, uint64_t align) {
  return (value + align - 1) / align * align;
}

// What the layout relies on: fixed fields before any array (so their offsets are constants),
// power-of-two alignments, and element sizes that keep every element of an array aligned.
constexpr bool table_is_well_formed() {
  bool in_arrays = false;
  for (const VMRegionInfo& region : kVMRegions) {
    if (region.fixed && in_arrays) return false;
    in_arrays = !region.fixed;
    if (region.align == 0 || (region.align & (region.align - 1)) != 0) return false;
    if (region.element_size % region.align != 0) return false;
  }
  return true;
}
static_assert(table_is_well_formed(), "vmctx_layout.def breaks a layout rule");

constexpr uint32_t max_align() {
  uint32_t align = 1;
  for (const VMRegionInfo& region : kVMRegions) align = std::max(align, region.align);
  return align;
}

// The one walk over the regions. 64-bit so that no shape can overflow it: counts are at most
// 2^33 and elements a few dozen bytes.
struct Walk {
  std::array<uint64_t, kNumVMRegions> begin{};
  uint64_t size = 0;
};
constexpr Walk walk(const ModuleShape& shape) {
  Walk w;
  uint64_t at = 0;
  for (size_t i = 0; i < kNumVMRegions; ++i) {
    at = align_up(at, kVMRegions[i].align);
    w.begin[i] = at;
    at += region_count(VMRegion(i), shape) * kVMRegions[i].element_size;
  }
  w.size = align_up(at, max_align());
  return w;
}

inline constexpr Walk kEmptyShapeWalk = walk(ModuleShape{});

}  // namespace vmlayout

class VMOffsets {
 public:
  // Every offset into a VMContext must fit the signed 32-bit displacement of an x86-64 memory
  // operand; a shape whose VMContext would be larger is refused (ok() is false).
  static constexpr uint64_t kMaxSize = 0x7FFFFFFF;
  // The alignment a VMContext must be allocated with (v128 globals need 16).
  static constexpr uint32_t kAlign = vmlayout::max_align();

  constexpr explicit VMOffsets(const ModuleShape& shape) : shape_(shape) {
    vmlayout::Walk w = vmlayout::walk(shape);
    ok_ = w.size <= kMaxSize;
    if (!ok_) return;  // leave every offset zero rather than truncated
    for (size_t i = 0; i < kNumVMRegions; ++i) begin_[i] = uint32_t(w.begin[i]);
    size_ = uint32_t(w.size);
  }

  constexpr const ModuleShape& shape() const { return shape_; }
  constexpr bool ok() const { return ok_; }
  // Bytes to allocate for the VMContext (a multiple of kAlign).
  constexpr uint32_t size() const { return size_; }

  // The fixed prefix: the same for every module, so usable as immediate displacements.
  static constexpr uint32_t magic() { return fixed(VMRegion::magic); }
  static constexpr uint32_t store_context() { return fixed(VMRegion::store_context); }
  static constexpr uint32_t builtins() { return fixed(VMRegion::builtins); }
  static constexpr uint32_t type_ids() { return fixed(VMRegion::type_ids); }

  // Any region, by its name in the layout table.
  constexpr uint64_t count(VMRegion region) const { return region_count(region, shape_); }
  constexpr uint32_t begin(VMRegion region) const { return begin_[size_t(region)]; }
  constexpr uint32_t end(VMRegion region) const {
    if (!ok_) return 0;
    return begin(region) + uint32_t(count(region) * region_info(region).element_size);
  }
  constexpr uint32_t element(VMRegion region, uint64_t index) const {
    assert(ok_ && index < count(region));
    return begin(region) + uint32_t(index * region_info(region).element_size);
  }

  // Defined memories (index among defined ones, not the memory index space).
  constexpr uint32_t memory(uint32_t i) const { return element(VMRegion::memories, i); }
  constexpr uint32_t memory_base(uint32_t i) const {
    return memory(i) + vmlayout::VMMemoryDefinition::base;
  }
  constexpr uint32_t memory_length(uint32_t i) const {
    return memory(i) + vmlayout::VMMemoryDefinition::current_length;
  }

  constexpr uint32_t imported_function(uint32_t i) const {
    return element(VMRegion::imported_functions, i);
  }
  constexpr uint32_t imported_function_code(uint32_t i) const {
    return imported_function(i) + vmlayout::VMFunctionImport::code;
  }
  constexpr uint32_t imported_function_vmctx(uint32_t i) const {
    return imported_function(i) + vmlayout::VMFunctionImport::vmctx;
  }

  constexpr uint32_t imported_table(uint32_t i) const {
    return element(VMRegion::imported_tables, i);
  }
  constexpr uint32_t imported_table_from(uint32_t i) const {
    return imported_table(i) + vmlayout::VMTableImport::from;
  }
  constexpr uint32_t imported_table_vmctx(uint32_t i) const {
    return imported_table(i) + vmlayout::VMTableImport::vmctx;
  }

  constexpr uint32_t imported_memory(uint32_t i) const {
    return element(VMRegion::imported_memories, i);
  }
  constexpr uint32_t imported_memory_from(uint32_t i) const {
    return imported_memory(i) + vmlayout::VMMemoryImport::from;
  }
  constexpr uint32_t imported_memory_vmctx(uint32_t i) const {
    return imported_memory(i) + vmlayout::VMMemoryImport::vmctx;
  }

  constexpr uint32_t imported_global(uint32_t i) const {
    return element(VMRegion::imported_globals, i);
  }
  constexpr uint32_t imported_global_from(uint32_t i) const {
    return imported_global(i) + vmlayout::VMGlobalImport::from;
  }

  // Defined tables and globals (index among defined ones).
  constexpr uint32_t table(uint32_t i) const { return element(VMRegion::tables, i); }
  constexpr uint32_t table_base(uint32_t i) const {
    return table(i) + vmlayout::VMTableDefinition::base;
  }
  constexpr uint32_t table_current_elements(uint32_t i) const {
    return table(i) + vmlayout::VMTableDefinition::current_elements;
  }

  constexpr uint32_t global(uint32_t i) const { return element(VMRegion::globals, i); }

  // By function index: imported functions first, as in the index space.
  constexpr uint32_t func_ref(uint32_t func_index) const {
    return element(VMRegion::func_refs, func_index);
  }
  constexpr uint32_t func_ref_code(uint32_t func_index) const {
    return func_ref(func_index) + vmlayout::VMFuncRef::code;
  }
  constexpr uint32_t func_ref_vmctx(uint32_t func_index) const {
    return func_ref(func_index) + vmlayout::VMFuncRef::vmctx;
  }
  constexpr uint32_t func_ref_type_id(uint32_t func_index) const {
    return func_ref(func_index) + vmlayout::VMFuncRef::type_id;
  }

  friend constexpr bool operator==(const VMOffsets&, const VMOffsets&) = default;

 private:
  static constexpr uint32_t fixed(VMRegion region) {
    assert(region_info(region).fixed);
    return uint32_t(vmlayout::kEmptyShapeWalk.begin[size_t(region)]);
  }

  ModuleShape shape_;
  std::array<uint32_t, kNumVMRegions> begin_{};
  uint32_t size_ = 0;
  bool ok_ = false;
};

// The point of putting defined memories first: memory 0's base is a disp8 from the vmctx
// register, so every load and store of the common single-memory module is a byte shorter.
static_assert(VMOffsets(ModuleShape{.num_defined_memories = 1}).memory_base(0) < 128);

// The offsets of a shape fixed at compile time, as a constant: what an instance typed by its
// shape (and code specialised for it) reads its displacements from.
template <ModuleShape Shape>
struct StaticOffsets {
  static constexpr VMOffsets value{Shape};
  static_assert(value.ok(), "the VMContext of this module shape exceeds VMOffsets::kMaxSize");
};

}  // namespace wasm::detail
