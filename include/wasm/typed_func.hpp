#pragma once
// TypedFunc<Params, Results>: a function whose wasm type is fixed by C++ types, called straight
// into its machine code through the entry trampoline: no boxing, no allocation.
//   Params:  one type or a std::tuple (std::tuple<> or void for none)
//   Results: void, one type or a std::tuple (multi-value)
// Types: int32_t, int64_t, float, double, wasm::V128, wasm::FuncRef, wasm::ExternRef
// (uint32_t and uint64_t are accepted as i32 and i64).
#include <tuple>
#include <utility>

#include "wasm/detail/api/native_types.hpp"
#include "wasm/func.hpp"

namespace wasm {

template <typename Params, typename Results>
class TypedFunc {
  using ParamTuple = detail::as_tuple_t<Params>;
  using ResultTuple = detail::as_tuple_t<Results>;
  static constexpr size_t kResults = std::tuple_size_v<ResultTuple>;

 public:
  using ReturnType = detail::return_type_t<ResultTuple>;

  // Checks that `func` has exactly this type.
  template <detail::StoreLike S>
  static Result<TypedFunc> from(S& store, const Func& func) {
    auto type = func.type(store);
    if (!type) return std::move(type).error();
    FuncType want = detail::func_type_of<Params, Results>();
    if (*type != want) {
      return Error(ErrorKind::Type, "function has type " + type->to_string() + ", not " + want.to_string());
    }
    return TypedFunc(func, func.ref(store.inner()));
  }

  template <detail::StoreLike S, typename... Args>
  Result<ReturnType> call(S& store, Args&&... args) const {
    static_assert(sizeof...(Args) == std::tuple_size_v<ParamTuple>, "wrong number of arguments");
    detail::StoreData* data = detail::store_if_owner(store, func_.store_id());
    if (!data) return detail::owning_store(store, func_.store_id()).error();
    return invoke(*data, std::make_index_sequence<sizeof...(Args)>(), std::forward<Args>(args)...);
  }

  const Func& func() const { return func_; }

 private:
  // A function's VMFuncRef never moves, so it and the entry trampoline it needs are looked up
  // once here: a call then loads nothing through the store but its id.
  TypedFunc(const Func& f, const detail::VMFuncRef* ref)
      : func_(f), ref_(ref), vmctx_(ref->vmctx), entry_(detail::entry_trampoline_for(ref)) {}

  template <size_t I>
  using P = std::tuple_element_t<I, ParamTuple>;

  template <size_t... I, typename... Args>
  Result<ReturnType> invoke(detail::StoreData& s, std::index_sequence<I...>, Args&&... args) const {
    void* vmctx = vmctx_;
    if constexpr (detail::fits_in_registers<Params, Results>()) {
      if constexpr (kResults <= 1) {
        using Native = detail::native_return_t<ReturnType>;
        auto r = detail::enter_wasm<Native>(s, entry_, ref_, vmctx,
                                             detail::WasmTypeOf<P<I>>::to_native(P<I>(args))...);
        if constexpr (kResults == 0) {
          return r;
        } else {
          if (!r) return std::move(r).error();
          return detail::WasmTypeOf<ReturnType>::from_native(*r);
        }
      } else {
        detail::ValRaw results[kResults];
        auto r = detail::enter_wasm<void>(s, entry_, ref_, vmctx, static_cast<detail::ValRaw*>(results),
                                           detail::WasmTypeOf<P<I>>::to_native(P<I>(args))...);
        if (!r) return std::move(r).error();
        return read_results(results, std::make_index_sequence<kResults>());
      }
    } else {
      // Too many arguments for registers: go through the array trampoline.
      detail::ValRaw values[std::max<size_t>(sizeof...(I), kResults) + 1];
      (write_raw(values[I], detail::WasmTypeOf<P<I>>::to_native(P<I>(args))), ...);
      if (auto r = detail::call_array(s, ref_, values); !r) return std::move(r).error();
      if constexpr (kResults == 0) return {};
      else if constexpr (kResults == 1) return std::get<0>(read_results(values, std::make_index_sequence<1>()));
      else return read_results(values, std::make_index_sequence<kResults>());
    }
  }

  template <typename N>
  static void write_raw(detail::ValRaw& slot, const N& native) {
    std::memset(&slot, 0, sizeof slot);
    std::memcpy(&slot, &native, sizeof native);
  }

  template <size_t... I>
  static ResultTuple read_results(const detail::ValRaw* values, std::index_sequence<I...>) {
    return ResultTuple{read_one<std::tuple_element_t<I, ResultTuple>>(values[I])...};
  }
  template <typename R>
  static R read_one(const detail::ValRaw& slot) {
    typename detail::WasmTypeOf<R>::Native native;
    std::memcpy(&native, &slot, sizeof native);
    return detail::WasmTypeOf<R>::from_native(native);
  }

  Func func_;
  const detail::VMFuncRef* ref_;  // stable for the store's lifetime
  void* vmctx_;
  const void* entry_;             // EntryStubs::entry_for(ref_)
};

}  // namespace wasm
