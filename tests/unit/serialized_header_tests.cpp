// The precompiled-module header (jit/serialized_header.hpp): what it accepts, and that it
// refuses — saying why — another version, another configuration, CPU features the engine may
// not use, and damaged or truncated bytes. And the checksum it relies on (XXH64) against
// published test vectors.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/detail/jit/checksum.hpp"
#include "wasm/detail/jit/serialized_header.hpp"

using namespace wasm::detail::jit;

namespace {

uint64_t xxh(std::string_view s, uint64_t seed = 0) {
  return xxhash64(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()), seed);
}

CodeTarget example_target() {
  CodeTarget t;
  t.runtime_version = "0.1.0";
  t.bounds_checks = wasm::BoundsChecks::GuardPages;
  t.guard_bytes = (uint64_t(1) << 32) + 65536;
  t.cpu_features = kCpuPopcnt | kCpuSse42 | kCpuAvx;
  return t;
}

std::vector<uint8_t> example_payload(size_t n = 200) {
  std::vector<uint8_t> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = uint8_t(i * 131 + 7);
  return p;
}

std::vector<uint8_t> serialize(const CodeTarget& t, const std::vector<uint8_t>& payload) {
  auto header = write_serialized_header(t, payload);
  // Sized once and copied into (not vector::insert, on which g++ 12 warns falsely).
  std::vector<uint8_t> bytes(header.size() + payload.size());
  std::copy(header.begin(), header.end(), bytes.begin());
  std::copy(payload.begin(), payload.end(), bytes.begin() + long(header.size()));
  return bytes;
}

std::string refusal(const std::vector<uint8_t>& bytes, const CodeTarget& engine) {
  auto r = check_serialized(bytes, engine);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == wasm::ErrorKind::Decode);
  return r.error().message();
}

}  // namespace

TEST_CASE("xxhash64 gives the published XXH64 values", "[serialized]") {
  CHECK(xxh("") == 0xef46db3751d8e999ull);
  CHECK(xxh("", 668718853) == 0x04e830582a31a119ull);
  CHECK(xxh("a") == 0xd24ec4f1a98c6e5bull);
  CHECK(xxh("abc") == 0x44bc2cf5ad770999ull);
  CHECK(xxh("foo") == 0x33bf00a859c4ba3full);
  CHECK(xxh("bar") == 0x48a37c90ad27a659ull);
  CHECK(xxh("xxhash") == 0x32dd38952c4bc720ull);
  CHECK(xxh("abcdefghijklmnopqrstuvwxyz12345") == 0x467605901b01d6f6ull);        // 31 bytes: no stripes
  CHECK(xxh("0123456789abcdefghijklmnopqrstuvwxyz") == 0x69196c1b3af0bff9ull);  // 36: one stripe + tail
}

TEST_CASE("a precompiled module for the same target is accepted and its payload returned", "[serialized]") {
  const CodeTarget t = example_target();
  const std::vector<uint8_t> payload = example_payload();
  const std::vector<uint8_t> bytes = serialize(t, payload);
  REQUIRE(bytes.size() == kSerializedHeaderSize + payload.size());
  auto r = check_serialized(bytes, t);
  REQUIRE(r);
  CHECK(r->data() == bytes.data() + kSerializedHeaderSize);
  CHECK(std::vector<uint8_t>(r->begin(), r->end()) == payload);

  // An empty payload is a payload too.
  auto empty = serialize(t, {});
  auto e = check_serialized(empty, t);
  REQUIRE(e);
  CHECK(e->empty());

  // Code that uses fewer CPU features than the engine allows runs anywhere the engine does.
  CodeTarget richer = t;
  richer.cpu_features |= kCpuAvx2 | kCpuBmi1;
  CHECK(check_serialized(bytes, richer));
}

TEST_CASE("every flipped bit of a precompiled module is refused", "[serialized]") {
  const CodeTarget t = example_target();
  const std::vector<uint8_t> good = serialize(t, example_payload());
  size_t refused = 0;
  for (size_t byte = 0; byte < good.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<uint8_t> bad = good;
      bad[byte] ^= uint8_t(1u << bit);
      auto r = check_serialized(bad, t);
      if (!r) ++refused;
      if (byte >= kSerializedHeaderSize && !r) {
        CHECK_THAT(r.error().message(), Catch::Contains("checksum does not match its contents"));
      }
    }
  }
  CHECK(refused == good.size() * 8);
}

