#pragma once
// Helpers for the SIMD tests: v128 values built from typed lanes, and one-function modules run
// through the public API, compiled either for the host's CPU (AVX/AVX2 where present) or for
// the SSE4.1 floor (Config::force_sse41), so that each test covers both code paths.
#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <wasm.hpp>

#include "test_module_builder.hpp"

namespace simd_test {

using wasm::V128;
using wasm::ValType;
using wasm::detail::Op;
using wasm::test::Bytes;
using wasm::test::cat;
using wasm::test::op;
using wasm::test::uleb;

template <typename T, size_t N = 16 / sizeof(T)>
V128 make(const std::array<T, N>& lanes) {
  V128 v;
  std::memcpy(v.bytes.data(), lanes.data(), 16);
  return v;
}
template <typename T>
V128 splat(T lane) {
  std::array<T, 16 / sizeof(T)> lanes;
  lanes.fill(lane);
  return make<T>(lanes);
}
template <typename T>
std::array<T, 16 / sizeof(T)> lanes_of(const V128& v) {
  std::array<T, 16 / sizeof(T)> out;
  std::memcpy(out.data(), v.bytes.data(), 16);
  return out;
}
template <typename T>
T lane(const V128& v, size_t i) {
  return lanes_of<T>(v)[i];
}

template <typename T>
auto bits_of(T f) {
  using U = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  U u;
  std::memcpy(&u, &f, sizeof(T));
  return u;
}

// Both code-generation paths: SSE4.1 only, and whatever the host has.
struct CodePath {
  const char* name;
  bool force_sse41;
};
inline const std::array<CodePath, 2>& code_paths() {
  static const std::array<CodePath, 2> paths = {{{"sse4.1", true}, {"host", false}}};
  return paths;
}

// Instruction helpers.
inline Bytes local_get(uint32_t i) { return cat({op(Op::LocalGet), uleb(i)}); }
inline Bytes v128_const(const V128& v) {
  Bytes out = op(Op::V128Const);
  out.insert(out.end(), v.bytes.begin(), v.bytes.end());
  return out;
}

// A module exporting one function "f" of the given type and body (which ends with `end`), in
// its own engine and store.
class OneFunction {
 public:
  OneFunction(bool force_sse41, std::vector<ValType> params, std::vector<ValType> results,
              Bytes body, std::vector<std::pair<uint32_t, ValType>> locals = {})
      : engine_(config(force_sse41)), store_(engine_) {
    wasm::test::ModuleBuilder b;
    uint32_t t = b.type(std::move(params), std::move(results));
    uint32_t f = b.func(t, std::move(body), std::move(locals));
    b.export_("f", wasm::ExternKind::Func, f);
    auto module = wasm::Module::compile(engine_, b.build());
    if (!module) throw std::runtime_error("compile: " + module.error().message());
    wasm::Linker<> linker(engine_);
    auto instance = linker.instantiate(store_, *module);
    if (!instance) throw std::runtime_error("instantiate: " + instance.error().message());
    instance_ = *instance;
  }

  template <typename R, typename... Args>
  R call(Args... args) {
    using Params = std::conditional_t<sizeof...(Args) == 1, std::tuple_element_t<0, std::tuple<Args..., void>>,
                                      std::tuple<Args...>>;
    auto f = instance_->get_typed_func<Params, R>(store_, "f");
    if (!f) throw std::runtime_error("get_typed_func: " + f.error().message());
    auto r = f->call(store_, args...);
    if (!r) throw std::runtime_error("call: " + r.error().message());
    if constexpr (!std::is_void_v<R>) return *r;
  }

 private:
  static wasm::Config config(bool force_sse41) {
    wasm::Config c;
    c.force_sse41(force_sse41);
    return c;
  }
  wasm::Engine engine_;
  wasm::Store<> store_;
  std::optional<wasm::Instance> instance_;
};

// f(a, b) = op(a, b) for a binary v128 op; with `same`, f(a) = op(a, a).
inline V128 binary(bool sse, Op o, const V128& a, const V128& b) {
  OneFunction m(sse, {ValType::V128, ValType::V128}, {ValType::V128},
                cat({local_get(0), local_get(1), op(o), op(Op::End)}));
  return m.call<V128>(a, b);
}
inline V128 binary_same(bool sse, Op o, const V128& a) {
  OneFunction m(sse, {ValType::V128}, {ValType::V128},
                cat({local_get(0), local_get(0), op(o), op(Op::End)}));
  return m.call<V128>(a);
}
inline V128 unary(bool sse, Op o, const V128& a) {
  OneFunction m(sse, {ValType::V128}, {ValType::V128}, cat({local_get(0), op(o), op(Op::End)}));
  return m.call<V128>(a);
}
// v128 -> i32 ops (any_true, all_true, bitmask).
inline int32_t reduce(bool sse, Op o, const V128& a) {
  OneFunction m(sse, {ValType::V128}, {ValType::I32}, cat({local_get(0), op(o), op(Op::End)}));
  return m.call<int32_t>(a);
}
// A shift by a count passed at run time (register path) and by a constant (immediate path);
// both results are returned.
inline std::pair<V128, V128> shift(bool sse, Op o, const V128& a, int32_t count) {
  OneFunction by_reg(sse, {ValType::V128, ValType::I32}, {ValType::V128},
                     cat({local_get(0), local_get(1), op(o), op(Op::End)}));
  OneFunction by_imm(sse, {ValType::V128}, {ValType::V128},
                     cat({local_get(0), wasm::test::i32_const(count), op(o), op(Op::End)}));
  return {by_reg.call<V128>(a, count), by_imm.call<V128>(a)};
}

}  // namespace simd_test
