#pragma once
// Typed host functions: a C++ callable becomes a native-convention function that JIT code
// calls directly (no marshalling through ValRaw arrays). The adapter's signature is the wasm
// function's native signature (jit/abi.hpp):
//   Ret  adapter(VMHostContext*, VMContext* caller, NativeParams...)          0 or 1 result
//   void adapter(VMHostContext*, VMContext* caller, ValRaw* results, NativeParams...)   2+
// A callable may take a leading Caller<T>&, and may return void, a value, a std::tuple or a
// Result of those; an error result or a C++ exception becomes a trap.
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "wasm/result.hpp"
#include "wasm/value.hpp"
#include "wasm/detail/vm/invoke.hpp"
#include "wasm/detail/api/native_types.hpp"
#include "wasm/detail/api/value_fits.hpp"

namespace wasm {
template <typename T>
class Caller;
}  // namespace wasm

namespace wasm::detail {

// A member function bound to an object: a callable whose call operator has the member
// function's exact signature, so the adapter deduces the wasm type as for any callable. The
// object is not owned; it must outlive the stores that use the function.
template <typename Obj, typename M>
struct BoundMethod;
#define WASMPP_BOUND_METHOD(QUALIFIERS)                                           \
  template <typename Obj, typename C, typename R, typename... A>                  \
  struct BoundMethod<Obj, R (C::*)(A...) QUALIFIERS> {                            \
    Obj* object;                                                                  \
    R (C::*method)(A...) QUALIFIERS;                                              \
    R operator()(A... args) const { return (object->*method)(std::forward<A>(args)...); } \
  };
WASMPP_BOUND_METHOD()
WASMPP_BOUND_METHOD(const)
WASMPP_BOUND_METHOD(noexcept)
WASMPP_BOUND_METHOD(const noexcept)
#undef WASMPP_BOUND_METHOD

template <typename Obj, typename M>
  requires std::is_member_function_pointer_v<M>
BoundMethod<Obj, M> bind_method(Obj* object, M method) {
  return BoundMethod<Obj, M>{object, method};
}

// Signature analysis of a callable.
template <typename F>
struct CallableTraits : CallableTraits<decltype(&std::remove_cvref_t<F>::operator())> {};
template <typename R, typename... A>
struct CallableTraits<R (*)(A...)> {
  using Ret = R;
  using Args = std::tuple<A...>;
};
template <typename R, typename... A>
struct CallableTraits<R(A...)> : CallableTraits<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct CallableTraits<R (C::*)(A...)> : CallableTraits<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct CallableTraits<R (C::*)(A...) const> : CallableTraits<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct CallableTraits<R (C::*)(A...) noexcept> : CallableTraits<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct CallableTraits<R (C::*)(A...) const noexcept> : CallableTraits<R (*)(A...)> {};

template <typename T>
struct IsCaller : std::false_type {};
template <typename T>
struct IsCaller<Caller<T>&> : std::true_type {};

template <typename T>
struct UnwrapResult {
  using type = T;
  static constexpr bool is_result = false;
};
template <typename T>
struct UnwrapResult<Result<T>> {
  using type = T;
  static constexpr bool is_result = true;
};

template <typename Args>
struct FirstIsCaller : std::false_type {};
template <typename A0, typename... A>
struct FirstIsCaller<std::tuple<A0, A...>> : IsCaller<A0> {};

// The wasm parameters of a callable: its arguments, without a leading Caller<T>&.
template <bool DropFirst, typename Args>
struct ParamsOf;
template <typename A0, typename... A>
struct ParamsOf<true, std::tuple<A0, A...>> {
  using type = std::tuple<std::remove_cvref_t<A>...>;
};
template <typename... A>
struct ParamsOf<false, std::tuple<A...>> {
  using type = std::tuple<std::remove_cvref_t<A>...>;
};

// Params (without the Caller) and Results of a host callable, as tuples.
template <typename F>
struct HostSignature {
  using Traits = CallableTraits<F>;
  using AllArgs = typename Traits::Args;
  static constexpr bool takes_caller = FirstIsCaller<AllArgs>::value;
  using Params = typename ParamsOf<takes_caller, AllArgs>::type;
  using Returned = typename UnwrapResult<typename Traits::Ret>::type;  // void, T or tuple
  using Results = as_tuple_t<Returned>;
  static constexpr bool returns_result = UnwrapResult<typename Traits::Ret>::is_result;
};

// The adapter for callable F (stored in HostFunc::closure) in a store of data type T.
template <typename T, typename F, typename Params = typename HostSignature<F>::Params,
          typename Results = typename HostSignature<F>::Results>
struct HostAdapter;

template <typename T, typename F, typename... P, typename... R>
struct HostAdapter<T, F, std::tuple<P...>, std::tuple<R...>> {
  using Sig = HostSignature<F>;
  static constexpr size_t kResults = sizeof...(R);
  using NativeRet = typename NativeResultOf<std::tuple<R...>>::type;

