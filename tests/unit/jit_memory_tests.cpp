// Baseline JIT: every load and store width, edges of memory, memory.size/grow and bulk
// memory, in both bounds-checking modes.
#include <catch2/catch.hpp>

#include <cstring>

#include "jit_modules.hpp"
#include "jit_test_harness.hpp"

using namespace wasm::test::jit;
using wasm::BoundsChecks;
using wasm::TrapCode;

namespace {

CompileOptions mode_options(BoundsChecks mode) {
  CompileOptions o;
  o.bounds_checks = mode;
  return o;
}

template <typename R>
bool traps_oob(const CallResult<R>& r) {
  return r.trapped() && *r.trap == TrapCode::MemoryOutOfBounds;
}

}  // namespace

TEST_CASE("jit memory: loads of every width", "[jit]") {
  auto mode = GENERATE(BoundsChecks::GuardPages, BoundsChecks::Explicit);
  JitInstance inst(modules::memory, mode_options(mode));
  REQUIRE(inst.ok());
  CHECK(inst.call<int32_t>("i32_load", 0).value == 0x04030201);
  CHECK(inst.call<int32_t>("i32_load_off", 0).value == 0x08070605);
  CHECK(inst.call<int64_t>("i64_load", 8).value == int64_t(0xf7f6f5f4f3f2f1f0ull));
  CHECK(inst.call<int32_t>("i32_load8_s", 8).value == int32_t(int8_t(0xf0)));
  CHECK(inst.call<int32_t>("i32_load8_u", 8).value == 0xf0);
  CHECK(inst.call<int32_t>("i32_load16_s", 8).value == int32_t(int16_t(0xf1f0)));
  CHECK(inst.call<int32_t>("i32_load16_u", 8).value == 0xf1f0);
  CHECK(inst.call<int64_t>("i64_load8_s", 9).value == int64_t(int8_t(0xf1)));
  CHECK(inst.call<int64_t>("i64_load8_u", 9).value == 0xf1);
  CHECK(inst.call<int64_t>("i64_load16_s", 9).value == int64_t(int16_t(0xf2f1)));
  CHECK(inst.call<int64_t>("i64_load16_u", 9).value == 0xf2f1);
  CHECK(inst.call<int64_t>("i64_load32_s", 8).value == int64_t(int32_t(0xf3f2f1f0)));
  CHECK(inst.call<int64_t>("i64_load32_u", 8).value == int64_t(0xf3f2f1f0ull));
  CHECK(inst.call<int32_t>("const_addr").value == 4);
  CHECK(inst.call<int32_t>("sum_bytes", 0, 8).value == 36);
}

TEST_CASE("jit memory: stores of every width", "[jit]") {
  auto mode = GENERATE(BoundsChecks::GuardPages, BoundsChecks::Explicit);
  JitInstance inst(modules::memory, mode_options(mode));
  REQUIRE(inst.ok());
  uint8_t* mem = inst.memory_base();
  auto read64 = [&](uint32_t at) {
    uint64_t v;
    std::memcpy(&v, mem + at, 8);
    return v;
  };
  inst.call<void>("i64_store", 100, int64_t(-1));
  inst.call<void>("i32_store8", 100, 0x1234);
  CHECK(read64(100) == 0xFFFFFFFFFFFFFF34ull);
  inst.call<void>("i32_store16", 100, 0x5678);
  CHECK(read64(100) == 0xFFFFFFFFFFFF5678ull);
  inst.call<void>("i32_store", 100, 0x01020304);
  CHECK(read64(100) == 0xFFFFFFFF01020304ull);
  inst.call<void>("i64_store8", 104, int64_t(0x99));
  inst.call<void>("i64_store16", 105, int64_t(0xAABB));
  CHECK(read64(100) == 0xFFAABB9901020304ull);
  inst.call<void>("i64_store32", 100, int64_t(0x1122334455667788));
  CHECK(read64(100) == 0xFFAABB9955667788ull);
  inst.call<void>("f32_store", 200, 1.5f);
  CHECK(inst.call<float>("f32_load", 200).value == 1.5f);
  inst.call<void>("f64_store", 208, -3.25);
  CHECK(inst.call<double>("f64_load", 208).value == -3.25);
  inst.call<void>("store_consts", 300);
  CHECK(mem[300] == 0xff);
  CHECK(mem[301] == 0x45);
  CHECK(mem[302] == 0x23);
  CHECK(read64(308) == 0x1122334455667788ull);
  CHECK(read64(316) == 0xFFFFFFFFFFFFFFFEull);
  double d;
  std::memcpy(&d, mem + 324, 8);
  CHECK(d == 2.5);
}

