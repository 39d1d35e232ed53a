// Config::deterministic: every NaN that floating-point arithmetic produces is the canonical NaN
// (0x7FC00000 / 0x7FF8000000000000), on the SSE4.1 floor and on the host's AVX paths alike,
// while non-NaN results and the bit operations (neg, abs, copysign) are unchanged.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <wasm.hpp>

namespace {

using wasm::V128;

constexpr uint32_t kCanon32 = 0x7FC00000u;
constexpr uint64_t kCanon64 = 0x7FF8000000000000ull;

// Scalar ops as (i32 bits, i32 bits) -> i32 bits, vector ops on v128.
constexpr const char* kModule = R"(
(module
  (func (export "f32.add") (param i32 i32) (result i32) (i32.reinterpret_f32 (f32.add (f32.reinterpret_i32 (local.get 0)) (f32.reinterpret_i32 (local.get 1)))))
  (func (export "f32.sub") (param i32 i32) (result i32) (i32.reinterpret_f32 (f32.sub (f32.reinterpret_i32 (local.get 0)) (f32.reinterpret_i32 (local.get 1)))))
  (func (export "f32.mul") (param i32 i32) (result i32) (i32.reinterpret_f32 (f32.mul (f32.reinterpret_i32 (local.get 0)) (f32.reinterpret_i32 (local.get 1)))))
  (func (export "f32.div") (param i32 i32) (result i32) (i32.reinterpret_f32 (f32.div (f32.reinterpret_i32 (local.get 0)) (f32.reinterpret_i32 (local.get 1)))))
  (func (export "f32.min") (param i32 i32) (result i32) (i32.reinterpret_f32 (f32.min (f32.reinterpret_i32 (local.get 0)) (f32.reinterpret_i32 (local.get 1)))))
  (func (export "f32.max") (param i32 i32) (result i32) (i32.reinterpret_f32 (f32.max (f32.reinterpret_i32 (local.get 0)) (f32.reinterpret_i32 (local.get 1)))))
  (func (export "f32.sqrt") (param i32 i32) (result i32) (i32.reinterpret_f32 (f32.sqrt (f32.reinterpret_i32 (local.get 0)))))
  (func (export "f32.ceil") (param i32 i32) (result i32) (i32.reinterpret_f32 (f32.ceil (f32.reinterpret_i32 (local.get 0)))))
  (func (export "f32.nearest") (param i32 i32) (result i32) (i32.reinterpret_f32 (f32.nearest (f32.reinterpret_i32 (local.get 0)))))
  (func (export "f32.neg") (param i32 i32) (result i32) (i32.reinterpret_f32 (f32.neg (f32.reinterpret_i32 (local.get 0)))))
  (func (export "f32.demote") (param i64) (result i32) (i32.reinterpret_f32 (f32.demote_f64 (f64.reinterpret_i64 (local.get 0)))))
  (func (export "f64.add") (param i64 i64) (result i64) (i64.reinterpret_f64 (f64.add (f64.reinterpret_i64 (local.get 0)) (f64.reinterpret_i64 (local.get 1)))))
  (func (export "f64.mul") (param i64 i64) (result i64) (i64.reinterpret_f64 (f64.mul (f64.reinterpret_i64 (local.get 0)) (f64.reinterpret_i64 (local.get 1)))))
  (func (export "f64.sqrt") (param i64 i64) (result i64) (i64.reinterpret_f64 (f64.sqrt (f64.reinterpret_i64 (local.get 0)))))
  (func (export "f64.promote") (param i32) (result i64) (i64.reinterpret_f64 (f64.promote_f32 (f32.reinterpret_i32 (local.get 0)))))
  (func (export "f32x4.add") (param v128 v128) (result v128) (f32x4.add (local.get 0) (local.get 1)))
  (func (export "f32x4.div") (param v128 v128) (result v128) (f32x4.div (local.get 0) (local.get 1)))
  (func (export "f32x4.sqrt") (param v128 v128) (result v128) (f32x4.sqrt (local.get 0)))
  (func (export "f32x4.min") (param v128 v128) (result v128) (f32x4.min (local.get 0) (local.get 1)))
  (func (export "f32x4.floor") (param v128 v128) (result v128) (f32x4.floor (local.get 0)))
  (func (export "f32x4.neg") (param v128 v128) (result v128) (f32x4.neg (local.get 0)))
  (func (export "f64x2.mul") (param v128 v128) (result v128) (f64x2.mul (local.get 0) (local.get 1)))
  (func (export "f64x2.sub") (param v128 v128) (result v128) (f64x2.sub (local.get 0) (local.get 1)))
  (func (export "f64x2.promote") (param v128 v128) (result v128) (f64x2.promote_low_f32x4 (local.get 0)))
  (func (export "f32x4.demote") (param v128 v128) (result v128) (f32x4.demote_f64x2_zero (local.get 0)))
  (func (export "f32x4.madd") (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
)
)";

class Fixture {
 public:
  Fixture(bool force_sse41, bool deterministic) : engine_(config(force_sse41, deterministic)), store_(engine_) {
    auto module = wasm::Module::from_wat(engine_, kModule);
    if (!module) throw std::runtime_error("compile: " + module.error().message());
    wasm::Linker<> linker(engine_);
    auto instance = linker.instantiate(store_, *module);
    if (!instance) throw std::runtime_error("instantiate: " + instance.error().message());
    instance_ = *instance;
  }
  template <typename R, typename... A>
  R call(const std::string& name, A... args) {
    using P = std::conditional_t<sizeof...(A) == 1, std::tuple_element_t<0, std::tuple<A..., void>>, std::tuple<A...>>;
    auto f = instance_->get_typed_func<P, R>(store_, name);
    if (!f) throw std::runtime_error(name + ": " + f.error().message());
    auto r = f->call(store_, args...);
    if (!r) throw std::runtime_error(name + ": " + r.error().message());
    return *r;
  }

 private:
  static wasm::Config config(bool force_sse41, bool deterministic) {
    wasm::Config c;
    wasm::Features f;
    f.relaxed_simd = true;
    c.wasm_features(f).force_sse41(force_sse41).deterministic(deterministic);
    return c;
  }
  wasm::Engine engine_;
  wasm::Store<> store_;
  std::optional<wasm::Instance> instance_;
};

// Inputs: NaNs with payloads and signs, infinities whose difference x86 makes the negative
// "default NaN", and ordinary numbers.
const uint32_t kF32[] = {0x7FC00123u, 0xFFC00000u, 0x7F800001u /* signalling */, 0xFFFFFFFFu, 0x7F800000u,
                         0xFF800000u, 0x00000000u, 0x80000000u, 0x3F800000u, 0xBF800000u};
const uint64_t kF64[] = {0x7FF8000000000123ull, 0xFFF8000000000000ull, 0x7FF0000000000001ull, 0x7FF0000000000000ull,
                         0xFFF0000000000000ull, 0ull, 0x8000000000000000ull, 0x3FF0000000000000ull};

bool is_nan32(uint32_t b) { return (b & 0x7F800000u) == 0x7F800000u && (b & 0x007FFFFFu); }
bool is_nan64(uint64_t b) { return (b & 0x7FF0000000000000ull) == 0x7FF0000000000000ull && (b & 0x000FFFFFFFFFFFFFull); }

template <typename T>
V128 splat2(T a, T b) {
  V128 v;
  for (size_t i = 0; i < 16 / sizeof(T); ++i) std::memcpy(v.bytes.data() + i * sizeof(T), i % 2 ? &b : &a, sizeof(T));
  return v;
}
template <typename T>
T lane(const V128& v, size_t i) {
  T x;
  std::memcpy(&x, v.bytes.data() + i * sizeof(T), sizeof(T));
  return x;
}

}  // namespace

TEST_CASE("deterministic: arithmetic NaNs are canonical, other results unchanged, on every code path") {
  for (bool sse : {true, false}) {
    Fixture det(sse, true), plain(sse, false);
    INFO((sse ? "sse4.1" : "host"));
    size_t nans = 0;
    for (const char* op : {"f32.add", "f32.sub", "f32.mul", "f32.div", "f32.min", "f32.max", "f32.sqrt",
                           "f32.ceil", "f32.nearest"}) {
      for (uint32_t a : kF32) {
        for (uint32_t b : kF32) {
          INFO(op << " " << std::hex << a << " " << b);
          const uint32_t got = uint32_t(det.call<int32_t>(op, int32_t(a), int32_t(b)));
          const uint32_t ref = uint32_t(plain.call<int32_t>(op, int32_t(a), int32_t(b)));
          if (is_nan32(ref)) {
            CHECK(got == kCanon32);
            ++nans;
          } else {
            CHECK(got == ref);
          }
        }
      }
    }
    for (const char* op : {"f64.add", "f64.mul", "f64.sqrt"}) {
      for (uint64_t a : kF64) {
        for (uint64_t b : kF64) {
          INFO(op << " " << std::hex << a << " " << b);
          const uint64_t got = uint64_t(det.call<int64_t>(op, int64_t(a), int64_t(b)));
          const uint64_t ref = uint64_t(plain.call<int64_t>(op, int64_t(a), int64_t(b)));
          if (is_nan64(ref)) CHECK(got == kCanon64);
          else CHECK(got == ref);
        }
      }
    }
    for (uint64_t a : kF64) {
      const uint32_t got = uint32_t(det.call<int32_t>("f32.demote", int64_t(a)));
      CHECK((is_nan64(a) ? got == kCanon32 : got == uint32_t(plain.call<int32_t>("f32.demote", int64_t(a)))));
    }
    for (uint32_t a : kF32) {
      const uint64_t got = uint64_t(det.call<int64_t>("f64.promote", int32_t(a)));
      CHECK((is_nan32(a) ? got == kCanon64 : got == uint64_t(plain.call<int64_t>("f64.promote", int32_t(a)))));
      // neg only flips the sign bit, NaN or not.
      CHECK(uint32_t(det.call<int32_t>("f32.neg", int32_t(a), 0)) == (a ^ 0x80000000u));
    }
    // x86 gives inf - inf (and 0/0) the negative default NaN: what the canonicalization is for.
    CHECK(uint32_t(plain.call<int32_t>("f32.sub", int32_t(0x7F800000), int32_t(0x7F800000))) == 0xFFC00000u);
    CHECK(nans > 0);

    for (const char* op : {"f32x4.add", "f32x4.div", "f32x4.sqrt", "f32x4.min", "f32x4.floor", "f32x4.madd"}) {
      for (uint32_t a : kF32) {
        for (uint32_t b : kF32) {
          const V128 va = splat2<uint32_t>(a, b), vb = splat2<uint32_t>(b, a), vc = splat2<uint32_t>(a, a);
          const bool three = std::string(op) == "f32x4.madd";
          const V128 got = three ? det.call<V128>(op, va, vb, vc) : det.call<V128>(op, va, vb);
          const V128 ref = three ? plain.call<V128>(op, va, vb, vc) : plain.call<V128>(op, va, vb);
          for (size_t i = 0; i < 4; ++i) {
            INFO(op << " lane " << i << " " << std::hex << a << " " << b);
            const uint32_t r = lane<uint32_t>(ref, i);
            CHECK(lane<uint32_t>(got, i) == (is_nan32(r) ? kCanon32 : r));
          }
        }
      }
    }
    for (const char* op : {"f64x2.mul", "f64x2.sub"}) {
      for (uint64_t a : kF64) {
        for (uint64_t b : kF64) {
          const V128 got = det.call<V128>(op, splat2<uint64_t>(a, b), splat2<uint64_t>(b, a));
          const V128 ref = plain.call<V128>(op, splat2<uint64_t>(a, b), splat2<uint64_t>(b, a));
          for (size_t i = 0; i < 2; ++i) {
            const uint64_t r = lane<uint64_t>(ref, i);
            CHECK(lane<uint64_t>(got, i) == (is_nan64(r) ? kCanon64 : r));
          }
        }
      }
    }
    for (uint32_t a : kF32) {
      const V128 v = splat2<uint32_t>(a, 0x3F800000u);
      const V128 p = det.call<V128>("f64x2.promote", v, v);
      CHECK(lane<uint64_t>(p, 0) == (is_nan32(a) ? kCanon64 : lane<uint64_t>(plain.call<V128>("f64x2.promote", v, v), 0)));
      const V128 n = det.call<V128>("f32x4.neg", v, v);
      CHECK(lane<uint32_t>(n, 0) == (a ^ 0x80000000u));
    }
    for (uint64_t a : kF64) {
      const V128 v = splat2<uint64_t>(a, a);
      const V128 d = det.call<V128>("f32x4.demote", v, v);
      CHECK(lane<uint32_t>(d, 0) == (is_nan64(a) ? kCanon32 : lane<uint32_t>(plain.call<V128>("f32x4.demote", v, v), 0)));
      CHECK(lane<uint64_t>(d, 1) == 0);
    }
  }
}
