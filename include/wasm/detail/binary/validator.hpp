#pragma once
// Validates a decoded module as the WebAssembly 2.0 specification says: the module-level rules
// here, constant expressions in validator_const.hpp, function bodies in validator_function.hpp.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/detail/binary/validator_const.hpp"
#include "wasm/detail/binary/validator_function.hpp"
#include "wasm/detail/binary/validator_types.hpp"
#include "wasm/detail/binary/module_info.hpp"
#include "wasm/features.hpp"
#include "wasm/result.hpp"

namespace wasm::detail {

namespace validator_impl {

inline Error invalid(std::string message) { return Error(ErrorKind::Validate, std::move(message)); }

// Functions that ref.func may name inside bodies (C.refs): those named by element segments,
// exports and global initialisers.
inline std::vector<uint8_t> declared_func_refs(const ModuleInfo& m) {
  std::vector<uint8_t> refs(m.func_types.size(), 0);
  auto mark = [&](uint32_t f) {
    if (f < refs.size()) refs[f] = 1;
  };
  auto mark_expr = [&](const ConstExpr& e) {
    for (const Instruction& in : e.code)
      if (in.op == Op::RefFunc) mark(in.index);
  };
  for (const ElemSegment& seg : m.elements) {
    for (uint32_t f : seg.func_indices) mark(f);
    for (const ConstExpr& e : seg.exprs) mark_expr(e);
  }
  for (const Export& e : m.exports)
    if (e.kind == ExternKind::Func) mark(e.index);
  for (const ConstExpr& e : m.global_inits) mark_expr(e);
  return refs;
}

// Table and memory limits: each bound within `range`, then min <= max.
inline std::optional<Error> check_limits(const Limits& l, uint64_t range, const char* range_message,
                                         const char* what, uint32_t index) {
  std::string where = std::string(" (") + what + " " + std::to_string(index) + ")";
  if (l.min > range || (l.max && *l.max > range)) return invalid(range_message + where);
  if (l.max && l.min > *l.max)
    return invalid("size minimum must not be greater than maximum: " + std::to_string(l.min) +
                   " > " + std::to_string(*l.max) + where);
  return std::nullopt;
}

inline std::optional<Error> check_memory_type(const MemoryType& t, const Features& f,
                                              uint32_t index) {
  auto e = t.is64 ? check_limits(t.limits, kMaxPages64,
                                 "memory size must be at most 2^48 pages (16EiB)", "memory", index)
                  : check_limits(t.limits, kMaxPages32,
                                 "memory size must be at most 65536 pages (4GiB)", "memory", index);
  if (e) return e;
  if (t.limits.shared && !t.limits.max)
    return invalid("shared memory must have maximum (memory " + std::to_string(index) + ")");
  if (t.limits.shared && !f.threads)
    return invalid("shared memories need the threads feature (memory " + std::to_string(index) +
                   ")");
  return std::nullopt;
}

// An i64 table's limits are bounded by the u64 encoding alone.
inline std::optional<Error> check_table_type(const TableType& t, uint32_t index) {
  if (t.is64) return check_limits(t.limits, UINT64_MAX, "", "table", index);
  return check_limits(t.limits, kMaxTableSize, "table size must be at most 2^32-1", "table",
                      index);
}

// Type indices inside value types: a type may name the types of its recursion group and those
// before it (validator_types.hpp), everything else any type of the module.
inline std::optional<Error> check_type_refs(ValType t, uint32_t bound, const std::string& where) {
  if (t.has_index() && t.index() >= bound)
    return invalid("unknown type " + std::to_string(t.index()) + " (" + where + ")");
  return std::nullopt;
}

inline std::optional<Error> check_value_types(const ModuleInfo& m) {
  const uint32_t n = uint32_t(m.types.size());
  if (m.type_defs.size() == n) {
    if (auto e = validator_types::check_type_defs(m)) return e;  // groups, supertypes
  } else {
    for (uint32_t i = 0; i < n; ++i)
      for (const auto* list : {&m.types[i].params, &m.types[i].results})
        for (ValType t : *list)
          if (auto e = check_type_refs(t, i + 1, "type " + std::to_string(i))) return e;
  }
  for (uint32_t i = 0; i < m.tables.size(); ++i)
    if (auto e = check_type_refs(m.tables[i].element, n, "table " + std::to_string(i))) return e;
  for (uint32_t i = 0; i < m.globals.size(); ++i)
    if (auto e = check_type_refs(m.globals[i].type, n, "global " + std::to_string(i))) return e;
  for (uint32_t i = 0; i < m.elements.size(); ++i)
    if (auto e = check_type_refs(m.elements[i].type, n, "elem segment " + std::to_string(i))) return e;
  return std::nullopt;
}

// Types, imports, function declarations, tables, memories and tags.
inline std::optional<Error> check_declarations(const ModuleInfo& m, const Features& f) {
  if (auto e = check_value_types(m)) return e;
  for (uint32_t i = 0; i < m.func_types.size(); ++i) {
    if (m.func_types[i] >= m.types.size())
      return invalid("unknown type " + std::to_string(m.func_types[i]) + " (function " +
                     std::to_string(i) + ")");
    if (!m.is_func_type(m.func_types[i]))
      return invalid("type mismatch: function " + std::to_string(i) + " has type " +
                     std::to_string(m.func_types[i]) + ", which is not a function type");
  }
  for (uint32_t i = 0; i < m.tag_types.size(); ++i) {
    if (m.tag_types[i] >= m.types.size())
      return invalid("unknown type " + std::to_string(m.tag_types[i]) + " (tag " +
                     std::to_string(i) + ")");
    if (!m.is_func_type(m.tag_types[i]))
      return invalid("type mismatch: tag " + std::to_string(i) + " has a type that is not a function type");
    if (!m.types[m.tag_types[i]].results.empty())
      return invalid("non-empty tag result type (tag " + std::to_string(i) + ")");
  }
  for (uint32_t i = 0; i < m.tables.size(); ++i)
    if (auto e = check_table_type(m.tables[i], i)) return e;
  for (uint32_t i = 0; i < m.memories.size(); ++i)
    if (auto e = check_memory_type(m.memories[i], f, i)) return e;
  if (m.tables.size() > 1 && !f.reference_types)
    return invalid("multiple tables: " + std::to_string(m.tables.size()) +
                   " tables need the reference-types feature");
  if (m.memories.size() > 1 && !f.multi_memory)
    return invalid("multiple memories: " + std::to_string(m.memories.size()) +
                   " memories need the multi-memory feature");
  return std::nullopt;
}

// A table of a non-null type needs an initializer (there is no null to fill it with).
inline std::optional<Error> check_table_inits(const ModuleInfo& m, ConstExprValidator& consts) {
  for (uint32_t i = 0; i < m.table_inits.size(); ++i) {
    uint32_t t = m.num_imported_tables + i;
    if (t >= m.tables.size()) break;
    if (m.table_inits[i]) {
      if (auto e = consts.check(*m.table_inits[i], m.tables[t].element, "table", t)) return e;
    } else if (!m.tables[t].element.defaultable()) {
      return invalid("type mismatch: table " + std::to_string(t) + " of " +
                     valtype_name(m.tables[t].element) + " needs an initializer expression");
    }
  }
  return std::nullopt;
}

inline std::optional<Error> check_globals(const ModuleInfo& m, ConstExprValidator& consts) {
  for (uint32_t i = 0; i < m.global_inits.size(); ++i) {
    uint32_t g = m.num_imported_globals + i;
    if (g >= m.globals.size()) return invalid("global initialiser without a global");
    if (auto e = consts.check(m.global_inits[i], m.globals[g].type, "global", g)) return e;
  }
  return std::nullopt;
}

inline std::optional<Error> check_elements(const ModuleInfo& m, ConstExprValidator& consts) {
  for (uint32_t i = 0; i < m.elements.size(); ++i) {
    const ElemSegment& seg = m.elements[i];
    std::string where = " (elem segment " + std::to_string(i) + ")";
    if (seg.mode == SegmentMode::Active) {
      if (seg.table >= m.tables.size())
        return invalid("unknown table " + std::to_string(seg.table) + where);
      ValType addr = m.tables[seg.table].is64 ? ValType::I64 : ValType::I32;
      if (auto e = consts.check(seg.offset, addr, "elem segment", i)) return e;
      if (!m.subtype(seg.type, m.tables[seg.table].element))
        return invalid(std::string("type mismatch: ") + valtype_name(seg.type) +
                       " segment for a table of " + valtype_name(m.tables[seg.table].element) +
                       where);
    }
    for (uint32_t f : seg.func_indices)
      if (f >= m.func_types.size()) return invalid("unknown function " + std::to_string(f) + where);
    for (const ConstExpr& item : seg.exprs)
      if (auto e = consts.check(item, seg.type, "elem segment", i)) return e;
  }
  return std::nullopt;
}

inline std::optional<Error> check_data(const ModuleInfo& m, ConstExprValidator& consts) {
  for (uint32_t i = 0; i < m.data.size(); ++i) {
    const DataSegment& seg = m.data[i];
    if (seg.mode != SegmentMode::Active) continue;
    if (seg.memory >= m.memories.size())
      return invalid("unknown memory " + std::to_string(seg.memory) + " (data segment " +
                     std::to_string(i) + ")");
    ValType addr = m.memories[seg.memory].is64 ? ValType::I64 : ValType::I32;
    if (auto e = consts.check(seg.offset, addr, "data segment", i)) return e;
  }
  return std::nullopt;
}

inline std::optional<Error> check_start(const ModuleInfo& m) {
  if (!m.start) return std::nullopt;
  if (*m.start >= m.func_types.size())
    return invalid("unknown function " + std::to_string(*m.start) + " (start function)");
  const FuncType& t = m.func_type(*m.start);
  if (!t.params.empty() || !t.results.empty())
    return invalid("start function must have type [] -> [], function " +
                   std::to_string(*m.start) + " has type " + t.to_string());
  return std::nullopt;
}

inline std::optional<Error> check_exports(const ModuleInfo& m) {
  std::vector<std::string_view> names;
  names.reserve(m.exports.size());
  for (const Export& e : m.exports) {
    size_t count = 0;
    switch (e.kind) {
      case ExternKind::Func: count = m.func_types.size(); break;
      case ExternKind::Table: count = m.tables.size(); break;
      case ExternKind::Memory: count = m.memories.size(); break;
      case ExternKind::Global: count = m.globals.size(); break;
      case ExternKind::Tag: count = m.tag_types.size(); break;
    }
    if (e.index >= count)
      return invalid(std::string("unknown ") + (e.kind == ExternKind::Func ? "function"
                                                                            : extern_kind_name(e.kind)) +
                     " " + std::to_string(e.index) + " (export \"" + e.name + "\")");
    names.push_back(e.name);
  }
  std::sort(names.begin(), names.end());
  auto dup = std::adjacent_find(names.begin(), names.end());
  if (dup != names.end()) return invalid("duplicate export name \"" + std::string(*dup) + "\"");
  return std::nullopt;
}

// All rules outside function bodies, in the order the specification lists them.
inline std::optional<Error> check_module_level(const ModuleInfo& m, const Features& f) {
  ConstExprValidator consts(m, f);
  if (auto e = check_declarations(m, f)) return e;
  if (auto e = check_table_inits(m, consts)) return e;
  if (auto e = check_globals(m, consts)) return e;
  if (auto e = check_elements(m, consts)) return e;
  if (auto e = check_data(m, consts)) return e;
  if (auto e = check_start(m)) return e;
  return check_exports(m);
}

}  // namespace validator_impl

// An invalid module yields an Error of kind ErrorKind::Validate; malformed code found inside
// function bodies yields ErrorKind::Decode. As in the specification, which decodes the whole
// module before validating it, a malformed body is reported even after a validation error.
inline Result<void> validate_module(const ModuleInfo& module, const Features& features = {}) {
  std::optional<Error> first_invalid = validator_impl::check_module_level(module, features);
  std::vector<uint8_t> refs = validator_impl::declared_func_refs(module);
  FunctionValidator bodies(module, features, refs);
  for (uint32_t i = 0; i < module.bodies.size(); ++i) {
    uint32_t func = module.num_imported_funcs + i;
    if (func >= module.func_types.size())
      return Error(ErrorKind::Decode, "function and code section have inconsistent lengths");
    std::optional<Error> e = first_invalid ? bodies.decode_only(func, module.bodies[i])
                                           : bodies.check(func, module.bodies[i]);
    if (!e) continue;
    if (e->kind() == ErrorKind::Decode || e->kind() == ErrorKind::Unsupported) return std::move(*e);
    first_invalid = std::move(e);
  }
  if (first_invalid) return std::move(*first_invalid);
  return {};
}

}  // namespace wasm::detail
