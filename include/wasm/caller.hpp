#pragma once
// Caller<T>: what a host function sees of the wasm code that called it: the store (its data,
// and anything that takes a store) and the calling instance's exports.
#include <span>
#include <string_view>
#include <vector>

#include "wasm/instance.hpp"

namespace wasm {

template <typename T>
class Caller {
 public:
  Caller(detail::StoreData& store, detail::VMContext* caller_vmctx) : store_(store) {
    // A host function called straight from the host has no calling instance.
    if (caller_vmctx && detail::is_instance_vmctx(caller_vmctx)) {
      caller_ = detail::Instance::from_vmctx(caller_vmctx);
    }
  }

  T& data() { return *static_cast<T*>(store_.user_data); }
  detail::StoreData& inner() { return store_; }

  // An export of the calling instance.
  std::optional<Extern> get_export(std::string_view name) {
    if (!caller_) return std::nullopt;
    return Instance::export_of(store_, caller_, name);
  }
  std::optional<Memory> get_memory(std::string_view name) {
    std::optional<Extern> e = get_export(name);
    if (!e || !std::holds_alternative<Memory>(*e)) return std::nullopt;
    return std::get<Memory>(*e);
  }
  std::optional<Func> get_func(std::string_view name) {
    std::optional<Extern> e = get_export(name);
    if (!e || !std::holds_alternative<Func>(*e)) return std::nullopt;
    return std::get<Func>(*e);
  }

 private:
  detail::StoreData& store_;
  detail::Instance* caller_ = nullptr;
};

namespace detail {

// Wraps a dynamic host callback (Caller<T>&, params, results) -> Result<void> into the array
// convention of HostFunc.
template <typename T, typename F>
HostFunc::Callback array_callback(const FuncType& type, F&& callback) {
  return [type, cb = std::forward<F>(callback)](StoreData& store, VMContext* caller,
                                               abi::ValRaw* values) mutable -> bool {
    Caller<T> c(store, caller);
    std::vector<Val> params;
    params.reserve(type.params.size());
    for (size_t i = 0; i < type.params.size(); ++i) params.push_back(Val::from_raw(type.params[i], values[i]));
    std::vector<Val> results;
    results.reserve(type.results.size());
    for (ValType t : type.results) results.push_back(Val::zero(t));
    Result<void> r = cb(c, std::span<const Val>(params), std::span<Val>(results));
    if (!r) {
      Error e = std::move(r).error();
      store.pending_error = e.kind() == ErrorKind::Trap || e.kind() == ErrorKind::Exit ? std::move(e) : Error::trap(TrapCode::HostError, e.message());
      return false;
    }
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].type() != type.results[i]) {
        store.pending_error = Error::trap(TrapCode::HostError, "host function returned a value of the wrong type");
        return false;
      }
      values[i] = results[i].raw();
    }
    return true;
  };
}

}  // namespace detail

template <typename T, typename F>
Func Func::create(Store<T>& store, const FuncType& type, F&& callback) {
  detail::StoreData& s = store.inner();
  detail::HostFunc* host = detail::make_host_func(s, type, detail::array_callback<T>(type, std::forward<F>(callback)));
  return Func(s.id, s.add_func(&host->ref));
}

}  // namespace wasm
