#pragma once
// Engine-wide function type ids. Two functions have the same id exactly when their types are
// equal, so call_indirect compares one u32 instead of two signatures. Id 0 is never used.
// Registered types are canonical: a typed reference in them names an engine id
// (ValType::is_canonical), never a module's type index.
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

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
  // A type whose references (if any) are canonical already (host function types).
  uint32_t intern(const FuncType& type) {
    std::string key;
    append_type_key(key, type, 0xFFFFFFFFu, [](ValType t) { return t.index(); });
    return intern_key(std::move(key), type, 0xFFFFFFFFu);
  }
  // Type `index` of a module whose earlier types have the ids `ids` (ids.size() == index).
  uint32_t intern_module_type(const std::vector<FuncType>& types, uint32_t index,
                              const std::vector<uint32_t>& ids) {
    auto id_of = [&](ValType t) { return t.index() < ids.size() ? ids[t.index()] : 0u; };
    std::string key;
    append_type_key(key, types[index], index, id_of);
    FuncType canonical = types[index];
    for (auto* list : {&canonical.params, &canonical.results})
      for (ValType& t : *list)
        if (t.has_index() && t.index() != index) t = t.with_index(id_of(t), true);
    return intern_key(std::move(key), std::move(canonical), index);
  }
  // The type of an id returned by intern(); references stay valid for the registry's life.
  const FuncType& lookup(uint32_t id) const {
    std::lock_guard lock(mutex_);
    return types_[id - 1];
  }

 private:
  // `self`: the module index of a recursive reference, which becomes the new id.
  uint32_t intern_key(std::string key, FuncType type, uint32_t self) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = ids_.try_emplace(std::move(key), uint32_t(types_.size() + 1));
    if (inserted) {
      for (auto* list : {&type.params, &type.results})
        for (ValType& t : *list)
          if (t.has_index() && !t.is_canonical() && t.index() == self) t = t.with_index(it->second, true);
      types_.push_back(std::move(type));
    }
    return it->second;
  }

  mutable std::mutex mutex_;
  std::unordered_map<std::string, uint32_t> ids_;
  std::deque<FuncType> types_;
};

}  // namespace wasm::detail
