#pragma once
// Global: a global variable of a store. Mutable globals are shared by reference between the
// instances that import them.
#include <cstring>

#include "wasm/detail/api/value_fits.hpp"
#include "wasm/detail/api/value_fits.hpp"
#include "wasm/store.hpp"
#include "wasm/value.hpp"

namespace wasm {

class Global {
 public:
  Global() = default;

  template <typename T>
  static Result<Global> create(Store<T>& store, const GlobalType& type, const Val& init) {
    if (!detail::value_fits(init, type.type)) return Error(ErrorKind::Type, "global initial value of the wrong type");
    detail::StoreData& s = store.inner();
    auto def = std::make_unique<detail::VMGlobalDefinition>();
    std::memcpy(def->storage, &init.raw(), sizeof def->storage);
    uint32_t index = s.add_global(def.get(), type);
    s.host_globals.push_back(std::move(def));
    return Global(s.id, index);
  }

  template <detail::StoreLike S>
  Result<GlobalType> type(S& store) const {
    auto r = record(store);
    if (!r) return std::move(r).error();
    return (*r)->type;
  }
  template <detail::StoreLike S>
  Result<Val> get(S& store) const {
    auto r = record(store);
    if (!r) return std::move(r).error();
    detail::ValRaw raw;
    std::memcpy(&raw, (*r)->definition->storage, sizeof raw);
    return Val::from_raw((*r)->type.type, raw);
  }
  template <detail::StoreLike S>
  Result<void> set(S& store, const Val& value) const {
    auto r = record(store);
    if (!r) return std::move(r).error();
    if (!(*r)->type.mutable_) return Error(ErrorKind::Type, "global is immutable");
    if (!detail::value_fits(value, (*r)->type.type)) return Error(ErrorKind::Type, "global value of the wrong type");
    std::memcpy((*r)->definition->storage, &value.raw(), sizeof(detail::ValRaw));
    return {};
  }

  // Internal.
  Global(uint64_t store_id, uint32_t index) : store_id_(store_id), index_(index) {}
  uint32_t index() const { return index_; }
  uint64_t store_id() const { return store_id_; }

 private:
  template <detail::StoreLike S>
  Result<detail::StoreData::GlobalRecord*> record(S& store) const {
    auto s = detail::owning_store(store, store_id_);
    if (!s) return std::move(s).error();
    return &(*s)->globals[index_];
  }

  uint64_t store_id_ = 0;
  uint32_t index_ = 0;
};

}  // namespace wasm
