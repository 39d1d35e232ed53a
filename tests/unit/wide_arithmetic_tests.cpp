// Wide arithmetic (i64.add128, i64.sub128, i64.mul_wide_s, i64.mul_wide_u) through the JIT,
// against unsigned __int128 / __int128 computed here: carries and borrows between the halves and
// the high halves of products, for edge values and many random ones. The operands come from
// locals, from constants, and from one register shared by several operands (the register cache
// hands out such aliases), with other values live across the instruction. Both compile
// strategies run every case (the optimizing tier declines these functions).
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <wasm.hpp>

#include "feature_instance.hpp"
#include "opt_tier_probe.hpp"

namespace {

using I64 = int64_t;
using Pair = std::tuple<I64, I64>;
using u128 = unsigned __int128;
using i128 = __int128;

u128 join(uint64_t lo, uint64_t hi) { return (u128(hi) << 64) | lo; }
Pair split(u128 v) { return Pair{I64(uint64_t(v)), I64(uint64_t(v >> 64))}; }

constexpr const char* kModule = R"((module
  (func (export "add128") (param i64 i64 i64 i64) (result i64 i64)
    (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "sub128") (param i64 i64 i64 i64) (result i64 i64)
    (i64.sub128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "mul_wide_s") (param i64 i64) (result i64 i64)
    (i64.mul_wide_s (local.get 0) (local.get 1)))
  (func (export "mul_wide_u") (param i64 i64) (result i64 i64)
    (i64.mul_wide_u (local.get 0) (local.get 1)))
  ;; x + x and x - x with x = (a, b): every operand register shared
  (func (export "double") (param i64 i64) (result i64 i64)
    (i64.add128 (local.get 0) (local.get 1) (local.get 0) (local.get 1)))
  ;; (a, b) - (b, a): the low half of one operand is the high half of the other
  (func (export "sub_swapped") (param i64 i64) (result i64 i64)
    (i64.sub128 (local.get 0) (local.get 1) (local.get 1) (local.get 0)))
  ;; (a, b) + (-1, 0), that is + (2^64 - 1), with constant operands
  (func (export "add_const") (param i64 i64) (result i64 i64)
    (i64.add128 (local.get 0) (local.get 1) (i64.const -1) (i64.const 0)))
  (func (export "square_s") (param i64) (result i64 i64)
    (i64.mul_wide_s (local.get 0) (local.get 0)))
  ;; c stays live across the multiplication (in a register the product may need)
  (func (export "mul_keep") (param i64 i64 i64) (result i64 i64 i64)
    (local.get 2)
    (i64.mul_wide_u (local.get 0) (local.get 1)))
  ;; the results feed more arithmetic: (a * b) + (c, 0), then the halves xor-ed
  (func (export "mul_add") (param i64 i64 i64) (result i64)
    (local i64 i64)
    (i64.mul_wide_u (local.get 0) (local.get 1))
    (local.set 4)
    (local.set 3)
    (i64.add128 (local.get 3) (local.get 4) (local.get 2) (i64.const 0))
    (i64.xor))
  ;; register pressure: eight more values live across the instruction (12 live, 11 registers)
  (func $pressure (param i64 i64 i64 i64 i32) (result i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 5 (i64.add (local.get 0) (i64.const 1)))
    (local.set 6 (i64.add (local.get 1) (i64.const 2)))
    (local.set 7 (i64.add (local.get 2) (i64.const 3)))
    (local.set 8 (i64.add (local.get 3) (i64.const 4)))
    (local.set 9 (i64.mul (local.get 0) (i64.const 3)))
    (local.set 10 (i64.mul (local.get 1) (i64.const 5)))
    (local.set 11 (i64.xor (local.get 2) (local.get 3)))
    (local.set 12 (i64.sub (local.get 0) (local.get 3)))
    (if (result i64 i64) (local.get 4)
      (then (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
      (else (i64.mul_wide_s (local.get 0) (local.get 3))))
    (i64.xor)
    (i64.xor (local.get 5)) (i64.xor (local.get 6)) (i64.xor (local.get 7))
    (i64.xor (local.get 8)) (i64.xor (local.get 9)) (i64.xor (local.get 10))
    (i64.xor (local.get 11)) (i64.xor (local.get 12)))
  (export "pressure" (func $pressure))
))";

// The model of $pressure: the 128-bit result's halves xor-ed with the eight live values.
I64 pressure_model(uint64_t a, uint64_t b, uint64_t c, uint64_t d, bool add) {
  const u128 wide = add ? join(a, b) + join(c, d) : u128(i128(int64_t(a)) * i128(int64_t(d)));
  return I64(uint64_t(wide) ^ uint64_t(wide >> 64) ^ (a + 1) ^ (b + 2) ^ (c + 3) ^ (d + 4) ^
             (a * 3) ^ (b * 5) ^ (c ^ d) ^ (a - d));
}

wasm::Features wide_features() {
  wasm::Features f;
  f.wide_arithmetic = true;
  return f;
}

wasm::Engine wide_engine(wasm::Strategy strategy) {
  return wasm::Engine(wasm::test::WatInstance::config(wide_features(), strategy));
}

// Calls that must succeed: their value, or a test failure.
struct WideInstance : wasm::test::WatInstance {
  explicit WideInstance(wasm::Strategy strategy) : WatInstance(kModule, wide_features(), strategy) {}

