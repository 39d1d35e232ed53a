// SIMD lanes where x86 and WebAssembly disagree, on both code paths (SSE4.1 and the host's
// AVX/AVX2): float min/max with NaN and signed zeros, saturating conversions out of range and
// of NaN, shift counts at and beyond the lane width, swizzle indices >= 16, narrowing
// saturation, q15mulr_sat's overflow, i64x2 signed comparisons near the limits, bitmask,
// all_true and popcnt.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <limits>

#include "simd_test_support.hpp"

using namespace simd_test;

namespace {

constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

bool is_neg_zero(float f) { return f == 0 && std::signbit(f); }
bool is_pos_zero(float f) { return f == 0 && !std::signbit(f); }

}  // namespace

TEST_CASE("f32x4/f64x2 min and max: NaN wins, -0 < +0", "[simd]") {
  for (const CodePath& p : code_paths()) {
    INFO(p.name);
    bool sse = p.force_sse41;
    V128 a = make<float>({-0.0f, 0.0f, kNaNf, 1.0f});
    V128 b = make<float>({0.0f, -0.0f, 1.0f, kNaNf});
    for (auto [x, y] : {std::pair{a, b}, std::pair{b, a}}) {
      auto mn = lanes_of<float>(binary(sse, Op::F32x4Min, x, y));
      auto mx = lanes_of<float>(binary(sse, Op::F32x4Max, x, y));
      CHECK(is_neg_zero(mn[0]));
      CHECK(is_neg_zero(mn[1]));
      CHECK(std::isnan(mn[2]));
      CHECK(std::isnan(mn[3]));
      CHECK(is_pos_zero(mx[0]));
      CHECK(is_pos_zero(mx[1]));
      CHECK(std::isnan(mx[2]));
      CHECK(std::isnan(mx[3]));
    }
    // NaN results are canonical (quiet, no payload) even from a NaN with a payload.
    V128 payload = splat<uint32_t>(0x7FC12345u);
    auto n = lanes_of<uint32_t>(binary(sse, Op::F32x4Min, payload, splat(2.0f)));
    CHECK((n[0] & 0x7FFFFFFFu) == 0x7FC00000u);
    // Ordinary values, and the same register as both operands.
    CHECK(lanes_of<float>(binary(sse, Op::F32x4Max, make<float>({1, -2, 3, -kInf}),
                                 make<float>({-1, 2, 3.5f, -1}))) ==
          std::array<float, 4>{1, 2, 3.5f, -1});
    CHECK(lanes_of<float>(binary_same(sse, Op::F32x4Min, make<float>({1, -0.0f, 3, -kInf}))) ==
          std::array<float, 4>{1, -0.0f, 3, -kInf});

    V128 c = make<double>({-0.0, kNaN});
    V128 d = make<double>({0.0, -5.0});
    for (auto [x, y] : {std::pair{c, d}, std::pair{d, c}}) {
      auto mn = lanes_of<double>(binary(sse, Op::F64x2Min, x, y));
      auto mx = lanes_of<double>(binary(sse, Op::F64x2Max, x, y));
      CHECK((mn[0] == 0 && std::signbit(mn[0])));
      CHECK(std::isnan(mn[1]));
      CHECK((mx[0] == 0 && !std::signbit(mx[0])));
      CHECK(std::isnan(mx[1]));
    }
  }
}

TEST_CASE("pmin/pmax are the C expressions b < a ? b : a and a < b ? b : a", "[simd]") {
  for (const CodePath& p : code_paths()) {
    INFO(p.name);
    bool sse = p.force_sse41;
    V128 a = make<float>({0.0f, -0.0f, kNaNf, 1.0f});
    V128 b = make<float>({-0.0f, 0.0f, 1.0f, kNaNf});
    auto pmin = lanes_of<float>(binary(sse, Op::F32x4Pmin, a, b));
    auto pmax = lanes_of<float>(binary(sse, Op::F32x4Pmax, a, b));
    CHECK(is_pos_zero(pmin[0]));  // equal: the first operand
    CHECK(is_neg_zero(pmin[1]));
    CHECK(std::isnan(pmin[2]));   // NaN compares false: the first operand
    CHECK(pmin[3] == 1.0f);
    CHECK(is_pos_zero(pmax[0]));
    CHECK(is_neg_zero(pmax[1]));
    CHECK(std::isnan(pmax[2]));
    CHECK(pmax[3] == 1.0f);
    auto dmin = lanes_of<double>(binary(sse, Op::F64x2Pmin, make<double>({kNaN, 2.0}),
                                        make<double>({1.0, 1.0})));
    CHECK(std::isnan(dmin[0]));
    CHECK(dmin[1] == 1.0);
  }
}

