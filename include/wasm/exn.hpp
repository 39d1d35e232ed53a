#pragma once
// Exn: a wasm exception of a store (exception handling), seen from the host.
//
//  - An exception that escapes wasm uncaught ends the call with an Error of kind Exception;
//    Exn::from_error gives the exception, whose tag and payload the host can read.
//  - A host function throws into its wasm caller by returning exn.to_error() (from
//    Exn::create, or an exception it caught from a call into wasm): wasm code catches it like
//    any other. A C++ exception from a host function stays a trap, which wasm cannot catch.
#include <optional>
#include <span>
#include <vector>

#include "wasm/detail/api/value_fits.hpp"
#include "wasm/store.hpp"
#include "wasm/tag.hpp"
#include "wasm/value.hpp"

namespace wasm {

class Exn {
 public:
  Exn() = default;

  // A new exception of `tag` with `payload` (one value per parameter of the tag's type).
  // `store`: a Store, or the Caller of a host function.
  template <detail::StoreLike S>
  static Result<Exn> create(S& store, const Tag& tag, std::span<const Val> payload) {
    detail::StoreData& s = store.inner();
    if (tag.store_id() != s.id) return Error(ErrorKind::Type, "tag used with a store it does not belong to");
    const detail::VMTag* t = s.tags[tag.index()].get();
    if (payload.size() != t->type.params.size())
      return Error(ErrorKind::Type, "exception payload has " + std::to_string(payload.size()) +
                                        " value(s), the tag takes " + std::to_string(t->type.params.size()));
    for (size_t i = 0; i < payload.size(); ++i)
      if (!detail::value_fits(payload[i], t->type.params[i]))
        return Error(ErrorKind::Type, "exception payload value " + std::to_string(i) + " has the wrong type");
    detail::VMException* exn = s.new_exception(t);
    for (size_t i = 0; i < payload.size(); ++i) exn->values[i] = payload[i].raw();
    return Exn(s.id, exn);
  }
  template <detail::StoreLike S>
  static Result<Exn> create(S& store, const Tag& tag, std::initializer_list<Val> payload) {
    return create(store, tag, std::span<const Val>(payload.begin(), payload.size()));
  }

  // The exception an Error of kind Exception carries.
  static std::optional<Exn> from_error(const Error& error) {
    std::optional<ExceptionRef> e = error.exception();
    if (!e) return std::nullopt;
    return Exn(e->store_id, static_cast<detail::VMException*>(e->raw));
  }
  // An exnref value (Val of type exnref) as an Exn; nullopt for null.
  static std::optional<Exn> from_val(uint64_t store_id, const Val& v) {
    if (v.type().kind() != ValType::Kind::ExnRef || v.is_null_ref()) return std::nullopt;
    return Exn(store_id, static_cast<detail::VMException*>(v.raw().ref));
  }

  // What a host function returns to throw this exception into its wasm caller.
  Error to_error() const { return Error::exception(ExceptionRef{store_id_, raw_}); }
  // This exception as an exnref value.
  Val to_val() const {
    detail::ValRaw raw{};
    raw.ref = raw_;
    return Val::from_raw(ValType::ExnRef, raw);
  }

  template <detail::StoreLike S>
  Result<Tag> tag(S& store) const {
    auto s = detail::owning_store(store, store_id_);
    if (!s) return std::move(s).error();
    return Tag(store_id_, raw_->tag->handle);
  }
  template <detail::StoreLike S>
  Result<std::vector<Val>> payload(S& store) const {
    auto s = detail::owning_store(store, store_id_);
    if (!s) return std::move(s).error();
    std::vector<Val> values;
    const FuncType& type = raw_->tag->type;
    for (size_t i = 0; i < type.params.size(); ++i) values.push_back(Val::from_raw(type.params[i], raw_->values[i]));
    return values;
  }

  uint64_t store_id() const { return store_id_; }
  friend bool operator==(const Exn& a, const Exn& b) { return a.raw_ == b.raw_; }

 private:
  Exn(uint64_t store_id, detail::VMException* raw) : store_id_(store_id), raw_(raw) {}
  uint64_t store_id_ = 0;
  detail::VMException* raw_ = nullptr;
};

}  // namespace wasm
