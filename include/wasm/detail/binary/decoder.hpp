#pragma once
// Decodes a module binary into ModuleInfo: the header, every section with its order and size
// checks, and the locals of each function body. Instructions inside bodies are read later by the
// validator (which reports malformed code as a decode error).
#include <span>
#include <string>

#include "wasm/detail/binary/instruction.hpp"
#include "wasm/detail/binary/name_section.hpp"
#include "wasm/detail/binary/reader.hpp"
#include "wasm/detail/binary/sections.hpp"
#include "wasm/detail/binary/unsupported.hpp"
#include "wasm/detail/binary/utf8.hpp"
#include "wasm/detail/binary/module_info.hpp"
#include "wasm/features.hpp"
#include "wasm/result.hpp"

namespace wasm::detail {

// Limits beyond which we refuse a module even if the format would allow it, so hostile input
// cannot make us allocate without bound. They match those of the JS embedding API.
struct DecodeLimits {
  static constexpr uint64_t kMaxLocals = 50000;
  static constexpr uint32_t kMaxFunctionParams = 1000;
  static constexpr uint32_t kMaxFunctionResults = 1000;
};

class ModuleDecoder {
 public:
  ModuleDecoder(std::span<const uint8_t> bytes, const Features& features)
      : features_(features) {
    m_.bytes.assign(bytes.begin(), bytes.end());
  }

  Result<ModuleInfo> decode() {
    Reader r(m_.bytes);
    decode_header(r);
    int last_rank = 0;
    bool saw_function_section = false;
    bool saw_code_section = false;
    uint32_t declared_functions = 0;
    while (r.ok() && !r.at_end()) {
      size_t section_start = r.offset();
      uint8_t id = r.u8();
      uint32_t size = r.u32();
      if (!r.ok()) break;
      if (id > 13 || (id == uint8_t(SectionId::Tag) && !features_.exceptions)) {
        r.fail_at(section_start, "malformed section id");
        break;
      }
      Reader s = r.sub(size, "length out of bounds");
      if (!r.ok()) break;
      SectionId sid = SectionId(id);
      if (sid != SectionId::Custom) {
        int rank = section_rank(id);
        if (rank <= last_rank) {
          r.fail_at(section_start, "unexpected content after last section");
          break;
        }
        last_rank = rank;
      }
      switch (sid) {
        case SectionId::Custom: decode_custom(s); break;
        case SectionId::Type: decode_types(s); break;
        case SectionId::Import: decode_imports(s); break;
        case SectionId::Function:
          saw_function_section = true;
          declared_functions = decode_functions(s);
          break;
        case SectionId::Table: decode_tables(s); break;
        case SectionId::Memory: decode_memories(s); break;
        case SectionId::Tag: decode_tags(s); break;
        case SectionId::Global: decode_globals(s); break;
        case SectionId::Export: decode_exports(s); break;
        case SectionId::Start: m_.start = s.u32(); break;
        case SectionId::Element: decode_elements(s); break;
        case SectionId::DataCount: m_.data_count = s.u32(); break;
        case SectionId::Code:
          saw_code_section = true;
          decode_code(s, declared_functions);
          break;
        case SectionId::Data: decode_data(s); break;
      }
      if (s.ok() && !s.at_end()) s.fail("section size mismatch");
      if (!s.ok()) return error(s);
    }
    if (!r.ok()) return error(r);
    if (saw_function_section != saw_code_section && declared_functions + m_.bodies.size() != 0) {
      return error_at(r.offset(), "function and code section have inconsistent lengths");
    }
    if (m_.data_count && *m_.data_count != m_.data.size()) {
      return error_at(r.offset(), "data count and data section have inconsistent lengths");
    }
    return std::move(m_);
  }

 private:
  Error error(const Reader& r) const { return error_at(r.error_offset(), r.error()); }
  Error error_at(size_t offset, const std::string& message) const {
    if (is_unsupported_message(message.c_str()))
      return Error(ErrorKind::Unsupported, unsupported_feature(message.c_str()));
    return Error(ErrorKind::Decode, message + " (at offset " + std::to_string(offset) + ")");
  }

