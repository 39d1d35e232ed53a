#pragma once
// ModuleShape: how many of each kind of entity a module imports and defines, which is all the
// VMContext layout depends on. It comes from a decoded module at run time (shape_of) or, for a
// module embedded in the program, from a scan of its bytes at compile time (scan_module_shape).
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>

#include "wasm/detail/binary/reader.hpp"
#include "wasm/detail/binary/sections.hpp"
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

// A vector length. Every element takes at least one byte, so a count beyond the bytes left is
// malformed; rejecting it early bounds every loop below by the input size.
constexpr uint32_t vec_count(Reader& s) {
  uint32_t n = s.u32();
  if (s.ok() && n > s.remaining()) s.fail("length out of bounds");
  return s.ok() ? n : 0;
}

constexpr void skip_name(Reader& s) {
  uint32_t length = s.u32();
  if (s.ok() && length > s.remaining()) s.fail("length out of bounds");
  s.skip(length);
}

constexpr void skip_valtype(Reader& s) {
  uint8_t b = s.u8();
  if (s.ok() && !is_valtype_byte(b)) s.fail_at(s.offset() - 1, "malformed value type");
}

constexpr void skip_reftype(Reader& s) {
  uint8_t b = s.u8();
  if (s.ok() && b != 0x70 && b != 0x6F) s.fail_at(s.offset() - 1, "malformed reference type");
}

// Limits flags: bit 0 = has maximum; for memories also bit 1 = shared (threads) and
// bit 2 = 64-bit bounds (memory64). Whether those proposals are enabled is the full
// decoder's business; here the encoding only has to be skipped correctly.
constexpr void skip_limits(Reader& s, bool is_memory) {
  size_t at = s.offset();
  uint8_t flags = s.u8();
  uint8_t allowed = is_memory ? 0x07 : 0x01;
  if (s.ok() && (flags & ~allowed)) {
    s.fail_at(at, "malformed limits flags");
    return;
  }
  const bool wide = flags & 0x04;
  const int bounds = (flags & 0x01) ? 2 : 1;  // minimum, then maximum if present
  for (int i = 0; i < bounds; ++i) {
    if (wide) {
      (void)s.u64();
    } else {
      (void)s.u32();
    }
  }
}

constexpr void skip_global_type(Reader& s) {
  skip_valtype(s);
  uint8_t mut = s.u8();
  if (s.ok() && mut > 1) s.fail_at(s.offset() - 1, "malformed mutability");
}

constexpr void skip_tag_type(Reader& s) {
  uint8_t attribute = s.u8();
  if (s.ok() && attribute != 0) s.fail_at(s.offset() - 1, "zero byte expected");
  (void)s.u32();
}

constexpr uint32_t count_types(Reader& s) {
  uint32_t n = vec_count(s);
  for (uint32_t i = 0; i < n && s.ok(); ++i) {
    uint8_t form = s.u8();
    if (s.ok() && form != 0x60) {
      s.fail_at(s.offset() - 1, "malformed function type");
      break;
    }
    for (int list = 0; list < 2; ++list) {  // parameters, then results
      uint32_t arity = vec_count(s);
      for (uint32_t k = 0; k < arity && s.ok(); ++k) skip_valtype(s);
    }
  }
  return n;
}

constexpr void count_imports(Reader& s, ModuleShape& shape) {
  uint32_t n = vec_count(s);
  for (uint32_t i = 0; i < n && s.ok(); ++i) {
    skip_name(s);  // module
    skip_name(s);  // field; UTF-8 validity is left to the full decoder
    size_t kind_at = s.offset();
    uint8_t kind = s.u8();
    if (!s.ok()) return;
    switch (kind) {
      case 0:
        (void)s.u32();
        ++shape.num_imported_funcs;
        break;
      case 1:
        skip_reftype(s);
        skip_limits(s, false);
        ++shape.num_imported_tables;
        break;
      case 2:
        skip_limits(s, true);
        ++shape.num_imported_memories;
        break;
      case 3:
        skip_global_type(s);
        ++shape.num_imported_globals;
        break;
      case 4: skip_tag_type(s); break;  // tags have no place in the VMContext yet
      default: s.fail_at(kind_at, "malformed import kind"); return;
    }
  }
}

}  // namespace shape_scan

// Reads the header and the section headers, and inside the type, import, function, table and
// memory sections every entry (so their sizes are checked); the global and code sections only
// give their counts, other sections are skipped whole. It accepts everything the full decoder
// accepts but may accept some modules that it rejects (bad UTF-8 in names, disabled
// proposals): it finds the shape, it does not validate. Never reads out of bounds, so it is a
// constant expression for any input.
constexpr ScanResult scan_module_shape(std::span<const uint8_t> bytes) {
  using namespace shape_scan;
  Reader r(bytes);
  ModuleShape shape;

  auto magic = r.bytes(4);
  if (r.ok() && !(magic[0] == 0x00 && magic[1] == 'a' && magic[2] == 's' && magic[3] == 'm')) {
    r.fail_at(0, "magic header not detected");
  }
  uint32_t version = r.fixed_u32();
  if (r.ok() && version != 1) r.fail_at(4, "unknown binary version");

  int last_rank = 0;
  bool saw_function_or_code = false;
  uint32_t num_bodies = 0;
  while (r.ok() && !r.at_end()) {
    size_t section_start = r.offset();
    uint8_t id = r.u8();
    uint32_t size = r.u32();
    if (!r.ok()) break;
    int rank = section_rank(id);
    if (rank < 0) {
      r.fail_at(section_start, "malformed section id");
      break;
    }
    if (rank > 0) {
      // Also rejects a repeated section, which would otherwise be counted twice.
      if (rank <= last_rank) {
        r.fail_at(section_start, "unexpected content after last section");
        break;
      }
      last_rank = rank;
    }
    Reader s = r.sub(size, "length out of bounds");
    if (!r.ok()) break;
    switch (id) {
      case 1: shape.num_types = count_types(s); break;
      case 2: count_imports(s, shape); break;
      case 3: {
        saw_function_or_code = true;
        uint32_t n = vec_count(s);
        for (uint32_t i = 0; i < n && s.ok(); ++i) (void)s.u32();
        shape.num_defined_funcs = n;
        break;
      }
      case 4: {
        uint32_t n = vec_count(s);
        for (uint32_t i = 0; i < n && s.ok(); ++i) {
          skip_reftype(s);
          skip_limits(s, false);
        }
        shape.num_defined_tables = n;
        break;
      }
      case 5: {
        uint32_t n = vec_count(s);
        for (uint32_t i = 0; i < n && s.ok(); ++i) skip_limits(s, true);
        shape.num_defined_memories = n;
        break;
      }
      case 6:  // initialisers are instructions: the count is enough here
        shape.num_defined_globals = vec_count(s);
        s.skip(s.remaining());
        break;
      case 10:
        saw_function_or_code = true;
        num_bodies = vec_count(s);
        s.skip(s.remaining());
        break;
      case 0:
        skip_name(s);
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