TEST_CASE("jit memory: accesses at the edges", "[jit]") {
  auto mode = GENERATE(BoundsChecks::GuardPages, BoundsChecks::Explicit);
  JitInstance inst(modules::memory, mode_options(mode));
  REQUIRE(inst.ok());
  inst.memory_base()[65535] = 0x7f;
  CHECK(inst.call<int32_t>("i32_load8_u", 65535).value == 0x7f);
  CHECK(traps_oob(inst.call<int32_t>("i32_load8_u", 65536)));
  CHECK(!inst.call<int32_t>("i32_load", 65532).trapped());
  CHECK(traps_oob(inst.call<int32_t>("i32_load", 65533)));
  CHECK(traps_oob(inst.call<int32_t>("i32_load", -1)));
  CHECK(traps_oob(inst.call<int32_t>("i32_load_off", 65529)));
  CHECK(traps_oob(inst.call<int32_t>("i32_load_huge_off", 0)));
  CHECK(traps_oob(inst.call<int32_t>("i32_load_huge_off", 0x10)));
  CHECK(traps_oob(inst.call<int64_t>("i64_load", 65529)));
  CHECK(traps_oob(inst.call<int32_t>("const_addr_oob")));
  CHECK(traps_oob(inst.call<void>("i64_store", 65530, int64_t(1))));
  CHECK(traps_oob(inst.call<void>("i32_store16", 65535, 1)));
  CHECK(!inst.call<void>("i32_store16", 65534, 1).trapped());
}

TEST_CASE("jit memory: size, grow and bulk operations", "[jit]") {
  auto mode = GENERATE(BoundsChecks::GuardPages, BoundsChecks::Explicit);
  JitInstance inst(modules::memory, mode_options(mode));
  REQUIRE(inst.ok());
  CHECK(inst.call<int32_t>("size").value == 1);
  CHECK(traps_oob(inst.call<int32_t>("i32_load", 70000)));
  CHECK(inst.call<int32_t>("grow", 1).value == 1);
  CHECK(inst.call<int32_t>("size").value == 2);
  CHECK(!inst.call<int32_t>("i32_load", 70000).trapped());
  CHECK(inst.call<int32_t>("grow", 5).value == -1);
  CHECK(inst.call<int32_t>("size").value == 2);

  inst.call<void>("fill", 1000, 0xAB, 16);
  CHECK(inst.memory_base()[1000] == 0xAB);
  CHECK(inst.memory_base()[1015] == 0xAB);
  CHECK(inst.memory_base()[1016] == 0);
  inst.call<void>("copy", 2000, 0, 8);
  CHECK(inst.call<int64_t>("i64_load", 2000).value == 0x0807060504030201);
  inst.call<void>("init", 3000, 1, 3);
  CHECK(std::memcmp(inst.memory_base() + 3000, "ell", 3) == 0);
  inst.call<void>("drop");
  CHECK(traps_oob(inst.call<void>("init", 3000, 1, 3)));
  CHECK(traps_oob(inst.call<void>("fill", 131070, 0, 3)));
}

TEST_CASE("jit memory: several memories", "[jit]") {
  auto mode = GENERATE(BoundsChecks::GuardPages, BoundsChecks::Explicit);
  CompileOptions o = mode_options(mode);
  o.features.multi_memory = true;
  JitInstance inst(modules::multimem, o);
  REQUIRE(inst.ok());
  inst.call<void>("store_b", 70000, 1234);
  CHECK(inst.call<int32_t>("load_b", 70000).value == 1234);
  CHECK(traps_oob(inst.call<int32_t>("load_a", 70000)));
  CHECK(inst.call<int32_t>("load_a", 0).value == 0);
  inst.call<void>("store_b", 100008, 77);
  CHECK(inst.call<int32_t>("load_b_const").value == 77);
  CHECK(inst.call<int32_t>("size_b").value == 2);
  CHECK(traps_oob(inst.call<int32_t>("load_b", 131070)));
  CHECK(inst.call<int32_t>("grow_b", 1).value == 2);
  CHECK(!inst.call<int32_t>("load_b", 131070).trapped());
  inst.call<void>("copy_b_to_a", 16, 70000, 4);
  CHECK(inst.call<int32_t>("load_a", 16).value == 1234);
}
