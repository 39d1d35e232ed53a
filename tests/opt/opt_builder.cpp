// The SSA builder, printer, verifier and IR interpreter on small functions.
#include "opt_test_support.hpp"

using namespace wasm::test::opt;

TEST_CASE("opt builder: straight-line code prints as SSA", "[opt]") {
  OptModule m("opt_basic");
  CHECK(print(m.func("add")) ==
        "function 0 (i32, i32) -> (i32)\n"
        "block0(v0: i32, v1: i32):\n"
        "  v2 = i32.add v0, v1\n"
        "  return v2\n");
  CHECK(run1(m, m.func("add"), {40, 2}) == 42);
  CHECK(run1(m, m.func("add"), {0xFFFFFFFF, 2}) == 1);  // wraps at 32 bits
}

TEST_CASE("opt builder: a loop's locals become block parameters of its header", "[opt]") {
  OptModule m("opt_basic");
  // i and s change in the loop; n does not, so the header takes two parameters, and the
  // zero-initialised locals enter as constants (one each: GVN merges them).
  CHECK(print(m.func("sum")) ==
        "function 1 (i32) -> (i32)\n"
        "block0(v0: i32):\n"
        "  v1 = const.i32 0\n"
        "  v2 = const.i32 0\n"
        "  jump block1(v2, v1)\n"
        "block1(v3: i32, v4: i32):\n"
        "  v5 = i32.ge_s v3, v0\n"
        "  brif v5, block2, block3\n"
        "block2:\n"
        "  return v4\n"
        "block3:\n"
        "  v6 = i32.add v4, v3\n"
        "  v7 = const.i32 1\n"
        "  v8 = i32.add v3, v7\n"
        "  jump block1(v8, v6)\n");
  CHECK(run1(m, m.func("sum"), {10}) == 45);
  CHECK(run1(m, m.func("sum"), {0}) == 0);
}

TEST_CASE("opt builder: if/else results merge in a block parameter", "[opt]") {
  OptModule m("opt_basic");
  CHECK(run1(m, m.func("max"), {3, 9}) == 9);
  CHECK(run1(m, m.func("max"), {uint32_t(-3), uint32_t(-9)}) == uint32_t(-3));
}

TEST_CASE("opt builder: memory, calls, globals, br_table and traps run in the interpreter", "[opt]") {
  OptModule m("opt_basic");
  CHECK(run1(m, m.func("mem"), {10}) == 3 * 45);
  CHECK(run1(m, m.func("caller"), {5}) == 2 * 105);
  for (uint32_t k = 0; k < 6; ++k) {
    uint64_t expect = k == 0 ? 10 : k == 1 ? 20 : k == 2 ? 30 : 40;
    CHECK(run1(m, m.func("switch"), {k}) == expect);
  }
  CHECK(m.run(m.func("divz"), {5}).trapped(wasm::TrapCode::IntegerDivisionByZero));
  CHECK(run1(m, m.func("divs"), {100}) == 14 + 10 + 4 + 4);
  CHECK(run1(m, m.func("divs"), {uint32_t(-100)}) == uint32_t(-14 + 429496719 - 4 + 12));
}

TEST_CASE("opt builder: SIMD builds (the interpreter does not run it)", "[opt]") {
  OptModule m("opt_basic");
  std::string text = print(m.func("simd"));
  CHECK(text.find("i32x4.add") != std::string::npos);
  CHECK(text.find("i32x4.extract_lane[2]") != std::string::npos);
  CHECK(m.run(m.func("simd"), {1}).status == InterpResult::Status::Unsupported);
}
