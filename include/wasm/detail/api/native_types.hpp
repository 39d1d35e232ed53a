#pragma once
// How C++ types map to wasm value types and to the native calling convention (jit/abi.hpp):
// what a typed call passes in registers, and how multi-value results travel.
#include <emmintrin.h>  // __m128i; <immintrin.h> costs every includer 0.7 s more

#include <cstdint>
#include <cstring>
#include <tuple>
#include <type_traits>
#include <vector>

#include "wasm/detail/jit/abi.hpp"
#include "wasm/value.hpp"

namespace wasm::detail {

template <typename T>
struct WasmTypeOf;  // only the types below can cross into wasm

template <>
struct WasmTypeOf<int32_t> {
  static constexpr ValType type = ValType::I32;
  using Native = int32_t;
  static Native to_native(int32_t v) { return v; }
  static int32_t from_native(Native v) { return v; }
};
template <>
struct WasmTypeOf<uint32_t> {
  static constexpr ValType type = ValType::I32;
  using Native = uint32_t;
  static Native to_native(uint32_t v) { return v; }
  static uint32_t from_native(Native v) { return v; }
};
template <>
struct WasmTypeOf<int64_t> {
  static constexpr ValType type = ValType::I64;
  using Native = int64_t;
  static Native to_native(int64_t v) { return v; }
  static int64_t from_native(Native v) { return v; }
};
template <>
struct WasmTypeOf<uint64_t> {
  static constexpr ValType type = ValType::I64;
  using Native = uint64_t;
  static Native to_native(uint64_t v) { return v; }
  static uint64_t from_native(Native v) { return v; }
};
template <>
struct WasmTypeOf<float> {
  static constexpr ValType type = ValType::F32;
  using Native = float;
  static Native to_native(float v) { return v; }
  static float from_native(Native v) { return v; }
};
template <>
struct WasmTypeOf<double> {
  static constexpr ValType type = ValType::F64;
  using Native = double;
  static Native to_native(double v) { return v; }
  static double from_native(Native v) { return v; }
};
// A v128 as native code passes it: System V classifies a struct whose only member is a
// vector type as SSE, so it travels in one xmm register. (A bare __m128i would lose its
// vector attribute as a template argument, and with it that classification.)
struct NativeV128 {
  __m128i value;
};

template <>
struct WasmTypeOf<V128> {
  static constexpr ValType type = ValType::V128;
  using Native = NativeV128;
  static Native to_native(const V128& v) {
    Native n;
    std::memcpy(&n.value, v.bytes.data(), 16);
    return n;
  }
  static V128 from_native(Native n) {
    V128 v;
    std::memcpy(v.bytes.data(), &n.value, 16);
    return v;
  }
};
template <>
struct WasmTypeOf<FuncRef> {
  static constexpr ValType type = ValType::FuncRef;
  using Native = VMFuncRef*;
  static Native to_native(FuncRef r) { return r.raw; }
  static FuncRef from_native(Native n) { return FuncRef{n}; }
};
template <>
struct WasmTypeOf<ExternRef> {
  static constexpr ValType type = ValType::ExternRef;
  using Native = void*;
  static Native to_native(ExternRef r) { return r.ptr; }
  static ExternRef from_native(Native n) { return ExternRef{n}; }
};

template <typename T>
concept WasmValue = requires { WasmTypeOf<std::remove_cvref_t<T>>::type; };

// Params and Results of TypedFunc / host functions, normalised to std::tuple.
template <typename T>
struct AsTuple {
  using type = std::tuple<T>;
};
template <>
struct AsTuple<void> {
  using type = std::tuple<>;
};
template <typename... Ts>
struct AsTuple<std::tuple<Ts...>> {
  using type = std::tuple<Ts...>;
};
template <typename T>
using as_tuple_t = typename AsTuple<T>::type;

// What a call returns for a result tuple: void, the one value, or the tuple.
template <typename Tuple, size_t N = std::tuple_size_v<Tuple>>
struct ReturnOf {
  using type = Tuple;
};
template <typename Tuple>
struct ReturnOf<Tuple, 0> {
  using type = void;
};
template <typename Tuple>
struct ReturnOf<Tuple, 1> {
  using type = std::tuple_element_t<0, Tuple>;
};
template <typename Tuple>
using return_type_t = typename ReturnOf<Tuple>::type;

// The native return type of a function returning R (void stays void).
template <typename R>
struct NativeReturn {
  using type = typename WasmTypeOf<R>::Native;
};
template <>
struct NativeReturn<void> {
  using type = void;
};
template <typename R>
using native_return_t = typename NativeReturn<R>::type;

// The native return type for a result tuple: the one value's native type, else void (no
// results, or several written to a results area).
template <typename Tuple, size_t N = std::tuple_size_v<Tuple>>
struct NativeResultOf {
  using type = void;
};
template <typename Tuple>
struct NativeResultOf<Tuple, 1> {
  using type = typename WasmTypeOf<std::tuple_element_t<0, Tuple>>::Native;
};

template <typename Tuple>
struct TupleTypes;
template <typename... Ts>
struct TupleTypes<std::tuple<Ts...>> {
  static std::vector<ValType> list() { return {WasmTypeOf<std::remove_cvref_t<Ts>>::type...}; }
  static constexpr unsigned kIntClass = ((abi::is_float_class(WasmTypeOf<std::remove_cvref_t<Ts>>::type) ? 0 : 1) + ... + 0);
  static constexpr unsigned kFloatClass = sizeof...(Ts) - kIntClass;
};

template <typename Params, typename Results>
FuncType func_type_of() {
  return FuncType{TupleTypes<as_tuple_t<Params>>::list(), TupleTypes<as_tuple_t<Results>>::list()};
}

// Whether a call with these types passes everything in registers (so the entry trampoline can
// forward it unchanged; otherwise the array path is used).
template <typename Params, typename Results>
constexpr bool fits_in_registers() {
  using P = TupleTypes<as_tuple_t<Params>>;
  constexpr unsigned results = std::tuple_size_v<as_tuple_t<Results>>;
  constexpr unsigned int_regs = 4 - (results > 1 ? 1 : 0);  // rdx, rcx, r8, r9 after the vmctxs
  return P::kIntClass <= int_regs && P::kFloatClass <= abi::kNumXmmArgRegs;
}

}  // namespace wasm::detail