  // Runs the callable; returns false with StoreData::pending_error set on failure. All C++
  // objects of the call live and die here, before any unwinding.
  static bool invoke(VMHostContext* ctx, VMContext* caller, ValRaw* out,
                     typename WasmTypeOf<P>::Native... args) noexcept {
    HostFunc& host = *ctx->owner;
    StoreData& store = *host.store;
    try {
      F& fn = *static_cast<F*>(host.closure.get());
      Caller<T> c(store, caller);
      auto run = [&]() -> decltype(auto) {
        if constexpr (Sig::takes_caller) return fn(c, WasmTypeOf<P>::from_native(args)...);
        else return fn(WasmTypeOf<P>::from_native(args)...);
      };
      using Ret = typename CallableTraits<F>::Ret;
      if constexpr (std::is_void_v<Ret>) {
        run();
      } else if constexpr (Sig::returns_result) {
        Ret r = run();
        if (!r) {
          Error e = std::move(r).error();
          store.pending_error = e.kind() == ErrorKind::Trap || e.kind() == ErrorKind::Exit || e.kind() == ErrorKind::Exception ? std::move(e) : Error::trap(TrapCode::HostError, e.message());
          return false;
        }
        if constexpr (kResults > 0) store_results(out, std::move(*r));
      } else {
        store_results(out, run());
      }
      return true;
    } catch (const std::exception& e) {
      store.pending_error = Error::trap(TrapCode::HostError, std::string("host function threw: ") + e.what());
    } catch (...) {
      store.pending_error = Error::trap(TrapCode::HostError, "host function threw an exception");
    }
    return false;
  }

  template <typename V>
  static void store_results(ValRaw* out, V&& value) {
    if constexpr (kResults == 1) {
      using R0 = std::tuple_element_t<0, std::tuple<R...>>;
      auto native = WasmTypeOf<R0>::to_native(std::get<0>(as_tuple(std::forward<V>(value))));
      std::memcpy(out, &native, sizeof native);
    } else {
      auto tuple = as_tuple(std::forward<V>(value));
      store_each(out, tuple, std::index_sequence_for<R...>());
    }
  }
  template <typename Tuple, size_t... I>
  static void store_each(ValRaw* out, const Tuple& t, std::index_sequence<I...>) {
    (store_one<std::tuple_element_t<I, std::tuple<R...>>>(out[I], std::get<I>(t)), ...);
  }
  template <typename Ri>
  static void store_one(ValRaw& slot, const Ri& v) {
    auto native = WasmTypeOf<Ri>::to_native(v);
    std::memset(&slot, 0, sizeof slot);
    std::memcpy(&slot, &native, sizeof native);
  }
  template <typename V>
  static auto as_tuple(V&& v) {
    if constexpr (requires { std::tuple_size<std::remove_cvref_t<V>>::value; }) return std::forward<V>(v);
    else return std::make_tuple(std::forward<V>(v));
  }

  // `frame`: the adapter's own frame, whose return address leads back into wasm (or into the
  // entry trampoline, when the host called the function directly).
  [[noreturn]] static void fail(VMHostContext* ctx, VMContext* caller, void* frame) {
    raise_host_trap(*ctx->owner->store, uintptr_t(frame), caller);
  }

  // The function JIT code calls.
  static NativeRet call(VMHostContext* ctx, VMContext* caller, typename WasmTypeOf<P>::Native... args)
    requires(kResults <= 1)
  {
    ValRaw result{};
    if (!invoke(ctx, caller, &result, args...)) fail(ctx, caller, __builtin_frame_address(0));
    if constexpr (kResults == 1) {
      NativeRet r;
      std::memcpy(&r, &result, sizeof r);
      return r;
    }
  }
  static void call_multi(VMHostContext* ctx, VMContext* caller, ValRaw* results,
                         typename WasmTypeOf<P>::Native... args)
    requires(kResults > 1)
  {
    if (!invoke(ctx, caller, results, args...)) fail(ctx, caller, __builtin_frame_address(0));
  }

  static void* entry() {
    if constexpr (kResults > 1) return reinterpret_cast<void*>(&call_multi);
    else return reinterpret_cast<void*>(&call);
  }
};

// Creates a typed host function in `store` from callable `fn`.
template <typename T, typename F>
HostFunc* make_typed_host_func(StoreData& store, F&& fn) {
  using Fn = std::remove_cvref_t<F>;
  using Sig = HostSignature<Fn>;
  using Adapter = HostAdapter<T, Fn>;
  auto host = std::make_unique<HostFunc>();
  host->vmctx.store_context = &store.ctx;
  host->vmctx.owner = host.get();
  host->store = &store;
  host->type = func_type_of<typename Sig::Params, typename Sig::Results>();
  host->closure = std::shared_ptr<void>(new Fn(std::forward<F>(fn)), [](void* p) { delete static_cast<Fn*>(p); });
  host->ref.code = Adapter::entry();
  host->ref.vmctx = reinterpret_cast<VMContext*>(&host->vmctx);
  host->ref.type_id = store.engine->types.intern(host->type);
  HostFunc* raw = host.get();
  store.host_funcs.push_back(std::move(host));
  return raw;
}

// Wraps a dynamic host callback (Caller<T>&, params, results) -> Result<void> into the array
// convention of HostFunc.
template <typename T, typename F>
HostFunc::Callback array_callback(const FuncType& type, F&& callback) {
  return [type, cb = std::forward<F>(callback)](StoreData& store, VMContext* caller,
                                               ValRaw* values) mutable -> bool {
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
      store.pending_error = e.kind() == ErrorKind::Trap || e.kind() == ErrorKind::Exit || e.kind() == ErrorKind::Exception ? std::move(e) : Error::trap(TrapCode::HostError, e.message());
      return false;
    }
    for (size_t i = 0; i < results.size(); ++i) {
      if (!value_fits(results[i], type.results[i])) {
        store.pending_error = Error::trap(TrapCode::HostError, "host function returned a value of the wrong type");
        return false;
      }
      values[i] = results[i].raw();
    }
    return true;
  };
}

}  // namespace wasm::detail

