// Each mid-end pass on small hand-written functions: the IR after the pass, as text written
// here by hand, and the function's results in the IR interpreter before and after.
#include <random>

#include "opt_test_support.hpp"
#include "wasm/detail/jit/opt/pass_manager.hpp"

using namespace wasm::test::opt;

namespace {

// Runs the named passes in order on a copy of the export's IR, verifying after each.
Function after(OptModule& m, const std::string& name, std::initializer_list<bool (*)(Function&)> passes) {
  Function f = m.func(name);
  for (auto p : passes) {
    p(f);
    INFO(print(f));
    REQUIRE(verify(f) == "");
  }
  return f;
}

// The same results (or trap) before and after, on each input.
void same_results(OptModule& m, const Function& before, const Function& after,
                  const std::vector<std::vector<uint64_t>>& inputs) {
  for (const auto& in : inputs) {
    InterpResult a = m.run(before, in), b = m.run(after, in);
    REQUIRE(a.status != InterpResult::Status::Unsupported);
    CHECK(int(a.status) == int(b.status));
    CHECK(int(a.trap) == int(b.trap));
    CHECK(a.values == b.values);
  }
}

}  // namespace

TEST_CASE("opt fold: constants fold, identities simplify, constants move right", "[opt][fold]") {
  OptModule m(R"((module (func (export "f") (param i32) (result i32)
    (i32.add (i32.mul (i32.const 6) (i32.const 7)) (i32.add (local.get 0) (i32.const 0))))))");
  Function f = after(m, "f", {fold_constants, eliminate_dead_code});
  CHECK(print(f) ==
        "function 0 (i32) -> (i32)\n"
        "block0(v0: i32):\n"
        "  v1 = const.i32 42\n"
        "  v2 = i32.add v0, v1\n"
        "  return v2\n");
  same_results(m, m.func("f"), f, {{0}, {1}, {0xFFFFFFFF}});
}

TEST_CASE("opt fold: traps stay, divisions by safe constants lose their checks", "[opt][fold]") {
  OptModule m(R"((module
    (func (export "divz") (result i32) (drop (i32.div_u (i32.const 1) (i32.const 0))) (i32.const 5))
    (func (export "nan") (result i32) (i32.trunc_f32_s (f32.const nan)))
    (func (export "div7") (param i32) (result i32) (i32.div_s (local.get 0) (i32.const 7)))
    (func (export "divm1") (param i32) (result i32) (i32.div_s (local.get 0) (i32.const -1)))
    (func (export "remm1") (param i32) (result i32) (i32.rem_s (local.get 0) (i32.const -1)))))");
  Function divz = after(m, "divz", {fold_constants, eliminate_dead_code});
  CHECK(print(divz) ==
        "function 0 () -> (i32)\n"
        "block0:\n"
        "  v0 = const.i32 1\n"
        "  v1 = const.i32 0\n"
        "  v2 = i32.div_u v0, v1\n"
        "  v3 = const.i32 5\n"
        "  return v3\n");
  CHECK(m.run(divz, {}).trapped(wasm::TrapCode::IntegerDivisionByZero));
  Function nan = after(m, "nan", {fold_constants, eliminate_dead_code});
  CHECK(print(nan).find("i32.trunc_f32_s") != std::string::npos);
  CHECK(m.run(nan, {}).trapped(wasm::TrapCode::BadConversionToInteger));
  CHECK(print(after(m, "div7", {fold_constants})) ==
        "function 2 (i32) -> (i32)\n"
        "block0(v0: i32):\n"
        "  v1 = const.i32 7\n"
        "  v2 = i32.div_s v0, v1 nonzero nooverflow\n"
        "  return v2\n");
  Function divm1 = after(m, "divm1", {fold_constants});  // INT_MIN / -1 still traps
  CHECK(print(divm1).find("i32.div_s v0, v1 nonzero\n") != std::string::npos);
  CHECK(m.run(divm1, {0x80000000}).trapped(wasm::TrapCode::IntegerOverflow));
  Function remm1 = after(m, "remm1", {fold_constants, eliminate_dead_code});
  CHECK(print(remm1) ==
        "function 4 (i32) -> (i32)\n"
        "block0(v0: i32):\n"
        "  v1 = const.i32 0\n"
        "  return v1\n");
}

