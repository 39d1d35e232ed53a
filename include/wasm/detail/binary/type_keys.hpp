#pragma once
// Type equivalence as bytes: two function types are the same type exactly when their keys are
// equal. A reference to another type is written as that type's id (for a module's own types,
// the id of its equivalence class), a reference of a type to itself as a marker, so that
// `(type $t (func (param (ref $t))))` in two modules is one type. Used by the module's own
// equivalence classes (ModuleInfo::type_classes, for validation) and by the engine's type
// registry (vm/type_registry.hpp), so both agree. (GC's rec groups generalize the marker to
// an index inside the group.)
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "wasm/types.hpp"

namespace wasm::detail {

// `id_of(index)` is the id a referenced type index stands for; `self` is the index of the type
// being keyed (a reference to it is recursive).
template <typename IdOf>
void append_type_key(std::string& key, const FuncType& type, uint32_t self, IdOf&& id_of) {
  auto put = [&](ValType t) {
    key.push_back(char(t.kind()));
    key.push_back(char(t.heap()));
    key.push_back(char(t.is_ref() && t.nullable()));
    if (!t.has_index()) return;
    uint32_t id = t.index() == self && !t.is_canonical() ? 0xFFFFFFFFu : id_of(t);
    for (int s = 0; s < 32; s += 8) key.push_back(char(id >> s));
  };
  for (ValType t : type.params) put(t);
  key.push_back('\x01');  // not a kind byte
  for (ValType t : type.results) put(t);
}

// For each type of a module, the smallest index of a type equivalent to it. A reference to a
// later type (invalid, reported by the validator) keeps its raw index.
inline std::vector<uint32_t> type_equivalence_classes(const std::vector<FuncType>& types) {
  std::vector<uint32_t> classes;
  classes.reserve(types.size());
  std::unordered_map<std::string, uint32_t> first;
  std::string key;
  for (uint32_t i = 0; i < types.size(); ++i) {
    key.clear();
    append_type_key(key, types[i], i, [&](ValType t) {
      return t.index() < i ? classes[t.index()] : t.index() | 0x80000000u;
    });
    classes.push_back(first.try_emplace(key, i).first->second);
  }
  return classes;
}

}  // namespace wasm::detail