TEST_CASE("saturating truncations: NaN is 0, out of range clamps", "[simd]") {
  for (const CodePath& p : code_paths()) {
    INFO(p.name);
    bool sse = p.force_sse41;
    auto s = lanes_of<int32_t>(unary(sse, Op::I32x4TruncSatF32x4S,
                                     make<float>({kNaNf, 3e9f, -3e9f, 2147483520.0f})));
    CHECK(s == std::array<int32_t, 4>{0, INT32_MAX, INT32_MIN, 2147483520});
    s = lanes_of<int32_t>(unary(sse, Op::I32x4TruncSatF32x4S,
                                make<float>({-2147483648.0f, kInf, -kInf, -1.9f})));
    CHECK(s == std::array<int32_t, 4>{INT32_MIN, INT32_MAX, INT32_MIN, -1});

    auto u = lanes_of<uint32_t>(unary(sse, Op::I32x4TruncSatF32x4U,
                                      make<float>({kNaNf, -1.0f, 4294967040.0f, 4294967296.0f})));
    CHECK(u == std::array<uint32_t, 4>{0, 0, 4294967040u, UINT32_MAX});
    u = lanes_of<uint32_t>(unary(sse, Op::I32x4TruncSatF32x4U,
                                 make<float>({2147483648.0f, 2147483520.0f, -0.9f, kInf})));
    CHECK(u == std::array<uint32_t, 4>{2147483648u, 2147483520u, 0, UINT32_MAX});

    auto sz = lanes_of<int32_t>(unary(sse, Op::I32x4TruncSatF64x2SZero, make<double>({kNaN, 1e10})));
    CHECK(sz == std::array<int32_t, 4>{0, INT32_MAX, 0, 0});
    sz = lanes_of<int32_t>(unary(sse, Op::I32x4TruncSatF64x2SZero, make<double>({-1e10, 2147483647.9})));
    CHECK(sz == std::array<int32_t, 4>{INT32_MIN, INT32_MAX, 0, 0});
    auto uz = lanes_of<uint32_t>(unary(sse, Op::I32x4TruncSatF64x2UZero, make<double>({4294967295.9, -0.9})));
    CHECK(uz == std::array<uint32_t, 4>{UINT32_MAX, 0, 0, 0});
    uz = lanes_of<uint32_t>(unary(sse, Op::I32x4TruncSatF64x2UZero, make<double>({kNaN, 1e20})));
    CHECK(uz == std::array<uint32_t, 4>{0, UINT32_MAX, 0, 0});
  }
}

TEST_CASE("unsigned conversions round once", "[simd]") {
  for (const CodePath& p : code_paths()) {
    INFO(p.name);
    bool sse = p.force_sse41;
    std::array<uint32_t, 4> in = {0xFFFFFFFFu, 0x80000001u, 0x01000001u, 0xFFFFFF7Fu};
    auto f = lanes_of<float>(unary(sse, Op::F32x4ConvertI32x4U, make<uint32_t>(in)));
    for (size_t i = 0; i < 4; ++i) CHECK(f[i] == static_cast<float>(in[i]));
    auto d = lanes_of<double>(unary(sse, Op::F64x2ConvertLowI32x4U, make<uint32_t>(in)));
    CHECK(d == std::array<double, 2>{4294967295.0, 2147483649.0});
  }
}

TEST_CASE("shift counts are taken modulo the lane width", "[simd]") {
  for (const CodePath& p : code_paths()) {
    INFO(p.name);
    bool sse = p.force_sse41;
    V128 bytes = make<int8_t>({1, -1, 127, -128, 64, -64, 3, -3, 0, 1, 2, 4, 8, 16, 32, -2});
    for (int32_t count : {0, 1, 7, 8, 9, 15, -1, 0x101}) {
      INFO("count " << count);
      int n = count & 7;
      auto check_bytes = [&](Op o, auto expected_of) {
        auto [by_reg, by_imm] = shift(sse, o, bytes, count);
        for (size_t i = 0; i < 16; ++i) {
          int8_t x = lane<int8_t>(bytes, i);
          CHECK(lane<int8_t>(by_reg, i) == expected_of(x));
          CHECK(lane<int8_t>(by_imm, i) == expected_of(x));
        }
      };
      check_bytes(Op::I8x16Shl, [&](int8_t x) { return int8_t(uint8_t(x) << n); });
      check_bytes(Op::I8x16ShrU, [&](int8_t x) { return int8_t(uint8_t(x) >> n); });
      check_bytes(Op::I8x16ShrS, [&](int8_t x) { return int8_t(x >> n); });
    }
    V128 quads = make<int64_t>({INT64_MIN + 5, 0x7000000000000001});
    for (int32_t count : {0, 1, 63, 64, 65, 127}) {
      INFO("count " << count);
      int n = count & 63;
      auto [shl_reg, shl_imm] = shift(sse, Op::I64x2Shl, quads, count);
      auto [sra_reg, sra_imm] = shift(sse, Op::I64x2ShrS, quads, count);
      auto [srl_reg, srl_imm] = shift(sse, Op::I64x2ShrU, quads, count);
      for (size_t i = 0; i < 2; ++i) {
        int64_t x = lane<int64_t>(quads, i);
        CHECK(lane<uint64_t>(shl_reg, i) == uint64_t(x) << n);
        CHECK(lane<uint64_t>(shl_imm, i) == uint64_t(x) << n);
        CHECK(lane<int64_t>(sra_reg, i) == x >> n);
        CHECK(lane<int64_t>(sra_imm, i) == x >> n);
        CHECK(lane<uint64_t>(srl_reg, i) == uint64_t(x) >> n);
        CHECK(lane<uint64_t>(srl_imm, i) == uint64_t(x) >> n);
      }
    }
    auto [w_reg, w_imm] = shift(sse, Op::I16x8ShrS, splat<int16_t>(-32768), 17);
    CHECK(w_reg == splat<int16_t>(-16384));
    CHECK(w_imm == splat<int16_t>(-16384));
    auto [d_reg, d_imm] = shift(sse, Op::I32x4Shl, splat<int32_t>(3), 32);
    CHECK(d_reg == splat<int32_t>(3));
    CHECK(d_imm == splat<int32_t>(3));
  }
}

