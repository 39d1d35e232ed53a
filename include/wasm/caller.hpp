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


}  // namespace wasm