TEST_CASE("opt fold + dce + copyprop: a branch on a constant takes one arm", "[opt][fold][dce][copyprop]") {
  OptModule m(R"((module (func (export "f") (param i32) (result i32)
    (if (result i32) (i32.const 1) (then (i32.const 10)) (else (local.get 0))))))");
  Function f = after(m, "f", {fold_constants, eliminate_dead_code, propagate_copies, eliminate_dead_code});
  CHECK(print(f) ==
        "function 0 (i32) -> (i32)\n"
        "block0(v0: i32):\n"
        "  jump block1\n"
        "block1:\n"
        "  v1 = const.i32 10\n"
        "  jump block2\n"
        "block2:\n"
        "  return v1\n");
  same_results(m, m.func("f"), f, {{0}, {7}});
}

TEST_CASE("opt copyprop: a loop parameter that only passes itself around goes", "[opt][copyprop]") {
  // Local 2 is re-set to itself + 0 in the loop: after folding, the header's parameter for it
  // receives the entry value or itself, so it is the entry value.
  OptModule m(R"((module (func (export "f") (param i32 i32) (result i32) (local i32)
    (local.set 2 (local.get 0))
    (loop $l
      (local.set 2 (i32.add (local.get 2) (i32.const 0)))
      (local.set 1 (i32.sub (local.get 1) (i32.const 1)))
      (br_if $l (local.get 1)))
    (local.get 2))))");
  Function f = after(m, "f", {fold_constants, propagate_copies, eliminate_dead_code});
  CHECK(print(f) ==
        "function 0 (i32, i32) -> (i32)\n"
        "block0(v0: i32, v1: i32):\n"
        "  jump block1(v1)\n"
        "block1(v2: i32):\n"
        "  v3 = const.i32 1\n"
        "  v4 = i32.sub v2, v3\n"
        "  brif v4, block1(v4), block2\n"
        "block2:\n"
        "  return v0\n");
  same_results(m, m.func("f"), f, {{5, 1}, {9, 3}});
}

TEST_CASE("opt gvn: equal pure values merge where one dominates the other", "[opt][gvn]") {
  OptModule m(R"((module (func (export "f") (param i32 i32) (result i32) (local i32)
    (local.set 2 (i32.mul (i32.add (local.get 0) (local.get 1)) (i32.add (local.get 1) (local.get 0))))
    (if (local.get 0)
      (then (local.set 2 (i32.add (local.get 2) (i32.add (local.get 0) (local.get 1))))))
    (local.get 2))))");
  Function f = after(m, "f", {number_values, eliminate_dead_code});
  CHECK(print(f) ==
        "function 0 (i32, i32) -> (i32)\n"
        "block0(v0: i32, v1: i32):\n"
        "  v2 = i32.add v0, v1\n"
        "  v3 = i32.mul v2, v2\n"
        "  brif v0, block1, block2\n"
        "block1:\n"
        "  v4 = i32.add v3, v2\n"
        "  jump block3(v4)\n"
        "block2:\n"  // the if's empty else
        "  jump block3(v3)\n"
        "block3(v5: i32):\n"
        "  return v5\n");
  same_results(m, m.func("f"), f, {{0, 4}, {3, 4}, {0xFFFFFFFF, 2}});
}

TEST_CASE("opt dce: unused pure values and parameters go, loads and traps stay", "[opt][dce]") {
  OptModule m(R"((module (memory 1)
    (func (export "f") (param i32) (result i32)
      (drop (i32.mul (local.get 0) (local.get 0)))
      (drop (i32.load (local.get 0)))
      (drop (i32.div_u (local.get 0) (local.get 0)))
      (local.get 0))))");
  Function f = after(m, "f", {eliminate_dead_code});
  CHECK(print(f) ==
        "function 0 (i32) -> (i32)\n"
        "block0(v0: i32):\n"
        "  v1 = mem.base 0\n"
        "  v2 = i32.load v1[v0 + 0]\n"
        "  v3 = i32.div_u v0, v0\n"
        "  return v0\n");
  same_results(m, m.func("f"), f, {{0}, {4}, {70000}});
}