  template <typename R, typename... Args>
  R call(const char* name, Args... args) {
    auto r = WatInstance::call<R>(name, args...);
    REQUIRE(r);
    return *r;
  }
};

// Edge values, then random ones (a fixed seed: failures reproduce).
std::vector<uint64_t> test_values() {
  std::vector<uint64_t> v = {0,
                             1,
                             2,
                             0x7FFFFFFFFFFFFFFFull,
                             0x8000000000000000ull,
                             0x8000000000000001ull,
                             0xFFFFFFFFFFFFFFFFull,
                             0xFFFFFFFFFFFFFFFEull,
                             0x00000000FFFFFFFFull,
                             0x0000000100000000ull,
                             0xFFFFFFFF00000000ull};
  std::mt19937_64 rng(0x5eed128);
  for (int i = 0; i < 40; ++i) v.push_back(rng());
  return v;
}

}  // namespace

TEST_CASE("wide arithmetic: add128 and sub128 carry and borrow between the halves", "[wide]") {
  auto strategy = GENERATE(wasm::Strategy::Baseline, wasm::Strategy::Optimized);
  WideInstance w(strategy);
  const std::vector<uint64_t> values = test_values();
  std::mt19937_64 rng(128);
  auto pick = [&] { return values[rng() % values.size()]; };
  for (int i = 0; i < 3000; ++i) {
    const uint64_t a_lo = pick(), a_hi = pick(), b_lo = pick(), b_hi = pick();
    INFO(std::hex << "a = " << a_hi << ":" << a_lo << ", b = " << b_hi << ":" << b_lo);
    const u128 a = join(a_lo, a_hi), b = join(b_lo, b_hi);
    CHECK(w.call<Pair>("add128", I64(a_lo), I64(a_hi), I64(b_lo), I64(b_hi)) == split(a + b));
    CHECK(w.call<Pair>("sub128", I64(a_lo), I64(a_hi), I64(b_lo), I64(b_hi)) == split(a - b));
    CHECK(w.call<Pair>("double", I64(a_lo), I64(a_hi)) == split(a + a));
    CHECK(w.call<Pair>("sub_swapped", I64(a_lo), I64(a_hi)) == split(a - join(a_hi, a_lo)));
    CHECK(w.call<Pair>("add_const", I64(a_lo), I64(a_hi)) == split(a + ~uint64_t(0)));
  }
  for (int i = 0; i < 500; ++i) {
    const uint64_t a = pick(), b = pick(), c = pick(), d = pick();
    for (int32_t add : {1, 0})
      CHECK(w.call<I64>("pressure", I64(a), I64(b), I64(c), I64(d), add) ==
            pressure_model(a, b, c, d, add));
  }
  // The carry of the low half alone, and its absence.
  CHECK(w.call<Pair>("add128", I64(-1), I64(0), I64(1), I64(0)) == Pair{0, 1});
  CHECK(w.call<Pair>("add128", I64(-1), I64(-1), I64(1), I64(0)) == Pair{0, 0});
  CHECK(w.call<Pair>("sub128", I64(0), I64(0), I64(1), I64(0)) == Pair{-1, -1});
  CHECK(w.call<Pair>("sub128", I64(0), I64(1), I64(1), I64(0)) == Pair{-1, 0});
}

