// Relaxed SIMD: the native choices give one of the spec's allowed results; the deterministic
// mode gives result 0 (the non-relaxed instruction, unfused multiply-add, signed wrapping dot),
// bit for bit the same on the SSE4.1 floor and on the host's AVX/FMA paths.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <wasm.hpp>

namespace {

using wasm::V128;

constexpr const char* kModule = R"(
(module
  (func (export "swizzle") (param v128 v128) (result v128) (i8x16.relaxed_swizzle (local.get 0) (local.get 1)))
  (func (export "swizzle_ref") (param v128 v128) (result v128) (i8x16.swizzle (local.get 0) (local.get 1)))
  (func (export "trunc_s") (param v128 v128) (result v128) (i32x4.relaxed_trunc_f32x4_s (local.get 0)))
  (func (export "trunc_s_ref") (param v128 v128) (result v128) (i32x4.trunc_sat_f32x4_s (local.get 0)))
  (func (export "trunc_u") (param v128 v128) (result v128) (i32x4.relaxed_trunc_f32x4_u (local.get 0)))
  (func (export "trunc_u_ref") (param v128 v128) (result v128) (i32x4.trunc_sat_f32x4_u (local.get 0)))
  (func (export "trunc_s_zero") (param v128 v128) (result v128) (i32x4.relaxed_trunc_f64x2_s_zero (local.get 0)))
  (func (export "trunc_s_zero_ref") (param v128 v128) (result v128) (i32x4.trunc_sat_f64x2_s_zero (local.get 0)))
  (func (export "trunc_u_zero") (param v128 v128) (result v128) (i32x4.relaxed_trunc_f64x2_u_zero (local.get 0)))
  (func (export "trunc_u_zero_ref") (param v128 v128) (result v128) (i32x4.trunc_sat_f64x2_u_zero (local.get 0)))
  (func (export "min32") (param v128 v128) (result v128) (f32x4.relaxed_min (local.get 0) (local.get 1)))
  (func (export "min32_ref") (param v128 v128) (result v128) (f32x4.min (local.get 0) (local.get 1)))
  (func (export "max32") (param v128 v128) (result v128) (f32x4.relaxed_max (local.get 0) (local.get 1)))
  (func (export "max32_ref") (param v128 v128) (result v128) (f32x4.max (local.get 0) (local.get 1)))
  (func (export "min64") (param v128 v128) (result v128) (f64x2.relaxed_min (local.get 0) (local.get 1)))
  (func (export "min64_ref") (param v128 v128) (result v128) (f64x2.min (local.get 0) (local.get 1)))
  (func (export "max64") (param v128 v128) (result v128) (f64x2.relaxed_max (local.get 0) (local.get 1)))
  (func (export "max64_ref") (param v128 v128) (result v128) (f64x2.max (local.get 0) (local.get 1)))
  (func (export "q15") (param v128 v128) (result v128) (i16x8.relaxed_q15mulr_s (local.get 0) (local.get 1)))
  (func (export "q15_ref") (param v128 v128) (result v128) (i16x8.q15mulr_sat_s (local.get 0) (local.get 1)))
  (func (export "dot") (param v128 v128) (result v128) (i16x8.relaxed_dot_i8x16_i7x16_s (local.get 0) (local.get 1)))
  (func (export "sel8") (param v128 v128 v128) (result v128) (i8x16.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "sel16") (param v128 v128 v128) (result v128) (i16x8.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "sel32") (param v128 v128 v128) (result v128) (i32x4.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "sel64") (param v128 v128 v128) (result v128) (i64x2.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "sel_ref") (param v128 v128 v128) (result v128) (v128.bitselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "madd32") (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "nmadd32") (param v128 v128 v128) (result v128) (f32x4.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "madd64") (param v128 v128 v128) (result v128) (f64x2.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "nmadd64") (param v128 v128 v128) (result v128) (f64x2.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "dot_add") (param v128 v128 v128) (result v128) (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get 0) (local.get 1) (local.get 2)))
)
)";

// One instance of kModule, compiled for a code path and a relaxed-SIMD mode.
class Relaxed {
 public:
  Relaxed(bool force_sse41, bool deterministic) : engine_(config(force_sse41, deterministic)), store_(engine_) {
    auto module = wasm::Module::from_wat(engine_, kModule);
    if (!module) throw std::runtime_error("compile: " + module.error().message());
    wasm::Linker<> linker(engine_);
    auto instance = linker.instantiate(store_, *module);
    if (!instance) throw std::runtime_error("instantiate: " + instance.error().message());
    instance_ = *instance;
  }

