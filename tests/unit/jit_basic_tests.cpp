// Baseline JIT: basic instructions through the hand-built harness.
#include <catch2/catch.hpp>

#include "jit_modules.hpp"
#include "jit_test_harness.hpp"

using namespace wasm::test::jit;
using wasm::TrapCode;

TEST_CASE("jit: constants, arithmetic, locals", "[jit]") {
  JitInstance inst(modules::basic);
  REQUIRE(inst.ok());
  CHECK(inst.call<int32_t>("const42").value == 42);
  CHECK(inst.call<int32_t>("add", 2, 40).value == 42);
  CHECK(inst.call<int64_t>("add64", int64_t(1) << 40, int64_t(5)).value == (int64_t(1) << 40) + 5);
  CHECK(inst.call<int32_t>("locals", 5).value == 15 * 12);
  CHECK(inst.call<int32_t>("tee", 5).value == 12);
}

TEST_CASE("jit: blocks, if, loops", "[jit]") {
  JitInstance inst(modules::basic);
  REQUIRE(inst.ok());
  CHECK(inst.call<int32_t>("block_result", 1).value == 100);
  CHECK(inst.call<int32_t>("block_result", 0).value == 200);
  CHECK(inst.call<int32_t>("if_else", 7).value == 1);
  CHECK(inst.call<int32_t>("if_else", 0).value == 2);
  CHECK(inst.call<int32_t>("if_cmp", 3, 9).value == 9);
  CHECK(inst.call<int32_t>("if_cmp", 9, 3).value == 9);
  CHECK(inst.call<int32_t>("loop_sum", 100).value == 5050);
  CHECK(inst.call<int32_t>("select", 1, 2, 1).value == 1);
  CHECK(inst.call<int32_t>("select", 1, 2, 0).value == 2);
}

TEST_CASE("jit: division, shifts, traps, recursion", "[jit]") {
  JitInstance inst(modules::basic);
  REQUIRE(inst.ok());
  CHECK(inst.call<int32_t>("div", -20, 3).value == -6);
  CHECK(inst.call<int32_t>("rem", 20, 6).value == 2);
  CHECK(inst.call<int32_t>("shl", 3, 4).value == 48);
  auto r = inst.call<int32_t>("div", 1, 0);
  REQUIRE(r.trapped());
  CHECK(*r.trap == TrapCode::IntegerDivisionByZero);
  auto u = inst.call<void>("unreachable");
  REQUIRE(u.trapped());
  CHECK(*u.trap == TrapCode::UnreachableCodeReached);
  CHECK(inst.call<int64_t>("fact", int64_t(20)).value == 2432902008176640000LL);
}