TEST_CASE("wide arithmetic: mul_wide_s and mul_wide_u give the full 128-bit product", "[wide]") {
  auto strategy = GENERATE(wasm::Strategy::Baseline, wasm::Strategy::Optimized);
  WideInstance w(strategy);
  const std::vector<uint64_t> values = test_values();
  for (uint64_t x : values) {
    for (uint64_t y : values) {
      INFO(std::hex << "x = " << x << ", y = " << y);
      const u128 unsigned_product = u128(x) * u128(y);
      const i128 signed_product = i128(int64_t(x)) * i128(int64_t(y));
      CHECK(w.call<Pair>("mul_wide_u", I64(x), I64(y)) == split(unsigned_product));
      CHECK(w.call<Pair>("mul_wide_s", I64(x), I64(y)) == split(u128(signed_product)));
      const uint64_t c = x ^ (y >> 1);
      CHECK(w.call<std::tuple<I64, I64, I64>>("mul_keep", I64(x), I64(y), I64(c)) ==
            std::tuple_cat(std::tuple<I64>(I64(c)), split(unsigned_product)));
      const u128 sum = unsigned_product + c;
      CHECK(w.call<I64>("mul_add", I64(x), I64(y), I64(c)) ==
            I64(uint64_t(sum) ^ uint64_t(sum >> 64)));
    }
    const i128 square = i128(int64_t(x)) * i128(int64_t(x));
    CHECK(w.call<Pair>("square_s", I64(x)) == split(u128(square)));
  }
}

TEST_CASE("wide arithmetic: validation and the feature flag", "[wide]") {
  wasm::Engine on = wide_engine(wasm::Strategy::Baseline);
  auto invalid = [&](const char* func) {
    auto m = wasm::Module::from_wat(on, std::string("(module ") + func + ")");
    INFO(func);
    REQUIRE(!m);
    CHECK(m.error().kind() == wasm::ErrorKind::Validate);
  };
  invalid("(func (result i64 i64) (i64.add128 (i64.const 0) (i64.const 0) (i64.const 0)))");
  invalid("(func (result i64 i64) (i64.sub128 (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 0)))");
  invalid("(func (result i64) (i64.mul_wide_u (i64.const 0) (i64.const 0)))");  // two results
  invalid("(func (result i64 i64) (i64.mul_wide_s (i64.const 0) (f64.const 0)))");
  // Without the feature the opcodes are not read at all.
  wasm::Engine off;
  auto m = wasm::Module::from_wat(
      off, "(module (func (result i64 i64) (i64.mul_wide_u (i64.const 0) (i64.const 0))))");
  REQUIRE(!m);
  CHECK(m.error().kind() == wasm::ErrorKind::Decode);
}

TEST_CASE("wide arithmetic: the optimizing tier leaves these functions to the baseline", "[wide]") {
  wasm::Features f;
  f.wide_arithmetic = true;
  constexpr const char* kFuncs = R"((module
    (func (param i64 i64) (result i64 i64) (i64.mul_wide_u (local.get 0) (local.get 1)))
    (func (param i64 i64) (result i64) (i64.mul (local.get 0) (local.get 1)))
  ))";
  CHECK_FALSE(wasm::test::optimizing_tier_accepts(kFuncs, f, 0));
  CHECK(wasm::test::optimizing_tier_accepts(kFuncs, f, 1));
}
