// LEB128 and fixed-width reads: the exact length, unused-bit and sign rules of the binary format.
#include <catch2/catch.hpp>

#include <vector>

#include "wasm/detail/binary/reader.hpp"

using wasm::detail::Reader;

namespace {

template <typename F>
auto read_all(std::vector<uint8_t> bytes, F read, bool* ok = nullptr, bool* at_end = nullptr) {
  Reader r(bytes);
  auto v = read(r);
  if (ok) *ok = r.ok();
  if (at_end) *at_end = r.ok() && r.at_end();
  return v;
}

uint32_t u32(std::vector<uint8_t> b, bool* ok) { return read_all(b, [](Reader& r) { return r.u32(); }, ok); }
int32_t s32(std::vector<uint8_t> b, bool* ok) { return read_all(b, [](Reader& r) { return r.s32(); }, ok); }
uint64_t u64(std::vector<uint8_t> b, bool* ok) { return read_all(b, [](Reader& r) { return r.u64(); }, ok); }
int64_t s64(std::vector<uint8_t> b, bool* ok) { return read_all(b, [](Reader& r) { return r.s64(); }, ok); }
int64_t s33(std::vector<uint8_t> b, bool* ok) { return read_all(b, [](Reader& r) { return r.s33(); }, ok); }

}  // namespace

TEST_CASE("u32 accepts minimal and padded encodings up to five bytes", "[leb128]") {
  bool ok = false;
  CHECK(u32({0x00}, &ok) == 0);
  CHECK(ok);
  CHECK(u32({0x7F}, &ok) == 127);
  CHECK(u32({0x80, 0x01}, &ok) == 128);
  CHECK(u32({0x80, 0x80, 0x80, 0x80, 0x00}, &ok) == 0);  // padded zero is allowed
  CHECK(ok);
  CHECK(u32({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, &ok) == 0xFFFFFFFFu);
  CHECK(ok);
}

TEST_CASE("u32 rejects too-long encodings and unused high bits", "[leb128]") {
  bool ok = true;
  u32({0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, &ok);
  CHECK_FALSE(ok);
  u32({0xFF, 0xFF, 0xFF, 0xFF, 0x1F}, &ok);  // bit 32 set
  CHECK_FALSE(ok);
  u32({0x80, 0x80, 0x80, 0x80, 0x70}, &ok);  // unused bits in the last byte
  CHECK_FALSE(ok);
  u32({0x80, 0x80}, &ok);  // truncated
  CHECK_FALSE(ok);
}

TEST_CASE("error messages distinguish length from value overflow", "[leb128]") {
  std::vector<uint8_t> too_long = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  Reader a(too_long);
  a.u32();
  CHECK(std::string(a.error()) == "integer representation too long");
  CHECK(a.error_offset() == 4);
  std::vector<uint8_t> too_large = {0xFF, 0xFF, 0xFF, 0xFF, 0x1F};
  Reader b(too_large);
  b.u32();
  CHECK(std::string(b.error()) == "integer too large");
  std::vector<uint8_t> truncated = {0x80};
  Reader c(truncated);
  c.u32();
  CHECK(std::string(c.error()) == "unexpected end");
}

TEST_CASE("s32 sign rules in the last byte", "[leb128]") {
  bool ok = false;
  CHECK(s32({0x7F}, &ok) == -1);
  CHECK(s32({0x40}, &ok) == -64);
  CHECK(s32({0x3F}, &ok) == 63);
  CHECK(s32({0x80, 0x80, 0x80, 0x80, 0x78}, &ok) == INT32_MIN);
  CHECK(ok);
  CHECK(s32({0xFF, 0xFF, 0xFF, 0xFF, 0x07}, &ok) == INT32_MAX);
  CHECK(ok);
  CHECK(s32({0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, &ok) == -1);  // padded -1
  CHECK(ok);
  s32({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, &ok);  // positive with a bit beyond 32
  CHECK_FALSE(ok);
  s32({0x80, 0x80, 0x80, 0x80, 0x70}, &ok);  // negative with a zero bit beyond the sign
  CHECK_FALSE(ok);
  s32({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, &ok);  // six bytes
  CHECK_FALSE(ok);
}

TEST_CASE("u64 and s64 limits", "[leb128]") {
  bool ok = false;
  CHECK(u64({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, &ok) == UINT64_MAX);
  CHECK(ok);
  u64({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x03}, &ok);
  CHECK_FALSE(ok);
  CHECK(s64({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F}, &ok) == INT64_MIN);
  CHECK(ok);
  CHECK(s64({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00}, &ok) == INT64_MAX);
  CHECK(ok);
  s64({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, &ok);
  CHECK_FALSE(ok);
  s64({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, &ok);
  CHECK_FALSE(ok);
}

TEST_CASE("s33 block type indices", "[leb128]") {
  bool ok = false;
  CHECK(s33({0x40}, &ok) == -64);
  CHECK(s33({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, &ok) == 0xFFFFFFFFll);
  CHECK(ok);
  s33({0xFF, 0xFF, 0xFF, 0xFF, 0x1F}, &ok);  // beyond 33 bits
  CHECK_FALSE(ok);
}

TEST_CASE("the first error sticks and later reads return zero", "[leb128]") {
  std::vector<uint8_t> bytes = {0x80};
  Reader r(bytes);
  CHECK(r.u32() == 0);
  CHECK_FALSE(r.ok());
  CHECK(r.u8() == 0);
  CHECK(std::string(r.error()) == "unexpected end");
  CHECK(r.remaining() == 0);
}

TEST_CASE("fixed-width little-endian reads", "[leb128]") {
  std::vector<uint8_t> bytes = {0x78, 0x56, 0x34, 0x12, 1, 2, 3, 4, 5, 6, 7, 8};
  Reader r(bytes);
  CHECK(r.fixed_u32() == 0x12345678u);
  CHECK(r.fixed_u64() == 0x0807060504030201ull);
  CHECK(r.at_end());
  CHECK(r.ok());
}

TEST_CASE("the reader works in constant expressions", "[leb128]") {
  constexpr auto read = [] {
    constexpr uint8_t bytes[] = {0xE5, 0x8E, 0x26};
    Reader r(bytes);
    return r.u32();
  };
  static_assert(read() == 624485);
  CHECK(read() == 624485);
}