  void decode_header(Reader& r) {
    auto magic = r.bytes(4);
    if (!r.ok()) return;
    if (!(magic[0] == 0x00 && magic[1] == 'a' && magic[2] == 's' && magic[3] == 'm')) {
      r.fail_at(0, "magic header not detected");
      return;
    }
    uint32_t version = r.fixed_u32();
    if (r.ok() && version != 1) r.fail_at(4, "unknown binary version");
  }

  // A vector length. Every element takes at least one byte, so a count beyond the bytes left
  // is malformed; checking it first keeps hostile counts from allocating.
  uint32_t count(Reader& s) {
    uint32_t n = s.u32();
    if (s.ok() && n > s.remaining()) s.fail("length out of bounds");
    return s.ok() ? n : 0;
  }

  std::string name(Reader& s) {
    uint32_t len = s.u32();
    size_t at = s.offset();
    if (s.ok() && len > s.remaining()) {
      s.fail("length out of bounds");
      return {};
    }
    auto bytes = s.bytes(len);
    if (!s.ok()) return {};
    if (!is_valid_utf8(bytes)) {
      s.fail_at(at, "malformed UTF-8 encoding");
      return {};
    }
    return std::string(bytes.begin(), bytes.end());
  }

  ValType valtype(Reader& s) {
    uint8_t b = s.u8();
    if (s.ok() && !is_valtype_byte(b)) bad_type(s, b, "malformed value type");
    return ValType(b);
  }

  ValType reftype(Reader& s) {
    uint8_t b = s.u8();
    if (s.ok() && b != 0x70 && b != 0x6F) bad_type(s, b, "malformed reference type");
    return ValType(b);
  }

  // The type byte just read is not one we know: a 3.0 type we do not implement, or malformed.
  static void bad_type(Reader& s, uint8_t b, const char* malformed) {
    const char* unsupported = unsupported_type_byte(b);
    s.fail_at(s.offset() - 1, unsupported ? unsupported : malformed);
  }

  // Limits flags: bit 0 = has maximum, bit 1 = shared (threads), bit 2 = 64-bit (memory64).
  Limits limits(Reader& s, bool is_memory, bool* is64 = nullptr) {
    size_t at = s.offset();
    uint8_t flags = s.u8();
    uint8_t allowed = 0x01;
    if (is_memory && features_.threads) allowed |= 0x02;
    if (is_memory && features_.memory64) allowed |= 0x04;
    Limits l;
    if (s.ok() && (flags & ~allowed)) {
      const char* message = "integer too large";  // the flags byte is a u1/u2 in the grammar
      if (!is_memory && features_.memory64 && (flags & ~0x05) == 0) message = kUnsupportedTable64;
      s.fail_at(at, message);
      return l;
    }
    bool wide = flags & 0x04;
    if (is64) *is64 = wide;
    l.shared = flags & 0x02;
    // With memory64 (the 3.0 format) a memory's limits are u64 whatever its address type; the
    // validator bounds an i32 memory to 65536 pages ("memory size", not malformed).
    if (is_memory && features_.memory64) wide = true;
    l.min = wide ? s.u64() : s.u32();
    if (flags & 0x01) l.max = wide ? s.u64() : s.u32();
    return l;
  }

  TableType table_type(Reader& s) {
    TableType t;
    if (s.peek_u8() == 0x40) {  // 0x40 0x00: a table with an initializer expression
      s.fail(kUnsupportedTableInit);
      return t;
    }
    t.element = reftype(s);
    t.limits = limits(s, false);
    return t;
  }

  MemoryType memory_type(Reader& s) {
    MemoryType t;
    t.limits = limits(s, true, &t.is64);
    return t;
  }

  GlobalType global_type(Reader& s) {
    GlobalType g;
    g.type = valtype(s);
    uint8_t mut = s.u8();
    if (s.ok() && mut > 1) s.fail_at(s.offset() - 1, "malformed mutability");
    g.mutable_ = mut == 1;
    return g;
  }

  // Reads instructions up to the `end` that closes the expression (nesting is tracked so that
  // a block inside, which validation will reject, still decodes as the format says).
  ConstExpr const_expr(Reader& s) {
    ConstExpr e;
    e.offset = uint32_t(s.offset());
    InstructionReader in(s, features_);
    Instruction instr;
    unsigned depth = 0;
    while (in.next(instr)) {
      if (instr.op == Op::End) {
        if (depth == 0) return e;
        --depth;
      } else if (instr.op == Op::Block || instr.op == Op::Loop || instr.op == Op::If) {
        ++depth;
      }
      if (instr.op == Op::BrTable) instr.targets = nullptr;  // not kept: invalid here anyway
      e.code.push_back(instr);
    }
    return e;
  }

