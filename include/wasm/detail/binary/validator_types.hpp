#pragma once
// Validation of the type section (WebAssembly 3.0): type indices inside a type name the types
// of its recursion group or of earlier groups; a type declares at most one supertype, of an
// earlier index, not final, with a composite type it matches (func: contravariant parameters,
// covariant results; struct: at least the supertype's fields, each matching; array: matching
// element). A field matches when mutability and packing are equal and the types are subtypes
// (mutable fields: equal types). The spec's messages: "unknown type", "sub type".
#include <cstdint>
#include <optional>
#include <string>

#include "wasm/detail/binary/module_info.hpp"
#include "wasm/detail/binary/type_defs.hpp"
#include "wasm/error.hpp"

namespace wasm::detail::validator_types {

inline Error invalid(std::string message) { return Error(ErrorKind::Validate, std::move(message)); }

inline bool field_matches(const ModuleInfo& m, const FieldType& sub, const FieldType& super) {
  if (sub.mutable_ != super.mutable_ || sub.packed != super.packed) return false;
  if (!m.subtype(sub.type, super.type)) return false;
  return !sub.mutable_ || m.subtype(super.type, sub.type);
}

// Composite type of `sub` matches that of `super` (both valid indices).
inline bool composite_matches(const ModuleInfo& m, uint32_t sub, uint32_t super) {
  const TypeDef& a = m.type_defs[sub];
  const TypeDef& b = m.type_defs[super];
  if (a.kind != b.kind) return false;
  if (a.is_func()) {
    const FuncType& fa = m.types[sub];
    const FuncType& fb = m.types[super];
    if (fa.params.size() != fb.params.size() || fa.results.size() != fb.results.size()) return false;
    for (size_t i = 0; i < fa.params.size(); ++i)
      if (!m.subtype(fb.params[i], fa.params[i])) return false;
    for (size_t i = 0; i < fa.results.size(); ++i)
      if (!m.subtype(fa.results[i], fb.results[i])) return false;
    return true;
  }
  if (a.fields.size() < b.fields.size()) return false;
  if (a.is_array() && a.fields.size() != b.fields.size()) return false;
  for (size_t i = 0; i < b.fields.size(); ++i)
    if (!field_matches(m, a.fields[i], b.fields[i])) return false;
  return true;
}

inline std::optional<Error> check_type_defs(const ModuleInfo& m) {
  if (m.type_defs.size() != m.types.size()) return std::nullopt;  // built without definitions
  for (uint32_t i = 0; i < m.types.size(); ++i) {
    const TypeDef& d = m.type_defs[i];
    const uint32_t bound = d.rec_start + d.rec_size;
    const std::string where = " (type " + std::to_string(i) + ")";
    auto check = [&](ValType t) -> std::optional<Error> {
      if (t.has_index() && t.index() >= bound)
        return invalid("unknown type " + std::to_string(t.index()) + where);
      return std::nullopt;
    };
    for (const auto* list : {&m.types[i].params, &m.types[i].results})
      for (ValType t : *list)
        if (auto e = check(t)) return e;
    for (const FieldType& f : d.fields)
      if (auto e = check(f.type)) return e;
    if (d.super_count > 1)
      return invalid("sub type: at most one supertype, type " + std::to_string(i) + " declares " +
                     std::to_string(d.super_count));
    if (!d.super) continue;
    const uint32_t s = *d.super;
    if (s >= i) return invalid("unknown type " + std::to_string(s) + ": a supertype must come before its subtype" + where);
    if (m.type_defs[s].final)
      return invalid("sub type: type " + std::to_string(i) + " extends final type " + std::to_string(s));
    if (!composite_matches(m, i, s))
      return invalid("sub type: type " + std::to_string(i) + " (" + type_def_kind_name(d.kind) +
                     ") does not match its supertype " + std::to_string(s) + " (" +
                     type_def_kind_name(m.type_defs[s].kind) + ")");
  }
  return std::nullopt;
}

}  // namespace wasm::detail::validator_types