TEST_CASE("opt licm: invariant arithmetic, globals and a safe load leave the loop", "[opt][licm]") {
  OptModule m(R"((module (memory 1) (global $g (mut i32) (i32.const 3))
    (func (export "f") (param i32 i32) (result i32) (local i32)
      (loop $l
        (local.set 2 (i32.add (local.get 2)
          (i32.add (i32.load (local.get 1)) (i32.mul (local.get 1) (global.get $g)))))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br_if $l (local.get 0)))
      (local.get 2))
    (func (export "stored") (param i32 i32) (result i32) (local i32)
      (loop $l
        (local.set 2 (i32.add (local.get 2) (i32.load (local.get 1))))
        (i32.store (local.get 1) (local.get 0))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br_if $l (local.get 0)))
      (local.get 2))))");
  Function f = after(m, "f", {hoist_loop_invariants});
  CHECK(print(f) ==
        "function 0 (i32, i32) -> (i32)\n"
        "block0(v0: i32, v1: i32):\n"
        "  v2 = const.i32 0\n"
        "  v3 = mem.base 0\n"
        "  v4 = i32.load v3[v1 + 0]\n"
        "  v5 = global.get 0\n"
        "  v6 = i32.mul v1, v5\n"
        "  v7 = i32.add v4, v6\n"
        "  v8 = const.i32 1\n"
        "  jump block1(v2, v0)\n"
        "block1(v9: i32, v10: i32):\n"  // local 2, local 0
        "  v11 = i32.add v9, v7\n"
        "  v12 = i32.sub v10, v8\n"
        "  brif v12, block1(v11, v12), block2\n"
        "block2:\n"
        "  return v11\n");
  same_results(m, m.func("f"), f, {{3, 0}, {5, 8}, {2, 70000}});
  // The store in the loop may change what the load reads: it stays; the base still moves.
  Function s = after(m, "stored", {hoist_loop_invariants});
  std::string text = print(s);
  CHECK(text.find("block0(v0: i32, v1: i32):\n  v2 = const.i32 0\n  v3 = mem.base 0\n") != std::string::npos);
  CHECK(text.find("block1(v5: i32, v6: i32):\n  v7 = i32.load v3[v1 + 0]\n") != std::string::npos);
  same_results(m, m.func("stored"), s, {{3, 0}, {5, 8}, {2, 70000}});
}

TEST_CASE("opt licm: a load after a possible trap in the loop stays", "[opt][licm]") {
  // Hoisting the load would trap with heap_oob where the division traps first with int_divz.
  OptModule m(R"((module (memory 1)
    (func (export "f") (param i32 i32) (result i32) (local i32)
      (loop $l
        (local.set 2 (i32.div_u (local.get 2) (local.get 0)))
        (local.set 2 (i32.add (local.get 2) (i32.load (local.get 1))))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br_if $l (local.get 0)))
      (local.get 2))))");
  Function f = after(m, "f", {hoist_loop_invariants});
  CHECK(print(f).find("block1(v") != std::string::npos);
  CHECK(print(f).find("i32.load") > print(f).find("block1(v"));
  CHECK(m.run(f, {0, 100000}).trapped(wasm::TrapCode::IntegerDivisionByZero));
}

TEST_CASE("opt strength: multiplication and division by constants", "[opt][strength]") {
  OptModule m(R"((module
    (func (export "mul8") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 8)))
    (func (export "divu10") (param i32) (result i32) (i32.div_u (local.get 0) (i32.const 10)))
    (func (export "rems4") (param i32) (result i32) (i32.rem_s (local.get 0) (i32.const 4)))))");
  CHECK(print(after(m, "mul8", {reduce_strength, eliminate_dead_code})) ==
        "function 0 (i32) -> (i32)\n"
        "block0(v0: i32):\n"
        "  v1 = const.i32 3\n"
        "  v2 = i32.shl v0, v1\n"
        "  return v2\n");
  // 0xCCCCCCCD = ceil(2^35 / 10): the high half of x * m, shifted by 3.
  CHECK(print(after(m, "divu10", {reduce_strength, eliminate_dead_code})) ==
        "function 1 (i32) -> (i32)\n"
        "block0(v0: i32):\n"
        "  v1 = const.i32 -858993459\n"
        "  v2 = umulhi.i32 v0, v1\n"
        "  v3 = const.i32 3\n"
        "  v4 = i32.shr_u v2, v3\n"
        "  return v4\n");
  // x - ((x + bias) & -4), bias = 3 for negative x.
  CHECK(print(after(m, "rems4", {reduce_strength, eliminate_dead_code})) ==
        "function 2 (i32) -> (i32)\n"
        "block0(v0: i32):\n"
        "  v1 = const.i32 31\n"
        "  v2 = i32.shr_s v0, v1\n"
        "  v3 = const.i32 30\n"
        "  v4 = i32.shr_u v2, v3\n"
        "  v5 = i32.add v0, v4\n"
        "  v6 = const.i32 -4\n"
        "  v7 = i32.and v5, v6\n"
        "  v8 = i32.sub v0, v7\n"
        "  return v8\n");
}