TEST_CASE("swizzle: indices of 16 and more select zero", "[simd]") {
  for (const CodePath& p : code_paths()) {
    INFO(p.name);
    bool sse = p.force_sse41;
    V128 table = make<uint8_t>({10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25});
    V128 idx = make<uint8_t>({0, 15, 16, 17, 0x1F, 0x20, 0x70, 0x7F, 0x80, 0x8F, 0xF0, 0xFF, 3, 1, 14, 2});
    CHECK(lanes_of<uint8_t>(binary(sse, Op::I8x16Swizzle, table, idx)) ==
          std::array<uint8_t, 16>{10, 25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 13, 11, 24, 12});
    // The table as its own index vector.
    V128 self = make<uint8_t>({1, 0, 3, 2, 16, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 200});
    CHECK(lanes_of<uint8_t>(binary_same(sse, Op::I8x16Swizzle, self)) ==
          std::array<uint8_t, 16>{0, 1, 2, 3, 0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0});
  }
}

TEST_CASE("narrowing saturates signed inputs", "[simd]") {
  for (const CodePath& p : code_paths()) {
    INFO(p.name);
    bool sse = p.force_sse41;
    V128 a = make<int16_t>({300, -300, 127, 128, -128, -129, 255, 256});
    V128 b = make<int16_t>({0, -1, 1, 32767, -32768, 100, -100, 200});
    CHECK(lanes_of<int8_t>(binary(sse, Op::I8x16NarrowI16x8S, a, b)) ==
          std::array<int8_t, 16>{127, -128, 127, 127, -128, -128, 127, 127,
                                 0, -1, 1, 127, -128, 100, -100, 127});
    CHECK(lanes_of<uint8_t>(binary(sse, Op::I8x16NarrowI16x8U, a, b)) ==
          std::array<uint8_t, 16>{255, 0, 127, 128, 0, 0, 255, 255, 0, 0, 1, 255, 0, 100, 0, 200});
    V128 c = make<int32_t>({70000, -1, 65535, -70000});
    CHECK(lanes_of<uint16_t>(binary(sse, Op::I16x8NarrowI32x4U, c, c)) ==
          std::array<uint16_t, 8>{65535, 0, 65535, 0, 65535, 0, 65535, 0});
    CHECK(lanes_of<int16_t>(binary(sse, Op::I16x8NarrowI32x4S, c, splat<int32_t>(5))) ==
          std::array<int16_t, 8>{32767, -1, 32767, -32768, 5, 5, 5, 5});
  }
}

TEST_CASE("q15mulr_sat saturates the one overflowing product", "[simd]") {
  for (const CodePath& p : code_paths()) {
    INFO(p.name);
    bool sse = p.force_sse41;
    V128 a = make<int16_t>({-32768, -32768, 32767, 16384, -1, 1, 0, -32768});
    V128 b = make<int16_t>({-32768, 32767, 32767, 16384, 1, 1, 5, 1});
    CHECK(lanes_of<int16_t>(binary(sse, Op::I16x8Q15mulrSatS, a, b)) ==
          std::array<int16_t, 8>{32767, -32767, 32766, 8192, 0, 0, 0, -1});
    CHECK(lanes_of<int16_t>(binary_same(sse, Op::I16x8Q15mulrSatS, splat<int16_t>(-32768))) ==
          lanes_of<int16_t>(splat<int16_t>(32767)));
  }
}