  void decode_custom(Reader& s) {
    CustomSection c;
    c.name = name(s);
    if (!s.ok()) return;
    c.offset = uint32_t(s.offset());
    c.size = uint32_t(s.remaining());
    if (c.name == "name") {
      m_.names = parse_name_section(s.bytes(c.size), c.offset);
    } else {
      s.skip(c.size);
    }
    m_.custom_sections.push_back(std::move(c));
  }

  void decode_types(Reader& s) {
    uint32_t n = count(s);
    m_.types.reserve(n);
    for (uint32_t i = 0; i < n && s.ok(); ++i) {
      uint8_t form = s.u8();
      if (s.ok() && form != 0x60) {
        const char* unsupported = unsupported_type_form(form);
        s.fail_at(s.offset() - 1, unsupported ? unsupported : "integer representation too long");
        return;
      }
      FuncType ft;
      uint32_t np = count(s);
      if (np > DecodeLimits::kMaxFunctionParams) s.fail("too many parameters");
      for (uint32_t k = 0; k < np && s.ok(); ++k) ft.params.push_back(valtype(s));
      uint32_t nr = count(s);
      if (nr > DecodeLimits::kMaxFunctionResults) s.fail("too many results");
      for (uint32_t k = 0; k < nr && s.ok(); ++k) ft.results.push_back(valtype(s));
      m_.types.push_back(std::move(ft));
    }
  }

  void decode_imports(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) {
      Import imp;
      imp.module = name(s);
      imp.name = name(s);
      size_t kind_at = s.offset();
      uint8_t kind = s.u8();
      if (!s.ok()) return;
      switch (kind) {
        case 0:
          imp.kind = ExternKind::Func;
          imp.type_index = s.u32();
          m_.func_types.push_back(imp.type_index);
          ++m_.num_imported_funcs;
          break;
        case 1:
          imp.kind = ExternKind::Table;
          imp.table = table_type(s);
          m_.tables.push_back(imp.table);
          ++m_.num_imported_tables;
          break;
        case 2:
          imp.kind = ExternKind::Memory;
          imp.memory = memory_type(s);
          m_.memories.push_back(imp.memory);
          ++m_.num_imported_memories;
          break;
        case 3:
          imp.kind = ExternKind::Global;
          imp.global = global_type(s);
          m_.globals.push_back(imp.global);
          ++m_.num_imported_globals;
          break;
        case 4:
          if (!features_.exceptions) {
            s.fail_at(kind_at, "malformed import kind");
            return;
          }
          imp.kind = ExternKind::Tag;
          imp.type_index = tag_type(s);
          m_.tag_types.push_back(imp.type_index);
          ++m_.num_imported_tags;
          break;
        case 0x20: s.fail_at(kind_at, kUnsupportedExactImport); return;  // exact function import
        default: s.fail_at(kind_at, "malformed import kind"); return;
      }
      m_.imports.push_back(std::move(imp));
    }
  }

  uint32_t tag_type(Reader& s) {
    if (s.u8() != 0 && s.ok()) s.fail_at(s.offset() - 1, "zero byte expected");
    return s.u32();
  }

