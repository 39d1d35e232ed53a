#pragma once
// Tag: an exception tag of a store (exception handling). Wasm code throws and catches by tag;
// a module defines tags or imports them, and the host can create one to give to a module, or
// to throw with (Caller::throw_exception) and to read a caught exception's payload.
#include "wasm/store.hpp"

namespace wasm {

class Tag {
 public:
  Tag() = default;

  // A new tag of `type`, which must have no results.
  template <typename T>
  static Result<Tag> create(Store<T>& store, const FuncType& type) {
    if (!type.results.empty()) return Error(ErrorKind::Type, "a tag's type has no results");
    detail::StoreData& s = store.inner();
    return Tag(s.id, s.add_tag(s.engine->types.intern(type)));
  }

  template <detail::StoreLike S>
  Result<FuncType> type(S& store) const {
    auto s = detail::owning_store(store, store_id_);
    if (!s) return std::move(s).error();
    return (*s)->tags[index_]->type;
  }

  // Internal.
  Tag(uint64_t store_id, uint32_t index) : store_id_(store_id), index_(index) {}
  uint32_t index() const { return index_; }
  uint64_t store_id() const { return store_id_; }
  friend bool operator==(const Tag&, const Tag&) = default;

 private:
  uint64_t store_id_ = 0;
  uint32_t index_ = 0;
};

}  // namespace wasm
