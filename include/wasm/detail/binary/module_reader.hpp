#pragma once
// The module structure of the binary format, read once for both of its readers: the decoder
// (decoder.hpp, which builds ModuleInfo) and the constexpr shape scan (env/module_shape.hpp,
// which counts entities at compile time for a module embedded in the program). Everything here
// is constexpr and reads through Reader, which never reads out of bounds; a failure is recorded
// in the Reader with the decoder's message (the spec's wording where assert_malformed checks it).
#include <cstdint>
#include <span>

#include "wasm/detail/binary/reader.hpp"
#include "wasm/detail/binary/sections.hpp"
#include "wasm/detail/binary/type_reader.hpp"
#include "wasm/detail/binary/unsupported.hpp"
#include "wasm/features.hpp"
#include "wasm/types.hpp"

namespace wasm::detail::module_reader {

// Limits beyond which we refuse a module even if the format would allow it, so hostile input
// cannot make us allocate without bound. They match those of the JS embedding API.
inline constexpr uint32_t kMaxFunctionParams = 1000;
inline constexpr uint32_t kMaxFunctionResults = 1000;

constexpr void read_header(Reader& r) {
  auto magic = r.bytes(4);
  if (!r.ok()) return;
  if (!(magic[0] == 0x00 && magic[1] == 'a' && magic[2] == 's' && magic[3] == 'm')) {
    r.fail_at(0, "magic header not detected");
    return;
  }
  uint32_t version = r.fixed_u32();
  if (r.ok() && version != 1) r.fail_at(4, "unknown binary version");
}

// A vector length. Every element takes at least one byte, so a count beyond the bytes left is
// malformed; checking it first keeps hostile counts from allocating and bounds every loop by the
// input size.
constexpr uint32_t read_count(Reader& s) {
  uint32_t n = s.u32();
  if (s.ok() && n > s.remaining()) s.fail("length out of bounds");
  return s.ok() ? n : 0;
}

// A name's bytes (its UTF-8 validity is the caller's business: the scan does not check it).
constexpr std::span<const uint8_t> read_name_bytes(Reader& s) {
  uint32_t length = s.u32();
  if (s.ok() && length > s.remaining()) {
    s.fail("length out of bounds");
    return {};
  }
  return s.bytes(length);
}

constexpr ValType read_valtype(Reader& s, const Features& features) {
  return type_reader::read_valtype(s, features);
}

constexpr ValType read_reftype(Reader& s, const Features& features) {
  size_t at = s.offset();
  ValType t = type_reader::read_reftype(s, features);
  if (s.ok() && t.kind() == ValType::Kind::ExnRef)
    s.fail_at(at, "unsupported: tables and segments of exnref");
  return t;
}

// One entry of the type section, as read by read_rec_group: `sub`/`sub final` with its
// supertypes (GC), then the composite type's form byte (0x60 func, 0x5F struct, 0x5E array).
struct SubTypeHeader {
  bool final = true;         // a type written without `sub` is final
  uint32_t super_count = 0;  // validation allows at most one
  uint32_t super = 0;        // the first supertype
  uint8_t form = 0x60;
};

// A struct field's or array element's type: storage type (a value type or packed i8 0x78 /
// i16 0x77) and mutability.
struct FieldRead {
  ValType type = ValType::I32;
  uint8_t packed = 0;  // 0, 0x78 or 0x77
  bool mutable_ = false;
};

constexpr FieldRead read_field_type(Reader& s, const Features& features) {
  FieldRead f;
  uint8_t b = s.peek_u8();
  if (b == 0x78 || b == 0x77) {
    s.u8();
    f.packed = b;
  } else {
    f.type = read_valtype(s, features);
  }
  uint8_t mut = s.u8();
  if (s.ok() && mut > 1) s.fail_at(s.offset() - 1, "malformed mutability");
  f.mutable_ = mut == 1;
  return f;
}

// One subtype: the header goes to `sink.begin`, then a function type's parameters and results
// to `sink.param` / `sink.result`, a struct's fields or an array's element to `sink.field`.
// Without GC only plain function types (0x60) are read; the GC forms fail as unsupported.
template <typename Sink>
constexpr void read_sub_type(Reader& s, const Features& features, Sink& sink) {
  SubTypeHeader h;
  size_t at = s.offset();
  uint8_t form = s.u8();
  if (!s.ok()) return;
  if (features.gc && (form == 0x50 || form == 0x4F)) {
    h.final = form == 0x4F;
    h.super_count = read_count(s);
    for (uint32_t k = 0; k < h.super_count && s.ok(); ++k) {
      uint32_t x = s.u32();
      if (k == 0) h.super = x;
    }
    at = s.offset();
    form = s.u8();
    if (!s.ok()) return;
  }
  const bool gc_form = features.gc && (form == 0x5F || form == 0x5E);
  if (form != 0x60 && !gc_form) {
    const char* unsupported = unsupported_type_form(form);  // custom descriptors; GC without gc
    if (features.gc && (form == 0x4E || form == 0x4F || form == 0x50)) unsupported = nullptr;
    s.fail_at(at, unsupported ? unsupported : "integer representation too long");
    return;
  }
  h.form = form;
  sink.begin(h);
  if (form == 0x60) {
    uint32_t params = read_count(s);
    if (params > kMaxFunctionParams) s.fail("too many parameters");
    for (uint32_t k = 0; k < params && s.ok(); ++k) sink.param(read_valtype(s, features));
    uint32_t results = read_count(s);
    if (results > kMaxFunctionResults) s.fail("too many results");
    for (uint32_t k = 0; k < results && s.ok(); ++k) sink.result(read_valtype(s, features));
  } else if (form == 0x5F) {
    uint32_t fields = read_count(s);
    for (uint32_t k = 0; k < fields && s.ok(); ++k) sink.field(read_field_type(s, features));
  } else {
    sink.field(read_field_type(s, features));
  }
}

// One entry of the type section: a recursion group (`rec`, 0x4E, with GC) or a single subtype
// (a group of one). Returns the number of types it defines.
template <typename Sink>
constexpr uint32_t read_rec_group(Reader& s, const Features& features, Sink& sink) {
  if (features.gc && s.peek_u8() == 0x4E) {
    s.u8();
    uint32_t n = read_count(s);
    uint32_t k = 0;
    for (; k < n && s.ok(); ++k) read_sub_type(s, features, sink);
    return k;
  }
  read_sub_type(s, features, sink);
  return 1;
}

// A sink that only counts (the shape scan).
struct SkipTypes {
  constexpr void begin(const SubTypeHeader&) {}
  constexpr void param(ValType) {}
  constexpr void result(ValType) {}
  constexpr void field(const FieldRead&) {}
};

// Limits flags: bit 0 = has maximum, bit 1 = shared (threads, memories only), bit 2 = 64-bit
// (memory64: i64 addresses of a memory, i64 indices of a table).
constexpr Limits read_limits(Reader& s, const Features& features, bool is_memory, bool* is64 = nullptr) {
  size_t at = s.offset();
  uint8_t flags = s.u8();
  uint8_t allowed = 0x01;
  if (is_memory && features.threads) allowed |= 0x02;
  if (features.memory64) allowed |= 0x04;
  Limits l;
  if (s.ok() && (flags & ~allowed)) {
    const char* message = "integer too large";  // the flags byte is a u1/u2 in the grammar
    if (is_memory && features.custom_page_sizes && (flags & ~(allowed | 0x08)) == 0) message = kUnsupportedCustomPageSizes;
    s.fail_at(at, message);
    return l;
  }
  bool wide = flags & 0x04;
  if (is64) *is64 = wide;
  l.shared = flags & 0x02;
  // With memory64 (the 3.0 format) limits are u64 whatever the address type; the validator
  // bounds an i32 memory to 65536 pages and an i32 table to 2^32-1 ("memory size", "table size").
  if (features.memory64) wide = true;
  l.min = wide ? s.u64() : s.u32();
  if (flags & 0x01) l.max = wide ? s.u64() : s.u32();
  return l;
}

// `has_init` (when given) tells whether an initializer expression follows the type (the form
// 0x40 0x00 of typed references); without it such a table is refused.
constexpr TableType read_table_type(Reader& s, const Features& features, bool* has_init = nullptr) {
  TableType t;
  if (s.ok() && s.peek_u8() == 0x40) {  // 0x40 0x00 tabletype expr
    if (!has_init || !features.function_references) {
      s.fail("malformed reference type");
      return t;
    }
    s.u8();
    if (s.u8() != 0 && s.ok()) s.fail_at(s.offset() - 1, "zero byte expected");
    *has_init = true;
  }
  t.element = read_reftype(s, features);
  t.limits = read_limits(s, features, false, &t.is64);
  return t;
}

constexpr MemoryType read_memory_type(Reader& s, const Features& features) {
  MemoryType t;
  t.limits = read_limits(s, features, true, &t.is64);
  return t;
}

constexpr GlobalType read_global_type(Reader& s, const Features& features) {
  GlobalType g;
  g.type = read_valtype(s, features);
  uint8_t mut = s.u8();
  if (s.ok() && mut > 1) s.fail_at(s.offset() - 1, "malformed mutability");
  g.mutable_ = mut == 1;
  return g;
}

// A tag's type: an attribute byte (0: exception) and a function type index.
constexpr uint32_t read_tag_type(Reader& s) {
  if (s.u8() != 0 && s.ok()) s.fail_at(s.offset() - 1, "zero byte expected");
  return s.u32();
}

// What an import brings in, after its two names. `index` is the type index of a function or tag.
struct ImportDesc {
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
  TableType table;
  MemoryType memory;
  GlobalType global;
};

constexpr ImportDesc read_import_desc(Reader& s, const Features& features) {
  ImportDesc d;
  size_t kind_at = s.offset();
  uint8_t kind = s.u8();
  if (!s.ok()) return d;
  switch (kind) {
    case 0: d.kind = ExternKind::Func; d.index = s.u32(); break;
    case 1: d.kind = ExternKind::Table; d.table = read_table_type(s, features); break;
    case 2: d.kind = ExternKind::Memory; d.memory = read_memory_type(s, features); break;
    case 3: d.kind = ExternKind::Global; d.global = read_global_type(s, features); break;
    case 4:
      if (!features.exceptions) {
        s.fail_at(kind_at, "malformed import kind");
        break;
      }
      d.kind = ExternKind::Tag;
      d.index = read_tag_type(s);
      break;
    case 0x20: s.fail_at(kind_at, kUnsupportedExactImport); break;  // exact function import
    default: s.fail_at(kind_at, "malformed import kind"); break;
  }
  return d;
}

// One section: its id, where its header starts, and a Reader over its contents.
struct Section {
  SectionId id = SectionId::Custom;
  size_t start = 0;
  Reader body;
};

// The sections of a module after its header, with their ids, sizes and order checked (custom
// sections may come anywhere; a known section at most once, in the required order).
class SectionReader {
 public:
  constexpr SectionReader(Reader& module, const Features& features)
      : r_(module), features_(features) {}

  // The next section, or false at the end of the module or on an error (recorded in the Reader).
  constexpr bool next(Section& out) {
    if (!r_.ok() || r_.at_end()) return false;
    size_t start = r_.offset();
    uint8_t id = r_.u8();
    uint32_t size = r_.u32();
    if (!r_.ok()) return false;
    if (id > 13 || (id == uint8_t(SectionId::Tag) && !features_.exceptions)) {
      r_.fail_at(start, "malformed section id");
      return false;
    }
    Reader body = r_.sub(size, "length out of bounds");
    if (!r_.ok()) return false;
    if (id != uint8_t(SectionId::Custom)) {
      int rank = section_rank(id);
      if (rank <= last_rank_) {  // also a repeated section
        r_.fail_at(start, "unexpected content after last section");
        return false;
      }
      last_rank_ = rank;
    }
    out = Section{SectionId(id), start, body};
    return true;
  }

 private:
  Reader& r_;
  const Features& features_;
  int last_rank_ = 0;
};

}  // namespace wasm::detail::module_reader
