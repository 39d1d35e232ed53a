#pragma once
// Engine-wide type ids, canonical in the isorecursive sense of WebAssembly 3.0: equal recursion
// groups from any modules (and host function types, each a group of one final function type)
// get the same ids, one per type of the group, consecutive. Two defined types have the same id
// exactly when they are the same type, so call_indirect, imports and (later) casts compare one
// u32. Id 0 is never used.
// Registered types are canonical: a typed reference in them, and a supertype, names an engine id
// (ValType::is_canonical), never a module's type index.
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "wasm/detail/binary/type_defs.hpp"
#include "wasm/detail/binary/type_keys.hpp"
#include "wasm/types.hpp"

namespace wasm::detail {

// A module's type as the engine knows it: a type index becomes the engine id in `ids` (the
// module's type_ids), so that types from different modules compare (tables, globals, imports).
inline ValType canonical_type(ValType t, const std::vector<uint32_t>& ids) {
  if (!t.has_index() || t.is_canonical() || t.index() >= ids.size()) return t;
  return t.with_index(ids[t.index()], true);
}

class TypeRegistry {
 public:
  // A function type whose references (if any) are canonical already (host function types): a
  // final function type without supertype, alone in its group.
  uint32_t intern(const FuncType& type) {
    TypeDef def;
    std::string key;
    append_group_key(key, std::span<const FuncType>(&type, 1), std::span<const TypeDef>(&def, 1), 0, 1,
                     [](uint32_t index) { return index; });
    return intern_group(std::move(key), std::span<const FuncType>(&type, 1),
                        std::span<const TypeDef>(&def, 1), 0, 1, {});
  }

  // Every type of a module (types and defs of one ModuleInfo): the engine id of each index.
  std::vector<uint32_t> intern_module_types(std::span<const FuncType> types, std::span<const TypeDef> defs) {
    std::vector<TypeDef> plain;  // a ModuleInfo built without definitions: function types only
    if (defs.size() != types.size()) {
      plain.resize(types.size());
      for (uint32_t i = 0; i < plain.size(); ++i) plain[i].rec_start = i;
      defs = plain;
    }
    std::vector<uint32_t> ids;
    ids.reserve(types.size());
    std::string key;
    uint32_t i = 0;
    while (i < types.size()) {
      uint32_t size = defs[i].rec_size;
      if (size == 0 || size > types.size() - i) size = 1;
      key.clear();
      append_group_key(key, types, defs, i, size,
                       [&](uint32_t index) { return index < ids.size() ? ids[index] : 0u; });
      uint32_t base = intern_group(std::move(key), types, defs, i, size, ids);
      for (uint32_t k = 0; k < size; ++k) ids.push_back(base + k);
      i += size;
    }
    return ids;
  }

  // The function type of an id (empty for a struct or array type); references stay valid for
  // the registry's life.
  const FuncType& lookup(uint32_t id) const {
    std::lock_guard lock(mutex_);
    return types_[id - 1];
  }
  // The definition of an id, with its supertype as an id.
  const TypeDef& definition(uint32_t id) const {
    std::lock_guard lock(mutex_);
    return defs_[id - 1];
  }
  // Id a <: id b: equal ids, or b among a's declared supertypes (transitively).
  bool subtype(uint32_t a, uint32_t b) const {
    std::lock_guard lock(mutex_);
    while (a != b) {
      if (a == 0 || a > defs_.size() || !defs_[a - 1].super) return false;
      a = *defs_[a - 1].super;
    }
    return true;
  }

 private:
  // Interns the group [start, start + size) of a module whose earlier types have the ids `ids`
  // (ids.size() == start); returns the id of its first type.
  uint32_t intern_group(std::string key, std::span<const FuncType> types, std::span<const TypeDef> defs,
                        uint32_t start, uint32_t size, std::span<const uint32_t> ids) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = ids_.try_emplace(std::move(key), uint32_t(types_.size() + 1));
    if (!inserted) return it->second;
    const uint32_t base = it->second;
    auto canonical = [&](uint32_t index) {
      if (index >= start && index - start < size) return base + (index - start);
      return index < ids.size() ? ids[index] : 0u;
    };
    auto fix = [&](ValType t) {
      return t.has_index() && !t.is_canonical() ? t.with_index(canonical(t.index()), true) : t;
    };
    for (uint32_t i = start; i < start + size; ++i) {
      FuncType type = types[i];
      for (auto* list : {&type.params, &type.results})
        for (ValType& t : *list) t = fix(t);
      TypeDef def = defs[i];
      if (def.super) def.super = canonical(*def.super);
      for (FieldType& f : def.fields) f.type = fix(f.type);
      def.rec_start = base;
      types_.push_back(std::move(type));
      defs_.push_back(std::move(def));
    }
    return base;
  }

  mutable std::mutex mutex_;
  std::unordered_map<std::string, uint32_t> ids_;
  std::deque<FuncType> types_;
  std::deque<TypeDef> defs_;
};

}  // namespace wasm::detail