  V128 call2(const char* name, const V128& a, const V128& b) {
    auto f = instance_->get_typed_func<std::tuple<V128, V128>, V128>(store_, name);
    if (!f) throw std::runtime_error(f.error().message());
    auto r = f->call(store_, a, b);
    if (!r) throw std::runtime_error(r.error().message());
    return *r;
  }
  V128 call3(const char* name, const V128& a, const V128& b, const V128& c) {
    auto f = instance_->get_typed_func<std::tuple<V128, V128, V128>, V128>(store_, name);
    if (!f) throw std::runtime_error(f.error().message());
    auto r = f->call(store_, a, b, c);
    if (!r) throw std::runtime_error(r.error().message());
    return *r;
  }

 private:
  static wasm::Config config(bool force_sse41, bool deterministic) {
    wasm::Config c;
    wasm::Features f;
    f.relaxed_simd = true;
    c.wasm_features(f).force_sse41(force_sse41).relaxed_simd_deterministic(deterministic);
    return c;
  }
  wasm::Engine engine_;
  wasm::Store<> store_;
  std::optional<wasm::Instance> instance_;
};

template <typename T>
std::array<T, 16 / sizeof(T)> lanes(const V128& v) {
  std::array<T, 16 / sizeof(T)> out;
  std::memcpy(out.data(), v.bytes.data(), 16);
  return out;
}
template <typename T>
V128 from_lanes(const std::array<T, 16 / sizeof(T)>& l) {
  V128 v;
  std::memcpy(v.bytes.data(), l.data(), 16);
  return v;
}

// Inputs that hit every choice: NaNs with payloads, zeros of both signs, infinities, the
// conversion bounds, and random bit patterns.
class Inputs {
 public:
  explicit Inputs(uint32_t seed) : rng_(seed) {}

  V128 f32s() {
    static const float special[] = {std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::quiet_NaN(),
                                    0.0f, -0.0f, INFINITY, -INFINITY, 2147483648.0f, -2147483904.0f,
                                    4294967296.0f, -1.5f, 1.5f, 3e9f, 1e-40f};
    std::array<float, 4> l;
    for (float& x : l) x = pick(special, 13);
    return from_lanes<float>(l);
  }
  V128 f64s() {
    static const double special[] = {std::numeric_limits<double>::quiet_NaN(), -0.0, 0.0, INFINITY, -INFINITY,
                                     2147483648.0, -2147483649.0, 4294967296.0, -0.5, 4294967295.5, 1e300};
    std::array<double, 2> l;
    for (double& x : l) x = pick(special, 11);
    return from_lanes<double>(l);
  }
  V128 bits() {
    std::array<uint64_t, 2> l = {rng_() * 0x9E3779B97F4A7C15ull ^ rng_(), rng_() * 0xC2B2AE3D27D4EB4Full ^ rng_()};
    if (rng_() % 4 == 0) l[0] = 0x8000800080008000ull;  // q15's overflow case, dot's -128s
    return from_lanes<uint64_t>(l);
  }

 private:
  template <typename T>
  T pick(const T* special, size_t n) {
    if (rng_() % 2) return special[rng_() % n];
    T x;
    uint64_t r = (uint64_t(rng_()) << 32) | rng_();
    std::memcpy(&x, &r, sizeof x);
    return x;
  }
  std::mt19937 rng_;
};

bool same_bits(const V128& a, const V128& b) { return a.bytes == b.bytes; }

// The deterministic profile's multiply-add: rounded after the multiply and after the add.
template <typename T>
V128 unfused_madd(const V128& a, const V128& b, const V128& c, bool negate) {
  auto x = lanes<T>(a), y = lanes<T>(b), z = lanes<T>(c);
  std::array<T, 16 / sizeof(T)> r;
  for (size_t i = 0; i < r.size(); ++i) {
    volatile T product = (negate ? -x[i] : x[i]) * y[i];
    r[i] = product + z[i];
  }
  return from_lanes<T>(r);
}
// Lanes equal, NaNs matched by NaN-ness (their payloads are the hardware's).
template <typename T>
bool same_values(const V128& a, const V128& b) {
  auto x = lanes<T>(a), y = lanes<T>(b);
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i]) != std::isnan(y[i])) return false;
    if (!std::isnan(x[i]) && std::memcmp(&x[i], &y[i], sizeof(T)) != 0) return false;
  }
  return true;
}

