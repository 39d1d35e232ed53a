#pragma once
// Type equivalence as bytes (isorecursive, WebAssembly 3.0): two recursion groups are the same
// exactly when their keys are equal, and two defined types are the same type when they sit at
// the same position of equal groups. A key spells every type of the group (form, finality,
// supertype, parameters and results or fields); a reference to a type inside the group is its
// position in the group, a reference outside it that type's id (for a module's own types the
// id of its equivalence class, in the engine its canonical id). So `(type $t (func (param (ref
// $t))))` in two modules is one type, and equal `rec` groups from any modules are one group.
// Used by the module's own equivalence classes (ModuleInfo::type_classes, for validation) and
// by the engine's type registry (vm/type_registry.hpp), so both agree.
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "wasm/detail/binary/type_defs.hpp"
#include "wasm/types.hpp"

namespace wasm::detail {

// The key of the group of types [start, start + size) of `types` / `defs`. `id_of(index)` is the
// id a type index outside the group stands for; references already canonical (host types) are
// ids themselves.
template <typename IdOf>
void append_group_key(std::string& key, std::span<const FuncType> types, std::span<const TypeDef> defs,
                      uint32_t start, uint32_t size, IdOf&& id_of) {
  auto put_u32 = [&](uint32_t v) {
    for (int s = 0; s < 32; s += 8) key.push_back(char(v >> s));
  };
  auto put_index = [&](uint32_t index, bool canonical) {
    if (!canonical && index >= start && index - start < size) {
      key.push_back('R');
      put_u32(index - start);
    } else {
      key.push_back('E');
      put_u32(canonical ? index : id_of(index));
    }
  };
  auto put = [&](ValType t) {
    key.push_back(char(t.kind()));
    key.push_back(char(t.heap()));
    key.push_back(char(t.is_ref() && t.nullable()));
    if (t.has_index()) put_index(t.index(), t.is_canonical());
  };
  put_u32(size);
  for (uint32_t i = start; i < start + size; ++i) {
    const TypeDef& d = defs[i];
    key.push_back(char(d.kind));
    key.push_back(char(d.final));
    if (d.super) put_index(*d.super, false);
    else key.push_back('N');
    if (d.is_func()) {
      put_u32(uint32_t(types[i].params.size()));
      for (ValType t : types[i].params) put(t);
      put_u32(uint32_t(types[i].results.size()));
      for (ValType t : types[i].results) put(t);
    } else {
      put_u32(uint32_t(d.fields.size()));
      for (const FieldType& f : d.fields) {
        key.push_back(char(f.packed));
        key.push_back(char(f.mutable_));
        put(f.type);
      }
    }
  }
}

// For each type of a module, the smallest index of a type equivalent to it. A reference to a
// type after its group (invalid, reported by the validator) keeps its raw index, marked.
inline std::vector<uint32_t> type_equivalence_classes(std::span<const FuncType> types,
                                                      std::span<const TypeDef> defs) {
  std::vector<TypeDef> plain;  // function types only (a ModuleInfo built without definitions)
  if (defs.size() != types.size()) {
    plain.resize(types.size());
    defs = plain;
  }
  std::vector<uint32_t> classes;
  classes.reserve(types.size());
  std::unordered_map<std::string, uint32_t> first;  // group key -> its first type index
  std::string key;
  uint32_t i = 0;
  while (i < types.size()) {
    uint32_t size = i < defs.size() ? defs[i].rec_size : 1;
    if (size == 0 || size > types.size() - i) size = 1;
    key.clear();
    append_group_key(key, types, defs, i, size, [&](uint32_t index) {
      return index < i ? classes[index] : index | 0x80000000u;
    });
    uint32_t base = first.try_emplace(key, i).first->second;
    for (uint32_t k = 0; k < size; ++k) classes.push_back(base + k);
    i += size;
  }
  return classes;
}

}  // namespace wasm::detail