TEST_CASE("a precompiled module for another version or configuration is refused, saying why", "[serialized]") {
  const CodeTarget compiled = example_target();
  const std::vector<uint8_t> bytes = serialize(compiled, example_payload());
  CodeTarget engine = compiled;

  engine.runtime_version = "0.2.0";
  CHECK(refusal(bytes, engine) == "precompiled module was compiled by wasmpp 0.1.0; this is wasmpp 0.2.0");
  engine = compiled;
  engine.bounds_checks = wasm::BoundsChecks::Explicit;
  CHECK(refusal(bytes, engine) ==
        "precompiled module was compiled for bounds checks by guard pages; this engine uses explicit checks");
  engine = compiled;
  engine.consume_fuel = true;
  CHECK(refusal(bytes, engine) == "precompiled module was compiled with fuel consumption off; this engine has it on");
  engine = compiled;
  engine.epoch_interruption = true;
  CHECK(refusal(bytes, engine) ==
        "precompiled module was compiled with epoch interruption off; this engine has it on");
  engine = compiled;
  engine.relaxed_simd_deterministic = true;
  CHECK(refusal(bytes, engine) ==
        "precompiled module was compiled with deterministic relaxed SIMD off; this engine has it on");
  engine = compiled;
  engine.canonicalize_nans = true;
  CHECK(refusal(bytes, engine) ==
        "precompiled module was compiled with NaN canonicalization off; this engine has it on");
  engine = compiled;
  wasm::Features f;
  f.tail_call = true;
  engine.wasm_features = wasm_feature_bits(f);
  CHECK_THAT(refusal(bytes, engine), Catch::Contains("only this engine has tail-call"));
  engine = compiled;
  engine.guard_bytes = 65536;
  CHECK_THAT(refusal(bytes, engine), Catch::Contains("guard bytes"));
  engine = compiled;
  engine.cpu_features = kCpuPopcnt;  // the code uses sse4.2 and avx too
  CHECK(refusal(bytes, engine) == "precompiled module uses CPU features this engine may not use: sse4.2, avx");

  // A header of a later format.
  std::vector<uint8_t> later = bytes;
  later[8] = uint8_t(kSerializedFormatVersion + 1);
  CHECK(refusal(later, compiled) == "precompiled module has format version " +
                                        std::to_string(kSerializedFormatVersion + 1) + "; this wasmpp reads version " +
                                        std::to_string(kSerializedFormatVersion));
}

TEST_CASE("truncated, extended and foreign bytes are refused", "[serialized]") {
  const CodeTarget t = example_target();
  const std::vector<uint8_t> good = serialize(t, example_payload());
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> prefix(good.begin(), good.begin() + long(n));
    CHECK_FALSE(check_serialized(prefix, t));
  }
  std::vector<uint8_t> cut(good.begin(), good.end() - 1);
  CHECK_THAT(refusal(cut, t), Catch::Contains("is truncated"));
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  CHECK_THAT(refusal(longer, t), Catch::Contains("has trailing bytes"));
  std::vector<uint8_t> header_only(good.begin(), good.begin() + 50);
  CHECK_THAT(refusal(header_only, t), Catch::Contains("shorter than its 96-byte header"));

  const std::vector<uint8_t> wasm_binary = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  CHECK_THAT(refusal(wasm_binary, t), Catch::Contains("found a WebAssembly binary"));
  CHECK_THAT(refusal(example_payload(), t), Catch::Contains("do not start with the precompiled-module magic"));
  CHECK_THAT(refusal({}, t), Catch::Contains("magic"));
}

TEST_CASE("wasm feature and CPU feature bits follow their flags", "[serialized]") {
  wasm::Features none;
  none.reference_types = false;  // the one flag that is on by default
  CHECK(wasm_feature_bits(none) == 0);
  const uint32_t reference_types_bit = 1u << (std::size(wasm::kFeatureFlags) - 1);
  CHECK(wasm_feature_bits(wasm::Features{}) == reference_types_bit);
  wasm::Features all;
  all.enable_all();
  CHECK(wasm_feature_bits(all) == (1u << std::size(wasm::kFeatureFlags)) - 1);
  wasm::Features one;
  one.memory64 = true;
  CHECK(wasm_feature_bits(one) == (2u | reference_types_bit));

  struct {
    bool popcnt = true, lzcnt = false, bmi1 = true, sse42 = false, avx = false, avx2 = true, fma = true;
  } cpu;
  CHECK(cpu_feature_bits(cpu) == (kCpuPopcnt | kCpuBmi1 | kCpuAvx2 | kCpuFma));
}
