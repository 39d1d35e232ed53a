#pragma once
// ModuleInfo: everything the decoder learns about a module, as plain data. The validator checks
// it, the runtime instantiates from it and the compiler reads function bodies through it.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "wasm/detail/binary/instruction.hpp"
#include "wasm/detail/binary/type_defs.hpp"
#include "wasm/types.hpp"

namespace wasm::detail {

// A constant expression, decoded: the instructions before its final `end`.
struct ConstExpr {
  std::vector<Instruction> code;
  uint32_t offset = 0;  // module offset of the first instruction, for messages
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t type_index = 0;  // Func: its type; Tag: its type
  TableType table;
  MemoryType memory;
  GlobalType global;
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::Active;
  uint32_t table = 0;
  ConstExpr offset;  // Active only
  ValType type = ValType::FuncRef;
  // Exactly one of the two lists is used: function indices (the compact encodings) or
  // one constant expression per element (the expression encodings).
  bool uses_exprs = false;
  std::vector<uint32_t> func_indices;
  std::vector<ConstExpr> exprs;

  size_t size() const { return uses_exprs ? exprs.size() : func_indices.size(); }
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Active;  // never Declarative
  uint32_t memory = 0;
  ConstExpr offset;        // Active only
  uint32_t data_offset = 0;  // into ModuleInfo::bytes
  uint32_t data_size = 0;
};

struct LocalGroup {
  uint32_t count = 0;
  ValType type = ValType::I32;
};

struct FunctionBody {
  uint32_t offset = 0;       // module offset of the body (after its size field)
  uint32_t size = 0;         // bytes of locals + code
  uint32_t code_offset = 0;  // module offset of the first instruction
  std::vector<LocalGroup> locals;
  uint64_t local_count = 0;  // declared locals, not counting parameters
};

struct CustomSection {
  std::string name;
  uint32_t offset = 0;  // module offset of the payload after the name
  uint32_t size = 0;
};

// Contents of the `name` custom section, when present and well-formed.
struct NameSection {
  std::optional<std::string> module;
  std::unordered_map<uint32_t, std::string> functions;
  std::unordered_map<uint32_t, std::unordered_map<uint32_t, std::string>> locals;
};

struct ModuleInfo {
  std::vector<uint8_t> bytes;  // the module's binary, which offsets refer to

  // One entry per type index: the function type (empty for a struct or array type) and the
  // type's definition (form, fields, supertype, finality, recursion group).
  std::vector<FuncType> types;
  std::vector<TypeDef> type_defs;
  // For each type, the smallest index of an equivalent type (type_keys.hpp, isorecursive: the
  // same position in equal recursion groups): two defined types are the same type exactly when
  // their classes are equal.
  std::vector<uint32_t> type_classes;
  std::vector<Import> imports;

  // Index spaces: imported entities come first.
  std::vector<uint32_t> func_types;  // type index of every function
  uint32_t num_imported_funcs = 0;
  std::vector<TableType> tables;
  uint32_t num_imported_tables = 0;
  // One per defined table: its initializer expression ((table n (ref $t) expr)), or none (null).
  std::vector<std::optional<ConstExpr>> table_inits;
  std::vector<MemoryType> memories;
  uint32_t num_imported_memories = 0;
  std::vector<GlobalType> globals;
  uint32_t num_imported_globals = 0;
  std::vector<ConstExpr> global_inits;  // one per defined global
  std::vector<uint32_t> tag_types;      // exception tags (type index), imports first
  uint32_t num_imported_tags = 0;

  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elements;
  std::optional<uint32_t> data_count;
  std::vector<DataSegment> data;
  std::vector<FunctionBody> bodies;  // one per defined function
  std::vector<CustomSection> custom_sections;
  NameSection names;

  uint32_t num_defined_funcs() const { return uint32_t(func_types.size()) - num_imported_funcs; }
  const FuncType& func_type(uint32_t func_index) const { return types[func_types[func_index]]; }
  // a <: b between this module's types (type indices as the module numbers them).
  bool subtype(ValType a, ValType b) const { return defined_subtype(a, b, type_defs, type_classes); }
  // The definition of type `index`, if it is one of the module's types of that form.
  const TypeDef* struct_type(uint32_t index) const {
    return index < type_defs.size() && type_defs[index].is_struct() ? &type_defs[index] : nullptr;
  }
  const TypeDef* array_type(uint32_t index) const {
    return index < type_defs.size() && type_defs[index].is_array() ? &type_defs[index] : nullptr;
  }
  bool is_func_type(uint32_t index) const {
    return index < type_defs.size() ? type_defs[index].is_func() : index < types.size();
  }
  std::span<const uint8_t> body_code(const FunctionBody& body) const {
    return std::span<const uint8_t>(bytes).subspan(body.code_offset,
                                                   body.offset + body.size - body.code_offset);
  }
  std::span<const uint8_t> segment_bytes(const DataSegment& seg) const {
    return std::span<const uint8_t>(bytes).subspan(seg.data_offset, seg.data_size);
  }
  // The function's name from the name section, or "" when it has none.
  std::string func_name(uint32_t func_index) const {
    auto it = names.functions.find(func_index);
    return it == names.functions.end() ? std::string() : it->second;
  }
};

}  // namespace wasm::detail
