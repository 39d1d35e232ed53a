// Baseline JIT: control flow with multi-value blocks, branches, br_table, merges of cached
// locals, unreachable code and constant conditions.
#include <catch2/catch.hpp>

#include "jit_modules.hpp"
#include "jit_test_harness.hpp"

using namespace wasm::test::jit;
using wasm::detail::ValRaw;

TEST_CASE("jit control: multi-value blocks and returns", "[jit]") {
  JitInstance inst(modules::control);
  REQUIRE(inst.ok());
  ValRaw out[3] = {};
  REQUIRE(!inst.call<void>("swap", out, 1, 2).trapped());
  CHECK(out[0].i32 == 2);
  CHECK(out[1].i32 == 1);
  CHECK(inst.call<int32_t>("multi_br", 1).value == 16);
  CHECK(inst.call<int32_t>("multi_br", 0).value == 3);
  CHECK(inst.call<int32_t>("block_params", 12).value == 7);
  CHECK(inst.call<int32_t>("loop_params", 10).value == 55);
  CHECK(inst.call<int32_t>("if_params", 5, 1).value == 105);
  CHECK(inst.call<int32_t>("if_params", 5, 0).value == -195);
  REQUIRE(!inst.call<void>("return_multi", out, 1).trapped());
  CHECK(out[0].i32 == 1);
  CHECK(out[1].i64 == 2);
  CHECK(out[2].i32 == 3);
  REQUIRE(!inst.call<void>("return_multi", out, 0).trapped());
  CHECK(out[0].i32 == 4);
  CHECK(out[1].i64 == 0x1234567890);
  CHECK(out[2].i32 == 6);
  CHECK(inst.call<int32_t>("early_return", 1).value == 11);
  CHECK(inst.call<int32_t>("early_return", 0).value == 22);
}

TEST_CASE("jit control: br_table", "[jit]") {
  JitInstance inst(modules::control);
  REQUIRE(inst.ok());
  CHECK(inst.call<int32_t>("nested_br", 0).value == 13);
  CHECK(inst.call<int32_t>("nested_br", 1).value == 12);
  CHECK(inst.call<int32_t>("nested_br", 2).value == 10);
  CHECK(inst.call<int32_t>("nested_br", 3).value == 10);
  CHECK(inst.call<int32_t>("nested_br", -1).value == 10);
  ValRaw out[2] = {};
  REQUIRE(!inst.call<void>("br_table_values", out, 0).trapped());
  CHECK(out[0].i32 == 1);
  CHECK(out[1].i32 == 102);
  REQUIRE(!inst.call<void>("br_table_values", out, 1).trapped());
  CHECK(out[0].i32 == 1);
  CHECK(out[1].i32 == 2);
  REQUIRE(!inst.call<void>("br_table_values", out, 7).trapped());
  CHECK(out[1].i32 == 2);
  CHECK(inst.call<int32_t>("br_table_loop", 5).value == 5);
}

TEST_CASE("jit control: merges keep values and cached locals right", "[jit]") {
  JitInstance inst(modules::control);
  REQUIRE(inst.ok());
  CHECK(inst.call<int32_t>("br_if_keep", 1).value == 1053);
  CHECK(inst.call<int32_t>("br_if_keep", 0).value == 1063);
  CHECK(inst.call<int32_t>("locals_across_branches", 1).value == 75);
  CHECK(inst.call<int32_t>("locals_across_branches", 0).value == 57);
  CHECK(inst.call<int32_t>("unreachable_tail", 0).value == 9);
  CHECK(inst.call<int32_t>("const_conditions").value == 11);
  CHECK(inst.call<int64_t>("select_i64", int64_t(1) << 40, int64_t(-1), 1).value == int64_t(1) << 40);
  CHECK(inst.call<int64_t>("select_i64", int64_t(1) << 40, int64_t(-1), 0).value == -1);
  CHECK(inst.call<double>("select_f64", 1.5, -2.5, 1).value == 1.5);
  CHECK(inst.call<double>("select_f64", 1.5, -2.5, 0).value == -2.5);
  // (1,2,3) -> (3,1,2) per iteration: after n iterations a rotation by n mod 3.
  CHECK(inst.call<int32_t>("swap_in_loop", 1).value == 312);
  CHECK(inst.call<int32_t>("swap_in_loop", 2).value == 231);
  CHECK(inst.call<int32_t>("swap_in_loop", 3).value == 123);
  CHECK(inst.call<int32_t>("swap_in_loop", 100).value == 312);
}