std::array<int16_t, 8> signed_dot(const V128& a, const V128& b) {
  auto x = lanes<int8_t>(a), y = lanes<int8_t>(b);
  std::array<int16_t, 8> r;
  for (size_t i = 0; i < 8; ++i) r[i] = int16_t(x[2 * i] * y[2 * i] + x[2 * i + 1] * y[2 * i + 1]);
  return r;
}

constexpr int kRounds = 400;

}  // namespace

TEST_CASE("relaxed SIMD, deterministic: the non-relaxed results, the same bits on every code path") {
  Relaxed sse(true, true), host(false, true);
  Inputs in(7);
  const char* with_equivalent[] = {"swizzle", "trunc_s", "trunc_u", "trunc_s_zero", "trunc_u_zero", "min32",
                                   "max32",   "min64",   "max64",   "q15"};
  for (int round = 0; round < kRounds; ++round) {
    const V128 f32a = in.f32s(), f32b = in.f32s(), f32c = in.f32s();
    const V128 f64a = in.f64s(), f64b = in.f64s(), f64c = in.f64s();
    const V128 ia = in.bits(), ib = in.bits(), ic = in.bits();
    for (const char* name : with_equivalent) {
      const std::string n = name;
      const bool f64 = n.find("64") != std::string::npos || n.find("zero") != std::string::npos;
      const bool ints = n == "swizzle" || n == "q15";
      const V128 a = ints ? ia : f64 ? f64a : f32a, b = ints ? ib : f64 ? f64b : f32b;
      const V128 got = host.call2(name, a, b);
      INFO(name << " round " << round);
      CHECK(same_bits(got, host.call2((n + "_ref").c_str(), a, b)));
      CHECK(same_bits(got, sse.call2(name, a, b)));
    }
    for (const char* sel : {"sel8", "sel16", "sel32", "sel64"}) {
      INFO(sel);
      CHECK(same_bits(host.call3(sel, ia, ib, ic), host.call3("sel_ref", ia, ib, ic)));
      CHECK(same_bits(sse.call3(sel, ia, ib, ic), host.call3("sel_ref", ia, ib, ic)));
    }
    CHECK(same_values<float>(host.call3("madd32", f32a, f32b, f32c), unfused_madd<float>(f32a, f32b, f32c, false)));
    CHECK(same_values<float>(host.call3("nmadd32", f32a, f32b, f32c), unfused_madd<float>(f32a, f32b, f32c, true)));
    CHECK(same_values<double>(host.call3("madd64", f64a, f64b, f64c), unfused_madd<double>(f64a, f64b, f64c, false)));
    CHECK(same_values<double>(host.call3("nmadd64", f64a, f64b, f64c), unfused_madd<double>(f64a, f64b, f64c, true)));
    for (const char* fma : {"madd32", "nmadd32"})
      CHECK(same_bits(host.call3(fma, f32a, f32b, f32c), sse.call3(fma, f32a, f32b, f32c)));
    for (const char* fma : {"madd64", "nmadd64"})
      CHECK(same_bits(host.call3(fma, f64a, f64b, f64c), sse.call3(fma, f64a, f64b, f64c)));

    const auto dot = signed_dot(ia, ib);
    CHECK(lanes<int16_t>(host.call2("dot", ia, ib)) == dot);
    CHECK(same_bits(host.call2("dot", ia, ib), sse.call2("dot", ia, ib)));
    auto c = lanes<int32_t>(ic);
    std::array<int32_t, 4> want;
    for (size_t i = 0; i < 4; ++i) want[i] = int32_t(uint32_t(c[i]) + uint32_t(dot[2 * i] + dot[2 * i + 1]));
    CHECK(lanes<int32_t>(host.call3("dot_add", ia, ib, ic)) == want);
    CHECK(same_bits(host.call3("dot_add", ia, ib, ic), sse.call3("dot_add", ia, ib, ic)));
  }
}