  uint32_t decode_functions(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) m_.func_types.push_back(s.u32());
    return n;
  }

  void decode_tables(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) m_.tables.push_back(table_type(s));
  }

  void decode_memories(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) m_.memories.push_back(memory_type(s));
  }

  void decode_tags(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) m_.tag_types.push_back(tag_type(s));
  }

  void decode_globals(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) {
      m_.globals.push_back(global_type(s));
      m_.global_inits.push_back(const_expr(s));
    }
  }

  void decode_exports(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) {
      Export e;
      e.name = name(s);
      size_t kind_at = s.offset();
      uint8_t kind = s.u8();
      if (s.ok() && (kind > 4 || (kind == 4 && !features_.exceptions))) {
        s.fail_at(kind_at, "malformed export kind");
        return;
      }
      e.kind = ExternKind(kind);
      e.index = s.u32();
      m_.exports.push_back(std::move(e));
    }
  }

  // Element segment encodings, by their flags field:
  //   bit 0: passive or declarative (else active)   bit 1: explicit table index (active) or
  //   declarative (non-active)                       bit 2: items are expressions, not indices
  void decode_elements(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) {
      size_t at = s.offset();
      uint32_t flags = s.u32();
      if (!s.ok()) return;
      if (flags > 7) {
        s.fail_at(at, "malformed elements segment kind");
        return;
      }
      ElemSegment seg;
      bool active = !(flags & 1);
      bool explicit_table = flags & 2;
      seg.uses_exprs = flags & 4;
      if (active) {
        seg.mode = SegmentMode::Active;
        if (explicit_table) seg.table = s.u32();
        seg.offset = const_expr(s);
      } else {
        seg.mode = explicit_table ? SegmentMode::Declarative : SegmentMode::Passive;
      }
      // Encodings 0 and 4 imply funcref; the others carry an element kind or reference type.
      if (!active || explicit_table) {
        if (seg.uses_exprs) {
          seg.type = reftype(s);
        } else {
          uint8_t elemkind = s.u8();
          if (s.ok() && elemkind != 0) s.fail_at(s.offset() - 1, "malformed element kind");
        }
      }
      uint32_t items = count(s);
      if (seg.uses_exprs) {
        seg.exprs.reserve(items);
        for (uint32_t k = 0; k < items && s.ok(); ++k) seg.exprs.push_back(const_expr(s));
      } else {
        seg.func_indices.reserve(items);
        for (uint32_t k = 0; k < items && s.ok(); ++k) seg.func_indices.push_back(s.u32());
      }
      m_.elements.push_back(std::move(seg));
    }
  }

  void decode_code(Reader& s, uint32_t declared_functions) {
    uint32_t n = count(s);
    if (s.ok() && n != declared_functions) {
      s.fail("function and code section have inconsistent lengths");
      return;
    }
    m_.bodies.reserve(n);
    for (uint32_t i = 0; i < n && s.ok(); ++i) {
      uint32_t size = s.u32();
      Reader body = s.sub(size, "length out of bounds");
      if (!s.ok()) return;
      FunctionBody fb;
      fb.offset = uint32_t(body.offset());
      fb.size = size;
      uint32_t groups = count(body);
      for (uint32_t g = 0; g < groups && body.ok(); ++g) {
        size_t at = body.offset();
        LocalGroup lg;
        lg.count = body.u32();
        lg.type = valtype(body);
        fb.local_count += lg.count;
        if (body.ok() && fb.local_count > DecodeLimits::kMaxLocals) {
          body.fail_at(at, "too many locals");
        }
        if (lg.count) fb.locals.push_back(lg);
      }
      if (!body.ok()) {
        s.fail_at(body.error_offset(), body.error());
        return;
      }
      fb.code_offset = uint32_t(body.offset());
      m_.bodies.push_back(std::move(fb));
    }
  }

  void decode_data(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) {
      size_t at = s.offset();
      uint32_t flags = s.u32();
      if (!s.ok()) return;
      DataSegment seg;
      switch (flags) {
        case 0: seg.offset = const_expr(s); break;
        case 1: seg.mode = SegmentMode::Passive; break;
        case 2:
          seg.memory = s.u32();
          seg.offset = const_expr(s);
          break;
        default: s.fail_at(at, "malformed data segment kind"); return;
      }
      uint32_t size = s.u32();
      if (s.ok() && size > s.remaining()) {
        s.fail("unexpected end of section or function");
        return;
      }
      seg.data_offset = uint32_t(s.offset());
      seg.data_size = size;
      s.skip(size);
      m_.data.push_back(std::move(seg));
    }
  }

  const Features& features_;
  ModuleInfo m_;
};

inline Result<ModuleInfo> decode_module(std::span<const uint8_t> bytes,
                                        const Features& features = {}) {
  // Offsets are 32-bit throughout; the JS API caps modules far below this too.
  if (bytes.size() >= (size_t(1) << 31)) return Error(ErrorKind::Decode, "module too large");
  return ModuleDecoder(bytes, features).decode();
}

}  // namespace wasm::detail
