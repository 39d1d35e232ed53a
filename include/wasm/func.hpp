#pragma once
// Func: a function of a store (wasm or host), callable with Vals on the untyped path.
#include <memory>
#include <span>
#include <type_traits>
#include <variant>
#include <vector>

#include "wasm/detail/api/host_adapter.hpp"
#include "wasm/detail/vm/invoke.hpp"
#include "wasm/detail/api/value_fits.hpp"
#include "wasm/store.hpp"
#include "wasm/value.hpp"

namespace wasm {

template <typename T = std::monostate>
class Caller;

class Func {
 public:
  Func() = default;

  // The function's type.
  template <detail::StoreLike S>
  Result<FuncType> type(S& store) const {
    auto data = detail::owning_store(store, store_id_);
    if (!data) return std::move(data).error();
    return (*data)->func_type(ref(**data));
  }

  // Calls the function. `args` must match its parameters and `results` have one slot per
  // result; a trap is an Error of kind Trap.
  template <detail::StoreLike S>
  Result<void> call(S& store, std::span<const Val> args, std::span<Val> results) const {
    auto data = detail::owning_store(store, store_id_);
    if (!data) return std::move(data).error();
    detail::StoreData& s = **data;
    detail::VMFuncRef* f = ref(s);
    const FuncType& type = s.func_type(f);
    if (args.size() != type.params.size() || results.size() != type.results.size()) {
      return Error(ErrorKind::Type, "wrong number of arguments or results for " + type.to_string());
    }
    // The argument/result array lives on the stack unless the signature is unusually wide.
    constexpr size_t kInline = 16;
    const size_t slots = std::max(args.size(), results.size()) + 1;
    detail::ValRaw inline_values[kInline];
    std::unique_ptr<detail::ValRaw[]> heap_values;
    detail::ValRaw* values = inline_values;
    if (slots > kInline) values = (heap_values = std::make_unique<detail::ValRaw[]>(slots)).get();
    for (size_t i = 0; i < args.size(); ++i) {
      if (!detail::value_fits(args[i], type.params[i])) {
        return Error(ErrorKind::Type, "argument " + std::to_string(i) + " has the wrong type for " +
                                          type.to_string());
      }
      values[i] = args[i].raw();
    }
    if (Result<void> r = detail::call_array(s, f, values); !r) return r;
    for (size_t i = 0; i < results.size(); ++i) results[i] = Val::from_raw(type.results[i], values[i]);
    return {};
  }

  // Creates a host function with a dynamic signature (defined below):
  //   callback(Caller<T>&, std::span<const Val> params, std::span<Val> results) -> Result<void>
  template <typename T, typename F>
  static Func create(Store<T>& store, const FuncType& type, F&& callback);

  // Creates a typed host function from a C++ callable (lambda, function pointer, functor),
  // its wasm type deduced from the signature (defined below). It may
  // take a leading Caller<T>& and return void, a value, a std::tuple or a Result of those.
  template <typename T, typename F>
  static Func wrap(Store<T>& store, F&& fn);
  // The same for a member function called on `object` (not owned: it must outlive the store),
  // e.g. Func::wrap(store, &counter, &Counter::add).
  template <typename T, typename Obj, typename M>
    requires std::is_member_function_pointer_v<M>
  static Func wrap(Store<T>& store, Obj* object, M method);

  // Internal.
  Func(uint64_t store_id, uint32_t index) : store_id_(store_id), index_(index) {}
  uint64_t store_id() const { return store_id_; }
  uint32_t index() const { return index_; }
  detail::VMFuncRef* ref(detail::StoreData& store) const { return store.funcs[index_].ref; }

 private:
  uint64_t store_id_ = 0;
  uint32_t index_ = 0;
};

// Host functions: defined here, after the class, because the adapters need Func's
// declaration; Caller<T> is only named, and is complete wherever a host function is made.
template <typename T, typename F>
Func Func::create(Store<T>& store, const FuncType& type, F&& callback) {
  detail::StoreData& s = store.inner();
  detail::HostFunc* host = detail::make_host_func(s, type, detail::array_callback<T>(type, std::forward<F>(callback)));
  return Func(s.id, s.add_func(&host->ref));
}

template <typename T, typename F>
Func Func::wrap(Store<T>& store, F&& fn) {
  detail::StoreData& s = store.inner();
  detail::HostFunc* host = detail::make_typed_host_func<T>(s, std::forward<F>(fn));
  return Func(s.id, s.add_func(&host->ref));
}

template <typename T, typename Obj, typename M>
  requires std::is_member_function_pointer_v<M>
Func Func::wrap(Store<T>& store, Obj* object, M method) {
  return wrap(store, detail::bind_method(object, method));
}

}  // namespace wasm