TEST_CASE("opt strength: division sequences agree with division for many divisors", "[opt][strength]") {
  // One function per (operator, width, divisor); each runs on edge and random dividends.
  std::vector<int64_t> divisors;
  for (int64_t d = 2; d <= 130; ++d) divisors.insert(divisors.end(), {d, -d});
  for (int k = 8; k < 63; k += 3) divisors.insert(divisors.end(), {(int64_t(1) << k) + 1, (int64_t(1) << k) - 1,
                                                                   -((int64_t(1) << k) + 3), int64_t(1) << k});
  for (int64_t d : {1000000007ll, 641ll, 0x7FFFFFFFll, 0x80000001ll, 0xFFFFFFFEll, 0x7FFFFFFFFFFFFFFFll,
                    -0x7FFFFFFFFFFFFFFFll, 0x5555555555555555ll, 7ll * 7 * 7 * 7 * 7 * 7 * 7 * 7})
    divisors.push_back(d);
  std::string text = "(module\n";
  std::vector<std::string> names;
  for (const char* w : {"i32", "i64"})
    for (const char* op : {"div_u", "div_s", "rem_u", "rem_s", "mul"})
      for (int64_t d : divisors) {
        if (std::string(w) == "i32" && (d > 0xFFFFFFFFll || d < -0x80000000ll)) continue;
        std::string name = std::string(w) + op + std::to_string(names.size());
        names.push_back(name);
        text += "(func (export \"" + name + "\") (param " + w + ") (result " + w + ") (" + w + "." + op +
                " (local.get 0) (" + w + ".const " + std::to_string(d) + ")))\n";
      }
  text += ")";
  OptModule m(text);
  std::mt19937_64 rng(42);
  size_t checked = 0;
  for (const std::string& name : names) {
    Function before = m.func(name);
    Function f = after(m, name, {fold_constants, reduce_strength, eliminate_dead_code});
    bool is64 = name[1] == '6';
    std::vector<std::vector<uint64_t>> inputs;
    for (uint64_t x : {0ull, 1ull, 2ull, 3ull, 6ull, 7ull, 9ull, 10ull, 0x7FFFFFFFull, 0x80000000ull, 0xFFFFFFFFull,
                       0x80000001ull, 0xFFFFFFFEull, 0x7FFFFFFFFFFFFFFFull, 0x8000000000000000ull, ~0ull})
      inputs.push_back({is64 ? x : uint32_t(x)});
    for (int k = 0; k < 48; ++k) {
      uint64_t r = rng() >> (rng() % 64);
      inputs.push_back({is64 ? r : uint32_t(r)});
    }
    INFO(name << "\n" << print(f));
    same_results(m, before, f, inputs);
    checked += inputs.size();
  }
  CHECK(checked > 50000);
}

TEST_CASE("opt pipeline: verified after every pass, results kept", "[opt][pipeline]") {
  OptModule m("opt_basic");
  for (const char* name : {"add", "sum", "max", "mem", "caller", "switch", "divs"}) {
    Function f = m.func(name);
    std::vector<std::string> seen;
    optimize(f, [&](const Pass& p, Function& g) {
      seen.push_back(p.name);
      INFO(name << " after " << p.name << "\n" << print(g));
      REQUIRE(verify(g) == "");
    });
    CHECK(seen.size() == std::size(kPipeline));
    for (uint64_t x : {0ull, 1ull, 5ull, 10ull, 0xFFFFFFF0ull}) {
      std::vector<uint64_t> in(f.params.size(), x);
      InterpResult a = m.run(m.func(name), in), b = m.run(f, in);
      CHECK(int(a.status) == int(b.status));
      CHECK(a.values == b.values);
    }
  }
}
