#pragma once
// ModuleShape: how many of each kind of entity a module imports and defines, which is all the
// VMContext layout depends on. It comes from a decoded module at run time (shape_of) or, for a
// module embedded in the program, from a scan of its bytes at compile time (scan_module_shape).
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>

#include "wasm/detail/binary/module_reader.hpp"
#include "wasm/detail/binary/module_info.hpp"

namespace wasm::detail {

// A literal type with public members only, so that it can be a template argument
// (StaticOffsets<Shape>) and be written with designated initializers.
struct ModuleShape {
  uint32_t num_types = 0;
  uint32_t num_imported_funcs = 0;
  uint32_t num_imported_tables = 0;
  uint32_t num_imported_memories = 0;
  uint32_t num_imported_globals = 0;
  uint32_t num_defined_funcs = 0;
  uint32_t num_defined_tables = 0;
  uint32_t num_defined_memories = 0;
  uint32_t num_defined_globals = 0;

  // Sizes of the index spaces; 64-bit because imported + defined can exceed 32 bits.
  constexpr uint64_t num_funcs() const { return uint64_t(num_imported_funcs) + num_defined_funcs; }
  constexpr uint64_t num_tables() const {
    return uint64_t(num_imported_tables) + num_defined_tables;
  }
  constexpr uint64_t num_memories() const {
    return uint64_t(num_imported_memories) + num_defined_memories;
  }
  constexpr uint64_t num_globals() const {
    return uint64_t(num_imported_globals) + num_defined_globals;
  }

  friend constexpr bool operator==(const ModuleShape&, const ModuleShape&) = default;
};

// The shape of a module the full decoder has read.
inline ModuleShape shape_of(const ModuleInfo& module) {
  return ModuleShape{
      .num_types = uint32_t(module.types.size()),
      .num_imported_funcs = module.num_imported_funcs,
      .num_imported_tables = module.num_imported_tables,
      .num_imported_memories = module.num_imported_memories,
      .num_imported_globals = module.num_imported_globals,
      .num_defined_funcs = module.num_defined_funcs(),
      .num_defined_tables = uint32_t(module.tables.size()) - module.num_imported_tables,
      .num_defined_memories = uint32_t(module.memories.size()) - module.num_imported_memories,
      .num_defined_globals = uint32_t(module.globals.size()) - module.num_imported_globals,
  };
}

// The outcome of scan_module_shape: a shape, or the first error (a static message and the
// module offset where it was found). On error the shape is all zeros, never a partial count.
struct ScanResult {
  ModuleShape shape;
  const char* error = nullptr;
  size_t error_offset = 0;

  constexpr bool ok() const { return error == nullptr; }
};

namespace shape_scan {

// Every proposal's encoding is read: the scan must accept whatever the decoder accepts under
// any configuration (whether a proposal is enabled is the decoder's and validator's business).
constexpr Features all_features() {
  Features f;
  f.enable_all();
  return f;
}
inline constexpr Features kScanFeatures = all_features();

constexpr void count_imports(Reader& s, ModuleShape& shape) {
  uint32_t n = module_reader::read_count(s);
  for (uint32_t i = 0; i < n && s.ok(); ++i) {
    (void)module_reader::read_name_bytes(s);  // module
    (void)module_reader::read_name_bytes(s);  // field; UTF-8 validity is left to the decoder
    if (!s.ok()) return;
    module_reader::ImportDesc d = module_reader::read_import_desc(s, kScanFeatures);
    if (!s.ok()) return;
    switch (d.kind) {
      case ExternKind::Func: ++shape.num_imported_funcs; break;
      case ExternKind::Table: ++shape.num_imported_tables; break;
      case ExternKind::Memory: ++shape.num_imported_memories; break;
      case ExternKind::Global: ++shape.num_imported_globals; break;
      case ExternKind::Tag: break;  // tags have no place in the VMContext yet
    }
  }
}

}  // namespace shape_scan

// Reads the header and the section headers, and inside the type, import, function, table and
// memory sections every entry (so their sizes are checked); the global and code sections only
// give their counts, other sections are skipped whole. It reads with the decoder's own
// functions (binary/module_reader.hpp), so it accepts everything the decoder accepts, with the
// same messages, but may accept some modules that the decoder rejects (bad UTF-8 in names,
// disabled proposals): it finds the shape, it does not validate. Never reads out of bounds, so
// it is a constant expression for any input.
constexpr ScanResult scan_module_shape(std::span<const uint8_t> bytes) {
  using namespace module_reader;
  Reader r(bytes);
  ModuleShape shape;
  read_header(r);
  SectionReader sections(r, shape_scan::kScanFeatures);
  Section section;
  bool saw_function_or_code = false;
  uint32_t num_bodies = 0;
  while (sections.next(section)) {
    Reader& s = section.body;
    switch (section.id) {
      case SectionId::Type: {
        uint32_t groups = read_count(s);
        uint32_t n = 0;
        SkipTypes skip;
        for (uint32_t i = 0; i < groups && s.ok(); ++i) n += read_rec_group(s, shape_scan::kScanFeatures, skip);
        shape.num_types = n;
        break;
      }
      case SectionId::Import: shape_scan::count_imports(s, shape); break;
      case SectionId::Function: {
        saw_function_or_code = true;
        uint32_t n = read_count(s);
        for (uint32_t i = 0; i < n && s.ok(); ++i) (void)s.u32();
        shape.num_defined_funcs = n;
        break;
      }
      case SectionId::Table: {
        uint32_t n = read_count(s);
        bool has_init = false;
        for (uint32_t i = 0; i < n && s.ok() && !has_init; ++i)
          (void)read_table_type(s, shape_scan::kScanFeatures, &has_init);
        if (has_init) s.skip(s.remaining());  // initializers are instructions: the count will do
        shape.num_defined_tables = n;
        break;
      }
      case SectionId::Memory: {
        uint32_t n = read_count(s);
        for (uint32_t i = 0; i < n && s.ok(); ++i) (void)read_memory_type(s, shape_scan::kScanFeatures);
        shape.num_defined_memories = n;
        break;
      }
      case SectionId::Global:  // initialisers are instructions: the count is enough here
        shape.num_defined_globals = read_count(s);
        s.skip(s.remaining());
        break;
      case SectionId::Code:
        saw_function_or_code = true;
        num_bodies = read_count(s);
        s.skip(s.remaining());
        break;
      case SectionId::Custom:
        (void)read_name_bytes(s);
        s.skip(s.remaining());
        break;
      default: s.skip(s.remaining()); break;
    }
    if (s.ok() && !s.at_end()) s.fail("section size mismatch");
    if (!s.ok()) r.fail_at(s.error_offset(), s.error());
  }
  if (r.ok() && saw_function_or_code && shape.num_defined_funcs != num_bodies) {
    r.fail("function and code section have inconsistent lengths");
  }
  if (!r.ok()) return ScanResult{.shape = {}, .error = r.error(), .error_offset = r.error_offset()};
  return ScanResult{.shape = shape};
}

}  // namespace wasm::detail