TEST_CASE("relaxed SIMD, native: every result is one the spec allows") {
  for (bool force_sse41 : {true, false}) {
    Relaxed m(force_sse41, false), det(force_sse41, true);
    Inputs in(11);
    INFO((force_sse41 ? "sse4.1" : "host"));
    for (int round = 0; round < kRounds; ++round) {
      const V128 ia = in.bits(), ib = in.bits(), ic = in.bits();
      // swizzle: in range exact, bit 7 set zero, otherwise zero or the index mod 16.
      {
        auto got = lanes<uint8_t>(m.call2("swizzle", ia, ib));
        auto v = lanes<uint8_t>(ia), idx = lanes<uint8_t>(ib);
        for (size_t i = 0; i < 16; ++i) {
          if (idx[i] < 16) CHECK(got[i] == v[idx[i]]);
          else if (idx[i] >= 128) CHECK(got[i] == 0);
          else CHECK((got[i] == 0 || got[i] == v[idx[i] % 16]));
        }
      }
      // laneselect: bitselect, or the mask's top bit per lane.
      for (auto [name, bytes] : {std::pair{"sel8", 1}, {"sel16", 2}, {"sel32", 4}, {"sel64", 8}}) {
        const V128 got = m.call3(name, ia, ib, ic), bitsel = det.call3("sel_ref", ia, ib, ic);
        bool top_bit_ok = true;
        for (int lane = 0; lane < 16 / bytes; ++lane) {
          const bool take_a = ic.bytes[lane * bytes + bytes - 1] & 0x80;
          for (int k = 0; k < bytes; ++k) {
            const int at = lane * bytes + k;
            top_bit_ok &= got.bytes[at] == (take_a ? ia.bytes[at] : ib.bytes[at]);
          }
        }
        INFO(name);
        CHECK((same_bits(got, bitsel) || top_bit_ok));
      }
      // q15mulr: the saturating result, or 0x8000 for 0x8000 * 0x8000.
      {
        auto got = lanes<int16_t>(m.call2("q15", ia, ib)), sat = lanes<int16_t>(det.call2("q15_ref", ia, ib));
        auto x = lanes<int16_t>(ia), y = lanes<int16_t>(ib);
        for (size_t i = 0; i < 8; ++i) {
          if (x[i] == INT16_MIN && y[i] == INT16_MIN) CHECK((got[i] == INT16_MAX || got[i] == INT16_MIN));
          else CHECK(got[i] == sat[i]);
        }
      }
      // dot: b's bytes signed or unsigned, pairs added wrapping or saturating.
      {
        auto got = lanes<int16_t>(m.call2("dot", ia, ib));
        auto x = lanes<int8_t>(ia);
        auto ys = lanes<int8_t>(ib);
        auto yu = lanes<uint8_t>(ib);
        for (size_t i = 0; i < 8; ++i) {
          const int ss = x[2 * i] * ys[2 * i] + x[2 * i + 1] * ys[2 * i + 1];
          const int su = x[2 * i] * yu[2 * i] + x[2 * i + 1] * yu[2 * i + 1];
          const int su_sat = std::clamp(su, -32768, 32767);
          CHECK((got[i] == int16_t(ss) || got[i] == int16_t(su) || got[i] == su_sat));
        }
      }
    }
    // Conversions and min/max on the special values.
    for (int round = 0; round < kRounds; ++round) {
      const V128 fa = in.f32s(), fb = in.f32s();
      auto got = lanes<int32_t>(m.call2("trunc_s", fa, fa)), sat = lanes<int32_t>(det.call2("trunc_s_ref", fa, fa));
      for (size_t i = 0; i < 4; ++i) CHECK((got[i] == sat[i] || got[i] == INT32_MIN));
      auto mn = lanes<float>(m.call2("min32", fa, fb)), ref = lanes<float>(det.call2("min32_ref", fa, fb));
      auto x = lanes<float>(fa), y = lanes<float>(fb);
      for (size_t i = 0; i < 4; ++i) {
        if (std::isnan(x[i]) || std::isnan(y[i]) || (x[i] == 0 && y[i] == 0)) {
          CHECK((std::isnan(mn[i]) || std::memcmp(&mn[i], &x[i], 4) == 0 || std::memcmp(&mn[i], &y[i], 4) == 0 ||
                 std::memcmp(&mn[i], &ref[i], 4) == 0));
        } else {
          CHECK(std::memcmp(&mn[i], &ref[i], 4) == 0);
        }
      }
    }
  }
}
