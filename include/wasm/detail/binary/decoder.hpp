#pragma once
// Decodes a module binary into ModuleInfo: the header, every section with its order and size
// checks, and the locals of each function body. Instructions inside bodies are read later by the
// validator (which reports malformed code as a decode error).
#include <span>
#include <string>

#include "wasm/detail/binary/instruction.hpp"
#include "wasm/detail/binary/module_reader.hpp"
#include "wasm/detail/binary/type_keys.hpp"
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
  static constexpr uint32_t kMaxFunctionParams = module_reader::kMaxFunctionParams;
  static constexpr uint32_t kMaxFunctionResults = module_reader::kMaxFunctionResults;
};

class ModuleDecoder {
 public:
  ModuleDecoder(std::span<const uint8_t> bytes, const Features& features)
      : features_(features) {
    m_.bytes.assign(bytes.begin(), bytes.end());
  }

  Result<ModuleInfo> decode() {
    Reader r(m_.bytes);
    module_reader::read_header(r);
    module_reader::SectionReader sections(r, features_);
    module_reader::Section section;
    bool saw_function_section = false;
    bool saw_code_section = false;
    uint32_t declared_functions = 0;
    while (sections.next(section)) {
      Reader& s = section.body;
      SectionId sid = section.id;
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

  uint32_t count(Reader& s) { return module_reader::read_count(s); }

  std::string name(Reader& s) {
    auto bytes = module_reader::read_name_bytes(s);
    if (!s.ok()) return {};
    if (!is_valid_utf8(bytes)) {
      s.fail_at(s.offset() - bytes.size(), "malformed UTF-8 encoding");
      return {};
    }
    return std::string(bytes.begin(), bytes.end());
  }

  ValType valtype(Reader& s) { return module_reader::read_valtype(s, features_); }
  ValType reftype(Reader& s) { return module_reader::read_reftype(s, features_); }

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

  // Receives the types of one recursion group from module_reader::read_rec_group.
  struct TypeSink {
    ModuleInfo& m;
    uint32_t group_start;
    void begin(const module_reader::SubTypeHeader& h) {
      TypeDef d;
      d.kind = TypeDef::Kind(h.form);
      d.final = h.final;
      d.super_count = h.super_count;
      if (h.super_count > 0) d.super = h.super;
      d.rec_start = group_start;
      m.types.emplace_back();
      m.type_defs.push_back(std::move(d));
    }
    void param(ValType t) { m.types.back().params.push_back(t); }
    void result(ValType t) { m.types.back().results.push_back(t); }
    void field(const module_reader::FieldRead& f) {
      FieldType ft;
      ft.type = f.type;
      ft.packed = FieldType::Packed(f.packed);
      ft.mutable_ = f.mutable_;
      m.type_defs.back().fields.push_back(ft);
    }
  };

  void decode_types(Reader& s) {
    uint32_t groups = count(s);
    m_.types.reserve(groups);
    m_.type_defs.reserve(groups);
    for (uint32_t g = 0; g < groups && s.ok(); ++g) {
      TypeSink sink{m_, uint32_t(m_.types.size())};
      module_reader::read_rec_group(s, features_, sink);
      if (!s.ok()) return;
      const uint32_t size = uint32_t(m_.types.size()) - sink.group_start;
      for (uint32_t i = sink.group_start; i < m_.types.size(); ++i) m_.type_defs[i].rec_size = size;
    }
    m_.type_classes = type_equivalence_classes(m_.types, m_.type_defs);
  }

  void decode_imports(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) {
      Import imp;
      imp.module = name(s);
      imp.name = name(s);
      if (!s.ok()) return;
      module_reader::ImportDesc d = module_reader::read_import_desc(s, features_);
      if (!s.ok()) return;
      imp.kind = d.kind;
      switch (d.kind) {
        case ExternKind::Func:
          imp.type_index = d.index;
          m_.func_types.push_back(d.index);
          ++m_.num_imported_funcs;
          break;
        case ExternKind::Table:
          imp.table = d.table;
          m_.tables.push_back(d.table);
          ++m_.num_imported_tables;
          break;
        case ExternKind::Memory:
          imp.memory = d.memory;
          m_.memories.push_back(d.memory);
          ++m_.num_imported_memories;
          break;
        case ExternKind::Global:
          imp.global = d.global;
          m_.globals.push_back(d.global);
          ++m_.num_imported_globals;
          break;
        case ExternKind::Tag:
          imp.type_index = d.index;
          m_.tag_types.push_back(d.index);
          ++m_.num_imported_tags;
          break;
      }
      m_.imports.push_back(std::move(imp));
    }
  }

  uint32_t decode_functions(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) m_.func_types.push_back(s.u32());
    return n;
  }

  void decode_tables(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) {
      bool has_init = false;
      m_.tables.push_back(module_reader::read_table_type(s, features_, &has_init));
      m_.table_inits.emplace_back();
      if (has_init && s.ok()) m_.table_inits.back() = const_expr(s);
    }
  }

  void decode_memories(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) m_.memories.push_back(module_reader::read_memory_type(s, features_));
  }

  void decode_tags(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) m_.tag_types.push_back(module_reader::read_tag_type(s));
  }

  void decode_globals(Reader& s) {
    uint32_t n = count(s);
    for (uint32_t i = 0; i < n && s.ok(); ++i) {
      m_.globals.push_back(module_reader::read_global_type(s, features_));
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
      // Function indices are never null: with typed references such a segment is (ref func).
      if (!seg.uses_exprs && features_.function_references) {
        seg.type = ValType::ref(ValType::Heap::Func, false);
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
