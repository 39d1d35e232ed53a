#pragma once
// Table: a table of references of a store.
#include "wasm/detail/api/value_fits.hpp"
#include "wasm/store.hpp"
#include "wasm/value.hpp"

namespace wasm {

class Table {
 public:
  Table() = default;

  // A new table of `type`, every element set to `init` (a null reference by default).
  template <typename T>
  static Result<Table> create(Store<T>& store, const TableType& type, std::optional<Val> init = {}) {
    detail::StoreData& s = store.inner();
    auto table = detail::Table::create(type, {}, s.limiter);
    if (!table) return std::move(table).error();
    void* value = init ? init->raw().ref : nullptr;
    (void)(*table)->fill(0, value, (*table)->size());
    s.tables.push_back(std::move(*table));
    return Table(s.id, uint32_t(s.tables.size() - 1));
  }

  template <detail::StoreLike S>
  uint64_t size(S& store) const {
    auto t = get(store);
    return t ? (*t)->size() : 0;
  }
  template <detail::StoreLike S>
  Result<TableType> type(S& store) const {
    auto t = get(store);
    if (!t) return std::move(t).error();
    return (*t)->type();
  }
  // The element at `index`, or a TableOutOfBounds trap error.
  template <detail::StoreLike S>
  Result<Val> get(S& store, uint64_t index) const {
    auto t = get(store);
    if (!t) return std::move(t).error();
    std::optional<void*> value = (*t)->get(index);
    if (!value) return Error::trap(TrapCode::TableOutOfBounds);
    detail::ValRaw raw{};
    raw.ref = *value;
    return Val::from_raw((*t)->element_type(), raw);
  }
  template <detail::StoreLike S>
  Result<void> set(S& store, uint64_t index, const Val& value) const {
    auto t = get(store);
    if (!t) return std::move(t).error();
    if (!detail::value_fits(value, (*t)->element_type())) return Error(ErrorKind::Type, "table element of the wrong type");
    if (!(*t)->set(index, value.raw().ref)) return Error::trap(TrapCode::TableOutOfBounds);
    return {};
  }
  // Grows by `delta` elements set to `init`; returns the old size.
  template <detail::StoreLike S>
  Result<uint64_t> grow(S& store, uint64_t delta, const Val& init) const {
    auto t = get(store);
    if (!t) return std::move(t).error();
    return (*t)->grow(delta, init.raw().ref, store.inner().limiter);
  }

  // Internal.
  Table(uint64_t store_id, uint32_t index) : store_id_(store_id), index_(index) {}
  uint32_t index() const { return index_; }
  uint64_t store_id() const { return store_id_; }

 private:
  template <detail::StoreLike S>
  Result<detail::Table*> get(S& store) const {
    auto s = detail::owning_store(store, store_id_);
    if (!s) return std::move(s).error();
    return (*s)->tables[index_].get();
  }

  uint64_t store_id_ = 0;
  uint32_t index_ = 0;
};

}  // namespace wasm
