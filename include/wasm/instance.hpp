#pragma once
// Instance: an instantiated module in a store, and access to its exports.
#include <optional>
#include <string_view>

#include "wasm/extern.hpp"
#include "wasm/typed_func.hpp"

namespace wasm {

class Instance {
 public:
  Instance() = default;

  // The export called `name`, made into a handle the first time it is asked for.
  template <detail::StoreLike S>
  std::optional<Extern> get_export(S& store, std::string_view name) const {
    auto s = detail::owning_store(store, store_id_);
    if (!s) return std::nullopt;
    return export_of(**s, (*s)->instances[index_], name);
  }
  template <detail::StoreLike S>
  std::optional<Func> get_func(S& store, std::string_view name) const { return get_as<Func>(store, name); }
  template <detail::StoreLike S>
  std::optional<Memory> get_memory(S& store, std::string_view name) const { return get_as<Memory>(store, name); }
  template <detail::StoreLike S>
  std::optional<Table> get_table(S& store, std::string_view name) const { return get_as<Table>(store, name); }
  template <detail::StoreLike S>
  std::optional<Global> get_global(S& store, std::string_view name) const { return get_as<Global>(store, name); }
  template <detail::StoreLike S>
  std::optional<Tag> get_tag(S& store, std::string_view name) const { return get_as<Tag>(store, name); }

  // The exported function `name` as a TypedFunc; a missing export or another type is an error.
  template <typename Params, typename Results, detail::StoreLike S>
  Result<TypedFunc<Params, Results>> get_typed_func(S& store, std::string_view name) const {
    std::optional<Func> f = get_func(store, name);
    if (!f) return Error(ErrorKind::Type, "no exported function \"" + std::string(name) + "\"");
    return TypedFunc<Params, Results>::from(store, *f);
  }

  // Internal.
  Instance(uint64_t store_id, uint32_t index) : store_id_(store_id), index_(index) {}
  uint64_t store_id() const { return store_id_; }
  uint32_t index() const { return index_; }

  static std::optional<Extern> export_of(detail::StoreData& s, detail::Instance* in, std::string_view name) {
    const auto& index = in->module->export_index;
    auto it = index.find(name);
    if (it == index.end()) return std::nullopt;
    const detail::Export& e = in->info().exports[it->second];
    switch (e.kind) {
      case ExternKind::Func: {
        int64_t& handle = in->func_handles[e.index];
        if (handle < 0) handle = s.add_func(in->func_ref(e.index));
        return Func(s.id, uint32_t(handle));
      }
      case ExternKind::Table: return wasm::Table(s.id, in->table_handles[e.index]);
      case ExternKind::Memory: return Memory(s.id, in->memory_handles[e.index]);
      case ExternKind::Global: return Global(s.id, in->global_handles[e.index]);
      case ExternKind::Tag: return Tag(s.id, in->tag_handles[e.index]);
    }
    return std::nullopt;
  }

 private:
  template <typename E, detail::StoreLike S>
  std::optional<E> get_as(S& store, std::string_view name) const {
    std::optional<Extern> e = get_export(store, name);
    if (!e || !std::holds_alternative<E>(*e)) return std::nullopt;
    return std::get<E>(*e);
  }

  uint64_t store_id_ = 0;
  uint32_t index_ = 0;
};

}  // namespace wasm