TEST_CASE("i64x2 signed comparisons near the limits", "[simd]") {
  for (const CodePath& p : code_paths()) {
    INFO(p.name);
    bool sse = p.force_sse41;
    const int64_t pairs[][2] = {{INT64_MIN, 1},  {INT64_MAX, -1}, {-1, 0},  {0, -1},
                                {INT64_MIN, INT64_MAX}, {5, 5}, {INT64_MAX, INT64_MIN}, {-7, -8}};
    for (auto [x, y] : pairs) {
      INFO(x << " vs " << y);
      V128 a = make<int64_t>({x, y}), b = make<int64_t>({y, x});
      auto mask = [](bool c) { return c ? int64_t(-1) : int64_t(0); };
      CHECK(lane<int64_t>(binary(sse, Op::I64x2GtS, a, b), 0) == mask(x > y));
      CHECK(lane<int64_t>(binary(sse, Op::I64x2LtS, a, b), 0) == mask(x < y));
      CHECK(lane<int64_t>(binary(sse, Op::I64x2LeS, a, b), 1) == mask(y <= x));
      CHECK(lane<int64_t>(binary(sse, Op::I64x2GeS, a, b), 1) == mask(y >= x));
    }
    CHECK(binary_same(sse, Op::I64x2GtS, make<int64_t>({INT64_MIN, 3})) == splat<int64_t>(0));
    CHECK(binary_same(sse, Op::I64x2GeS, make<int64_t>({INT64_MIN, 3})) == splat<int64_t>(-1));
  }
}

TEST_CASE("i64x2.mul keeps the low 64 bits", "[simd]") {
  for (const CodePath& p : code_paths()) {
    INFO(p.name);
    bool sse = p.force_sse41;
    V128 a = make<uint64_t>({0xFFFFFFFFFFFFFFFFull, 0x123456789ABCDEF0ull});
    V128 b = make<uint64_t>({0xFFFFFFFFFFFFFFFFull, 0x0FEDCBA987654321ull});
    auto r = lanes_of<uint64_t>(binary(sse, Op::I64x2Mul, a, b));
    CHECK(r[0] == 1);
    CHECK(r[1] == 0x123456789ABCDEF0ull * 0x0FEDCBA987654321ull);
    auto sq = lanes_of<uint64_t>(binary_same(sse, Op::I64x2Mul, a));
    CHECK(sq[1] == 0x123456789ABCDEF0ull * 0x123456789ABCDEF0ull);
  }
}

TEST_CASE("bitmask, all_true and any_true", "[simd]") {
  for (const CodePath& p : code_paths()) {
    INFO(p.name);
    bool sse = p.force_sse41;
    V128 bytes = make<int8_t>({-1, 0, -128, 127, 0, 0, 0, -5, 1, 1, 1, 1, 1, 1, 1, -1});
    CHECK(reduce(sse, Op::I8x16Bitmask, bytes) == 0x8085);
    CHECK(reduce(sse, Op::I16x8Bitmask, make<int16_t>({-1, 1, -32768, 32767, 0, -2, 0, -1})) == 0xA5);
    CHECK(reduce(sse, Op::I32x4Bitmask, make<int32_t>({-1, 0, INT32_MIN, 1})) == 0b0101);
    CHECK(reduce(sse, Op::I64x2Bitmask, make<int64_t>({1, -1})) == 0b10);
    CHECK(reduce(sse, Op::I8x16AllTrue, bytes) == 0);
    CHECK(reduce(sse, Op::I8x16AllTrue, splat<uint8_t>(0x80)) == 1);
    // A zero byte inside a nonzero i16 lane does not make the lane false.
    CHECK(reduce(sse, Op::I16x8AllTrue, splat<uint16_t>(0x0100)) == 1);
    CHECK(reduce(sse, Op::I32x4AllTrue, make<int32_t>({1, 2, 3, 0})) == 0);
    CHECK(reduce(sse, Op::I64x2AllTrue, make<uint64_t>({1ull << 63, 1})) == 1);
    CHECK(reduce(sse, Op::I64x2AllTrue, make<uint64_t>({0, 1})) == 0);
    CHECK(reduce(sse, Op::V128AnyTrue, splat<uint8_t>(0)) == 0);
    CHECK(reduce(sse, Op::V128AnyTrue, make<uint64_t>({0, 1ull << 63})) == 1);
  }
}

TEST_CASE("popcnt of every byte value", "[simd]") {
  for (const CodePath& p : code_paths()) {
    INFO(p.name);
    for (int base = 0; base < 256; base += 16) {
      std::array<uint8_t, 16> in;
      for (int i = 0; i < 16; ++i) in[i] = uint8_t(base + i);
      auto out = lanes_of<uint8_t>(unary(p.force_sse41, Op::I8x16Popcnt, make<uint8_t>(in)));
      for (int i = 0; i < 16; ++i) CHECK(out[i] == std::popcount(in[i]));
    }
  }
}
